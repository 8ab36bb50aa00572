"""The request log and feedback votes, on both backends (the store suite's fixtures: SQLite
and a real Redis server)."""

from __future__ import annotations

from dataclasses import replace

from bot.store import RequestRecord
from tests.test_store import AnyStore, FakeClock, StoreFactory, clock, open_backend, store

FIXTURES = (clock, open_backend, store)  # the store suite's, found by pytest by name
DAY = 86_400.0


def _record(rid: str, at: float, **fields: object) -> RequestRecord:
    values: dict[str, object] = {
        "request_id": rid,
        "team": "T1",
        "channel": "C1",
        "user": "U1",
        "kind": "summary",
        "style": "bullets",
        "engine": "openai",
        "model": "gpt-4o-mini",
        "prompt_tokens": 1000,
        "completion_tokens": 200,
        "cost_usd": 0.00027,
        "duration_ms": 1500,
        "at": at,
        **fields,
    }
    return RequestRecord(**values)  # type: ignore[arg-type]


def test_requests_round_trip_oldest_first_with_no_votes(store: AnyStore, clock: FakeClock) -> None:
    first = _record("job1.r0", clock.now - 10)
    second = _record("job2.r0", clock.now - 5, kind="answer", style=None, cached=True)
    store.log_request(second)
    store.log_request(first)
    assert store.requests_since(clock.now - 60) == [first, second]
    assert store.requests_since(clock.now - 7) == [second]


def test_a_request_logged_again_replaces_the_first(store: AnyStore, clock: FakeClock) -> None:
    store.log_request(_record("job1.r0", clock.now - 10, completion_tokens=5))
    store.log_request(_record("job1.r0", clock.now - 9, completion_tokens=7))  # the job re-ran
    (only,) = store.requests_since(0)
    assert only.completion_tokens == 7


def test_one_vote_per_user_and_it_can_change(store: AnyStore, clock: FakeClock) -> None:
    store.log_request(_record("job1.r0", clock.now))
    store.vote("T1", "job1.r0", "U1", 1)
    store.vote("T1", "job1.r0", "U1", 1)  # the same click twice counts once
    store.vote("T1", "job1.r0", "U2", 1)
    store.vote("T1", "job1.r0", "U3", -1)
    (counted,) = store.requests_since(0)
    assert (counted.up, counted.down) == (2, 1)
    store.vote("T1", "job1.r0", "U2", -1)  # changed their mind
    (counted,) = store.requests_since(0)
    assert (counted.up, counted.down) == (1, 2)


def test_requests_and_votes_are_kept_per_team(store: AnyStore, clock: FakeClock) -> None:
    store.log_request(_record("job1.r0", clock.now))
    store.log_request(_record("job1.r0", clock.now, team="T2", channel="C9"))
    store.vote("T2", "job1.r0", "U1", -1)
    mine = store.requests_since(0, team="T1")
    theirs = store.requests_since(0, team="T2")
    assert [(r.team, r.up, r.down) for r in mine] == [("T1", 0, 0)]
    assert [(r.team, r.channel, r.up, r.down) for r in theirs] == [("T2", "C9", 0, 1)]
    assert len(store.requests_since(0)) == 2
    store.forget_team_requests("T2")  # the workspace uninstalled the app
    assert [r.team for r in store.requests_since(0)] == ["T1"]


def test_requests_older_than_the_retention_are_dropped(
    open_backend: StoreFactory, clock: FakeClock
) -> None:
    store = open_backend(request_ttl=30 * DAY, clock=clock)
    store.log_request(_record("old", clock.now))
    clock.now += 31 * DAY
    store.log_request(_record("new", clock.now))
    assert [r.request_id for r in store.requests_since(0)] == ["new"]


def test_two_stores_share_the_log(open_backend: StoreFactory, clock: FakeClock) -> None:
    """A worker logs the reply; the listener in another process stores the vote; the CLI
    reads both."""
    worker, listener, cli = (open_backend(clock=clock) for _ in range(3))
    record = _record("job1.r0", clock.now, cost_usd=None, model=None, engine="offline")
    worker.log_request(record)
    listener.vote("T1", "job1.r0", "U1", 1)
    assert cli.requests_since(0) == [replace(record, up=1)]
