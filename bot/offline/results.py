"""What the offline engine returns; the Slack and CLI layers show `label` with the text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ENGINE: Literal["offline"] = "offline"
SUMMARY_LABEL = "Offline summary (extractive, no AI model)"
ANSWER_LABEL = "Offline answer (quotes from the article, no AI model)"


@dataclass(frozen=True, slots=True)
class OfflineSummary:
    text: str  # markdown: bullets as "- ...", detailed adds "**Key points**"/"**Context**"
    sentences: tuple[str, ...]  # the article sentences used, verbatim, in article order
    style: str  # the style actually produced ("tldr", "bullets" or "detailed")
    engine: Literal["offline"] = ENGINE
    label: str = SUMMARY_LABEL
    notice: str | None = None  # what of the instructions it could only partly follow


@dataclass(frozen=True, slots=True)
class OfflineAnswer:
    text: str  # markdown: the quotes as "> ..." lines, or a plain "not found" sentence
    quotes: tuple[str, ...]  # verbatim article sentences, in article order; empty if not found
    found: bool
    engine: Literal["offline"] = ENGINE
    label: str = ANSWER_LABEL
