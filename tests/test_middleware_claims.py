"""dedupe_events on the store's leases: a handled event is finished (Slack's retries are
dropped); one whose handling raised keeps only its lease, so a retry after it runs out is
handled again."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import BoltResponse

from bot.slack.middleware import EVENT_TTL_SECONDS, LEASE_SECONDS, dedupe_events
from bot.store import SQLiteStore


class Clock:
    now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _event(event_id: str) -> dict[str, Any]:
    return {"type": "event_callback", "event_id": event_id, "event": {"type": "message"}}


def test_a_handled_event_is_finished_and_its_retries_dropped() -> None:
    clock = Clock()
    store = SQLiteStore(clock=clock)
    middleware = dedupe_events(store)
    handled: list[str] = []
    assert middleware(_event("Ev1"), lambda: handled.append("first")) is None
    clock.now += LEASE_SECONDS + 1  # long past the lease: finishing is what keeps it
    retry = middleware(_event("Ev1"), lambda: handled.append("retry"))
    assert isinstance(retry, BoltResponse) and retry.status == 200
    assert handled == ["first"]
    clock.now += EVENT_TTL_SECONDS
    middleware(_event("Ev1"), lambda: handled.append("much later"))
    assert handled == ["first", "much later"]


def test_an_event_whose_handling_raised_is_retried_after_its_lease() -> None:
    clock = Clock()
    store = SQLiteStore(clock=clock)
    middleware = dedupe_events(store)

    def crash() -> None:
        raise RuntimeError("the worker died")

    with pytest.raises(RuntimeError):
        middleware(_event("Ev1"), crash)
    handled: list[str] = []
    assert isinstance(middleware(_event("Ev1"), lambda: handled.append("early")), BoltResponse)
    clock.now += LEASE_SECONDS + 1
    middleware(_event("Ev1"), lambda: handled.append("retry"))
    assert handled == ["retry"]


def test_other_requests_pass_without_a_claim() -> None:
    store = SQLiteStore()
    middleware = dedupe_events(store)
    calls: list[int] = []
    for _ in range(2):
        middleware({"type": "block_actions"}, lambda: calls.append(1))
    assert calls == [1, 1]
