"""Line-level fixes at the edges of an extracted article. Pure functions, no I/O."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

_SPACE = re.compile(r"\s+")
# Only the first few lines can be the headline repeated above the text.
_HEAD_LINES = 3
_SAME_TITLE = 90
_MIN_TITLE_PART = 12
_TITLE_SEPARATOR = re.compile(r"\s+[|\-–—:·»/]+\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def is_headline(line: str, title: str) -> bool:
    """Whether `line` is the page title (maybe without the " | Site" suffix, or vice versa)."""
    a, b = _norm(line), _norm(title)
    if not a or not b:
        return False
    if a == b:
        return True
    # "Headline | Site name" titles: compare the headline with each part too.
    # Short parts ("Brexit" in "Brexit: what next") could be a section heading, not the title.
    parts = [part.strip() for part in _TITLE_SEPARATOR.split(b)]
    candidates = [b, *(part for part in parts if len(part) >= _MIN_TITLE_PART)]
    return any(fuzz.ratio(a, part) >= _SAME_TITLE for part in candidates)


def drop_headline(lines: list[str], title: str | None) -> list[str]:
    """Remove the headline when the extractor kept it as the first line(s) of the text."""
    if not title:
        return lines
    head = lines[:_HEAD_LINES]
    for i, line in enumerate(head):
        if is_headline(line, title):
            return lines[:i] + lines[i + 1 :]
    return lines
