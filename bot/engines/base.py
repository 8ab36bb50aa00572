"""What an engine is: something that writes a summary of an article or answers a question
about articles. The model (bot.engines.model), the offline extractive engine
(bot.engines.offline), and the model falling back to the offline one (bot.engines.fallback).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bot.ingest import Article
from bot.results import Result

if TYPE_CHECKING:
    from bot.llm.followups import Resolved
    from bot.llm.templates import PromptTemplate

TextSink = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    article: Article
    template: PromptTemplate  # the style's prompt (the model's; the offline engine's guide)
    style: str  # as asked: the offline engine names a style it can't write
    instructions: str = ""


@dataclass(frozen=True, slots=True)
class Question:
    articles: Sequence[Article]
    resolved: Resolved  # what was asked, and what to search for (bot.llm.followups)
    history: Sequence[Any] = ()
    instructions: str = ""


class Engine(Protocol):
    @property
    def name(self) -> str:
        """What answers: "offline", or the model's provider ("openai", "azure")."""

    @property
    def cache_id(self) -> str:
        """Which engine and model a cached answer came from (part of its key)."""

    def summarize(self, request: SummaryRequest, on_text: TextSink | None) -> Result:
        """The summary, text streamed to `on_text` as it is written (an engine that writes
        all at once may not call it)."""

    def answer(self, question: Question, on_text: TextSink | None) -> Result:
        """An answer from the question's articles only, quoting them."""


def combined(articles: Sequence[Article]) -> Article:
    """Several articles (a thread can hold more than one) as one text to search and quote."""
    if len(articles) == 1:
        return articles[0]
    paragraphs: list[str] = []
    for article in articles:
        if article.title:
            paragraphs.append(f"{article.title}")
        paragraphs.extend(article.paragraphs)
    first = articles[0]
    return Article.from_paragraphs(
        paragraphs, source_kind=first.source_kind, url=first.url, title=first.title
    )
