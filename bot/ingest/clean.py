"""Pasted-text cleaning: keep the article, drop the page furniture around it.

Pure functions, no I/O. The same cleaner runs after HTML extraction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_BLANK_LINES = re.compile(r"\n\s*\n")


def split_paragraphs(text: str) -> list[str]:
    """Split pasted text into candidate paragraphs (one per non-empty line)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [line.strip() for line in text.split("\n") if line.strip()]


def clean_paragraphs(paragraphs: Sequence[str]) -> list[str]:
    """Drop boilerplate paragraphs; keep the article's own, in order."""
    seen: set[str] = set()
    kept: list[str] = []
    for para in paragraphs:
        key = " ".join(para.split()).casefold()
        if key in seen:
            continue
        seen.add(key)
        kept.append(para)
    return kept


def clean_text(text: str) -> list[str]:
    """Pasted text in, article paragraphs out."""
    return clean_paragraphs(split_paragraphs(text))
