"""What a summary or an answer comes back as, to every surface and to the cache."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.ingest import Article
from bot.llm.usage import Usage

# What a cached result keeps: everything but the article (the cache is keyed by its hash and
# the caller has it), its usage (a hit spends nothing) and `cached` itself.
_CACHED_FIELDS = (
    "kind",
    "text",
    "engine",
    "model",
    "label",
    "quotes",
    "found",
    "notice",
    "prose",
    "quotes_dropped",
)


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
    usage: Usage = field(default_factory=Usage)  # what producing it spent (nothing on a hit)
    cached: bool = False
    articles: tuple[Article, ...] = ()
    prose: str | None = None  # an answer without its quotes and notes (for --json)
    quotes_dropped: int = 0  # quotes the model gave that the article doesn't contain
    # Why the model didn't answer when the offline engine did (the notice says that it
    # didn't): for the CLI's user, who can act on it; Slack readers don't see it. Not cached.
    model_error: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            self.kind: self.text if self.prose is None else self.prose,
            "quotes": list(self.quotes),
            "quotes_dropped": self.quotes_dropped,
            "found": self.found,
            "engine": self.engine,
            "model": self.model,
            "label": self.label,
            "notice": self.notice,
            "model_error": self.model_error,  # why the model didn't answer (CLI only)
            "cached": self.cached,
            "article": self.article.to_dict(),
            "usage": self.usage.to_dict(),
        }

    def to_cache(self) -> str:
        values = {name: getattr(self, name) for name in _CACHED_FIELDS}
        values["quotes"] = list(self.quotes)
        return json.dumps(values)

    @classmethod
    def from_cache(cls, raw: str, article: Article) -> Result:
        """The inverse of `to_cache`, for `article`: the only way back from the cache."""
        data: dict[str, Any] = json.loads(raw)
        values = {name: data[name] for name in _CACHED_FIELDS if name in data}
        values["quotes"] = tuple(values.get("quotes", ()))
        return cls(article=article, articles=(article,), cached=True, **values)
