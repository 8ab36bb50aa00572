"""The offline extractive engine (bot.offline) as an Engine: no key, no network."""

from __future__ import annotations

from bot.engines import wording
from bot.engines.base import Question, SummaryRequest, TextSink, combined
from bot.errors import NotAnArticle
from bot.results import Result


class OfflineEngine:
    name = "offline"
    cache_id = "offline"

    def summarize(self, request: SummaryRequest, on_text: TextSink | None) -> Result:
        from bot import offline

        article, style, instructions = request.article, request.style, request.instructions
        summary = offline.summarize(article, style=style, instructions=instructions or None)
        if not summary.text.strip():
            raise NotAnArticle(wording.NOTHING_TO_SUMMARIZE)
        notes: list[str] = []
        if style.strip().lower() not in offline.STYLES:
            notes.append(wording.style_notice(style, summary.style))
        reading = offline.read_instructions(article, instructions)
        if reading.ignored:
            notes.append(wording.instructions_notice(reading))
        if summary.notice:  # a count past what it can write: how many it wrote instead
            notes.append(summary.notice)
        return Result(
            kind="summary",
            text=summary.text,
            article=article,
            engine=self.name,
            label=summary.label,
            notice=wording.joined(*notes),
            articles=(article,),
        )

    def answer(self, question: Question, on_text: TextSink | None) -> Result:
        from bot import offline
        from bot.llm.followups import asks_for_more, last_quotes

        articles, resolved = question.articles, question.resolved
        # A follow-up usually wants what the last answer didn't already quote; "what else?"
        # always does.
        shown = last_quotes(question.history) if resolved.context else set()
        found = offline.answer(
            combined(articles),
            resolved.query,
            asked=resolved.question,
            shown=shown,
            fresh=asks_for_more(resolved.question),
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
