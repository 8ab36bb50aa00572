"""The store, on both backends (SQLite and a real Redis server): event claims and leases
under concurrency, the job ledger, memory caps, cache TTLs; then what is backend-specific
(SQLite files shared and reopened, Redis expiry on the server and key prefixes)."""

from __future__ import annotations

import multiprocessing
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
import redis

from bot.errors import ConfigError
from bot.ingest.article import Article
from bot.settings import Settings
from bot.store import (
    ArticleRef,
    Bucket,
    ChannelSettings,
    Conversation,
    DigestSchedule,
    ErrorNote,
    RedisStore,
    RequestRecord,
    SQLiteStore,
    Store,
    Tenant,
    WorkspaceSettings,
    answer_key,
    normalize_url,
    open_store,
)
from tests import redis_server, store_worker


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


THREAD = Conversation("T1", "C1", "1700000000.000100")
OTHER_THREAD = Conversation("T1", "C1", "1700000000.000200")
DM = Conversation("T1", "D1")

AnyStore = SQLiteStore | RedisStore
# Opens a store on the backend under test: keyword options as SQLiteStore / RedisStore take.
StoreFactory = Callable[..., AnyStore]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", "redis"])
def open_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens stores on one backend; every store opened in a test shares its data (one file,
    or one Redis key prefix), like the processes of one deployment."""
    opened: list[AnyStore] = []
    if request.param == "sqlite":
        path = tmp_path / "store.sqlite3"

        def factory(**options: object) -> AnyStore:
            store = SQLiteStore(path, **options)  # type: ignore[arg-type]
            opened.append(store)
            return store

    else:
        url = request.getfixturevalue("redis_url")
        prefix = request.getfixturevalue("redis_prefix")

        def factory(**options: object) -> AnyStore:
            store = RedisStore.from_url(url, prefix=prefix, **options)
            opened.append(store)
            return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def store(open_backend: StoreFactory, clock: FakeClock) -> AnyStore:
    return open_backend(max_turns=4, max_articles=2, clock=clock)


def test_both_stores_satisfy_the_interface(store: AnyStore) -> None:
    backend: Store = store  # a type checker proves this; the runtime check guards renames
    names = ("claim_event", "finish_event", "remember_article", "history", "note_participant")
    limits = ("take_token", "acquire_slot", "release_slot")
    tenants = ("forget_team", "put_installation", "get_installation", "consume_state")
    for name in (*names, *limits, *tenants, "get_answer", "job_marks", "mark_job", "close"):
        assert callable(getattr(backend, name))


# --- event claims ---------------------------------------------------------------------------


def _race(attempt: Callable[[], bool], threads: int = 16) -> list[bool]:
    """`attempt` in many threads released at once; every result."""
    start = threading.Barrier(threads)
    results: list[bool] = []
    results_lock = threading.Lock()

    def run() -> None:
        start.wait()
        won = attempt()
        with results_lock:
            results.append(won)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def test_many_threads_claiming_one_event_get_exactly_one_true(store: AnyStore) -> None:
    for event_id in ("Ev1", "Ev2", "Ev3"):
        results = _race(partial(store.claim_event, event_id, 60))
        assert len(results) == 16
        assert results.count(True) == 1  # one winner per event id


def test_a_memory_store_claims_safely_across_threads() -> None:
    """ ":memory:" is one connection shared by threads (per-thread ones would each be empty)."""
    with SQLiteStore(":memory:") as store:
        assert _race(lambda: store.claim_event("Ev1", 60)).count(True) == 1


def test_a_running_lease_refuses_others_and_a_run_out_one_lets_one_in(
    store: AnyStore, clock: FakeClock
) -> None:
    assert store.claim_event("Ev1", lease_seconds=30)
    clock.now += 29
    assert not store.claim_event("Ev1", lease_seconds=30)  # the holder is still working
    clock.now += 2  # ...it died without finishing: the next delivery takes over
    assert store.claim_event("Ev1", lease_seconds=30)
    assert not store.claim_event("Ev1", lease_seconds=30)  # and holds it in turn
    assert store.claim_event("Ev2", lease_seconds=30)  # other events are independent


def test_a_finished_event_is_never_claimed_until_its_ttl_ends(
    store: AnyStore, clock: FakeClock
) -> None:
    assert store.claim_event("Ev1", lease_seconds=30)
    store.finish_event("Ev1", ttl_seconds=3600)
    clock.now += 31  # the lease would have run out; being done is what counts now
    assert not store.claim_event("Ev1", lease_seconds=30)
    clock.now += 3600 - 31 - 1
    assert not store.claim_event("Ev1", lease_seconds=30)
    clock.now += 2
    assert store.claim_event("Ev1", lease_seconds=30)


def test_finishing_an_unclaimed_or_taken_over_event(store: AnyStore, clock: FakeClock) -> None:
    store.finish_event("Ev1", ttl_seconds=60)  # it needed no claim (or another took it)
    assert not store.claim_event("Ev1", 30)
    assert store.claim_event("Ev2", 10)
    clock.now += 11
    assert store.claim_event("Ev2", 10)  # taken over...
    store.finish_event("Ev2", 60)  # ...and the first holder, alive after all, finishes
    assert not store.claim_event("Ev2", 10)


def test_racing_after_a_lease_runs_out_lets_exactly_one_in(
    store: AnyStore, clock: FakeClock
) -> None:
    assert store.claim_event("Ev1", 10)
    clock.now += 11
    assert _race(lambda: store.claim_event("Ev1", 10)).count(True) == 1


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_processes_racing_on_claims_and_marks_get_exactly_one_true_each(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if backend == "sqlite":
        spec = ("sqlite", str(tmp_path / "shared.sqlite3"), "")
        SQLiteStore(spec[1]).close()  # the schema exists before the race
    else:
        url, prefix = (request.getfixturevalue(name) for name in ("redis_url", "redis_prefix"))
        spec = ("redis", url, prefix)
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(4), context.Queue()
    race = (spec, barrier, results)
    processes = [context.Process(target=store_worker.claim_and_mark, args=race) for _ in range(4)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=10)
        assert process.exitcode == 0
    for n in range(20):
        assert sum(won[n] for won, _ in outcomes) == 1, f"Ev{n}"
    assert sum(marked for _, marked in outcomes) == 1


# --- job ledger -------------------------------------------------------------------------------


def test_job_marks_record_facts_and_later_values_win(store: AnyStore) -> None:
    assert store.job_marks("J1") == {}
    store.mark_job("J1", "placeholder_ts", "1700000000.0001")
    store.mark_job("J1", "stream", "open")
    store.mark_job("J1", "stream", "stopped")
    store.mark_job("J2", "placeholder_ts", "1700000000.0002")
    assert store.job_marks("J1") == {"placeholder_ts": "1700000000.0001", "stream": "stopped"}
    assert store.job_marks("J2") == {"placeholder_ts": "1700000000.0002"}


def test_mark_job_once_sets_only_the_first_value(store: AnyStore) -> None:
    assert store.mark_job_once("J1", "posted_ts", "1.1")
    assert not store.mark_job_once("J1", "posted_ts", "2.2")
    assert store.job_marks("J1") == {"posted_ts": "1.1"}
    assert store.mark_job_once("J1", "other", "x")  # per key
    assert store.mark_job_once("J2", "posted_ts", "3.3")  # per job
    store.mark_job("J1", "posted_ts", "4.4")  # an explicit overwrite still wins
    assert store.job_marks("J1")["posted_ts"] == "4.4"


def test_many_threads_marking_once_get_exactly_one_true(store: AnyStore) -> None:
    counter = iter(range(1000))
    results = _race(lambda: store.mark_job_once("J1", "posted_ts", f"{next(counter)}"))
    assert results.count(True) == 1
    assert len(store.job_marks("J1")) == 1


def test_job_marks_expire_after_their_ttl(store: AnyStore, clock: FakeClock) -> None:
    store.mark_job("J1", "short", "a", ttl_seconds=10)
    store.mark_job("J1", "long", "b", ttl_seconds=100)
    assert store.mark_job_once("J1", "once", "c", ttl_seconds=10)
    clock.now += 11
    assert store.job_marks("J1") == {"long": "b"}
    assert store.mark_job_once("J1", "once", "d", ttl_seconds=10)  # expired: unset again
    assert store.job_marks("J1") == {"long": "b", "once": "d"}
    clock.now += 100
    assert store.job_marks("J1") == {}


# --- conversation memory ----------------------------------------------------------------------


def test_history_keeps_only_the_last_turns_in_order(store: AnyStore, clock: FakeClock) -> None:
    for number in range(7):
        clock.now += 1
        store.append_turn(THREAD, "user" if number % 2 == 0 else "assistant", f"turn {number}")
    history = store.history(THREAD)
    assert [turn.text for turn in history] == ["turn 3", "turn 4", "turn 5", "turn 6"]
    assert [turn.role for turn in history] == ["assistant", "user", "assistant", "user"]
    assert history[0].ts < history[-1].ts
    assert [turn.text for turn in store.history(THREAD, limit=2)] == ["turn 5", "turn 6"]
    assert store.history(OTHER_THREAD) == []


def test_articles_are_capped_most_recent_first(store: AnyStore) -> None:
    for name in ("a", "b", "c"):
        store.remember_article(THREAD, ArticleRef(f"hash-{name}", f"https://x.test/{name}", name))
    assert [ref.title for ref in store.articles_for(THREAD)] == ["c", "b"]
    # Discussing an older article again brings it to the front instead of duplicating it.
    store.remember_article(THREAD, ArticleRef("hash-b", "https://x.test/b", "b"))
    assert [ref.title for ref in store.articles_for(THREAD)] == ["b", "c"]
    assert store.articles_for(DM) == []
    for name in ("d", "e", "c"):  # re-discussing one that fell out of the cap: front again
        store.remember_article(THREAD, ArticleRef(f"hash-{name}", None, name))
    assert [ref.title for ref in store.articles_for(THREAD)] == ["c", "e"]


def test_a_whole_article_can_be_remembered(store: AnyStore) -> None:
    article = Article.from_paragraphs(["Body."], source_kind="html", url="https://x.test/a")
    store.remember_article(DM, article)
    assert store.articles_for(DM) == [ArticleRef(article.content_hash, "https://x.test/a", None)]


def test_latest_article_is_per_channel_across_threads(store: AnyStore) -> None:
    assert store.latest_article("T1", "C1") is None
    store.remember_article(THREAD, ArticleRef("h1", "https://x.test/1", "First"))
    store.remember_article(OTHER_THREAD, ArticleRef("h2", None, "Pasted"))
    store.remember_article(DM, ArticleRef("h3", "https://x.test/3", "In a DM"))
    assert store.latest_article("T1", "C1") == ArticleRef("h2", None, "Pasted")
    assert store.latest_article("T1", "D1") == ArticleRef("h3", "https://x.test/3", "In a DM")
    assert store.latest_article("T2", "C1") is None
    store.remember_article(THREAD, ArticleRef("h1", "https://x.test/1", "First"))
    assert store.latest_article("T1", "C1") == ArticleRef("h1", "https://x.test/1", "First")


def test_engagement_is_per_thread_and_fades_with_idle_memory(
    store: AnyStore, clock: FakeClock
) -> None:
    assert not store.is_engaged(THREAD)
    store.mark_engaged(THREAD)
    store.mark_engaged(THREAD)  # idempotent
    assert store.is_engaged(THREAD)
    assert not store.is_engaged(OTHER_THREAD)
    clock.now += store.memory_ttl + 1
    assert not store.is_engaged(THREAD)


def test_participants_are_per_thread_shared_between_stores_and_fade(
    open_backend: StoreFactory, clock: FakeClock
) -> None:
    first, second = open_backend(clock=clock), open_backend(clock=clock)
    assert first.note_participant(THREAD, "U1") == {"U1"}
    assert second.note_participant(THREAD, "U2") == {"U1", "U2"}  # another worker's view
    assert first.note_participant(THREAD, "U1") == {"U1", "U2"}  # counted once
    assert first.note_participant(OTHER_THREAD, "U3") == {"U3"}
    clock.now += first.memory_ttl + 1
    assert first.note_participant(THREAD, "U4") == {"U4"}


def test_idle_memory_is_forgotten(store: AnyStore, clock: FakeClock) -> None:
    store.remember_article(THREAD, ArticleRef("h1", "https://x.test/1", "Old"))
    store.append_turn(THREAD, "user", "What happened?")
    clock.now += store.memory_ttl + 1
    assert store.articles_for(THREAD) == []
    assert store.history(THREAD) == []
    assert store.latest_article("T1", "C1") is None


# --- parked questions -------------------------------------------------------------------------


def test_parked_questions_are_taken_once_oldest_first(store: AnyStore, clock: FakeClock) -> None:
    assert store.take_parked(THREAD) == []  # nothing parked: nothing to take
    store.park(THREAD, "P1", "first")
    clock.now += 1
    store.park(THREAD, "P2", "second")
    store.park(THREAD, "P1", "first again")  # a retried request parks once, as it was
    store.park(OTHER_THREAD, "P3", "elsewhere")
    taken = store.take_parked(THREAD)
    assert [(p.id, p.payload, p.at) for p in taken] == [
        ("P1", "first", clock.now - 1),
        ("P2", "second", clock.now),
    ]
    assert store.take_parked(THREAD) == []  # gone once taken
    assert [p.payload for p in store.take_parked(OTHER_THREAD)] == ["elsewhere"]


def test_taking_some_parked_questions_leaves_the_others(store: AnyStore) -> None:
    store.park(THREAD, "P1", "one")
    store.park(THREAD, "P2", "two")
    assert [p.id for p in store.take_parked(THREAD, ids=["P2", "P9"])] == ["P2"]
    assert store.take_parked(THREAD, ids=["P2"]) == []
    assert store.take_parked(THREAD, ids=[]) == []
    assert [p.id for p in store.take_parked(THREAD)] == ["P1"]


def test_racing_takers_get_each_parked_question_once(open_backend: StoreFactory) -> None:
    """Two workers draining one thread at once (say, the article's job and the listener that
    parked a question just after it was remembered): each question goes to one of them."""
    stores = [open_backend() for _ in range(8)]  # a connection each, like processes
    for n in range(20):
        stores[0].park(THREAD, f"P{n}", f"question {n}")
    taken: list[str] = []
    lock = threading.Lock()
    turns = iter(range(8))

    def take() -> bool:
        with lock:
            mine = stores[next(turns)]
        got = [p.id for p in mine.take_parked(THREAD)]
        with lock:
            taken.extend(got)
        return bool(got)

    _race(take, threads=8)
    assert sorted(taken) == sorted(f"P{n}" for n in range(20))  # all, and none twice


def test_parked_questions_are_shared_between_stores(open_backend: StoreFactory) -> None:
    first, second = open_backend(), open_backend()
    first.park(THREAD, "P1", "seen by the other worker")
    assert [p.payload for p in second.take_parked(THREAD)] == ["seen by the other worker"]
    assert first.take_parked(THREAD) == []


def test_sqlite_forgets_parked_questions_with_idle_memory(clock: FakeClock) -> None:
    """(Redis: the key expires on the server, test_redis_keys_expire_on_the_server.)"""
    with SQLiteStore(":memory:", clock=clock) as store:
        store.park(THREAD, "P1", "forgotten")
        clock.now += store.memory_ttl + 1
        store.remember_article(OTHER_THREAD, ArticleRef("h1"))  # idle rows go on a write
        assert store.take_parked(THREAD) == []


# --- caches -----------------------------------------------------------------------------------


def test_article_cache_round_trips_by_normalized_url_and_expires(
    store: AnyStore, clock: FakeClock
) -> None:
    article = Article.from_paragraphs(
        ["First paragraph.", "Second paragraph."],
        source_kind="html",
        url="https://News.Example.com/story?id=7",
        title="A story",
        published="2025-01-02",
    )
    store.put_article(
        "https://news.example.com:443/story?utm_source=x&id=7#top", article.to_dict(), scope="T1"
    )
    cached = store.get_article("HTTPS://NEWS.EXAMPLE.COM/story?id=7", scope="T1")
    assert cached is not None
    assert Article.from_dict(cached) == article
    assert store.get_article("https://news.example.com/story?id=8", scope="T1") is None
    clock.now += store.article_ttl + 1
    assert (
        store.get_article("https://news.example.com/story?id=7", scope="T1") is None
    )  # fetch again
    # ...but a thread discussing it still has the text, by hash, until memory fades.
    assert store.get_article_by_hash(article.content_hash, scope="T1") == cached
    clock.now += store.memory_ttl
    assert store.get_article_by_hash(article.content_hash, scope="T1") is None


def test_pasted_articles_are_found_by_hash(store: AnyStore) -> None:
    pasted = Article.from_paragraphs(["Pasted body.", "More."], source_kind="text")
    store.put_article(None, pasted.to_dict(), scope="T1")
    store.remember_article(DM, pasted)
    latest = store.latest_article("T1", "D1")
    assert latest is not None
    cached = store.get_article_by_hash(latest.content_hash, scope="T1")
    assert cached is not None and Article.from_dict(cached) == pasted
    assert store.get_article_by_hash("no-such-hash", scope="T1") is None
    with pytest.raises(ValueError, match="content_hash"):
        store.put_article("https://x.test/", {"text": "no hash"}, scope="T1")


def test_answer_cache_keys_on_everything_that_shapes_the_answer(
    store: AnyStore, clock: FakeClock
) -> None:
    base = {"style": "brief", "instructions": "tl;dr  please", "engine": "gpt-4o-mini"}
    key = answer_key("hash", template_version="3", **base)
    assert key == answer_key(
        "hash", template_version="3", **{**base, "instructions": "tl;dr please"}
    )
    variants = [
        answer_key("other", template_version="3", **base),
        answer_key("hash", template_version="4", **base),
        answer_key("hash", template_version="3", **{**base, "style": "bullets"}),
        answer_key("hash", template_version="3", **{**base, "engine": "offline"}),
        answer_key("hash", template_version="3", **{**base, "instructions": "in French"}),
    ]
    assert len({key, *variants}) == 6
    store.put_answer(key, "The summary.", scope="T1")
    assert store.get_answer(key, scope="T1") == "The summary."
    assert all(store.get_answer(variant, scope="T1") is None for variant in variants)
    clock.now += store.answer_ttl + 1
    assert store.get_answer(key, scope="T1") is None


@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        ("HTTPS://Example.COM:443/a/B?b=2&a=1#frag", "https://example.com/a/B?a=1&b=2"),
        ("http://example.com:8080", "http://example.com:8080/"),
        ("https://example.com/p?fbclid=abc&utm_medium=x&q=1", "https://example.com/p?q=1"),
    ],
)
def test_normalize_url(given: str, normalized: str) -> None:
    assert normalize_url(given) == normalized


# --- tenants: one workspace's data kept from another's, and forgotten whole ------------------

TEAM_A, TEAM_B = Tenant("TA"), Tenant("TB")
ORG_TEAM, ORG = Tenant("TC", "E1"), Tenant(None, "E1")


def _fill(store: AnyStore, tenant: Tenant, team: str) -> None:
    body = {"text": f"Body of {team}", "content_hash": "h1"}
    store.put_article("https://x.test/1", body, scope=tenant.scope)
    store.put_answer("k", f"Answer for {team}", scope=tenant.scope)
    conversation = Conversation(team, "C1", "1.1")
    store.remember_article(conversation, ArticleRef("h1", "https://x.test/1", team))
    store.append_turn(conversation, "user", f"Question in {team}")
    store.mark_engaged(conversation)
    store.note_participant(conversation, "U1")
    store.park(conversation, "P1", f"Parked in {team}")


def _has_data(store: AnyStore, tenant: Tenant, team: str) -> list[bool]:
    conversation = Conversation(team, "C1", "1.1")
    return [
        store.get_article("https://x.test/1", scope=tenant.scope) is not None,
        store.get_article_by_hash("h1", scope=tenant.scope) is not None,
        store.get_answer("k", scope=tenant.scope) is not None,
        bool(store.articles_for(conversation)),
        store.latest_article(team, "C1") is not None,
        bool(store.history(conversation)),
        store.is_engaged(conversation),
        _parked(store, conversation),
    ]


def _parked(store: AnyStore, conversation: Conversation) -> bool:
    """Whether anything is parked there (taken, then put back as it was)."""
    taken = store.take_parked(conversation)
    for entry in taken:
        store.park(conversation, entry.id, entry.payload)
    return bool(taken)


def test_caches_are_per_workspace(store: AnyStore) -> None:
    """The same URL, hash and answer key in two workspaces are two entries: one never reads
    the other's."""
    store.put_article("https://x.test/1", {"text": "A's copy", "content_hash": "h1"}, scope="TA")
    store.put_answer("k", "A's summary", scope="TA")
    assert store.get_article("https://x.test/1", scope="TB") is None
    assert store.get_article_by_hash("h1", scope="TB") is None
    assert store.get_answer("k", scope="TB") is None
    store.put_article("https://x.test/1", {"text": "B's copy", "content_hash": "h1"}, scope="TB")
    assert store.get_article("https://x.test/1", scope="TA") == {
        "text": "A's copy",
        "content_hash": "h1",
    }


def test_forget_team_deletes_that_workspace_only(store: AnyStore) -> None:
    _fill(store, TEAM_A, "TA")
    _fill(store, TEAM_B, "TB")
    store.forget_team(TEAM_A)
    assert _has_data(store, TEAM_A, "TA") == [False] * 8
    assert _has_data(store, TEAM_B, "TB") == [True] * 8
    assert store.note_participant(Conversation("TA", "C1", "1.1"), "U2") == {"U2"}


def test_forget_team_deletes_its_settings_digests_and_request_log(store: AnyStore) -> None:
    for team in ("TA", "TB"):
        store.put_channel_settings(team, "C1", ChannelSettings(style="tldr"))
        store.set_digest(DigestSchedule(team, "C1", "daily", since=1.0))
        store.log_request(RequestRecord(request_id="r1", team=team, channel="C1", at=10.0))
        store.put_workspace_settings(team, WorkspaceSettings(admins_only=True))
    store.forget_team(TEAM_A)
    assert store.channel_settings("TA", "C1") is None
    assert store.get_digest("TA", "C1") is None
    assert store.workspace_settings("TA") is None
    assert [r.team for r in store.requests_since(0.0)] == ["TB"]
    assert store.channel_settings("TB", "C1") == ChannelSettings(style="tldr")
    assert store.get_digest("TB", "C1") is not None
    assert store.workspace_settings("TB") == WorkspaceSettings(admins_only=True)


def test_forgetting_an_org_forgets_its_workspaces_caches(store: AnyStore) -> None:
    _fill(store, ORG_TEAM, "TC")
    _fill(store, TEAM_B, "TB")
    store.forget_team(ORG)
    assert _has_data(store, ORG_TEAM, "TC")[:3] == [False] * 3
    assert _has_data(store, TEAM_B, "TB") == [True] * 8
    store.forget_team(ORG_TEAM)  # the workspace itself: its memory too
    assert _has_data(store, ORG_TEAM, "TC") == [False] * 8


def test_a_digest_keeps_its_org_and_an_org_leaving_stops_its_digests(store: AnyStore) -> None:
    """A scheduled digest runs outside any request: its schedule says whose org it is (the
    org's token and cache), and an org-wide uninstall turns off its workspaces' digests."""
    store.set_digest(DigestSchedule("TC", "C1", "daily", since=1.0, enterprise="E1"))
    store.set_digest(DigestSchedule("TB", "C1", "daily", since=1.0))
    (org_digest,) = [d for d in store.digests() if d.team == "TC"]
    assert org_digest.enterprise == "E1" and org_digest.tenant == ORG_TEAM
    assert store.get_digest("TB", "C1") == DigestSchedule("TB", "C1", "daily", since=1.0)
    store.forget_team(ORG)
    assert store.get_digest("TC", "C1") is None
    assert store.get_digest("TB", "C1") is not None


def test_installation_records_round_trip_and_delete_by_prefix(store: AnyStore) -> None:
    store.put_installation("E1-T1/bot", {"bot_token": "xoxb-1", "n": 1})
    store.put_installation("E1-T1/installer", {"bot_token": "xoxb-1"})
    store.put_installation("E1-T10/bot", {"bot_token": "xoxb-10"})
    store.put_installation("E1-T1/bot", {"bot_token": "xoxb-2", "n": 2})  # later wins
    assert store.get_installation("E1-T1/bot") == {"bot_token": "xoxb-2", "n": 2}
    store.delete_installations("E1-T1/")
    assert store.get_installation("E1-T1/bot") is None
    assert store.get_installation("E1-T1/installer") is None
    assert store.get_installation("E1-T10/bot") == {"bot_token": "xoxb-10"}


def test_oauth_states_are_consumed_once_and_expire(store: AnyStore, clock: FakeClock) -> None:
    store.issue_state("s1", 600)
    store.issue_state("s2", 600)
    assert store.consume_state("s1")
    assert not store.consume_state("s1")  # a replayed callback
    assert not store.consume_state("never-issued")
    clock.now += 601
    assert not store.consume_state("s2")


def test_racing_callbacks_consume_a_state_once(store: AnyStore) -> None:
    store.issue_state("s1", 600)
    assert sum(_race(lambda: store.consume_state("s1"))) == 1


# --- error notes (bot.slack.edits) ------------------------------------------------------------

ASKED = ("T1", "C1", "1700000000.000100")


def _take(store: AnyStore, taker: str = "Ev1", *, user: str = "U1", most: int = 3):
    return store.take_error_note(*ASKED, user=user, taker=taker, max_reruns=most)


def test_an_error_note_is_taken_once_by_its_asker(store: AnyStore) -> None:
    assert _take(store) is None  # nothing was told: an edit re-runs nothing
    store.note_error(*ASKED, ErrorNote("U1", "1700000001.000100"), ttl_seconds=3600)
    assert _take(store, user="U2") is None  # someone else's edit (a forged payload)
    assert _take(store) == ErrorNote("U1", "1700000001.000100", reruns=1)
    assert _take(store, "Ev1") == ErrorNote("U1", "1700000001.000100", reruns=1)  # its retry
    assert _take(store, "Ev2") is None  # a second edit while the re-run runs
    other = store.take_error_note(
        "T1", "C1", "1700000000.000200", user="U1", taker="Ev3", max_reruns=3
    )
    assert other is None  # notes are per message


def test_a_failed_re_run_makes_the_note_live_again_counting_re_runs(store: AnyStore) -> None:
    store.note_error(*ASKED, ErrorNote("U1", None), ttl_seconds=3600)
    assert _take(store, "Ev1", most=2) == ErrorNote("U1", None, reruns=1)  # told privately
    store.note_error(*ASKED, ErrorNote("U1", "1.2"), ttl_seconds=3600)  # the re-run failed
    assert _take(store, "Ev2", most=2) == ErrorNote("U1", "1.2", reruns=2)
    store.note_error(*ASKED, ErrorNote("U1", "1.3"), ttl_seconds=3600)
    assert _take(store, "Ev3", most=2) is None  # the re-runs are used up


def test_error_notes_expire_and_are_shared(open_backend: StoreFactory, clock: FakeClock) -> None:
    first, second = open_backend(clock=clock), open_backend(clock=clock)
    first.note_error(*ASKED, ErrorNote("U1", "1.1"), ttl_seconds=60)
    clock.now += 61
    assert _take(second) is None
    first.note_error(*ASKED, ErrorNote("U1", "1.1"), ttl_seconds=60)
    assert _take(second) == ErrorNote("U1", "1.1", reruns=1)  # a fresh note starts over


def test_racing_edits_take_an_error_note_once(store: AnyStore) -> None:
    store.note_error(*ASKED, ErrorNote("U1", "1.1"), ttl_seconds=3600)
    takers = iter(range(100))
    assert sum(_race(lambda: _take(store, f"Ev{next(takers)}") is not None)) == 1


def test_forget_team_forgets_its_error_notes(store: AnyStore) -> None:
    store.note_error("TA", "C1", "1.1", ErrorNote("U1", "1.2"), ttl_seconds=3600)
    store.note_error("TB", "C1", "1.1", ErrorNote("U1", "1.2"), ttl_seconds=3600)
    store.forget_team(TEAM_A)
    assert store.take_error_note("TA", "C1", "1.1", user="U1", taker="E", max_reruns=3) is None
    assert store.take_error_note("TB", "C1", "1.1", user="U1", taker="E", max_reruns=3)


# --- sharing between processes -----------------------------------------------------------------


def test_two_stores_share_claims_marks_memory_and_caches(open_backend: StoreFactory) -> None:
    """Two worker processes open the same file or server: a retry is still refused."""
    first, second = open_backend(), open_backend()
    assert first.claim_event("Ev1", 60)
    assert not second.claim_event("Ev1", 60)
    first.finish_event("Ev1", 3600)
    assert not second.claim_event("Ev1", 60)
    assert first.mark_job_once("J1", "posted_ts", "1.1")
    assert not second.mark_job_once("J1", "posted_ts", "2.2")
    assert second.job_marks("J1") == {"posted_ts": "1.1"}
    first.remember_article(THREAD, ArticleRef("h1", "https://x.test/1", "Kept"))
    first.append_turn(THREAD, "user", "Why?")
    first.mark_engaged(THREAD)
    body = {"text": "Body", "source_kind": "html", "content_hash": "h1"}
    first.put_article("https://x.test/1", body, scope="T1")
    first.put_answer("k", "Answer", scope="T1")
    assert second.articles_for(THREAD) == [ArticleRef("h1", "https://x.test/1", "Kept")]
    assert second.latest_article("T1", "C1") == ArticleRef("h1", "https://x.test/1", "Kept")
    assert [turn.text for turn in second.history(THREAD)] == ["Why?"]
    assert second.is_engaged(THREAD)
    assert second.get_article("https://x.test/1", scope="T1") == body
    assert second.get_article_by_hash("h1", scope="T1") == body
    assert second.get_answer("k", scope="T1") == "Answer"


# --- digest schedules -------------------------------------------------------------------------


def test_digest_schedules_are_per_team_and_channel_shared_and_cleared(
    open_backend: StoreFactory,
) -> None:
    first, second = open_backend(), open_backend()
    assert first.get_digest("T1", "C1") is None and first.digests() == []
    daily = DigestSchedule("T1", "C1", "daily", since=1_700_000_000.5, user="U1")
    first.set_digest(daily)
    first.set_digest(DigestSchedule("T2", "C1", "weekly", since=1.0))  # another workspace
    assert second.get_digest("T1", "C1") == daily
    assert second.get_digest("T1", "C2") is None
    weekly = DigestSchedule("T1", "C1", "weekly", since=1_700_000_100.0, user="U2")
    second.set_digest(weekly)  # one schedule per channel: changed, not added
    assert first.digests() == [weekly, DigestSchedule("T2", "C1", "weekly", since=1.0)]
    assert first.clear_digest("T1", "C1")
    assert not second.clear_digest("T1", "C1")
    assert [d.team for d in second.digests()] == ["T2"]


def test_digest_schedules_never_expire(open_backend: StoreFactory, clock: FakeClock) -> None:
    store = open_backend(clock=clock, memory_ttl=60)
    store.set_digest(DigestSchedule("T1", "C1", "daily", since=clock.now))
    clock.now += 365 * 86_400
    store.remember_article(THREAD, ArticleRef("h1"))  # sweeps what expires on SQLite
    assert store.get_digest("T1", "C1") is not None


# --- rate limits ------------------------------------------------------------------------------

# 5 at once, then one every 30 s (20 per 10 minutes).
USER_BUCKET = Bucket("user:T1/U1", capacity=5, per_second=20 / 600)


def test_a_bucket_gives_its_burst_then_one_token_per_refill(
    store: AnyStore, clock: FakeClock
) -> None:
    assert [store.take_token([USER_BUCKET]) for _ in range(5)] == [(0.0, None)] * 5
    wait, key = store.take_token([USER_BUCKET])
    assert (wait, key) == (pytest.approx(30.0), USER_BUCKET.key)  # the sixth waits for a token
    clock.now += 29.9
    assert store.take_token([USER_BUCKET])[0] == pytest.approx(0.1)
    clock.now += 0.1
    assert store.take_token([USER_BUCKET]) == (0.0, None)
    assert store.take_token([USER_BUCKET])[0] == pytest.approx(30.0)
    clock.now += 10_000  # idle: full again, never more than the burst
    assert [store.take_token([USER_BUCKET])[0] for _ in range(6)].count(0.0) == 5


def test_buckets_give_a_token_all_together_or_not_at_all(store: AnyStore, clock: FakeClock) -> None:
    channel = Bucket("channel:T1/C1", capacity=2, per_second=1 / 60)
    other_user = Bucket("user:T1/U2", capacity=5, per_second=20 / 600)
    assert store.take_token([USER_BUCKET, channel]) == (0.0, None)
    assert store.take_token([other_user, channel]) == (0.0, None)
    # The channel is empty: refused (it says which bucket), and the person's own bucket
    # keeps its token.
    assert store.take_token([USER_BUCKET, channel]) == (pytest.approx(60.0), channel.key)
    assert [store.take_token([USER_BUCKET])[0] for _ in range(5)] == [0.0] * 4 + [
        pytest.approx(30.0)
    ]
    assert store.take_token([]) == (0.0, None)  # no limit at all


def test_racing_threads_take_exactly_the_burst(store: AnyStore) -> None:
    assert _race(lambda: store.take_token([USER_BUCKET]) == (0.0, None)).count(True) == 5


def test_two_stores_share_one_bucket(open_backend: StoreFactory, clock: FakeClock) -> None:
    """Two replicas on one file or server: the limit is the same one."""
    first, second = open_backend(clock=clock), open_backend(clock=clock)
    for _ in range(3):
        assert first.take_token([USER_BUCKET]) == (0.0, None)
    assert second.take_token([USER_BUCKET]) == (0.0, None)
    assert second.take_token([USER_BUCKET]) == (0.0, None)
    assert first.take_token([USER_BUCKET])[0] > 0
    assert second.take_token([USER_BUCKET])[0] > 0
    assert second.acquire_slot("jobs:T1/U1", "J1", 1, 60)
    assert not first.acquire_slot("jobs:T1/U1", "J2", 1, 60)
    first.release_slot("jobs:T1/U1", "J1")
    assert first.acquire_slot("jobs:T1/U1", "J2", 1, 60)


def test_slots_cap_holders_and_free_on_release_or_ttl(store: AnyStore, clock: FakeClock) -> None:
    key = "jobs:T1/U1"
    assert store.acquire_slot(key, "J1", 2, ttl_seconds=600)
    assert store.acquire_slot(key, "J1", 2, ttl_seconds=600)  # a holder keeps its own
    assert store.acquire_slot(key, "J2", 2, ttl_seconds=600)
    assert not store.acquire_slot(key, "J3", 2, ttl_seconds=600)
    assert store.acquire_slot("jobs:T1/U2", "J3", 2, ttl_seconds=600)  # others are apart
    store.release_slot(key, "J1")
    store.release_slot(key, "J1")  # twice (a job delivered twice ends twice): no harm
    assert store.acquire_slot(key, "J3", 2, ttl_seconds=600)
    assert not store.acquire_slot(key, "J4", 2, ttl_seconds=600)
    clock.now += 601  # J2 and J3 died without releasing: their slots run out
    assert store.acquire_slot(key, "J4", 2, ttl_seconds=600)
    assert store.acquire_slot(key, "J5", 2, ttl_seconds=600)
    assert not store.acquire_slot(key, "J6", 2, ttl_seconds=600)


def test_racing_threads_get_exactly_the_slots(store: AnyStore) -> None:
    holders = iter(range(16))
    lock = threading.Lock()

    def acquire() -> bool:
        with lock:
            holder = f"J{next(holders)}"
        return store.acquire_slot("jobs:T1/U1", holder, 3, 600)

    assert _race(acquire).count(True) == 3


# --- SQLite only ------------------------------------------------------------------------------


def test_everything_survives_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "bot.sqlite3"
    with SQLiteStore(path) as store:
        assert store.claim_event("Ev1", 60)
        store.finish_event("Ev1", 3600)
        store.mark_job("J1", "placeholder_ts", "1.1")
        store.remember_article(THREAD, ArticleRef("h1", "https://x.test/1", "Kept"))
        store.append_turn(THREAD, "user", "Why?")
        store.mark_engaged(THREAD)
        body = {"text": "Body", "source_kind": "html", "content_hash": "h1"}
        store.put_article("https://x.test/1", body, scope="T1")
        store.put_answer("k", "Answer", scope="T1")
    with SQLiteStore(path) as store:
        assert not store.claim_event("Ev1", 60)
        assert store.job_marks("J1") == {"placeholder_ts": "1.1"}
        assert store.articles_for(THREAD) == [ArticleRef("h1", "https://x.test/1", "Kept")]
        assert [turn.text for turn in store.history(THREAD)] == ["Why?"]
        assert store.is_engaged(THREAD)
        assert store.get_article("https://x.test/1", scope="T1") == body
        assert store.get_article_by_hash("h1", scope="T1") == body
        assert store.get_answer("k", scope="T1") == "Answer"


def test_a_file_from_before_leases_keeps_its_claims_as_finished(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (event_id TEXT PRIMARY KEY, expires REAL NOT NULL)")
        db.execute("INSERT INTO events VALUES ('Ev1', ?)", (time.time() + 3600,))
    db.close()
    with SQLiteStore(path) as store:
        assert not store.claim_event("Ev1", 60)
        assert store.claim_event("Ev2", 60)
    with SQLiteStore(path) as store:  # migrated once; reopening is a no-op
        assert not store.claim_event("Ev2", 60)


def test_a_file_from_before_digests_knew_their_org_keeps_its_schedules(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE digests (team TEXT NOT NULL, channel TEXT NOT NULL, every TEXT NOT NULL,"
            " since REAL NOT NULL, user TEXT, PRIMARY KEY (team, channel))"
        )
        db.execute("INSERT INTO digests VALUES ('T1', 'C1', 'daily', 1.0, 'U1')")
    db.close()
    with SQLiteStore(path) as store:
        assert store.digests() == [DigestSchedule("T1", "C1", "daily", 1.0, user="U1")]
        store.set_digest(DigestSchedule("T2", "C1", "weekly", 2.0, enterprise="E1"))
        assert store.get_digest("T2", "C1") == DigestSchedule("T2", "C1", "weekly", 2.0, None, "E1")


def test_a_file_from_before_workspaces_drops_its_shared_cache(tmp_path: Path) -> None:
    """The old caches were shared by every workspace: an upgraded file drops them (links are
    fetched again) rather than serve them to anyone."""
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE articles (content_hash TEXT PRIMARY KEY, data TEXT, expires REAL);"
            "CREATE TABLE article_urls (url TEXT PRIMARY KEY, content_hash TEXT, expires REAL);"
            "CREATE TABLE answer_cache (key TEXT PRIMARY KEY, text TEXT, expires REAL);"
            "INSERT INTO answer_cache VALUES ('k', 'Shared', 1e12);"
        )
    with SQLiteStore(path) as store:
        tables = {row[0] for row in store._read("SELECT name FROM sqlite_master", ())}
        assert not tables & {"articles", "article_urls", "answer_cache"}
        assert store.get_answer("k", scope="T1") is None
        store.put_answer("k", "Mine", scope="T1")
        assert store.get_answer("k", scope="T1") == "Mine"


def test_sqlite_uses_wal_so_workers_read_while_one_writes(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "wal.sqlite3") as store:
        assert store._read("PRAGMA journal_mode", ()) == [("wal",)]


# --- Redis only -------------------------------------------------------------------------------


def test_redis_keys_expire_on_the_server(redis_url: str, redis_prefix: str) -> None:
    """The server itself forgets: leases, finished events, marks, memory and caches all carry
    a Redis expiry, so nothing piles up (real time here, short TTLs)."""
    store = RedisStore.from_url(
        redis_url, prefix=redis_prefix, article_ttl=0.3, answer_ttl=0.3, memory_ttl=0.3
    )
    client = store.client
    with store:
        assert store.claim_event("Ev1", lease_seconds=0.3)
        store.finish_event("Ev2", ttl_seconds=0.3)
        store.mark_job("J1", "k", "v", ttl_seconds=0.3)
        store.remember_article(THREAD, ArticleRef("h1", "https://x.test/1", "T"))
        store.append_turn(THREAD, "user", "Why?")
        store.mark_engaged(THREAD)
        store.note_participant(THREAD, "U1")
        store.park(THREAD, "P1", "a question")
        store.put_article("https://x.test/1", {"text": "Body", "content_hash": "h1"}, scope="T1")
        store.put_answer("k", "Answer", scope="T1")
        store.note_error("T1", "C1", "1.1", ErrorNote("U1", "1.2"), ttl_seconds=0.3)
        keys = set(client.scan_iter(match=f"{redis_prefix}*"))
        assert all(0 < client.pttl(key) <= 300 for key in keys if key != f"{redis_prefix}seq")
        assert len(keys) == 15  # every kind of key was written (see bot/store/redis.py)
        assert not store.claim_event("Ev1", lease_seconds=0.3)
        time.sleep(0.4)
        assert set(client.scan_iter(match=f"{redis_prefix}*")) == {f"{redis_prefix}seq"}
        assert store.claim_event("Ev1", 60)  # its lease ran out on the server
        assert store.claim_event("Ev2", 60)
        assert store.job_marks("J1") == {}
        assert store.get_answer("k", scope="T1") is None


def test_a_redis_restart_is_ridden_out_not_a_crash(redis_prefix: str) -> None:
    """Workers keep their store across a Redis restart: the failed command is retried with
    backoff on a new connection (our own server here, restarted on the same port)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs redis-server on PATH to restart it")
    server = redis_server.RedisServer(binary)
    server.start()
    try:
        with RedisStore.from_url(server.url, prefix=redis_prefix) as store:
            store.put_answer("k", "Answer", scope="T1")
            server.stop()
            restart = threading.Timer(0.3, lambda: server.start(port=server.port))
            restart.start()
            store.put_answer("k2", "After", scope="T1")  # waits out the restart instead of raising
            restart.join()
            assert store.get_answer("k2", scope="T1") == "After"
            assert store.claim_event("Ev1", 60)
    finally:
        server.stop()
        shutil.rmtree(server.dir, ignore_errors=True)


def test_key_prefixes_keep_apps_on_one_server_apart(redis_url: str) -> None:
    first_prefix, second_prefix = redis_server.unique_prefix(), redis_server.unique_prefix()
    try:
        with (
            RedisStore.from_url(redis_url, prefix=first_prefix) as first,
            RedisStore.from_url(redis_url, prefix=second_prefix) as second,
        ):
            assert first.claim_event("Ev1", 60)
            assert second.claim_event("Ev1", 60)
            assert first.mark_job_once("J1", "k", "first")
            assert second.mark_job_once("J1", "k", "second")
            first.remember_article(THREAD, ArticleRef("h1", None, "First's"))
            first.put_answer("k", "First's answer", scope="T1")
            assert second.articles_for(THREAD) == []
            assert second.latest_article("T1", "C1") is None
            assert second.get_answer("k", scope="T1") is None
            keys = list(first.client.scan_iter(match=f"{first_prefix}*"))
            assert keys and all(key.startswith(first_prefix) for key in keys)
    finally:
        redis_server.delete_prefix(redis_url, first_prefix)
        redis_server.delete_prefix(redis_url, second_prefix)


def test_redis_values_are_json(redis_url: str, redis_prefix: str) -> None:
    import json

    with RedisStore.from_url(redis_url, prefix=redis_prefix) as store:
        store.put_answer("k", "Answer", scope="T1")
        raw = store.client.get(f"{redis_prefix}answer:T1|k")
        assert json.loads(raw)["text"] == "Answer"


# --- channel preferences ---------------------------------------------------------------------


def test_channel_settings_are_kept_per_team_and_channel(open_backend: StoreFactory) -> None:
    first, second = open_backend(), open_backend()  # two processes of one deployment
    assert first.channel_settings("T1", "C1") is None
    chosen = ChannelSettings(style="tldr", language="Spanish", auto_offer=False, model="m2")
    first.put_channel_settings("T1", "C1", chosen)
    first.put_channel_settings("T1", "C2", ChannelSettings(daily_tokens=500))
    first.put_channel_settings("T2", "C1", ChannelSettings(style="detailed"))
    assert second.channel_settings("T1", "C1") == chosen
    assert second.channel_settings("T2", "C1") == ChannelSettings(style="detailed")
    assert second.channel_settings("T1", "C3") is None
    assert list(second.team_channel_settings("T1")) == ["C1", "C2"]
    second.put_channel_settings("T1", "C1", ChannelSettings(language="German"))  # replaces
    assert first.channel_settings("T1", "C1") == ChannelSettings(language="German")
    first.forget_team_settings("T1")
    assert second.team_channel_settings("T1") == {}
    assert second.channel_settings("T2", "C1") == ChannelSettings(style="detailed")


def test_workspace_settings_are_kept_per_team_and_never_expire(
    open_backend: StoreFactory, clock: FakeClock
) -> None:
    first, second = open_backend(clock=clock), open_backend(clock=clock)
    assert first.workspace_settings("T1") is None
    chosen = WorkspaceSettings(admins_only=True, updated_by="U0ADMIN", updated_at=1.5)
    first.put_workspace_settings("T1", chosen)
    first.put_workspace_settings("T2", WorkspaceSettings(admins_only=False))
    clock.now += 365 * 86_400
    assert second.workspace_settings("T1") == chosen
    second.put_workspace_settings("T1", WorkspaceSettings(admins_only=False))  # replaces
    assert first.workspace_settings("T1") == WorkspaceSettings(admins_only=False)
    first.forget_workspace_settings("T1")
    assert second.workspace_settings("T1") is None
    assert second.workspace_settings("T2") == WorkspaceSettings(admins_only=False)


def test_channel_settings_never_expire(store: AnyStore, clock: FakeClock) -> None:
    store.put_channel_settings("T1", "C1", ChannelSettings(style="tldr"))
    clock.now += 365 * 86_400
    assert store.channel_settings("T1", "C1") == ChannelSettings(style="tldr")


def test_channel_tokens_add_up_per_channel_and_day(store: AnyStore) -> None:
    assert store.channel_tokens("T1", "C1", "2026-12-07") == 0
    assert store.add_channel_tokens("T1", "C1", "2026-12-07", 120) == 120
    assert store.add_channel_tokens("T1", "C1", "2026-12-07", 30) == 150
    assert store.add_channel_tokens("T1", "C1", "2026-12-08", 5) == 5
    assert store.add_channel_tokens("T1", "C2", "2026-12-07", 7) == 7
    assert store.channel_tokens("T1", "C1", "2026-12-07") == 150
    assert store.channel_tokens("T2", "C1", "2026-12-07") == 0
    store.forget_team_settings("T1")
    assert store.channel_tokens("T1", "C1", "2026-12-07") == 0


def test_racing_threads_count_every_channel_token(store: AnyStore) -> None:
    _race(lambda: bool(store.add_channel_tokens("T1", "C1", "2026-12-07", 10)))
    assert store.channel_tokens("T1", "C1", "2026-12-07") == 160


# --- settings ---------------------------------------------------------------------------------


def test_open_store_uses_the_settings(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, store_path=str(tmp_path / "s.sqlite3"), store_max_turns=2)
    with open_store(settings) as store:
        assert isinstance(store, SQLiteStore)
        for text in ("one", "two", "three"):
            store.append_turn(DM, "user", text)
        assert [turn.text for turn in store.history(DM)] == ["two", "three"]
    assert (tmp_path / "s.sqlite3").exists()


def test_open_store_chooses_redis_with_redis_url(
    redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    settings = Settings(
        _env_file=None,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        store_path=str(tmp_path / "unused.sqlite3"),
        store_max_turns=2,
    )
    with open_store(settings) as store:
        assert isinstance(store, RedisStore)
        for text in ("one", "two", "three"):
            store.append_turn(DM, "user", text)
        assert [turn.text for turn in store.history(DM)] == ["two", "three"]
        assert store.client.exists(f"{redis_prefix}conv:{DM.key}:turns")
    assert not (tmp_path / "unused.sqlite3").exists()


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens there once the socket closes


def test_unreachable_redis_is_one_clear_error_without_the_password() -> None:
    url = f"redis://bot:hunter2-secret@127.0.0.1:{_closed_port()}/3"
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        open_store(Settings(_env_file=None, redis_url=url))
    message = str(caught.value)
    assert "REDIS_URL" in message and "127.0.0.1" in message and "/3" in message
    assert "hunter2" not in message and "bot:" not in message
    assert "\n" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert time.monotonic() - started < 10  # retries are brief, not a hang


def test_a_wrong_password_is_a_clear_error_too(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        if client.acl_whoami() != "default" or client.config_get("requirepass").get("requirepass"):
            pytest.skip("the server in REDIS_URL already has its own users")
    finally:
        client.close()
    bad = redis_url.replace("redis://", "redis://nobody:wrong-secret@", 1)
    with pytest.raises(ConfigError, match="REDIS_URL") as caught:
        open_store(Settings(_env_file=None, redis_url=bad))
    assert "wrong-secret" not in str(caught.value)
