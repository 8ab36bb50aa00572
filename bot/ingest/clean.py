"""Pasted-text cleaning: keep the article, drop the page furniture around it.

Pure functions, no I/O. The same cleaner runs after HTML extraction (`clean_paragraphs`),
where trafilatura has already found the main block, so there it only drops furniture lines.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache

from bot.ingest.cleaning.block import main_block
from bot.ingest.cleaning.lines import Kind, Line, is_furniture, judge
from bot.ingest.cleaning.stopwords import best_stoplist
from bot.ingest.cleaning.wraps import document_title, heading_text, unwrap
from bot.ingest.html.trim import is_dated_byline, is_stamp_line


def split_paragraphs(text: str) -> list[str]:
    """Split pasted text into candidate paragraphs: one per non-empty line, once lines
    only wrapped at a fixed width are joined; Markdown headings without their marks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [heading_text(line.strip()) for line in unwrap(text.split("\n")) if line.strip()]


def _key(paragraph: str) -> str:
    return " ".join(paragraph.split()).casefold()


def judge_lines(paragraphs: Sequence[str]) -> list[Line]:
    """Classify every paragraph, in its language and with repetition across the page."""
    stopwords = best_stoplist("\n".join(paragraphs))
    counts = Counter(_key(p) for p in paragraphs)
    return [judge(p, stopwords, repeated=counts[_key(p)] > 1) for p in paragraphs]


# After an HTML extractor, short lines that repeat are usually table cells or list labels
# ("Eat every 2-3 hours" in each row of a meal plan), not furniture: only longer repeats
# (a paragraph or pull quote printed twice) and back-to-back copies go. On the extraction
# benchmark: 60 chars F1 0.972, 120 chars 0.973, never 0.973 (from 0.971 for all repeats).
REPEAT_MIN_CHARS = 120
HTML_REPEAT_MIN_CHARS = REPEAT_MIN_CHARS
# Ends like a sentence or a quoted reply ("No.", "“Awful.”"): dialogue, not a menu entry.
_SAID = re.compile(r"[.!?…。！？]['\"”’»」』)]*$")


def _html_repeat(key: str, previous: str | None) -> bool:
    return len(key) >= HTML_REPEAT_MIN_CHARS or key == previous


def _paste_repeat(key: str, previous: str | None) -> bool:
    # A pasted page repeats its menus, share rows and headlines; a short sentence said
    # twice between paragraphs ("No.") is the story's own.
    return len(key) >= REPEAT_MIN_CHARS or key == previous or not _SAID.search(key)


def _dedupe(paragraphs: Sequence[str], is_repeat: Callable[[str, str | None], bool]) -> list[str]:
    seen: set[str] = set()
    kept: list[str] = []
    previous = None
    for para in paragraphs:
        key = _key(para)
        if not (key in seen and is_repeat(key, previous)):
            kept.append(para)
        seen.add(key)
        previous = key
    return kept


def _html_paragraphs(paragraphs: Sequence[str]) -> list[str]:
    stoplist: list[frozenset[str]] = []

    def stopwords() -> frozenset[str]:
        # The page's language is worked out only if a line needs it: most never do.
        if not stoplist:
            stoplist.append(best_stoplist("\n".join(paragraphs)))
        return stoplist[0]

    return _dedupe([p for p in paragraphs if not is_furniture(p, stopwords)], _html_repeat)


@lru_cache(maxsize=4)
def _judge_page(paragraphs: tuple[str, ...]) -> tuple[tuple[Line, ...], int, int]:
    """Every line's verdict and the main block's [start, end) (cached: title and text)."""
    lines = tuple(judge_lines(paragraphs))
    start, end = main_block(lines)
    return lines, start, end


def clean_paragraphs(paragraphs: Sequence[str], *, find_main_block: bool = False) -> list[str]:
    """Drop boilerplate paragraphs; keep the article's own, in order.

    `find_main_block` also cuts everything outside the page's main run of prose (menus,
    footers, lists of other stories): right for a whole pasted page, wrong after an HTML
    extractor that has already done it.
    """
    paragraphs = [p.strip() for p in paragraphs if p.strip()]
    if not find_main_block:
        return _html_paragraphs(paragraphs)
    lines, start, end = _judge_page(tuple(paragraphs))
    if start == end:
        # No run of prose at all (a headline, a list, a one-liner): keep what isn't furniture
        # rather than answer "no article".
        start, end = 0, len(lines)
    else:
        start = body_start(lines, start, end)
    kept = [line.text for line in lines[start:end] if line.kind >= Kind.UNDECIDED]
    return _dedupe(kept, _paste_repeat)


# A pasted page's header: the dek, photo captions and credits, newsletter prompts, then the
# byline or the date, then the story. Lines above such a stamp, near the block's start and
# short in all, are the header's, not the story's.
_HEAD_WINDOW = 12  # lines from the block's start in which a byline or date is looked for
_HEAD_MAX_WORDS = 80  # the header's prose above it; more and it may be the story's lede
_BY_LINE = re.compile(
    r"^\W*(?i:by|von|por|par|di|door|oleh|written by|words by|reported by)\s+[A-ZÀ-ÖØ-Þ]"
)
_BY_LINE_MAX_WORDS = 12
_DATED_BY_LINE_MAX_WORDS = 16  # "By Jane Doe, John Roe on Monday, November 18th, 2019 at 11:08"
# A sentence that starts like a byline ("By Tuesday, contractors were on site.", "Von Januar
# bis März stiegen die Preise."): it ends as a sentence does and says things in lower case.
_SENTENCE_END = re.compile(r"(?<![ap]\.m)[.!?…][\"'’”»)]*$", re.IGNORECASE)
_LOWER_WORD = re.compile(r"(?<![\w.])[a-zß-öø-ÿ][\w'’-]*(?![\w.])")
# Lower-case words a byline may hold: joins, name particles, a role, "updated".
_BYLINE_LOWER = frozenset(
    {
        *("and", "und", "y", "et", "e", "en", "on", "at", "of", "in", "for", "the", "with"),
        *("de", "da", "di", "du", "del", "van", "von", "der", "den", "la", "le", "am", "um"),
        *("staff", "writer", "reporter", "correspondent", "editor", "updated", "published"),
    }
)


def _reads_as_sentence(text: str) -> bool:
    if not _SENTENCE_END.search(text):
        return False
    said = [w for w in _LOWER_WORD.findall(text) if w not in _BYLINE_LOWER]
    return len(said) >= 2


def _is_stamp(line: Line) -> bool:
    text = line.text
    if is_stamp_line(text) or is_dated_byline(text):
        return True
    if not _BY_LINE.match(text) or _reads_as_sentence(text):
        return False
    return line.size <= _BY_LINE_MAX_WORDS or (
        line.size <= _DATED_BY_LINE_MAX_WORDS and line.digits
    )


def body_start(lines: Sequence[Line], start: int, end: int) -> int:
    """Where the story starts in the main block [start, end): after the last byline or
    date line near its top, when only a little prose (a dek, captions, prompts) stands above
    it and prose follows it; else `start`."""
    best = start
    prose = 0.0
    for i in range(start, min(start + _HEAD_WINDOW, end)):
        line = lines[i]
        if _is_stamp(line):
            if any(lines[k].kind is Kind.PROSE for k in range(i + 1, end)):
                best = i + 1
            continue
        if line.kind is Kind.PROSE:
            prose += line.size
            if prose > _HEAD_MAX_WORDS:
                break
    return best


def clean_text(text: str) -> list[str]:
    """Pasted text in, article paragraphs out."""
    return clean_paragraphs(split_paragraphs(text), find_main_block=True)


# Lines that sit between a paste's headline and its body, or pass for a headline and are
# not one: bylines and credits, reading times, gallery and print links, captions.
_NOT_HEADLINE = re.compile(
    r"^\W*(?:by|von|por|par|di|door|oleh|автор|текст|written by|posted|tested by)\b|"
    r"\b(?:min(?:ute)?s? read|reading time|tempo de leitura|lesezeit|tiempo de lectura|"
    r"temps de lecture|updated|published|publicado|last modified|associated press|reuters|"
    r"afp|getty|credit|caption|image \d+ of|print this|back to|share|follow)\b|"
    r"\(\w[^()]*\)\W*$|"
    # Menu and tag rows ("Overview   News   Articles", "All , Books , News"), dated lines.
    r"\S {2,}\S| , |^\W*\d{1,4}[./-]\d{1,2}[./-]\d{1,4}",
    re.IGNORECASE,
)
# Agency credits in capitals: "ITV, ASSOCIATED PRESS", "VICTOR TANGERMANN, FUTURISM".
_CAPS_CREDIT = re.compile(r"[,·|]\s*[A-Z][A-Z .]+$|^[A-Z][A-Z ,.]+$")
# A byline without "By": "Lisa Kaczke and Trevor J. Mitchell Sioux Falls Argus Leader".
_NAMES_BYLINE = re.compile(
    r"^(?:[A-Z][a-z'’-]+\s+)(?:[A-Z]\.\s+)?[A-Z][a-z'’-]+,?\s+(?:and|&)\s+"
    r"[A-Z][a-z'’-]+\s+(?:[A-Z]\.\s+)?[A-Z][a-z'’-]+(?:\s+[A-Z][\w'’.-]*)*$"
)
_CRUMB = re.compile(r"\s[|›>»/]\s|\s[|›>»/]$")
# Headlines don't end in a full stop, a comma or a colon (a question or exclamation may).
_ENDS_CLAUSE = re.compile(r"[.,;:]['\"”’»)]*$")
_CONTENT_WORD = re.compile(r"[^\W\d_]{4,}")
# Scripts without spaces: pairs of characters stand in for words.
_UNSPACED_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]{2,}")
_TITLE_LOOKBACK = 8
_TITLE_MIN_SIZE = 4.0
_TITLE_MAX_SIZE = 25.0
_TITLE_MAX_CHARS = 200
_TITLE_BODY_LINES = 3
# Content words a headline must share with the article's first paragraphs: other
# stories' teasers and photo credits share none or one.
_TITLE_SHARED_WORDS = 2


def _stems(text: str, stopwords: frozenset[str]) -> set[str]:
    # Five letters are stem enough to match "doubles" with "double", "forces" with "forced".
    text = text.casefold()
    stems = {w[:5] for w in _CONTENT_WORD.findall(_UNSPACED_RUN.sub(" ", text))}
    for run in _UNSPACED_RUN.findall(text):
        stems.update(run[i : i + 2] for i in range(len(run) - 1))
    return stems - stopwords


def _headline_like(line: Line) -> bool:
    text = line.text
    return (
        line.kind is Kind.UNDECIDED
        and not line.item
        and _TITLE_MIN_SIZE <= line.size <= _TITLE_MAX_SIZE
        and len(text) <= _TITLE_MAX_CHARS
        and line.wordy >= 0.5
        and not _ENDS_CLAUSE.search(text)
        and not _CRUMB.search(text)
        and not _NOT_HEADLINE.search(text)
        and not _CAPS_CREDIT.search(text)
        and not _NAMES_BYLINE.match(text)
        and not is_stamp_line(text)
    )


def paste_title(text: str) -> str | None:
    """The headline of a pasted page, if it stands just before the article's body.

    The first line of a paste, right above the body, is its headline when it looks like
    one. Further up (past menus, bylines, share rows), a headline-like line must also share
    content words with the first paragraphs, as a headline does and a teaser for another
    story or a photo credit doesn't. No title rather than a wrong one.
    """
    marked = document_title(text.splitlines())
    if marked is not None and len(marked) <= _TITLE_MAX_CHARS:
        return marked
    paragraphs = split_paragraphs(text)
    lines, start, end = _judge_page(tuple(paragraphs))
    if start == end or start == 0:
        return None
    if start == 1:
        return lines[0].text if _headline_like(lines[0]) else None
    stopwords = best_stoplist("\n".join(paragraphs[start:end]))
    body = set().union(
        *(_stems(p, stopwords) for p in paragraphs[start : start + _TITLE_BODY_LINES])
    )
    for line in reversed(lines[max(0, start - _TITLE_LOOKBACK) : start]):
        if line.kind <= Kind.END:
            return None  # a comments heading or the previous story's end: not ours
        if _headline_like(line) and len(_stems(line.text, stopwords) & body) >= _TITLE_SHARED_WORDS:
            return line.text
    return None
