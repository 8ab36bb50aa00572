"""The offline engine: extractive summaries and quoted answers, no model and no network.

Used when no API key is set, when asked for (--engine offline), and as the fallback when the
model fails. Everything here is pure logic on an `Article`.
"""

from bot.offline.answers import answer
from bot.offline.instructions import Reading, read_instructions
from bot.offline.results import (
    ANSWER_LABEL,
    ENGINE,
    SUMMARY_LABEL,
    OfflineAnswer,
    OfflineSummary,
)
from bot.offline.summaries import STYLES, summarize

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
