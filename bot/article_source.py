"""Where every surface gets its articles: links fetched once, pastes and files read once,
all kept in the store (when there is one) so the same link twice costs nothing — within
one workspace's scope (bot.store.tenants): another workspace fetches its own.

The CLI (no store: nothing to keep between runs), the Slack jobs and the pipeline all read
through `ArticleSource`, so a page is cleaned the same way whichever surface asked.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot import progress
from bot.errors import SLACK_LINK, NotAnArticle, SlackLink, TooLarge
from bot.ingest import Article, from_bytes, from_text, from_url

if TYPE_CHECKING:  # this module loads the store's package only when given a store
    from bot.ingest.budget import Limits
    from bot.settings import Settings
    from bot.store import Cache
    from bot.store.scoped import ScopedCache


class ArticleSource:
    def __init__(
        self, settings: Settings | Limits, store: Cache | None = None, *, scope: str | None = None
    ) -> None:
        """`scope`: whose cache it reads (a workspace's); None: the local one. Files and
        pastes need only the ingest `Limits` (the CLI reads them without pydantic); links
        need the whole Settings."""
        self.settings = settings
        self.store: ScopedCache | None = None
        if store is not None:
            from bot.store.scoped import ScopedCache
            from bot.store.tenants import LOCAL_SCOPE

            self.store = ScopedCache(store, scope or LOCAL_SCOPE)

    def from_url(self, url: str) -> Article:
        """Fetch and clean a link (SSRF-checked), or take it from the store."""
        from bot.ingest.links import is_slack_link

        if is_slack_link(url):  # no fetch: Slack would answer with its sign-in page
            raise SlackLink(SLACK_LINK, url=url)
        if self.store is not None:
            cached = self.store.get_article(url)
            if cached is not None:
                return Article.from_dict(cached)
        from bot.settings import Settings  # a fetch reads every fetch_* setting

        if not isinstance(self.settings, Settings):
            raise TypeError("fetching a link needs the whole Settings, not only the limits")
        progress.step("fetch", url)  # ingest reports "clean" once the page is in
        article = from_url(url, self.settings)
        self._keep(article, url)
        return article

    def from_text(self, text: str) -> Article:
        """A pasted article, cleaned."""
        progress.step("clean")
        article = from_text(text, settings=self.settings)
        self._keep(article, None)
        return article

    def from_file(
        self, data: bytes, name: str, content_type: str | None = None, *, title: str | None = None
    ) -> Article:
        """A file's bytes (HTML, PDF or text, told by its label and content); `name` says
        which file in messages, `title` is used when the file itself has none."""
        limit = self.settings.fetch_max_bytes
        if len(data) > limit:
            raise TooLarge(f"{name} is larger than {limit:,} bytes.")
        if not data.strip():
            raise NotAnArticle(f"{name} is empty.")  # before cleaning: say why there's nothing
        progress.step("clean")
        article = from_bytes(data, content_type, settings=self.settings)
        if title and not article.title:
            article = replace(article, title=title)
        self._keep(article, None)
        return article

    def by_hash(self, content_hash: str) -> Article | None:
        """An article seen before (a paste has no URL to look it up by)."""
        if self.store is None:
            return None
        cached = self.store.get_article_by_hash(content_hash)
        return Article.from_dict(cached) if cached else None

    def _keep(self, article: Article, url: str | None) -> None:
        if self.store is None:
            return
        data = article.to_dict()
        self.store.put_article(url, data)
        if article.url and article.url != url:  # after redirects: the final URL too
            self.store.put_article(article.url, data)
