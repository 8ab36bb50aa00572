"""Listeners are named module functions: called here directly, as Bolt would call them, with a
real SQLite store and a pool that records what it is given (no HTTP, no Bolt app)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import BoltContext

from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.slack import tasks
from bot.slack.context import Services
from bot.slack.limits import BUSY
from bot.slack.listeners import assistant, events
from bot.slack.worker import Busy
from bot.store import Conversation, SQLiteStore

BOT = "U0BOT"
USER = "U0ALICE"
THREAD = "1800000000.000100"
BODY = {"team_id": "T1"}
CONTEXT = BoltContext({"bot_user_id": BOT})


class Pool:
    """Takes jobs (or refuses them, when `busy`)."""

    def __init__(self) -> None:
        self.jobs: list[tasks.Job] = []
        self.delays: list[float] = []
        self.busy = False

    def submit(self, job: tasks.Job, *, delay: float = 0.0) -> None:
        if self.busy:
            raise Busy("full")
        self.jobs.append(job)
        self.delays.append(delay)

    def shutdown(self, timeout: float = 0) -> None:
        pass


class Client:
    def __init__(self) -> None:
        self.posted: list[dict[str, Any]] = []

    def chat_postMessage(self, **params: Any) -> None:
        self.posted.append(params)


@pytest.fixture
def services() -> Iterator[Services]:
    store = SQLiteStore(":memory:")
    settings = Settings(_env_file=None)
    # The pipeline: its prompt templates say which summary styles a message may name.
    pipeline = Pipeline(settings, store=store)
    yield Services(settings=settings, pipeline=pipeline, store=store, pool=Pool())
    store.close()


def test_a_mention_queues_its_job_and_engages_the_thread_for_follow_ups(services):
    pool = services.pool
    mention = {"type": "app_mention", "channel": "C1", "user": USER, "ts": THREAD}
    mention["text"] = f"<@{BOT}> <https://news.test/story>"
    events.handle_app_mention(mention, BODY, Client(), CONTEXT, services)
    (job,) = pool.jobs
    assert isinstance(job, tasks.Summarize) and job.dest.thread_ts == THREAD
    seen = services.memory.recall(Conversation("T1", "C1", THREAD), speaker=USER)
    assert seen.engaged and seen.participants == {USER}

    follow_up = {"type": "message", "channel": "C1", "user": USER, "thread_ts": THREAD}
    follow_up |= {"text": "who cut the ribbon?", "ts": "1800000000.000200"}
    events.handle_message(follow_up, BODY, Client(), CONTEXT, services)
    # The article is still being read: the question is parked with the thread, and only its
    # safety net is queued, for later (no job waits for the article).
    parked = pool.jobs[-1]
    assert isinstance(parked, tasks.ParkQuestion) and parked.question == "who cut the ribbon?"
    assert pool.delays[-1] == services.settings.fetch_total_timeout + 5
    (entry,) = services.store.take_parked(Conversation("T1", "C1", THREAD))
    assert entry.id == parked.id and tasks.loads(entry.payload) == parked

    chatter = follow_up | {"text": "lol", "user": "U0BOB", "ts": "1800000000.000300"}
    events.handle_message(chatter, BODY, Client(), CONTEXT, services)
    assert len(pool.jobs) == 2


def test_a_busy_pool_says_so_in_the_thread_and_engages_nothing(services):
    services.pool.busy = True
    client = Client()
    mention = {"type": "app_mention", "channel": "C1", "user": USER, "ts": THREAD}
    mention["text"] = f"<@{BOT}> <https://news.test/story>"
    events.handle_app_mention(mention, BODY, client, CONTEXT, services)
    assert client.posted == [{"channel": "C1", "thread_ts": THREAD, "text": BUSY}]
    assert not services.store.is_engaged(Conversation("T1", "C1", THREAD))


def test_the_assistant_views_message_is_planned_like_a_dm(services):
    payload = {"channel": "D1", "user": USER, "text": "What can you do?", "ts": "1.2"}
    payload["thread_ts"] = THREAD
    assistant.handle_user_message(payload, BODY, Client(), services)
    (job,) = services.pool.jobs
    assert isinstance(job, tasks.Post) and job.dest.assistant and job.dest.thread_ts == THREAD
    assert "I read articles" in job.text
