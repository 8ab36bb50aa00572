"""What the bot remembers between Slack events: event claims, job marks, conversation
memory, caches, rate limits.

    store = open_store(settings)
    if store.claim_event(event_id, lease_seconds=60):
        ...  # handle it, then:
        store.finish_event(event_id, ttl_seconds=3600)

`Store` is the interface; `SQLiteStore` (one file, the default) and `RedisStore` (with
REDIS_URL, shared by every process when scaled out) implement it.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.errors import ConfigError
from bot.settings import Settings
from bot.store.base import (
    ArticleLike,
    ArticleRef,
    Bucket,
    Cache,
    ChannelPrefs,
    Conversation,
    ConversationMemory,
    DigestSchedule,
    DigestSchedules,
    ErrorNote,
    ErrorNotes,
    EventClaims,
    JobLedger,
    Parked,
    ParkedQuestions,
    RateLimits,
    RequestLog,
    RequestRecord,
    Role,
    Store,
    Tenants,
    Turn,
    Vote,
    WorkspacePrefs,
)
from bot.store.channel_settings import ChannelSettings, WorkspaceSettings
from bot.store.keys import answer_key, normalize_url
from bot.store.scoped import ScopedCache
from bot.store.sqlite import SQLiteStore
from bot.store.tenants import LOCAL_SCOPE, Tenant

if TYPE_CHECKING:
    from bot.store.redis import RedisStore


_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def open_store(settings: Settings) -> SQLiteStore | RedisStore:
    """The store the settings describe: Redis with REDIS_URL, else SQLite (tables created).

    A Redis server that can't be reached at start-up is a ConfigError naming REDIS_URL (its
    host, never its password), not a crash on the first Slack event.
    """
    max_turns = settings.store_max_turns
    article_ttl = settings.store_article_ttl_seconds
    answer_ttl = settings.store_answer_ttl_seconds
    memory_ttl = settings.store_memory_ttl_seconds
    request_ttl = settings.stats_retention_days * 86_400
    if not settings.redis_url:
        try:
            return SQLiteStore(
                settings.store_path,
                max_turns=max_turns,
                article_ttl=article_ttl,
                answer_ttl=answer_ttl,
                memory_ttl=memory_ttl,
                request_ttl=request_ttl,
            )
        except (OSError, sqlite3.Error) as err:  # a folder, no permission, a file in the way
            reason = getattr(err, "strerror", None) or str(err)
            raise ConfigError(
                f"Can't open the store at STORE_PATH ({settings.store_path}): {reason}. "
                "Point STORE_PATH at a file in a folder this user can write to."
            ) from None
    from redis.exceptions import RedisError  # redis-py: only when REDIS_URL says so

    from bot.store.redis import RedisStore, connect

    where = redacted_url(settings.redis_url)
    if not settings.redis_url.lower().startswith(_REDIS_SCHEMES):
        raise ConfigError(
            "REDIS_URL must start with redis://, rediss:// or unix://, "
            "like redis://localhost:6379/0."
        )
    try:
        store = RedisStore(
            connect(settings.redis_url),
            prefix=settings.redis_prefix,
            max_turns=max_turns,
            article_ttl=article_ttl,
            answer_ttl=answer_ttl,
            memory_ttl=memory_ttl,
            request_ttl=request_ttl,
        )
    except ValueError:  # redis-py's message may quote the URL: keep it out
        raise ConfigError(f"REDIS_URL is not a Redis URL ({where})") from None
    try:
        store.ping()
    except RedisError as err:
        store.close()
        reason = _without_secret(str(err), settings.redis_url) or type(err).__name__
        raise ConfigError(f"Can't reach Redis at REDIS_URL ({where}): {reason}") from None
    return store


def __getattr__(name: str) -> Any:
    # RedisStore and connect load redis-py on first use: a CLI run or the SQLite default
    # never pays for it (~0.2 s).
    if name in ("RedisStore", "connect"):
        from bot.store import redis

        return getattr(redis, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def redacted_url(url: str) -> str:
    """scheme://host:port/db of a Redis URL: what to show when something goes wrong."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "unparsable URL"
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _without_secret(message: str, url: str) -> str:
    try:
        secret = urlsplit(url).password
    except ValueError:
        secret = None
    return message.replace(secret, "***") if secret else message


__all__ = [
    "LOCAL_SCOPE",
    "ArticleLike",
    "ArticleRef",
    "Bucket",
    "Cache",
    "ChannelPrefs",
    "ChannelSettings",
    "Conversation",
    "ConversationMemory",
    "DigestSchedule",
    "DigestSchedules",
    "ErrorNote",
    "ErrorNotes",
    "EventClaims",
    "JobLedger",
    "Parked",
    "ParkedQuestions",
    "RateLimits",
    "RedisStore",
    "RequestLog",
    "RequestRecord",
    "Role",
    "SQLiteStore",
    "ScopedCache",
    "Store",
    "Tenant",
    "Tenants",
    "Turn",
    "Vote",
    "WorkspacePrefs",
    "WorkspaceSettings",
    "answer_key",
    "normalize_url",
    "open_store",
    "redacted_url",
]
