"""The SQLite store: event claims under concurrency, memory caps, cache TTLs, persistence."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.ingest.article import Article
from bot.settings import Settings
from bot.store import (
    ArticleRef,
    Conversation,
    SQLiteStore,
    Store,
    answer_key,
    normalize_url,
    open_store,
)


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


THREAD = Conversation("T1", "C1", "1700000000.000100")
OTHER_THREAD = Conversation("T1", "C1", "1700000000.000200")
DM = Conversation("T1", "D1")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(clock: FakeClock) -> SQLiteStore:
    return SQLiteStore(":memory:", max_turns=4, max_articles=2, clock=clock)


def test_sqlite_store_satisfies_the_interface(store: SQLiteStore) -> None:
    backend: Store = store  # a type checker proves this; the runtime check guards renames
    names = ("claim_event", "remember_article", "history", "note_participant", "get_answer")
    for name in (*names, "close"):
        assert callable(getattr(backend, name))


# --- event claims -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [":memory:", "file"])
def test_many_threads_claiming_one_event_get_exactly_one_true(path: str, tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "claims.sqlite3" if path == "file" else ":memory:")
    start = threading.Barrier(16)
    results: list[bool] = []
    results_lock = threading.Lock()

    def claim() -> None:
        start.wait()
        for event_id in ("Ev1", "Ev2", "Ev3"):
            won = store.claim_event(event_id, ttl_seconds=60)
            with results_lock:
                results.append(won)

    threads = [threading.Thread(target=claim) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 48
    assert results.count(True) == 3  # one winner per event id


def test_two_stores_on_one_file_share_claims(tmp_path: Path) -> None:
    """Two HTTP-mode worker processes open the same file; a retry is still refused."""
    path = tmp_path / "shared.sqlite3"
    with SQLiteStore(path) as first, SQLiteStore(path) as second:
        assert first.claim_event("Ev1", 60)
        assert not second.claim_event("Ev1", 60)


def test_claim_expires_after_its_ttl(store: SQLiteStore, clock: FakeClock) -> None:
    assert store.claim_event("Ev1", ttl_seconds=60)
    clock.now += 59
    assert not store.claim_event("Ev1", ttl_seconds=60)
    clock.now += 2
    assert store.claim_event("Ev1", ttl_seconds=60)


# --- conversation memory ----------------------------------------------------------------------


def test_history_keeps_only_the_last_turns_in_order(store: SQLiteStore, clock: FakeClock) -> None:
    for number in range(7):
        clock.now += 1
        store.append_turn(THREAD, "user" if number % 2 == 0 else "assistant", f"turn {number}")
    history = store.history(THREAD)
    assert [turn.text for turn in history] == ["turn 3", "turn 4", "turn 5", "turn 6"]
    assert [turn.role for turn in history] == ["assistant", "user", "assistant", "user"]
    assert history[0].ts < history[-1].ts
    assert [turn.text for turn in store.history(THREAD, limit=2)] == ["turn 5", "turn 6"]
    assert store.history(OTHER_THREAD) == []


def test_articles_are_capped_most_recent_first(store: SQLiteStore) -> None:
    for name in ("a", "b", "c"):
        store.remember_article(THREAD, ArticleRef(f"hash-{name}", f"https://x.test/{name}", name))
    assert [ref.title for ref in store.articles_for(THREAD)] == ["c", "b"]
    # Discussing an older article again brings it to the front instead of duplicating it.
    store.remember_article(THREAD, ArticleRef("hash-b", "https://x.test/b", "b"))
    assert [ref.title for ref in store.articles_for(THREAD)] == ["b", "c"]
    assert store.articles_for(DM) == []


def test_a_whole_article_can_be_remembered(store: SQLiteStore) -> None:
    article = Article.from_paragraphs(["Body."], source_kind="html", url="https://x.test/a")
    store.remember_article(DM, article)
    assert store.articles_for(DM) == [ArticleRef(article.content_hash, "https://x.test/a", None)]


def test_latest_article_is_per_channel_across_threads(store: SQLiteStore) -> None:
    assert store.latest_article("T1", "C1") is None
    store.remember_article(THREAD, ArticleRef("h1", "https://x.test/1", "First"))
    store.remember_article(OTHER_THREAD, ArticleRef("h2", None, "Pasted"))
    store.remember_article(DM, ArticleRef("h3", "https://x.test/3", "In a DM"))
    assert store.latest_article("T1", "C1") == ArticleRef("h2", None, "Pasted")
    assert store.latest_article("T1", "D1") == ArticleRef("h3", "https://x.test/3", "In a DM")
    assert store.latest_article("T2", "C1") is None


def test_engagement_is_per_thread_and_fades_with_idle_memory(
    store: SQLiteStore, clock: FakeClock
) -> None:
    assert not store.is_engaged(THREAD)
    store.mark_engaged(THREAD)
    store.mark_engaged(THREAD)  # idempotent
    assert store.is_engaged(THREAD)
    assert not store.is_engaged(OTHER_THREAD)
    clock.now += store.memory_ttl + 1
    assert not store.is_engaged(THREAD)


def test_participants_are_per_thread_shared_between_stores_and_fade(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "people.sqlite3"
    first, second = SQLiteStore(path, clock=clock), SQLiteStore(path, clock=clock)
    assert first.note_participant(THREAD, "U1") == {"U1"}
    assert second.note_participant(THREAD, "U2") == {"U1", "U2"}  # another worker's view
    assert first.note_participant(THREAD, "U1") == {"U1", "U2"}  # counted once
    assert first.note_participant(OTHER_THREAD, "U3") == {"U3"}
    clock.now += first.memory_ttl + 1
    assert first.note_participant(THREAD, "U4") == {"U4"}


def test_idle_memory_is_forgotten(store: SQLiteStore, clock: FakeClock) -> None:
    store.remember_article(THREAD, ArticleRef("h1", "https://x.test/1", "Old"))
    store.append_turn(THREAD, "user", "What happened?")
    clock.now += store.memory_ttl + 1
    assert store.articles_for(THREAD) == []
    assert store.history(THREAD) == []
    assert store.latest_article("T1", "C1") is None


# --- caches -----------------------------------------------------------------------------------


def test_article_cache_round_trips_by_normalized_url_and_expires(
    store: SQLiteStore, clock: FakeClock
) -> None:
    article = Article.from_paragraphs(
        ["First paragraph.", "Second paragraph."],
        source_kind="html",
        url="https://News.Example.com/story?id=7",
        title="A story",
        published="2025-01-02",
    )
    store.put_article("https://news.example.com:443/story?utm_source=x&id=7#top", article.to_dict())
    cached = store.get_article("HTTPS://NEWS.EXAMPLE.COM/story?id=7")
    assert cached is not None
    assert Article.from_dict(cached) == article
    assert store.get_article("https://news.example.com/story?id=8") is None
    clock.now += store.article_ttl + 1
    assert store.get_article("https://news.example.com/story?id=7") is None  # fetch again
    # ...but a thread discussing it still has the text, by hash, until memory fades.
    assert store.get_article_by_hash(article.content_hash) == cached
    clock.now += store.memory_ttl
    assert store.get_article_by_hash(article.content_hash) is None


def test_pasted_articles_are_found_by_hash(store: SQLiteStore) -> None:
    pasted = Article.from_paragraphs(["Pasted body.", "More."], source_kind="text")
    store.put_article(None, pasted.to_dict())
    store.remember_article(DM, pasted)
    latest = store.latest_article("T1", "D1")
    assert latest is not None
    cached = store.get_article_by_hash(latest.content_hash)
    assert cached is not None and Article.from_dict(cached) == pasted
    assert store.get_article_by_hash("no-such-hash") is None
    with pytest.raises(ValueError, match="content_hash"):
        store.put_article("https://x.test/", {"text": "no hash"})


def test_answer_cache_keys_on_everything_that_shapes_the_answer(
    store: SQLiteStore, clock: FakeClock
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
    store.put_answer(key, "The summary.")
    assert store.get_answer(key) == "The summary."
    assert all(store.get_answer(variant) is None for variant in variants)
    clock.now += store.answer_ttl + 1
    assert store.get_answer(key) is None


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


# --- persistence and settings -----------------------------------------------------------------


def test_everything_survives_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "bot.sqlite3"
    with SQLiteStore(path) as store:
        assert store.claim_event("Ev1", 3600)
        store.remember_article(THREAD, ArticleRef("h1", "https://x.test/1", "Kept"))
        store.append_turn(THREAD, "user", "Why?")
        store.mark_engaged(THREAD)
        body = {"text": "Body", "source_kind": "html", "content_hash": "h1"}
        store.put_article("https://x.test/1", body)
        store.put_answer("k", "Answer")
    with SQLiteStore(path) as store:
        assert not store.claim_event("Ev1", 3600)
        assert store.articles_for(THREAD) == [ArticleRef("h1", "https://x.test/1", "Kept")]
        assert [turn.text for turn in store.history(THREAD)] == ["Why?"]
        assert store.is_engaged(THREAD)
        assert store.get_article("https://x.test/1") == body
        assert store.get_article_by_hash("h1") == body
        assert store.get_answer("k") == "Answer"


def test_open_store_uses_the_settings(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, store_path=str(tmp_path / "s.sqlite3"), store_max_turns=2)
    with open_store(settings) as store:
        for text in ("one", "two", "three"):
            store.append_turn(DM, "user", text)
        assert [turn.text for turn in store.history(DM)] == ["two", "three"]
    assert (tmp_path / "s.sqlite3").exists()
