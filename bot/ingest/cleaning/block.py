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
_PROSE_BEFORE_STOP = 20.0
_ALONE_SHARE = 0.35
_ITEM_SHARE = 0.5
_MIN_ROWS = 4


def value(line: Line) -> float:
    if line.kind is Kind.PROSE:
        worth = min(line.size, _PROSE_CAP) * line.wordy**2
        # Long list items are teaser lists as often as article text.
        return worth * _ITEM_SHARE if line.item else worth
    if line.kind is Kind.UNDECIDED and not line.item:
        return -min(line.size, 4.0) * 0.5 - _UNDECIDED_COST
    if line.caption:
        return -_FURNITURE_COST
    if line.kind in (Kind.FURNITURE, Kind.UNDECIDED):
        # List items cost like furniture (menus) but are kept inside the article.
        return -min(line.size, 10.0) - _FURNITURE_COST
    if line.kind is Kind.END:
        return -_END_COST
    return float("-inf")


def stop_at(lines: Sequence[Line]) -> int:
    """Index of the first comments heading that follows some prose (or len(lines)).

    Comments are prose too, often more of it than the article, so the page is cut there
    rather than left to the block search.
    """
    prose = 0.0
    for i, line in enumerate(lines):
        if line.kind is Kind.STOP and prose >= _PROSE_BEFORE_STOP:
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
    for start, end in row_runs(lines):
        # A table or a list of dates inside the article neither adds nor costs.
        for i in range(start, end):
            out[i] = max(out[i], 0.0)
    return out


def row_runs(lines: Sequence[Line]) -> list[tuple[int, int]]:
    """[start, end) of every run of at least _MIN_ROWS consecutive data rows.

    Mostly numbers, dates or scores: menus and headline lists seldom have them.
    """
    runs: list[tuple[int, int]] = []
    start = None
    for i, line in enumerate([*lines, None]):
        is_row = line is not None and line.row and line.kind >= Kind.UNDECIDED
        if is_row and start is None:
            start = i
        elif not is_row and start is not None:
            with_digits = sum(line.digits for line in lines[start:i])
            if i - start >= _MIN_ROWS and with_digits * 2 >= i - start:
                runs.append((start, i))
            start = None
    return runs


def _trailing_rows(lines: Sequence[Line], end: int) -> int:
    """End of a data list right after the article (tour dates, results), else `end`.

    One short heading may come between ("Tour dates", "Qualified teams").
    """
    for start, run_end in row_runs(lines):
        if start == end or (start == end + 1 and lines[end].kind is Kind.UNDECIDED):
            return run_end
    return end


def main_block(lines: Sequence[Line]) -> tuple[int, int]:
    """[start, end) of the maximum-value run of lines (Kadane); (0, 0) if nothing is prose."""
    best, best_range = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, worth in enumerate(values(lines[: stop_at(lines)])):
        if total <= 0:
            total, start = 0.0, i
        total += worth
        if total > best:
            best, best_range = total, (start, i + 1)
    if best_range[1] > best_range[0]:
        best_range = (best_range[0], _trailing_rows(lines, best_range[1]))
    return best_range
