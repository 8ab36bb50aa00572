"""The thread rules (bot.slack.memory) over a real SQLite store: engaged threads, their people,
their articles and turns."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.slack.memory import Memory, ThreadMemory
from bot.store import ArticleRef, Conversation, SQLiteStore

THREAD = Conversation("T1", "C1", "1800000000.000100")
OTHER_THREAD = Conversation("T1", "C1", "1800000000.000200")
CHANNEL = Conversation("T1", "C1", None)
STORY = ArticleRef("hash-story", "https://news.test/story", "Bridge reopens")
CLEANUP = ArticleRef("hash-cleanup", None, "River cleanup")


@pytest.fixture
def store() -> Iterator[SQLiteStore]:
    store = SQLiteStore(":memory:")
    yield store
    store.close()


@pytest.fixture
def memory(store: SQLiteStore) -> Memory:
    return Memory(store)


def test_a_thread_nobody_engaged_is_recalled_empty_and_keeps_no_speakers(memory, store):
    assert memory.recall(THREAD, speaker="U1") == ThreadMemory()
    memory.engage(THREAD, "U2")
    # U1 spoke before the bot was part of the thread: not one of its people.
    assert memory.recall(THREAD, speaker="U2").participants == {"U2"}


def test_engage_makes_follow_ups_and_counts_the_asker(memory):
    memory.engage(THREAD, "U1")
    seen = memory.recall(THREAD, speaker="U2")
    assert seen.engaged and seen.participants == {"U1", "U2"}
    assert not memory.recall(OTHER_THREAD).engaged  # one thread, not the channel


def test_a_channel_or_dm_as_a_whole_is_never_engaged(memory, store):
    memory.engage(CHANNEL, "U1")
    assert not store.is_engaged(CHANNEL)
    assert memory.recall(CHANNEL, speaker="U1") == ThreadMemory()


def test_remember_keeps_articles_and_turns_and_recall_sees_the_channels_latest(memory, store):
    memory.remember(THREAD, articles=[STORY], question="Who cut the ribbon?", answer="Ana Ruiz.")
    memory.remember(OTHER_THREAD, articles=[CLEANUP])
    assert [(t.role, t.text) for t in store.history(THREAD)] == [
        ("user", "Who cut the ribbon?"),
        ("assistant", "Ana Ruiz."),
    ]
    seen = memory.recall(THREAD)
    assert seen.articles == (STORY,)  # only its own
    assert seen.latest == CLEANUP  # the channel's latest, from another thread
    assert memory.articles(OTHER_THREAD) == [CLEANUP]


def test_remember_without_a_question_stores_only_the_answer(memory, store):
    memory.remember(THREAD, articles=[STORY], answer="- The bridge reopened.")
    assert [t.role for t in store.history(THREAD)] == ["assistant"]
    memory.remember(THREAD, articles=[STORY])  # articles only: no turn
    assert len(store.history(THREAD)) == 1
