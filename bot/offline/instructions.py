"""Which parts of a user's `--instructions` the offline engine follows, and which it can't.

It can follow a length ("6 bullets", "briefly", "in detail") and a focus on words the
article has ("focus on the sanctions"); it can't change language, reader or tone ("in
Spanish", "for a CFO"), since it only picks the article's own sentences. Each part is named
as the user wrote it, so a notice can say exactly what was left undone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.ingest.article import Article
from bot.ingest.links import TLDR
from bot.text.counts import INTRO_PATTERN, NUMBER_WORD_PATTERN, NUMBER_WORDS, UNIT_PATTERN, unit_of
from bot.text.retrieval import analyzer_for_text

# Lengths (summaries.resolve_length turns them into a number of sentences or a style), in
# the languages of `bot.text.counts` ("6 bullets", "in 2 Sätzen", "en 3 puntos").
# Any number is read ("100 bullets"), so one past MAX_COUNT is capped and said, not missed.
COUNT = re.compile(
    rf"(?<!\w)(\d+|{NUMBER_WORD_PATTERN})\s+(?:short\s+|key\s+|main\s+)?"
    rf"(?P<unit>{UNIT_PATTERN})(?!\w)",
    re.IGNORECASE,
)
# The most sentences an extractive summary lists: past that it would be the article itself.
MAX_COUNT = 12
SHORT_HINT = re.compile(rf"\b(?:{TLDR}|short|brief|briefly|one[- ]liner|quick)\b", re.IGNORECASE)
LONG_HINT = re.compile(r"\b(?:detailed|in[- ]depth|thorough|long|full)\b", re.IGNORECASE)
# A length with the word that introduces it ("in 6 bullets"), so what's left reads whole.
_LENGTH = re.compile(
    rf"(?:\b(?:{INTRO_PATTERN})\s+)?(?:{COUNT.pattern}|{SHORT_HINT.pattern}|"
    rf"{LONG_HINT.pattern})",
    re.IGNORECASE,
)
# Where one wish ends and the next starts: "3 bullets, in Spanish; and for a CFO".
_PARTS = re.compile(
    r"(?:,|;(?!\s*dr\b)|\n)+|(?<=\w)[.!?]+(?:\s+|$)|\s+(?:and|then|but|also|&)\s+", re.I
)
_WORD = re.compile(r"[^\W\d_]+")
# Words of a request that ask nothing beyond length and focus ("summarize it in 3 bullets").
_FILLER = frozenset(
    {"summarize", "summarise", "summary", "please", "in", "a", "an", "the", "it", "this",
    "that", "article", "story", "for", "me", "us", "with", "and", "of", "to", "on", "about",
    "focus", "focusing", "give", "make", "write", "keep", "just", "only", "bullet", "bullets",
    "point", "points", "sentence", "sentences", "line", "lines", "word", "words", "max",
    "maximum", "at", "most", "less", "than", "under", "no", "more", "pls", "plz", "can",
    "you", "could", "would", "also", "then", "but", "so", "up", "sum", "as", "into", "using",
    # a count's introduction in the other languages of bot.text.counts ("en 3 puntos")
    "en", "em", "mit", "con", "com", "met"}
)  # fmt: skip
# Request words trimmed off the ends of a part that is reported ("please", "summarize").
_EDGE = frozenset(
    {"summarize", "summarise", "please", "pls", "plz", "and", "also", "then", "but", "so",
    "just", "it", "this", "can", "you", "could", "would", "give", "me", "write", "make", "the",
    "a", "an", "article", "story", "summary", "piece", "text", "page", "post", "link"}
)  # fmt: skip
# What `summaries.summarize` reads of an article (its MAX_SUMMARY_CHARS).
READ_CHARS = 200_000


@dataclass(frozen=True, slots=True)
class Reading:
    """The parts of the instructions, as written, that the engine followed or can't."""

    followed: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    capped: tuple[str, ...] = ()  # counts past MAX_COUNT: followed only up to it


def asked_count(instructions: str | None) -> tuple[int, str] | None:
    """The number of sentences or bullets `instructions` asks for, uncapped, and its unit in
    the plural ("bullets", "bullet points"); None when they ask for no number."""
    match = COUNT.search(instructions) if instructions else None
    if match is None:
        return None
    raw = match.group(1).lower()
    # A number too long to be meant (or for int() to take) is simply "too many".
    n = NUMBER_WORDS[raw] if raw in NUMBER_WORDS else int(raw) if len(raw) < 7 else 10**6
    return n, unit_of(match.group("unit"))


def count_notice(asked: int, unit: str, written: int) -> str | None:
    """What a summary of `written` sentences says when `asked` for more than MAX_COUNT, or
    for more than the article has to list ("6 bullets" of a 3-sentence text)."""
    if asked <= MAX_COUNT:
        if written >= asked:
            return None
        has = f"{written} sentence{'' if written == 1 else 's'}"
        return f"You asked for {asked} {unit}, but the article only has {has} worth listing."
    if written >= MAX_COUNT:
        return f"I can write at most {MAX_COUNT} {unit} offline; here are {written}."
    return f"I can write at most {MAX_COUNT} {unit} offline; this article gave {written}."


def read_instructions(article: Article, instructions: str | None) -> Reading:
    """Split `instructions` into wishes and say which of them an extractive summary of
    `article` honours: lengths, and focus words the article has."""
    if not instructions or not instructions.strip():
        return Reading()
    followed: list[str] = []
    ignored: list[str] = []
    known: set[str] | None = None  # the article's terms, worked out if a focus needs them
    analyzer = None
    capped: list[str] = []
    for part in _PARTS.split(instructions):
        lengths = [m.group(0) for m in _LENGTH.finditer(part)]
        rest = _trim(_LENGTH.sub(" ", part))
        asked = [w for w in _WORD.findall(rest.lower()) if w not in _FILLER]
        too_many = [length for length in lengths if _past_cap(length)]
        capped.extend(_trim(length) for length in too_many)
        if not asked:
            if lengths and not too_many:  # "keep it short": the whole wish was a length
                followed.append(_trim(part))
            continue
        followed.extend(_trim(length) for length in lengths if length not in too_many)
        if analyzer is None or known is None:
            text = article.text[:READ_CHARS]
            analyzer = analyzer_for_text(text, article.language)
            known = set(analyzer.terms(text))
        wanted = set(analyzer.terms(" ".join(asked)))
        (followed if wanted and wanted <= known else ignored).append(rest)
    return Reading(tuple(followed), tuple(ignored), tuple(capped))


def _past_cap(length: str) -> bool:
    count = asked_count(length)
    return count is not None and count[0] > MAX_COUNT


def _trim(text: str) -> str:
    """`text` without spare spaces, edge punctuation and request words at its ends."""
    words = text.split()
    while words and words[0].lower().strip(".,;:!?") in _EDGE:
        words.pop(0)
    while words and words[-1].lower().strip(".,;:!?") in _EDGE:
        words.pop()
    return " ".join(words).strip(" .,;:!?")
