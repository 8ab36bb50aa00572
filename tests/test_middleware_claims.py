"""begin_requests on the store's leases, in Bolt's order (the global middleware returns, then
the listener runs): an event whose job was queued is finished (Slack's retries dropped);
one whose listener raised, or that made no job, keeps only its lease, so a retry after it
runs out is handled again (and names its job as the first delivery did)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from slack_bolt import BoltResponse

from bot.slack import tasks
from bot.slack.context import Destination
from bot.slack.middleware import EVENT_TTL_SECONDS, LEASE_SECONDS, begin_requests
from bot.store import SQLiteStore

DEST = Destination(channel="C0X", user="U0X")


class Clock:
    now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _event(event_id: str) -> dict[str, Any]:
    return {"type": "event_callback", "event_id": event_id, "event": {"type": "message"}}


def _dispatch(middleware: Callable[..., Any], body: dict[str, Any], listener: Callable[[], Any]):
    """What Bolt does: the middleware, then the listener only if it called next()."""
    passed: list[bool] = []
    response = middleware(body, lambda: passed.append(True))
    if passed:
        listener()
    return response


def _queues_a_job(made: list[tasks.Job]) -> Callable[[], None]:
    def listener() -> None:
        job = tasks.Post(dest=DEST, text="hi")
        made.append(job)
        tasks.queued(job)  # what every pool's submit says once the job is in its queue

    return listener


def test_an_event_whose_job_is_queued_is_finished_and_its_retries_dropped() -> None:
    clock = Clock()
    middleware = begin_requests(SQLiteStore(clock=clock))
    made: list[tasks.Job] = []
    assert _dispatch(middleware, _event("Ev1"), _queues_a_job(made)) is None
    clock.now += LEASE_SECONDS + 1  # long past the lease: finishing is what keeps it
    retry = _dispatch(middleware, _event("Ev1"), _queues_a_job(made))
    assert isinstance(retry, BoltResponse) and retry.status == 200
    assert len(made) == 1
    assert made[0].id == "ev:Ev1.0" and made[0].request_id == "Ev1"
    clock.now += EVENT_TTL_SECONDS
    _dispatch(middleware, _event("Ev1"), _queues_a_job(made))
    assert len(made) == 2


@pytest.mark.parametrize("listener", ["raises", "makes no job"])
def test_an_event_not_queued_is_handled_again_after_its_lease(listener: str) -> None:
    clock = Clock()
    middleware = begin_requests(SQLiteStore(clock=clock))

    def first() -> None:
        if listener == "raises":
            raise RuntimeError("the worker died")

    with pytest.raises(RuntimeError) if listener == "raises" else _nothing():
        _dispatch(middleware, _event("Ev1"), first)
    made: list[tasks.Job] = []
    early = _dispatch(middleware, _event("Ev1"), _queues_a_job(made))
    assert isinstance(early, BoltResponse) and made == []  # the lease still holds
    clock.now += LEASE_SECONDS + 1
    _dispatch(middleware, _event("Ev1"), _queues_a_job(made))
    assert [job.id for job in made] == ["ev:Ev1.0"]


def test_other_requests_pass_without_a_claim() -> None:
    middleware = begin_requests(SQLiteStore())
    made: list[tasks.Job] = []
    for _ in range(2):
        _dispatch(middleware, {"type": "block_actions"}, _queues_a_job(made))
        _dispatch(middleware, {"command": "/summarize", "trigger_id": "t"}, _queues_a_job(made))
    assert len(made) == 4 and len({job.id for job in made}) == 4  # random ids


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
