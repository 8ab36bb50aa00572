"""The crash window between queuing a request's job and marking its event handled.

A process that dies there leaves the job queued and the event's lease running out, so
Slack's retry of the event is handled again. Its job is named after the event, so the
queues take it for the job they already hold: exactly one job, exactly one reply. Real
app (Bolt, listeners, middleware), real SQLite queue and store, real Redis and Dramatiq
worker, the fake Slack Web API; the "crash" is the first process never marking the event
handled and never running its job."""

from __future__ import annotations

import contextvars
import json
import logging
import threading
import time
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.request import BoltRequest

from bot.settings import Settings
from bot.slack import journal, middleware, tasks
from bot.slack.app import create_app
from bot.slack.context import Destination, Services
from bot.slack.journal import LEASE_SECONDS
from bot.slack.middleware import job_request_seed
from bot.slack.runtime import build_services
from bot.slack.worker import ThreadWorkerPool, WorkerPool
from bot.store.sqlite_jobs import SQLiteJobQueue
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import CHANNEL, TEAM, USER, harness_settings, mention_body

DEST = Destination(channel=CHANNEL, user=USER, team=TEAM)


# --- naming jobs after their request ---------------------------------------------------------


def test_jobs_made_for_a_request_are_named_after_it_in_order():
    with tasks.handling("ev:Ev1"):
        first = [tasks.Post(dest=DEST, text="a"), tasks.Post(dest=DEST, text="b")]
    with tasks.handling("ev:Ev1"):  # Slack's retry: the same jobs, the same ids
        again = [tasks.Post(dest=DEST, text="a"), tasks.Post(dest=DEST, text="b")]
    assert [j.id for j in first] == [j.id for j in again] == ["ev:Ev1.0", "ev:Ev1.1"]
    with tasks.handling(None):
        loose = {tasks.Post(dest=DEST, text="a").id for _ in range(2)}
    # Outside any request: a fresh context, since an earlier test's Bolt dispatch on this
    # thread may have left its request set (begin_request is set, not scoped).
    outside = contextvars.Context().run(lambda: tasks.Post(dest=DEST, text="a").id)
    assert len(loose | {outside}) == 3 and not outside.startswith("ev:")


@pytest.mark.parametrize(
    ("body", "seed"),
    [
        ({"type": "event_callback", "event_id": "Ev9", "trigger_id": "x"}, "ev:Ev9"),
        ({"type": "event_callback"}, None),
        ({"type": "message_action", "trigger_id": "123.456.ab"}, "tr:123.456.ab"),
        ({"type": "block_actions", "trigger_id": "123.456.cd"}, "tr:123.456.cd"),
        ({"command": "/summarize", "trigger_id": "123.456.ef"}, None),  # never retried
        ({"type": "block_actions"}, None),
    ],
)
def test_what_a_request_s_jobs_are_named_after(body, seed):
    assert job_request_seed(body) == seed


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_job_id_is_queued_once_and_not_again_for_an_hour_after_it_is_done(tmp_path):
    clock = Clock()
    queue = SQLiteJobQueue(tmp_path / "q.sqlite3", clock=clock)
    assert queue.put("ev:Ev1.0", "first", grace_seconds=15)
    assert not queue.put("ev:Ev1.0", "retry", grace_seconds=15)  # waiting: the same job
    assert queue.lease("a", 15, job_id="ev:Ev1.0") == ("ev:Ev1.0", "first")
    assert not queue.put("ev:Ev1.0", "retry", grace_seconds=15)  # running
    queue.done("ev:Ev1.0")
    clock.now += 59 * 60
    assert not queue.put("ev:Ev1.0", "retry", grace_seconds=0)  # done: a tombstone stays
    assert queue.was_done("ev:Ev1.0") and queue.pending() == 0
    assert queue.lease("b", 15, job_id="ev:Ev1.0") is None and queue.lease("b", 15) is None
    clock.now += 2 * 60
    assert not queue.was_done("ev:Ev1.0")
    assert queue.put("ev:Ev1.0", "much later", grace_seconds=0)  # Slack stopped retrying


# --- deliveries of one job in the journal (what dedupes Dramatiq's messages) ------------------


def test_another_message_for_a_running_job_is_skipped_its_own_redelivery_takes_over(bot, slack):
    job = tasks.Post(dest=DEST, text="hello")
    store, client = bot.services.store, bot.app.client
    # A worker runs message m1 of the job (or did, and died: its lease runs out in 2 s).
    store.mark_job(job.id, journal.LEASE, "elsewhere:1|m1", ttl_seconds=2)
    started = time.monotonic()
    journal.execute(bot.services, client, job, delivery="m2")  # a retry's message
    assert time.monotonic() - started < 1 and slack.calls("chat.postMessage") == []
    journal.execute(bot.services, client, job, delivery="m1")  # Dramatiq hands m1 on
    assert time.monotonic() - started >= 1.5  # it waited for the dead runner's lease
    journal.execute(bot.services, client, job, delivery="m3")  # done: skipped
    assert [c.params["text"] for c in slack.calls("chat.postMessage")] == ["hello"]
    assert store.job_marks(job.id)["attempts"] == "1"


# --- the crash window, end to end ------------------------------------------------------------


def _deliver(app: App, body: str) -> int:
    """A delivery straight into the app, as Socket Mode hands it over: on a thread of its
    own, as the Socket Mode handler does (the request's job naming stays on that thread)."""
    headers = {"content-type": ["application/json"]}
    request = BoltRequest(body=body, headers=headers, mode="socket_mode")
    statuses: list[int] = []
    thread = threading.Thread(target=lambda: statuses.append(app.dispatch(request).status))
    thread.start()
    thread.join(30)
    (status,) = statuses
    return status


def _process(settings: Settings, pool: WorkerPool) -> tuple[App, Services]:
    services = build_services(settings, pool=pool)
    return create_app(settings, services=services), services


def _crashes_before_finishing(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process dies right after the listener returns: the event is never marked handled."""
    monkeypatch.setattr(services.store, "finish_event", lambda *args, **kwargs: None)


def _queued(queue: SQLiteJobQueue) -> list[tasks.Job]:
    with queue._lock:
        rows = queue._db.execute("SELECT payload FROM jobs").fetchall()
    return [tasks.loads(payload) for (payload,) in rows]


class _DiesAfterQueuing:
    """A process's job pool up to the crash: the job is written to the queue, nothing more."""

    def __init__(self, queue: SQLiteJobQueue) -> None:
        self.queue = queue

    def submit(self, job: tasks.Job, *, delay: float = 0.0) -> None:
        self.queue.put(job.id, tasks.dumps(job), grace_seconds=delay or LEASE_SECONDS)

    def shutdown(self, timeout: float = 0) -> None:
        pass


def _replies(slack: FakeSlack, channel: str) -> tuple[list[Any], list[Any]]:
    """(placeholders posted, final replies) in `channel`."""
    posts = [c for c in slack.calls("chat.postMessage") if c.params.get("channel") == channel]
    finals = [
        c
        for c in slack.calls("chat.update")
        if c.params.get("channel") == channel and c.params.get("blocks")
    ]
    return posts, finals


@pytest.fixture
def short_event_lease(monkeypatch: pytest.MonkeyPatch) -> float:
    """The dead process's event lease runs out in half a second, not 30."""
    monkeypatch.setattr(middleware, "LEASE_SECONDS", 0.5)
    return 0.5


@pytest.mark.timeout(60)
def test_sqlite_retry_after_a_crash_before_the_job_ran_is_the_same_job(
    slack, articles, tmp_path, monkeypatch, short_event_lease
):
    settings = harness_settings(slack, tmp_path, slack_stream=False)
    queue = SQLiteJobQueue.beside(settings.store_path)
    body = mention_body(slack, "Ev0CRASHBEFORE", "C0CRASH1", articles.url("/story"))

    dead_app, dead = _process(settings, _DiesAfterQueuing(queue))
    _crashes_before_finishing(dead, monkeypatch)
    assert _deliver(dead_app, body) == 200
    (job,) = _queued(queue)  # acked: the job is queued, nothing ran it
    assert job.id == "ev:Ev0CRASHBEFORE.0" and job.request_id == "Ev0CRASHBEFORE"
    time.sleep(short_event_lease + 0.2)

    pool = ThreadWorkerPool(2, queue=SQLiteJobQueue.beside(settings.store_path))
    app, _ = _process(settings, pool)  # the restarted process
    try:
        assert _deliver(app, body) == 200  # Slack's retry: its event lease ran out
        assert pool.wait_idle(30)
        posts, finals = _replies(slack, "C0CRASH1")
        assert len(posts) == 1 and len(finals) == 1
        assert finals[0].params["ts"] == posts[0].response["ts"]
        # No second job left behind for a runner to answer once its grace runs out.
        assert queue.pending() == 0, "the retry made a job of its own"
    finally:
        pool.shutdown(5)


@pytest.mark.timeout(60)
def test_sqlite_retry_after_a_crash_once_the_job_was_answered_does_nothing(
    slack, articles, tmp_path, monkeypatch, short_event_lease
):
    """The job process answered; the server died before marking the event handled."""
    settings = harness_settings(slack, tmp_path, slack_stream=False)
    body = mention_body(slack, "Ev0CRASHAFTER", "C0CRASH2", articles.url("/story"))
    pool = ThreadWorkerPool(2, queue=SQLiteJobQueue.beside(settings.store_path))
    app, services = _process(settings, pool)
    try:
        with monkeypatch.context() as crash:
            _crashes_before_finishing(services, crash)
            assert _deliver(app, body) == 200
            assert pool.wait_idle(30)
        assert [len(found) for found in _replies(slack, "C0CRASH2")] == [1, 1]
        time.sleep(short_event_lease + 0.2)
        calls = len(slack.calls())
        assert _deliver(app, body) == 200  # Slack's retry
        assert pool.wait_idle(30)
        assert len(slack.calls()) == calls  # nothing more said, nothing edited
        assert SQLiteJobQueue.beside(settings.store_path).was_done("ev:Ev0CRASHAFTER.0")
    finally:
        pool.shutdown(5)


def _wait(ready: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.timeout(90)
def test_redis_retry_after_a_replica_crashed_is_answered_once(
    slack, articles, redis_settings, monkeypatch, short_event_lease, request
):
    from bot.slack.redis_jobs import RedisJobQueue

    body = mention_body(slack, "Ev0REDISCRASH", "C0CRASH3", articles.url("/story"))
    # Replica A queues the job on Redis and dies before marking the event handled.
    dead_app, dead = _process(redis_settings, RedisJobQueue(redis_settings))
    _crashes_before_finishing(dead, monkeypatch)
    assert _deliver(dead_app, body) == 200
    time.sleep(short_event_lease + 0.2)
    # Slack's retry reaches replica B: a second message on the queue, carrying the same job.
    app, _ = _process(redis_settings, RedisJobQueue(redis_settings))
    assert _deliver(app, body) == 200
    request.getfixturevalue("worker")  # workers start only now: both messages are waiting
    _wait(lambda: _replies(slack, "C0CRASH3")[1], 60)
    time.sleep(3)  # the second message has run by now
    posts, finals = _replies(slack, "C0CRASH3")
    assert len(posts) == 1 and len(finals) == 1
    assert finals[0].params["ts"] == posts[0].response["ts"]


@pytest.mark.timeout(60)
def test_redis_worker_says_so_in_the_placeholder_of_a_job_it_cannot_read(
    slack, redis_settings, worker, caplog
):
    from bot.slack.app import web_client
    from bot.slack.redis_jobs import RedisJobQueue
    from bot.store import open_store

    caplog.set_level(logging.INFO, logger="bot.slack.journal")
    store = open_store(redis_settings)
    placeholder = web_client(redis_settings).chat_postMessage(channel="C0OLD", text="_Writing…_")
    # A job from another version that had started its reply when its worker went away.
    store.mark_job("old-job", "r0:channel", "C0OLD")
    store.mark_job("old-job", "r0:ts", placeholder["ts"])
    queue = RedisJobQueue(redis_settings)
    queue._actor.send(json.dumps({"id": "old-job", "kind": "summarize_v9", "dest": {}}))
    queue._actor.send("not a job at all")
    (edit,) = slack.wait_for("chat.update", timeout=30)
    assert edit.params["ts"] == placeholder["ts"] and edit.params["text"] == journal.UNREADABLE

    def lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if "can't be read" in r.getMessage()]

    _wait(lambda: len(lines()) == 2, 30)  # each logged once the worker is through with it
    assert store.job_marks("old-job")[journal.DONE] == "unreadable"
    (old,) = [line for line in lines() if "old-job" in line]
    assert "summarize_v9" in old and "its reply now says so" in old
    assert "job (no id) (unknown kind)" in caplog.text
    assert "not a job" not in caplog.text  # never the payload itself
    assert len(slack.calls("chat.postMessage")) == 1  # only the placeholder made above
    store.close()


def test_unreadable_job_without_a_placeholder_is_one_log_line(bot, slack, caplog):
    caplog.set_level(logging.INFO, logger="bot.slack.journal")
    error = _validation_error('{"id": "j9", "kind": "post"}')
    journal.unreadable(bot.app.client, bot.services.store, '{"id": "j9", "kind": "post"}', error)
    (line,) = [r for r in caplog.records if r.name == "bot.slack.journal"]
    assert line.levelname == "ERROR"
    assert "job j9 (post) can't be read" in line.getMessage()
    assert "it had posted nothing yet" in line.getMessage()
    assert [c.method for c in slack.calls() if c.method != "auth.test"] == []


def _validation_error(data: str) -> Exception:
    try:
        tasks.loads(data)
    except Exception as exc:  # pydantic's ValidationError
        return exc
    raise AssertionError("it was a job")


class _DiesBeforeQueuing:
    """A process killed while its listener ran: nothing queued, nothing marked handled."""

    def submit(self, job: tasks.Job, *, delay: float = 0.0) -> None:
        raise RuntimeError("killed before the job was written down")

    def shutdown(self, timeout: float = 0) -> None:
        pass


@pytest.mark.timeout(60)
def test_a_crash_before_the_job_is_queued_lets_slack_s_retry_in(
    slack, articles, tmp_path, short_event_lease
):
    """The event must not be marked handled before its job is queued: Bolt runs the
    listener after the middleware has returned, so the middleware can't mark it itself."""
    settings = harness_settings(slack, tmp_path, slack_stream=False)
    body = mention_body(slack, "Ev0CRASHEARLY", "C0CRASH4", articles.url("/story"))
    dead_app, _ = _process(settings, _DiesBeforeQueuing())
    _deliver(dead_app, body)  # no ack reached Slack (500), or the process died: it retries
    assert _deliver(dead_app, body) == 200  # within the lease: dropped
    time.sleep(short_event_lease + 0.2)
    pool = ThreadWorkerPool(2, queue=SQLiteJobQueue.beside(settings.store_path))
    app, _ = _process(settings, pool)
    try:
        assert _deliver(app, body) == 200
        assert pool.wait_idle(30)
        assert [len(found) for found in _replies(slack, "C0CRASH4")] == [1, 1]
    finally:
        pool.shutdown(5)


@pytest.mark.timeout(60)
def test_sqlite_runner_says_so_in_the_placeholder_of_a_job_it_cannot_read(slack, tmp_path):
    from bot.slack.app import web_client

    settings = harness_settings(slack, tmp_path)
    queue = SQLiteJobQueue.beside(settings.store_path)
    pool = ThreadWorkerPool(2, queue=queue)
    services = build_services(settings, pool=pool)
    client = web_client(settings)
    placeholder = client.chat_postMessage(channel="C0OLD", text="_Writing…_")
    services.store.mark_job("old-job", "r0:channel", "C0OLD")
    services.store.mark_job("old-job", "r0:ts", placeholder["ts"])
    # Queued by another version, whose process stopped after posting the placeholder.
    queue.put("old-job", '{"id": "old-job", "kind": "summarize_v9"}', grace_seconds=0)
    pool.bind(services, client)  # the restarted process finds it
    try:
        (edit,) = slack.wait_for("chat.update", timeout=20)
        assert edit.params["ts"] == placeholder["ts"] and edit.params["text"] == journal.UNREADABLE
        _wait(lambda: queue.pending() == 0, 10)
        assert services.store.job_marks("old-job")[journal.DONE] == "unreadable"
    finally:
        pool.shutdown(5)
