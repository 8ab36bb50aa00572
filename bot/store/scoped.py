"""One workspace's view of the cache: what the pipeline and the article source read through.

The pipeline is shared by every job a process runs; each job gets it bound to its
workspace's scope (`Pipeline.for_scope`), so caching code never passes a scope around and
can't forget one.
"""

from __future__ import annotations

from bot.store.base import Cache


class ScopedCache:
    """`cache`, every read and write in `scope` (bot.store.tenants)."""

    def __init__(self, cache: Cache, scope: str) -> None:
        self.cache = cache
        self.scope = scope

    def put_article(self, url: str | None, article: dict[str, object]) -> None:
        self.cache.put_article(url, article, scope=self.scope)

    def get_article(self, url: str) -> dict[str, object] | None:
        return self.cache.get_article(url, scope=self.scope)

    def get_article_by_hash(self, content_hash: str) -> dict[str, object] | None:
        return self.cache.get_article_by_hash(content_hash, scope=self.scope)

    def put_answer(self, key: str, text: str) -> None:
        self.cache.put_answer(key, text, scope=self.scope)

    def get_answer(self, key: str) -> str | None:
        return self.cache.get_answer(key, scope=self.scope)
