"""The offline extractive engine (bot.llm.offline) as an Engine: no key, no network."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.engines import wording
from bot.engines.base import TextSink, combined
from bot.errors import NotAnArticle
from bot.ingest import Article
from bot.results import Result

if TYPE_CHECKING:
    from bot.llm.followups import Resolved
    from bot.llm.templates import PromptTemplate


class OfflineEngine:
    name = "offline"
    cache_id = "offline"

    def summarize(
        self,
        article: Article,
        template: PromptTemplate,
        style: str,
        instructions: str,
        on_text: TextSink | None,
    ) -> Result:
        from bot.llm import offline

        summary = offline.summarize(article, style=style, instructions=instructions or None)
        if not summary.text.strip():
            raise NotAnArticle(wording.NOTHING_TO_SUMMARIZE)
        notes: list[str] = []
        if style.strip().lower() not in offline.STYLES:
            notes.append(wording.style_notice(style, summary.style))
        reading = offline.read_instructions(article, instructions)
        if reading.ignored:
            notes.append(wording.instructions_notice(reading))
        return Result(
            kind="summary",
            text=summary.text,
            article=article,
            engine=self.name,
            label=summary.label,
            notice=wording.joined(*notes),
            articles=(article,),
        )

    def answer(
        self,
        articles: Sequence[Article],
        resolved: Resolved,
        history: Sequence[Any],
        instructions: str,
        on_text: TextSink | None,
    ) -> Result:
        from bot.llm import offline
        from bot.llm.followups import last_quotes

        # A follow-up wants what the last answer didn't already quote.
        shown = last_quotes(history) if resolved.context else set()
        found = offline.answer(
            combined(articles), resolved.query, asked=resolved.question, shown=shown
        )
        return Result(
            kind="answer",
            text=found.text,
            article=articles[0],
            engine=self.name,
            label=found.label,
            quotes=tuple(found.quotes),
            found=found.found,
        )
