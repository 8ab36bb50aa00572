"""What to do with a request: get the article (cached), then summarize it or answer about it.

The Slack app and the CLI both call only this module. It picks the engine (the configured
model, or the offline extractive engine when there is no key or the model keeps failing),
keeps long articles within the model's budget (map-reduce for summaries, retrieval for
answers), verifies quotes, and caches what it can so the same link twice costs nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.errors import ArticlebotError, ConfigError
from bot.ingest import Article, from_text, from_url
from bot.ingest.links import ParsedInput
from bot.settings import Settings

log = logging.getLogger(__name__)

TextSink = Callable[[str], None]
Engine = Literal["auto", "openai", "offline"]


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    estimated: bool = False  # counted by us, not reported by the API
    requests: int = 0

    def __add__(self, other: Usage) -> Usage:
        cost = None
        if self.cost_usd is not None or other.cost_usd is not None:
            cost = (self.cost_usd or 0.0) + (other.cost_usd or 0.0)
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            cost,
            self.estimated or other.estimated,
            self.requests + other.requests,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "cost_usd": self.cost_usd,
            "estimated": self.estimated,
            "requests": self.requests,
        }


@dataclass(frozen=True, slots=True)
class Result:
    """A summary or an answer, with everything a surface needs to show it."""

    kind: Literal["summary", "answer"]
    text: str  # markdown
    article: Article
    engine: str  # "openai" / "azure" / "offline"
    model: str | None = None
    label: str | None = None  # shown with the reply, e.g. the offline engine's label
    quotes: tuple[str, ...] = ()
    found: bool = True  # False: the article doesn't answer the question
    notice: str | None = None  # e.g. why the offline engine answered instead of the model
    usage: Usage = field(default_factory=Usage)
    cached: bool = False
    articles: tuple[Article, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            self.kind: self.text,
            "quotes": list(self.quotes),
            "found": self.found,
            "engine": self.engine,
            "model": self.model,
            "label": self.label,
            "notice": self.notice,
            "cached": self.cached,
            "article": self.article.to_dict(),
            "usage": self.usage.to_dict(),
        }


def article_key(content_hash: str) -> str:
    """Cache key of an article by its content (pastes have no URL to be cached under)."""
    return f"article:{content_hash}"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


class Pipeline:
    """Summaries and answers for articles, from the model or the offline engine.

    Thread-safe: the Slack app calls one instance from many worker threads.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        store: Any | None = None,
        templates: Any | None = None,
        model: Any | None = None,
    ) -> None:
        from bot.llm.templates import load_templates

        self.settings = settings
        self.store = store
        self.templates = templates or load_templates(settings.prompts_dir)
        self._model = model

    # --- articles -------------------------------------------------------------------------

    def article_from_url(self, url: str) -> Article:
        """Fetch and clean a link, or take it from the cache (no second fetch)."""
        if self.store is not None:
            cached = self.store.get_article(url)
            if cached is not None:
                return Article.from_dict(cached)
        article = from_url(url, self.settings)
        self._cache_article(article, url)
        return article

    def article_from_text(self, text: str) -> Article:
        article = from_text(text)
        self._cache_article(article, None)
        return article

    def article_for(self, parsed: ParsedInput) -> Article:
        """The article a parsed message points at: its first link, or the paste itself."""
        if parsed.kind == "link":
            return self.article_from_url(parsed.urls[0])
        if parsed.kind == "paste":
            return self.article_from_text(parsed.text)
        raise ArticlebotError("Give me an article link, or paste the article's text.")

    def _cache_article(self, article: Article, url: str | None) -> None:
        if self.store is None:
            return
        for key in {url, article.url} - {None}:
            self.store.put_article(key, article.to_dict())
        self.store.put_article(article_key(article.content_hash), article.to_dict())

    def article_by_hash(self, content_hash: str) -> Article | None:
        if self.store is None:
            return None
        cached = self.store.get_article(article_key(content_hash))
        return Article.from_dict(cached) if cached else None

    # --- engines --------------------------------------------------------------------------

    def engine_for(self, engine: Engine | None = None) -> Literal["openai", "offline"]:
        from bot.llm.models import online_engine_configured

        chosen = engine or self.settings.engine
        if chosen == "offline":
            return "offline"
        if online_engine_configured(self.settings):
            return "openai"
        if chosen == "openai":
            raise ConfigError(
                "No model is configured: set OPENAI_API_KEY (or the Azure OpenAI settings), "
                "or use the offline engine."
            )
        return "offline"

    @property
    def model(self) -> Any:
        if self._model is None:
            from bot.llm.models import build_chat_model

            self._model = build_chat_model(self.settings)
        return self._model
