"""Sanity checks on the extractor's text, and a second strategy when they fail.

The extractor (trafilatura's fast pass) sometimes returns the wrong block: a sidebar, a
teaser card marked up as an <article>, a subscription pitch, the first post of a thread.
We read the page a second way (`blocks`: its largest coherent block of prose) and keep
whichever text looks more like the article, judged by features that don't know the answer:
how much prose it holds, how much of it is short link-like lines, and whether the title's
words come up near its start. Text the page prints before its headline is not the story.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from bot.ingest.cleaning.boilerplate import COMMENTS, END_MARKER, MORE_ELSEWHERE
from bot.ingest.html.blocks import (
    HEADINGS,
    Unit,
    block_lines,
    is_prose,
    page_units,
    prose_block,
)
from bot.ingest.html.breaks import BREAK, rebuild
from bot.ingest.html.pointers import drop_pointers
from bot.ingest.html.trim import is_main_headline

_SPACE = re.compile(r"\s+")
_KEY_CHARS = 60
_TERMINAL = re.compile(r"[.!?…。！？:]['\"”’»)\]」』]*$")
_WORD = re.compile(r"[^\W\d_]{4,}")
_UNSPACED_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]{2,}")
_TITLE_SEPARATOR = re.compile(r"(?<!\s)\s+[|\-–—:·»/]+\s+")
# "Near the start": the first this many characters.
_START_CHARS = 600
# Lines this short that don't end a sentence read as menu entries and links.
_SHORT_LINE = 50
_DATA = re.compile(r"\|| \d.* \d|^\d.* \d")
_END_WORDS = 10
_ENDS_ARTICLE = re.compile(
    "|".join(p.pattern for p in (COMMENTS, END_MARKER, MORE_ELSEWHERE)), re.IGNORECASE
)
# The sanity checks: the first reading is far shorter than the block of prose, or made of
# short link-like lines, or the title's words are much further from its start.
_SHORT_SHARE = 0.3
_MAX_JUNK = 0.3
_TITLE_GAP = 0.25
# The second reading must be this much better to replace the first.
_MARGIN = 1.25
_MIN_PROSE = 200
# Units with more link text than this are left out of the block's text (`block_lines`).
_MAX_BLOCK_LINK_SHARE = 0.5
# A line this long containing this many other lines is a container's text dumped whole.
_DUMP_MIN_CHARS = 200
_DUMP_CANDIDATES = 5
_DUMP_MIN_INSIDE = 2
_MIN_INSIDE_CHARS = 30


def _key(text: str) -> str:
    return _SPACE.sub("", text.replace(BREAK, "")).casefold()[:_KEY_CHARS]


def _stems(text: str) -> set[str]:
    text = text.casefold()
    stems = {w[:5] for w in _WORD.findall(text)}
    for run in _UNSPACED_RUN.findall(text):
        stems.update(run[i : i + 2] for i in range(len(run) - 1))
    return stems


def title_stems(title: str | None) -> set[str]:
    """Content-word stems of the title's longest part (the headline, not the site name)."""
    if not title:
        return set()
    return _stems(max(_TITLE_SEPARATOR.split(title.strip()), key=len))


def _coverage(prose: list[str], stems: set[str]) -> float:
    """Share of the title's stems found in the first `_START_CHARS` of the text's `prose`
    lines.

    Prose only: a breadcrumb or the headline itself at the top would match trivially.
    """
    if not stems:
        return 0.0
    start = " ".join(prose)[:_START_CHARS]
    return len(stems & _stems(start)) / len(stems)


def _link_like(line: str) -> bool:
    # Rows of a table or a list of figures are short too, but they are data, not links.
    return len(line) < _SHORT_LINE and not _TERMINAL.search(line) and not _DATA.search(line)


# A closing row of the story's tags or categories ("Tags", "Filed under: Politics |").
_TAGS = re.compile(
    r"^\W*(?:tags?|filed under|categor(?:y|ies)|schlagw[öo]rter|stichw[öo]rter|etiquetas|"
    r"mots[- ]cl[ée]s|теги|метки|рубрики?)\b(?:\W*$|\s*:)",
    re.IGNORECASE,
)


def _ends_article(line: str) -> bool:
    return len(line.split()) < _END_WORDS and bool(_ENDS_ARTICLE.search(line))


# A row of tags runs longer than a heading, but is no sentence.
_TAG_ROW_WORDS = 30


def _closes_article(line: str) -> bool:
    return _ends_article(line) or (
        len(line.split()) < _TAG_ROW_WORDS
        and bool(_TAGS.search(line))
        and not line.rstrip().endswith((".", "!", "?"))
    )


def end_of_article(lines: list[str]) -> list[str]:
    """`lines` up to a heading that starts comments or other stories ("You may also like")."""
    for i, line in enumerate(lines):
        if i and _ends_article(line):
            return lines[:i]
    return lines


def drop_closing_section(lines: list[str]) -> list[str]:
    """`lines` without a last heading for comments, other stories or tags and the short
    lines under it (what is left of a "Comments" or "You may also like" box).

    Only at the end: such a heading followed by prose may be a box inside the story, and
    the story goes on after it. A line may hold several (a `<br>` inside a paragraph).
    """
    cut: tuple[int, int] | None = None
    for i in range(len(lines) - 1, 0, -1):
        parts = lines[i].split("\n")
        for j in range(len(parts) - 1, -1, -1):
            if is_prose(parts[j]):
                break
            if _closes_article(parts[j]):
                cut = (i, j)  # the first heading of the run counts: keep looking
        else:
            continue
        break
    if cut is None:
        return lines
    i, j = cut
    return [*lines[:i], "\n".join(lines[i].split("\n")[:j])] if j else lines[:i]


def junk_share(lines: list[str], block_text: str) -> float:
    """How much of the text is short lines from outside the block of prose (menus, links).

    Short lines inside the block are its lists and subheadings: they don't count.
    """
    total = sum(len(line) for line in lines)
    if not total:
        return 1.0
    short = [
        len(line) for line in lines if _link_like(line) and _SPACE.sub("", line) not in block_text
    ]
    # By characters and by count: CJK menu entries are short in characters, many in number.
    return (sum(short) / total + len(short) / len(lines)) / 2


class _Reading:
    """A candidate text with its prose lines picked out once (several checks read them)."""

    __slots__ = ("coverage", "lines", "prose", "prose_chars")

    def __init__(self, lines: list[str], stems: set[str]) -> None:
        self.lines = lines
        self.prose = [line for line in lines if is_prose(line)]
        self.prose_chars = sum(len(line) for line in self.prose)
        self.coverage = _coverage(self.prose, stems)

    def quality(self, junk: float) -> float:
        """Prose, less the share of short link-like lines (`junk`), more if the title shows
        at the start."""
        return self.prose_chars * (1 - junk) * (1 + self.coverage)


def drop_dumps(lines: list[str]) -> list[str]:
    """Remove a line that repeats several other lines: a whole container read as one line."""
    flat = ["".join(line.split()) for line in lines]  # what _SPACE.sub("", line) gives
    longest = sorted(range(len(lines)), key=lambda i: -len(flat[i]))[:_DUMP_CANDIDATES]
    dumps = set()
    for i in longest:
        if len(flat[i]) < _DUMP_MIN_CHARS:
            break
        inside = sum(
            1
            for j, other in enumerate(flat)
            if j != i and len(other) >= _MIN_INSIDE_CHARS and other in flat[i]
        )
        if inside >= _DUMP_MIN_INSIDE:
            dumps.add(i)
    return [line for i, line in enumerate(lines) if i not in dumps]


def _headline_at(units: list[Unit], title: str | None) -> int | None:
    """Index of the unit that is the page's headline (the first h1 that matches, else h2-h3)."""
    if not title:
        return None
    found = None
    for i, unit in enumerate(units):
        tag = unit.tag
        if tag in HEADINGS and tag in ("h1", "h2", "h3") and is_main_headline(unit.text, title):
            if tag == "h1":
                return i
            found = i if found is None else found
    return found


def drop_before_headline(lines: list[str], units: list[Unit], at: int | None) -> list[str]:
    """Remove leading lines printed only before the headline (teasers, sidebars)."""
    if at is None:
        return lines
    before = {_key(u.text) for u in units[:at]}
    if not lines or _key(lines[0]) not in before:
        return lines  # the usual case: spare reading the rest of the page
    after = {_key(u.text) for u in units[at + 1 :]}
    start = 0
    while start < len(lines) and (key := _key(lines[start])) in before and key not in after:
        start += 1
    return lines[start:] if start < len(lines) else lines


def first_stands(first: _Reading, junk: float, units: list[Unit]) -> bool:
    """Whether the first reading is kept whatever the block's text turns out to be.

    Cheap checks first: finding the block and its text is most of the second reading's
    cost. The second text is made of the units' text (link-heavy ones left out), and none
    is rebuilt longer: if even all of it is too little prose, or the first reading passes
    every sanity check against that much (its title coverage can't be beaten by 0.25), the
    comparison can't pick the second.
    """
    most = sum(len(u.text) for u in units if u.link_share <= _MAX_BLOCK_LINK_SHARE)
    return most < _MIN_PROSE or (
        junk <= _MAX_JUNK
        and first.coverage + _TITLE_GAP >= 1.0
        and first.prose_chars >= _SHORT_SHARE * most
    )


def second_opinion(tree: HtmlElement, lines: list[str], title: str | None) -> list[str]:
    """The extractor's `lines`, or the page's largest block of prose if that reads better.

    Line breaks are rebuilt in both (`breaks.rebuild`); paragraphs that only link to
    another page are left out of either (`pointers`).
    """
    root = tree.find("body")
    if root is None:
        root = tree
    units = page_units(root)
    return drop_closing_section(drop_pointers(_better_reading(root, units, lines, title), units))


def _better_reading(
    root: HtmlElement, units: list[Unit], lines: list[str], title: str | None
) -> list[str]:
    at = _headline_at(units, title)
    first_lines = drop_dumps(drop_before_headline(lines, units, at))
    stems = title_stems(title)
    first = _Reading([line for line in (rebuild(line) for line in first_lines) if line], stems)
    junk = junk_share(first.lines, "")
    if first_stands(first, junk, units):
        return first.lines
    block, _ = prose_block(units, root)
    in_block = set(block.iter())
    second_lines = block_lines(units, in_block)
    second_lines = [line for line in (rebuild(line) for line in second_lines) if line]
    second = _Reading(end_of_article(drop_before_headline(second_lines, units, at)), stems)
    if second.prose_chars < _MIN_PROSE:
        return first.lines
    # Short lines count as junk unless the block holds them: its text is read only if the
    # count without that exemption is already over the limit (most pages are not).
    inside = ""
    if junk > _MAX_JUNK:
        inside = _SPACE.sub("", rebuild(" ".join(u.text for u in units if u.owner in in_block)))
        junk = junk_share(first.lines, inside)
    failed = (
        first.prose_chars < _SHORT_SHARE * second.prose_chars
        or junk > _MAX_JUNK
        or first.coverage + _TITLE_GAP < second.coverage
    )
    if failed and second.quality(junk_share(second.lines, inside)) > _MARGIN * first.quality(junk):
        return second.lines
    return first.lines
