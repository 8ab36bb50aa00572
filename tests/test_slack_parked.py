"""Follow-ups typed while their thread's article is still being read (issue 11): parked with
the thread and answered by the job that reads it, once; no job waits or polls for it.

Protocol level: signed events over real HTTP into the app, the fake Slack Web API recording
what is posted where, the local article server (a page slow to answer), the offline engine.
Then the parking on both stores, and delayed jobs on every queue.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from bot.slack import parked, tasks
from bot.slack.context import Destination, Services
from bot.slack.memory import Memory, ThreadMemory
from bot.slack.worker import ThreadWorkerPool
from bot.store import ArticleRef, Conversation, RedisStore, SQLiteStore
from bot.store.sqlite_jobs import SQLiteJobQueue
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import (
    CHANNEL,
    TEAM,
    USER,
    SlackAppHarness,
    harness_settings,
    text_of,
)

pytestmark = pytest.mark.timeout(90)

THREAD = "1800000050.000100"
QUESTION = "How much rubbish did the volunteers pull from the river?"


def _streams(slack: FakeSlack, thread: str) -> list[Any]:
    """The replies streamed into `thread` (summaries and answers), in the order they began."""
    return [c for c in slack.calls("chat.startStream") if c.params.get("thread_ts") == thread]


def _notes(slack: FakeSlack, thread: str) -> list[Any]:
    return [c for c in slack.calls("chat.postMessage") if c.params.get("thread_ts") == thread]


def _text(slack: FakeSlack, start: Any) -> str:
    return slack.streamed_text(start.response["ts"])


def _wait(ready: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _harness(slack: FakeSlack, tmp_path: Any, **overrides: Any) -> SlackAppHarness:
    return SlackAppHarness(slack, harness_settings(slack, tmp_path, **overrides))


def _parked_in(bot: SlackAppHarness, thread: str) -> list[str]:
    """What is parked in `thread` (taken, then put back as it was)."""
    store = bot.services.store  # type: ignore[union-attr]
    conversation = Conversation(TEAM, CHANNEL, thread)
    taken = store.take_parked(conversation)
    for entry in taken:
        store.park(conversation, entry.id, entry.payload)
    return [entry.id for entry in taken]


# --- answered by the article's reader ------------------------------------------------------


def test_a_question_while_a_slow_article_is_read_gets_one_answer_from_it(bot, articles):
    pool = bot.services.pool
    bot.mention(f"<{articles.url('/slow?delay=2')}>", ts=THREAD)
    bot.message(QUESTION, ts="1800000050.000200", thread_ts=THREAD)
    # While the page is read the question is parked, and only the reader's job runs.
    (waiting,) = _parked_in(bot, THREAD)
    assert pool._running == 1  # the summary's: no job waits for the article
    asked = time.monotonic()

    bot.slack.wait_for("chat.stopStream", count=2, timeout=30)
    bot.idle()
    _summary, answer = _streams(bot.slack, THREAD)
    assert "two tonnes" in _text(bot.slack, answer)  # from that article
    assert time.monotonic() - asked < parked.wait_seconds(bot.services) / 2  # not the net
    assert _parked_in(bot, THREAD) == []
    assert bot.services.store.job_marks(parked.answer_id(waiting))["done"] == "1"
    assert _notes(bot.slack, THREAD) == []


def test_a_parked_question_holds_no_job_thread(slack, articles, tmp_path):
    """Two job threads: one reads thread B's slow page; B's question takes none, so thread
    C's request runs at once on the other (a job waiting for B's article would hold it)."""
    with _harness(slack, tmp_path, slack_worker_threads=2) as bot:
        bot.mention(f"<{articles.url('/slow?delay=6')}>", ts=THREAD)  # thread B
        bot.message(QUESTION, ts="1800000050.000200", thread_ts=THREAD)
        other = "1800000051.000100"
        bot.mention(f"<{articles.url('/story')}>", ts=other)  # thread C
        _wait(lambda: any(c.params["ts"] for c in slack.calls("chat.stopStream")), 30)
        (first,) = slack.calls("chat.stopStream")
        (c_summary,) = _streams(slack, other)
        assert first.params["ts"] == c_summary.response["ts"]  # C finished while B reads
        slack.wait_for("chat.stopStream", count=3, timeout=30)
        bot.idle()
    assert len(_streams(slack, THREAD)) == 2  # B's summary, then the answer


def test_two_parked_questions_get_an_answer_each(bot, articles):
    bot.mention(f"<{articles.url('/slow?delay=2')}>", ts=THREAD)
    bot.message(QUESTION, ts="1800000050.000200", thread_ts=THREAD)
    bot.message("When will they do it again?", ts="1800000050.000300", thread_ts=THREAD)
    assert len(_parked_in(bot, THREAD)) == 2
    bot.slack.wait_for("chat.stopStream", count=3, timeout=30)
    bot.idle()
    _summary, *answers = _streams(bot.slack, THREAD)
    texts = sorted(_text(bot.slack, answer) for answer in answers)
    assert len(texts) == 2
    assert "every spring" in texts[0] + texts[1] and "two tonnes" in texts[0] + texts[1]
    assert _parked_in(bot, THREAD) == []


def test_a_failed_read_tells_the_parked_question_and_nothing_more(slack, articles, tmp_path):
    settings = {"fetch_read_timeout": 1, "fetch_total_timeout": 2}
    with _harness(slack, tmp_path, **settings) as bot:
        bot.mention(f"<{articles.url('/slow?delay=4')}>", ts=THREAD)
        bot.message(QUESTION, ts="1800000050.000200", thread_ts=THREAD)
        asked = time.monotonic()
        (note,) = slack.wait_for("chat.postMessage", count=1, timeout=20)
        _wait(lambda: _notes(slack, THREAD), 20)
        assert time.monotonic() - asked < parked.wait_seconds(bot.services)  # the reader said
        (note,) = _notes(slack, THREAD)
        assert note.params["text"] == f"<@{USER}> {parked.COULD_NOT_READ}"
        # Past the safety net's time: it finds the question answered, and says nothing.
        time.sleep(max(0.0, asked + parked.wait_seconds(bot.services) + 1 - time.monotonic()))
        bot.idle()
    assert len(_notes(slack, THREAD)) == 1
    assert len(_streams(slack, THREAD)) == 1  # the failed summary only
    assert slack.calls("conversations.replies") == []


# --- the safety net and the races ----------------------------------------------------------


def test_a_read_that_never_ends_is_answered_from_the_thread_by_the_safety_net(
    slack, articles, tmp_path
):
    """The reader's job was lost (dead-lettered, given up): nothing drains the thread, so
    the question's delayed job reads the thread and answers from the article there."""
    with _harness(slack, tmp_path, fetch_total_timeout=1) as bot:
        slack.add_message(CHANNEL, f"<{articles.url('/article')}>", user=USER, ts=THREAD)
        conversation = Conversation(TEAM, CHANNEL, THREAD)
        bot.services.memory.engage(conversation, USER)  # as its listener did; then lost
        bot.message(QUESTION, ts="1800000050.000200", thread_ts=THREAD)
        assert len(_parked_in(bot, THREAD)) == 1
        bot.idle()
        assert _streams(slack, THREAD) == []  # nothing yet: the read might still end
        slack.wait_for("chat.stopStream", timeout=parked.wait_seconds(bot.services) + 15)
        bot.idle()
    (answer,) = _streams(slack, THREAD)
    assert "two tonnes" in _text(slack, answer)
    assert len(slack.calls("conversations.replies")) == 1


def test_an_article_remembered_just_before_the_park_is_answered_once(
    slack, articles, tmp_path, monkeypatch
):
    """The listener recalled the thread before its article was remembered, and parked the
    question after the reader had drained it: the second look after parking answers it."""
    with _harness(slack, tmp_path, fetch_total_timeout=1) as bot:
        bot.mention(f"<{articles.url('/article')}>", ts=THREAD)
        slack.wait_for("chat.stopStream", timeout=20)
        bot.idle()
        stale = ThreadMemory(engaged=True, participants=frozenset({USER}))
        monkeypatch.setattr(Memory, "recall", lambda self, conversation, speaker=None: stale)
        bot.message(QUESTION, ts="1800000050.000200", thread_ts=THREAD)
        monkeypatch.undo()
        assert _parked_in(bot, THREAD) == []  # taken back at once
        slack.wait_for("chat.stopStream", count=2, timeout=20)
        time.sleep(parked.wait_seconds(bot.services) + 1)  # the safety net has run
        bot.idle()
    _summary, answer = _streams(slack, THREAD)
    assert "two tonnes" in _text(slack, answer)
    assert len(slack.calls("chat.stopStream")) == 2


def test_a_reader_that_died_after_taking_a_question_leaves_it_to_the_safety_net(
    slack, articles, tmp_path, monkeypatch
):
    lost: list[str] = []

    def dies(services: Services, question: tasks.ParkQuestion, answer: tasks.Job) -> int:
        lost.append(answer.id)
        monkeypatch.undo()  # the next process is whole again
        return 0

    with _harness(slack, tmp_path, fetch_total_timeout=3) as bot:
        monkeypatch.setattr(parked, "_answer", dies)
        bot.mention(f"<{articles.url('/slow?delay=0.5')}>", ts=THREAD)
        bot.message(QUESTION, ts="1800000050.000200", thread_ts=THREAD)
        slack.wait_for("chat.stopStream", count=2, timeout=parked.wait_seconds(bot.services) + 15)
        time.sleep(1)
        bot.idle()
    assert len(lost) == 1  # taken, its answer never queued: the safety net queued it
    _summary, answer = _streams(slack, THREAD)
    assert "two tonnes" in _text(slack, answer)
    assert len(slack.calls("chat.stopStream")) == 2


def test_an_ask_when_ready_queued_before_the_upgrade_is_still_answered(bot, articles):
    """The job kind versions before parking queued (it polled for the article): parked now."""
    bot.mention(f"<{articles.url('/slow?delay=2')}>", ts=THREAD)
    dest = Destination(channel=CHANNEL, user=USER, team=TEAM, thread_ts=THREAD)
    old = tasks.loads(tasks.dumps(tasks.AskWhenReady(dest=dest, question=QUESTION)))
    bot.services.pool.submit(old)
    bot.slack.wait_for("chat.stopStream", count=2, timeout=30)
    bot.idle()
    _summary, answer = _streams(bot.slack, THREAD)
    assert "two tonnes" in _text(bot.slack, answer)
    assert _parked_in(bot, THREAD) == []


@pytest.mark.timeout(90)
@pytest.mark.parametrize("where", ["job_process", "redis"])
def test_a_parked_question_is_answered_by_the_process_that_reads(
    slack, articles, tmp_path, request, where
):
    """Jobs in another process: the SQLite job process beside the server, or `articlebot
    worker`s on Redis. The server parks the question; the process reading the article queues
    its answer on the same queue (the job process starts it at once)."""
    from bot.slack.redis_jobs import RedisJobQueue
    from bot.slack.worker import ProcessWorkerPool
    from tests.servers.slack_app import mention_body
    from tests.test_job_ids import _deliver, _process

    pool: ProcessWorkerPool | RedisJobQueue
    if where == "redis":
        settings = request.getfixturevalue("redis_settings")
        request.getfixturevalue("worker")
        pool = RedisJobQueue(settings)
    else:
        settings = harness_settings(slack, tmp_path, slack_stream=False, slack_job_process=True)
        pool = ProcessWorkerPool(settings, 2)
        request.addfinalizer(lambda: pool.shutdown(20))
    app, _ = _process(settings, pool)
    mention = mention_body(slack, "Ev0PARK1", CHANNEL, f"<{articles.url('/slow?delay=2')}>")
    thread = json.loads(mention)["event"]["ts"]
    follow_up = json.loads(mention) | {"event_id": "Ev0PARK2"}
    follow_up["event"] = {
        "type": "message",
        "channel_type": "channel",
        "channel": CHANNEL,
        "user": USER,
        "text": QUESTION,
        "ts": "1700000400.000200",
        "thread_ts": thread,
    }
    assert _deliver(app, mention) == 200
    assert _deliver(app, json.dumps(follow_up)) == 200

    def finals() -> list[Any]:
        return [c for c in slack.calls("chat.update") if c.params.get("blocks")]

    _wait(lambda: len(finals()) == 2, 60)
    time.sleep(1)  # a second answer would show up now
    assert len(finals()) == 2
    assert len(_notes(slack, thread)) == 2  # the placeholders: the summary's, the answer's
    assert "two tonnes" in text_of(finals()[1])


# --- parking on both stores ----------------------------------------------------------------


class _Pool:
    """Records what is queued (thread-safe: drains race here)."""

    def __init__(self) -> None:
        self.jobs: list[tuple[tasks.Job, float]] = []
        self._lock = threading.Lock()

    def submit(self, job: tasks.Job, *, delay: float = 0.0) -> None:
        with self._lock:
            self.jobs.append((job, delay))

    def shutdown(self, timeout: float = 0) -> None:
        pass


@pytest.fixture(params=["sqlite", "redis"])
def services(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Services]]:
    """Services on the backend under test; each call is another process's, with a store of
    its own on the same data (one file, or one Redis key prefix)."""
    settings = Settings(_env_file=None, fetch_total_timeout=10)
    pool = _Pool()
    opened: list[SQLiteStore | RedisStore] = []

    def make() -> Services:
        if request.param == "sqlite":
            store: SQLiteStore | RedisStore = SQLiteStore(tmp_path / "store.sqlite3")
        else:
            url = request.getfixturevalue("redis_url")
            store = RedisStore.from_url(url, prefix=request.getfixturevalue("redis_prefix"))
        opened.append(store)
        return Services(settings=settings, pipeline=None, store=store, pool=pool)  # type: ignore[arg-type]

    yield make
    for store in opened:
        store.close()


DEST = Destination(channel=CHANNEL, user=USER, team=TEAM, thread_ts=THREAD)
STORY = ArticleRef("h1", "https://news.test/story", "Story")


def test_parking_queues_the_safety_net_for_after_the_fetch_timeout(services):
    here = services()
    job = tasks.ParkQuestion(dest=DEST, question=QUESTION)
    parked.park(here, job)
    assert here.pool.jobs == [(job, 10 + parked.GRACE_SECONDS)]
    (entry,) = here.store.take_parked(DEST.conversation)
    assert tasks.loads(entry.payload) == job


def test_racing_drains_answer_each_parked_question_once(services):
    workers = [services() for _ in range(4)]
    questions = [tasks.ParkQuestion(dest=DEST, question=f"Question {n}?") for n in range(6)]
    for question in questions:
        parked.park(workers[0], question, admitted=True)  # more than one person's job cap
    workers[0].memory.remember(DEST.conversation, articles=[STORY])
    start = threading.Barrier(len(workers))

    def drain(here: Services) -> None:
        start.wait()
        parked.drain(here, DEST.conversation)

    threads = [threading.Thread(target=drain, args=(here,)) for here in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answers = [job for job, delay in workers[0].pool.jobs if isinstance(job, tasks.Ask)]
    assert sorted(a.id for a in answers) == sorted(parked.answer_id(q.id) for q in questions)
    assert {a.question for a in answers} == {q.question for q in questions}
    assert all(a.articles == (STORY,) for a in answers)


def test_the_safety_net_answers_from_the_article_or_the_thread_unless_answered(services):
    here = services()
    lost, late, answered = (
        tasks.ParkQuestion(dest=DEST, question=text) for text in ("Lost?", "Late?", "Done?")
    )
    for question in (lost, late, answered):
        parked.park(here, question)
    here.pool.jobs.clear()
    parked.fallback(here, lost)  # never read: the thread is read again
    ((job, _),) = here.pool.jobs
    assert isinstance(job, tasks.FromThreadStart) and job.id == parked.answer_id(lost.id)
    assert job.request == "Lost?"

    here.memory.remember(DEST.conversation, articles=[STORY])
    here.store.mark_job(parked.answer_id(answered.id), "done", "1")  # a reader answered it
    here.pool.jobs.clear()
    parked.fallback(here, answered)
    parked.fallback(here, late)  # read since: answered from the article
    ((job, _),) = here.pool.jobs
    assert isinstance(job, tasks.Ask) and job.id == parked.answer_id(late.id)
    assert here.store.take_parked(DEST.conversation) == []


# --- delayed jobs on every queue -----------------------------------------------------------


def _post(channel: str) -> tasks.Post:
    return tasks.Post(dest=Destination(channel=channel, team=TEAM), text="later")


def _posted(slack: FakeSlack, channel: str) -> int:
    return sum(c.params["channel"] == channel for c in slack.calls("chat.postMessage"))


@pytest.mark.parametrize("durable", [False, True], ids=["in_memory", "sqlite_queue"])
def test_a_thread_pool_runs_a_delayed_job_when_due_holding_no_thread(slack, tmp_path, durable):
    from bot.slack.app import web_client
    from bot.slack.runtime import build_services

    settings = harness_settings(slack, tmp_path)
    queue = SQLiteJobQueue.beside(settings.store_path) if durable else None
    pool = ThreadWorkerPool(1, queue=queue)
    pool.bind(build_services(settings, pool=pool), web_client(settings))
    try:
        pool.submit(_post("C0LATER"), delay=1.0)
        assert pool.wait_idle(0.1)  # nothing runs (or waits on a thread) meanwhile
        pool.submit(_post("C0NOW"))
        assert pool.wait_idle(5) and _posted(slack, "C0NOW") == 1
        assert _posted(slack, "C0LATER") == 0
        time.sleep(0.5)
        assert _posted(slack, "C0LATER") == 0  # not before it is due
        # Due after a second; the SQLite queue's runners look every RENEW_SECONDS.
        _wait(lambda: _posted(slack, "C0LATER") == 1, 10)
    finally:
        pool.shutdown(5)


@pytest.mark.timeout(60)
def test_the_redis_queue_runs_a_delayed_job_when_due(slack, redis_settings, worker):
    from bot.slack.redis_jobs import RedisJobQueue

    queue = RedisJobQueue(redis_settings)
    queued = time.monotonic()
    queue.submit(_post("C0REDISLATER"), delay=1.5)
    queue.submit(_post("C0REDISNOW"))
    _wait(lambda: _posted(slack, "C0REDISNOW") == 1, 30)
    _wait(lambda: _posted(slack, "C0REDISLATER") == 1, 30)
    assert time.monotonic() - queued >= 1.5
