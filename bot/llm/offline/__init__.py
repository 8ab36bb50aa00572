"""The offline engine: extractive summaries and quoted answers, no model and no network.

Used when no API key is set, when asked for (--engine offline), and as the fallback when the
model fails. Everything here is pure logic on an `Article`.
"""

from bot.llm.offline.answers import answer
from bot.llm.offline.instructions import Reading, read_instructions
from bot.llm.offline.results import (
    ANSWER_LABEL,
    ENGINE,
    SUMMARY_LABEL,
    OfflineAnswer,
    OfflineSummary,
)
from bot.llm.offline.summaries import STYLES, summarize

__all__ = [
    "ANSWER_LABEL",
    "ENGINE",
    "STYLES",
    "SUMMARY_LABEL",
    "OfflineAnswer",
    "OfflineSummary",
    "Reading",
    "answer",
    "read_instructions",
    "summarize",
]
