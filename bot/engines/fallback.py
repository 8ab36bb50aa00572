"""A model that, when it fails, lets the offline engine answer instead (saying so)."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.engines import wording
from bot.engines.base import Engine, Question, SummaryRequest, TextSink
from bot.errors import LLMError
from bot.results import Result

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

    def summarize(self, request: SummaryRequest, on_text: TextSink | None) -> Result:
        try:
            return self.primary.summarize(request, on_text)
        except LLMError as exc:
            return self._noted(self.backup.summarize(request, None), exc)

    def answer(self, question: Question, on_text: TextSink | None) -> Result:
        try:
            return self.primary.answer(question, on_text)
        except LLMError as exc:
            return self._noted(self.backup.answer(question, None), exc)

    @staticmethod
    def _noted(result: Result, exc: LLMError) -> Result:
        # The reply says only that the model didn't answer; the log keeps why.
        log.warning("model failed (%s: %s); answering with the offline engine", exc.code, exc)
        notice = wording.joined(wording.FALLBACK_NOTICE, result.notice)
        # What the model was paid for before it failed is spent all the same.
        usage = result.usage + exc.spent if exc.spent else result.usage
        return replace(result, notice=notice, model_error=str(exc), usage=usage)
