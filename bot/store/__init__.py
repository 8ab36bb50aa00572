"""What the bot remembers between Slack events: event claims, conversation memory, caches.

    store = open_store(settings)
    if store.claim_event(event_id, ttl_seconds=3600): ...

`Store` is the interface (a Redis backend could implement it later); `SQLiteStore` is the
one implementation today.
"""

from __future__ import annotations

from bot.settings import Settings
from bot.store.base import (
    ArticleLike,
    ArticleRef,
    Cache,
    Conversation,
    ConversationMemory,
    EventClaims,
    JobLedger,
    Role,
    Store,
    Turn,
)
from bot.store.keys import answer_key, normalize_url
from bot.store.sqlite import SQLiteStore


def open_store(settings: Settings) -> SQLiteStore:
    """The store the settings describe (tables are created on open)."""
    return SQLiteStore(
        settings.store_path,
        max_turns=settings.store_max_turns,
        article_ttl=settings.store_article_ttl_seconds,
        answer_ttl=settings.store_answer_ttl_seconds,
        memory_ttl=settings.store_memory_ttl_seconds,
    )


__all__ = [
    "ArticleLike",
    "ArticleRef",
    "Cache",
    "Conversation",
    "ConversationMemory",
    "EventClaims",
    "JobLedger",
    "Role",
    "SQLiteStore",
    "Store",
    "Turn",
    "answer_key",
    "normalize_url",
    "open_store",
]
