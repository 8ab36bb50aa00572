"""Jobs as typed messages, the job journal (a re-run never posts twice) and the SQLite job
queue (an acked job outlives its process). Real app services on the fake Slack Web API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.ingest.links import parse_input
from bot.slack import journal, tasks
from bot.slack.context import Destination
from bot.store import ArticleRef
from bot.store.sqlite_jobs import SQLiteJobQueue
from tests.servers.slack_app import CHANNEL, TEAM, USER, text_of

DEST = Destination(channel=CHANNEL, user=USER, team=TEAM)
THREAD = Destination(channel=CHANNEL, user=USER, team=TEAM, thread_ts="1700000000.000100")


def every_kind() -> list[tasks.Job]:
    return [
        tasks.Summarize(dest=DEST, parsed=parse_input("https://e.example/a tl;dr"), style="tldr"),
        tasks.Summarize(dest=THREAD, parsed=parse_input("x"), files=({"url_private": "u"},)),
        tasks.SummarizeRef(dest=DEST, ref=ArticleRef("h", "https://e.example/a", "T")),
        tasks.Ask(dest=THREAD, question="who?", articles=(ArticleRef("h"),)),
        tasks.AskAboutLinks(dest=DEST, question="who?", urls=("https://e.example/a",)),
        tasks.ParkQuestion(dest=THREAD, question="who?"),
        tasks.AskWhenReady(dest=THREAD, question="who?"),
        tasks.FromThreadStart(dest=THREAD, request="summarize"),
        tasks.RecapThread(dest=THREAD, instructions="in French", bot_user_id="U0BOT"),
        tasks.Post(dest=DEST, text="hello"),
        tasks.Respond(response_url="https://hooks.example/1", payload={"text": "hi"}),
        tasks.OfferSummary(channel=CHANNEL, user=USER, ts="1.2", url="https://e.example/a"),
    ]


@pytest.mark.parametrize("job", every_kind(), ids=lambda job: job.kind)
def test_every_job_survives_json(job):
    again = tasks.loads(tasks.dumps(job))
    assert again == job and type(again) is type(job)
    assert again.id == job.id


def test_jobs_get_their_own_ids_and_are_frozen():
    a, b = tasks.Post(dest=DEST, text="x"), tasks.Post(dest=DEST, text="x")
    assert a.id != b.id
    with pytest.raises(ValidationError):
        a.text = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    "data",
    [
        '{"kind": "nope"}',
        '{"kind": "post"}',
        "[1]",
        "not json",
        '{"kind": "post", "dest": {"channel": "C"}, "text": "x", "extra": 1}',
    ],
)
def test_what_isnt_a_job_is_refused(data):
    with pytest.raises(ValidationError):
        tasks.loads(data)


# --- the SQLite job queue ------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_queue_leases_renews_and_hands_lost_jobs_on(tmp_path):
    clock = Clock()
    queue = SQLiteJobQueue(tmp_path / "q.sqlite3", clock=clock)
    queue.put("j1", "payload-1", grace_seconds=15)
    assert queue.lease("scan", 15) is None  # handed to a process: nobody else takes it yet
    assert queue.lease("a", 15, job_id="j1") == ("j1", "payload-1")
    assert queue.lease("b", 15, job_id="j1") is None  # a runs it
    clock.now += 10
    queue.renew(["j1"], "a", 15)
    clock.now += 10
    assert queue.lease("b", 15) is None  # renewed: still a's
    clock.now += 6  # a died: no renewal for 16 s
    assert queue.lease("b", 15) == ("j1", "payload-1")
    queue.renew(["j1"], "a", 15)  # a late renewal from the dead owner changes nothing
    clock.now += 16
    assert queue.lease("c", 15) == ("j1", "payload-1")
    queue.done("j1")
    assert queue.pending() == 0


def test_a_job_never_started_is_taken_after_its_grace(tmp_path):
    clock = Clock()
    queue = SQLiteJobQueue(tmp_path / "q.sqlite3", clock=clock)
    queue.put("old", "1", grace_seconds=15)
    clock.now += 1
    queue.put("new", "2", grace_seconds=15)
    clock.now += 20
    assert queue.lease("scan", 15) == ("old", "1")  # oldest first
    assert queue.lease("scan", 15) == ("new", "2")
    assert queue.lease("scan", 15) is None


def test_queue_outlives_its_connection(tmp_path):
    first = SQLiteJobQueue(tmp_path / "q.sqlite3")
    first.put("j1", "p", grace_seconds=0)
    first.close()
    assert SQLiteJobQueue(tmp_path / "q.sqlite3").lease("x", 15) == ("j1", "p")


def test_memory_is_no_place_for_a_queue():
    with pytest.raises(ValueError, match="outlive"):
        SQLiteJobQueue(":memory:")


# --- the journal: exactly one reply however often a job runs ---------------------------------


def _summarize(articles) -> tasks.Summarize:
    return tasks.Summarize(dest=DEST, parsed=parse_input(articles.url("/story")), name="t")


def test_a_finished_job_delivered_again_does_nothing(bot, slack, articles):
    job = _summarize(articles)
    journal.execute(bot.services, bot.app.client, job)
    calls = len(slack.calls())
    assert slack.calls("chat.postMessage") and bot.services.store.job_marks(job.id)["done"]
    journal.execute(bot.services, bot.app.client, job)
    assert len(slack.calls()) == calls


def test_a_rerun_finishes_the_reply_its_first_run_started(bot, slack, articles):
    """The first run posted its placeholder, then its process died."""
    job = _summarize(articles)
    first = bot.app.client.chat_postMessage(channel=CHANNEL, text="_Writing…_")
    store = bot.services.store
    store.mark_job(job.id, "attempts", "1")
    store.mark_job(job.id, "r0:channel", CHANNEL)
    store.mark_job(job.id, "r0:ts", first["ts"])
    journal.execute(bot.services, bot.app.client, job)
    assert len(slack.calls("chat.postMessage")) == 1  # only the first run's placeholder
    final = [c for c in slack.calls("chat.update") if c.params.get("blocks")]
    assert len(final) == 1 and final[0].params["ts"] == first["ts"]
    assert "bridge" in text_of(final[0]).lower()
    assert store.job_marks(job.id)["attempts"] == "2"


def test_a_job_that_keeps_dying_is_given_up_in_its_placeholder(bot, slack, articles):
    job = _summarize(articles)
    first = bot.app.client.chat_postMessage(channel=CHANNEL, text="_Writing…_")
    store = bot.services.store
    store.mark_job(job.id, "attempts", str(journal.MAX_ATTEMPTS))
    store.mark_job(job.id, "r0:channel", CHANNEL)
    store.mark_job(job.id, "r0:ts", first["ts"])
    journal.execute(bot.services, bot.app.client, job)
    (update,) = slack.calls("chat.update")
    assert update.params["ts"] == first["ts"] and "couldn't finish" in update.params["text"]
    assert not articles.requests  # the job itself didn't run again
    assert store.job_marks(job.id)["done"] == "gave up"


def test_notes_are_posted_once_per_job(bot, slack):
    job = tasks.Post(dest=DEST, text="hello")
    journal.execute(bot.services, bot.app.client, job)
    bot.services.store.mark_job(job.id, "done", "")  # as if it died right after posting
    journal.execute(bot.services, bot.app.client, job)
    assert [c.params["text"] for c in slack.calls("chat.postMessage")] == ["hello"]


def test_a_restarted_thread_pool_runs_the_jobs_its_predecessor_acked(slack, tmp_path):
    """SLACK_JOB_PROCESS=false with a file store: jobs on threads, still durable."""
    from bot.slack.app import web_client
    from bot.slack.runtime import build_services
    from bot.slack.worker import ThreadWorkerPool
    from tests.servers.slack_app import harness_settings

    settings = harness_settings(slack, tmp_path)
    queue = SQLiteJobQueue.beside(settings.store_path)
    job = tasks.Post(dest=DEST, text="acked before the crash")
    queue.put(job.id, tasks.dumps(job), grace_seconds=0)  # its process died before running it
    pool = ThreadWorkerPool(2, queue=queue)
    pool.bind(build_services(settings, pool=pool), web_client(settings))
    try:
        (call,) = slack.wait_for("chat.postMessage", timeout=10)
        assert call.params["text"] == "acked before the crash"
        fresh = tasks.Post(dest=DEST, text="after the restart")
        pool.submit(fresh)
        assert pool.wait_idle(10)
        assert [c.params["text"] for c in slack.calls("chat.postMessage")][-1] == fresh.text
        assert queue.pending() == 0
    finally:
        pool.shutdown(5)


def test_a_job_carries_the_request_id_to_the_worker_s_log_lines(bot, caplog):
    from bot.logs import bind_request_id, current_request_id

    with bind_request_id("Ev0REQUEST"):
        job = tasks.Post(dest=DEST, text="hi")  # made while the listener handles the event
    seen: list[str | None] = []
    caplog.set_level("INFO", logger="bot.slack.journal")
    original = tasks.Post.run

    def run(self, services, client):
        seen.append(current_request_id())
        original(self, services, client)

    tasks.Post.run = run  # type: ignore[method-assign]
    try:
        journal.execute(bot.services, bot.app.client, tasks.loads(tasks.dumps(job)))
    finally:
        tasks.Post.run = original  # type: ignore[method-assign]
    assert job.request_id == "Ev0REQUEST" and seen == ["Ev0REQUEST"]
    assert current_request_id() is None


def test_a_job_stopped_by_its_time_limit_says_so_in_its_placeholder(bot, slack, articles):
    """Dramatiq's time limit raises a BaseException into the job's thread mid-reply."""
    from dramatiq.middleware.time_limit import TimeLimitExceeded

    job = _summarize(articles)
    original = bot.services.pipeline.summarize

    def too_long(*args, **kwargs):
        raise TimeLimitExceeded()

    bot.services.pipeline.summarize = too_long  # the model is where the time goes
    try:
        with pytest.raises(TimeLimitExceeded):
            journal.execute(bot.services, bot.app.client, job)
    finally:
        bot.services.pipeline.summarize = original
    (placeholder,) = slack.calls("chat.postMessage")
    last = slack.calls("chat.update")[-1]
    assert last.params["ts"] == placeholder.response["ts"]
    assert "took too long" in last.params["text"]
    assert bot.services.store.job_marks(job.id)["done"] == "stopped"


ORPHAN_PARENT = """
import sys, time
from bot.settings import Settings
from bot.slack.worker import ProcessWorkerPool
settings = Settings(_env_file=None, slack_bot_token="xoxb-orphan-test", store_path=sys.argv[1])
pool = ProcessWorkerPool(settings, 2)
print(pool._process.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.timeout(90)
def test_the_job_process_exits_when_its_server_process_is_killed(tmp_path: Path) -> None:
    """kill -9 of the server leaves no job process behind (it drains and exits)."""
    root = Path(__file__).resolve().parents[1]
    parent = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_PARENT, str(tmp_path / "store.sqlite3")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    time.sleep(1)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(10)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        with open(f"/proc/{child}/stat") as stat:
            if stat.read().split()[2] == "Z":  # exited, waiting to be reaped by init
                return
        time.sleep(0.5)
    os.kill(child, signal.SIGKILL)
    pytest.fail("the job process outlived its server process")
