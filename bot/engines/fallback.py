"""A model that, when it fails, lets the offline engine answer instead (saying so)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.engines import wording
from bot.engines.base import Engine, TextSink
from bot.errors import LLMError
from bot.ingest import Article
from bot.results import Result

if TYPE_CHECKING:
    from bot.llm.followups import Resolved
    from bot.llm.templates import PromptTemplate

log = logging.getLogger(__name__)


class FallbackEngine:
    """`primary` (the model); on an LLMError, `backup` (offline) with a notice saying why.
    Its results carry the backup's name, so a fallback is never cached as the model's."""

    def __init__(self, primary: Engine, backup: Engine) -> None:
        self.primary = primary
        self.backup = backup

    @property
    def name(self) -> str:
        return self.primary.name

    @property
    def cache_id(self) -> str:
        return self.primary.cache_id

    def summarize(
        self,
        article: Article,
        template: PromptTemplate,
        style: str,
        instructions: str,
        on_text: TextSink | None,
    ) -> Result:
        try:
            return self.primary.summarize(article, template, style, instructions, on_text)
        except LLMError as exc:
            result = self.backup.summarize(article, template, style, instructions, None)
            return self._noted(result, exc)

    def answer(
        self,
        articles: Sequence[Article],
        resolved: Resolved,
        history: Sequence[Any],
        instructions: str,
        on_text: TextSink | None,
    ) -> Result:
        try:
            return self.primary.answer(articles, resolved, history, instructions, on_text)
        except LLMError as exc:
            result = self.backup.answer(articles, resolved, history, instructions, None)
            return self._noted(result, exc)

    @staticmethod
    def _noted(result: Result, exc: LLMError) -> Result:
        log.warning("model failed (%s); answering with the offline engine", exc.code)
        return replace(result, notice=wording.joined(wording.fallback_notice(exc), result.notice))
