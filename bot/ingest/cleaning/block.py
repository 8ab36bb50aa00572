"""Find the article's main block: the run of lines richest in prose (max-sum segment)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.ingest.cleaning.lines import Kind, Line

# What a line is worth when searching for the main block, in words. A long prose line
# counts for at most _PROSE_CAP so that one wordy footer blurb can't outweigh an article.
_PROSE_CAP = 60.0
_UNDECIDED_COST = 1.0
_FURNITURE_COST = 2.0
_END_COST = 30.0
_PROSE_BEFORE_COMMENTS = 20.0
_ALONE_SHARE = 0.35


def value(line: Line) -> float:
    if line.kind is Kind.PROSE:
        return min(line.size, _PROSE_CAP) * line.wordy**2
    if line.kind is Kind.UNDECIDED and not line.item:
        return -min(line.size, 4.0) * 0.5 - _UNDECIDED_COST
    if line.kind in (Kind.FURNITURE, Kind.UNDECIDED):
        # List items cost like furniture (menus) but are kept inside the article.
        return -min(line.size, 10.0) - _FURNITURE_COST
    if line.kind is Kind.END:
        return -_END_COST
    return float("-inf")


def comments_start(lines: Sequence[Line]) -> int:
    """Index of the first comments heading that follows some prose (or len(lines)).

    Comments are prose too, often more of it than the article, so the page is cut there
    rather than left to the block search.
    """
    prose = 0.0
    for i, line in enumerate(lines):
        if line.kind is Kind.COMMENTS and prose >= _PROSE_BEFORE_COMMENTS:
            return i
        prose += max(value(line), 0.0)
    return len(lines)


def values(lines: Sequence[Line]) -> list[float]:
    """Each line's worth; prose standing alone between undecided lines is worth less.

    Article paragraphs come in runs (at most broken by an ad or a share row); teaser lists
    alternate headline, one-sentence summary and date, so their sentences stand alone.
    """
    out = [value(line) for line in lines]
    # Furniture doesn't separate paragraphs: look through it for the neighbours.
    seq = [i for i, line in enumerate(lines) if line.kind > Kind.FURNITURE]
    for j, i in enumerate(seq):
        if lines[i].kind is not Kind.PROSE:
            continue
        before = j > 0 and lines[seq[j - 1]].kind is Kind.PROSE
        after = j + 1 < len(seq) and lines[seq[j + 1]].kind is Kind.PROSE
        if not (before or after):
            out[i] *= _ALONE_SHARE
    return out


def main_block(lines: Sequence[Line]) -> tuple[int, int]:
    """[start, end) of the maximum-value run of lines (Kadane); (0, 0) if nothing is prose."""
    best, best_range = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, worth in enumerate(values(lines[: comments_start(lines)])):
        if total <= 0:
            total, start = 0.0, i
        total += worth
        if total > best:
            best, best_range = total, (start, i + 1)
    return best_range
