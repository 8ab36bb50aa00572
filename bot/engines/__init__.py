"""The engines that write summaries and answers (bot.engines.base.Engine): the model, the
offline extractive engine, and the model falling back to it."""

from bot.engines.base import Engine, Question, SummaryRequest, TextSink, combined
from bot.engines.fallback import FallbackEngine
from bot.engines.model import ModelEngine
from bot.engines.offline import OfflineEngine

__all__ = [
    "Engine",
    "FallbackEngine",
    "ModelEngine",
    "OfflineEngine",
    "Question",
    "SummaryRequest",
    "TextSink",
    "combined",
]
