"""Grounded answers: their schema, a plain-text parser, and checking quotes against the article.

Pure logic, no I/O. A model's "verbatim" quote often differs from the page in curly vs straight
quotes, dashes, spacing or case, or elides words with "..."; those are kept (and replaced by the
article's own span). Invented or paraphrased quotes are dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

# The answer template asks the model to start with this when the article has no answer.
NOT_FOUND_MARKER = "NOT FOUND:"
# Fuzzy matching only for quotes long enough that a near-match can't be chance.
FUZZY_MIN_CHARS = 25
FUZZY_MIN_SCORE = 92.0
_FRAGMENT_MIN_CHARS = 12  # each piece of an elided quote ("a ... b") must be this long

_CHAR_MAP = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′`´", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        "…": "...",
        "\u00ad": "",  # soft hyphen
        "\u200b": "",  # zero-width space
    }
)
_NUMBER = re.compile(r"\d+")
_NEGATION = re.compile(r"\b(?:not|no|never|none|nor|without)\b|n't\b")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|\[\s*\.\.\.\s*\]|…)\s*")
_EDGE_JUNK = "\"' \t\n-–—«»“”‘’>"
_OPENERS = "\"'“‘«„"
_CLOSERS = "\"'”’»“"


class GroundedAnswer(BaseModel):
    """The structured reply asked of the model for a question about an article."""

    answer: str = Field(description="The answer, using only the article. Markdown allowed.")
    quotes: list[str] = Field(
        default_factory=list,
        description="1-3 short passages copied word for word from the article that support "
        "the answer. Empty when the article does not contain the answer.",
    )
    found: bool = Field(
        description="True if the article contains the answer; false if it does not."
    )


@dataclass(frozen=True, slots=True)
class VerifiedQuote:
    quote: str  # as the model gave it
    text: str  # the article's own words for it
    start: int  # offsets of `text` in the article
    end: int
    score: float  # 100 = exact after normalisation


def _normalise(text: str) -> tuple[str, list[int]]:
    """Lower-cased, punctuation-unified, single-spaced text, and each char's original offset."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for norm in ch.translate(_CHAR_MAP).casefold():
            if norm.isspace():
                if not out or out[-1] == " ":
                    continue
                norm = " "
            out.append(norm)
            where.append(i)
    if out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def _clean_quote(quote: str) -> str:
    """Without the marks a model wraps a quote in ('"...", > ...), keeping inner quotes."""
    quote = quote.strip().lstrip(">").strip()
    while len(quote) >= 2 and quote[0] in _OPENERS and quote[-1] in _CLOSERS:
        quote = quote[1:-1].strip()
    return quote


def _find(fragment: str, haystack: str, start: int) -> tuple[int, int, float] | None:
    """Exact position of a normalised fragment at or after `start`, else a tight fuzzy one."""
    at = haystack.find(fragment, start)
    if at >= 0:
        return at, at + len(fragment), 100.0
    if len(fragment) < FUZZY_MIN_CHARS:
        return None
    found = fuzz.partial_ratio_alignment(fragment, haystack[start:], score_cutoff=FUZZY_MIN_SCORE)
    if found is None:
        return None
    begin, end = start + found.dest_start, start + found.dest_end
    if _meaning_marks(fragment) != _meaning_marks(haystack[begin:end]):
        return None  # a changed number or a dropped "not" is a misquote, however close
    return begin, end, found.score


def _meaning_marks(text: str) -> tuple[list[str], list[str]]:
    return _NUMBER.findall(text), _NEGATION.findall(text)


def _widen_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


def locate_quote(
    quote: str, article_text: str, _normalised: tuple[str, list[int]] | None = None
) -> VerifiedQuote | None:
    """Where the article says `quote` (allowing "..." elisions), or None if it doesn't."""
    cleaned = _clean_quote(quote)
    norm_quote, _ = _normalise(cleaned)
    if not norm_quote:
        return None
    haystack, where = _normalised or _normalise(article_text)
    fragments = [f.strip(_EDGE_JUNK) for f in _ELLIPSIS.split(norm_quote)]
    fragments = [f for f in fragments if f] if len(fragments) > 1 else [norm_quote]
    if len(fragments) > 1 and any(len(f) < _FRAGMENT_MIN_CHARS for f in fragments):
        fragments = [norm_quote]  # too little on one side of an ellipsis to check it
    spans: list[tuple[int, int, float]] = []
    cursor = 0
    for fragment in fragments:
        hit = _find(fragment, haystack, cursor)
        if hit is None:
            return None
        spans.append(hit)
        cursor = hit[1]
    start, end = where[spans[0][0]], where[spans[-1][1] - 1] + 1
    start, end = _widen_to_words(article_text, start, end)
    score = min(s for _, _, s in spans)
    return VerifiedQuote(quote, article_text[start:end], start, end, score)


def verify_quotes(quotes: list[str], article_text: str) -> tuple[list[VerifiedQuote], list[str]]:
    """Split quotes into those the article really contains (with its own span) and the rest.

    Duplicates (same article span) are kept once.
    """
    verified: list[VerifiedQuote] = []
    dropped: list[str] = []
    seen: set[tuple[int, int]] = set()
    normalised = _normalise(article_text)  # once for all quotes
    for quote in quotes:
        hit = locate_quote(quote, article_text, normalised)
        if hit is None:
            dropped.append(quote)
        elif (hit.start, hit.end) not in seen:
            seen.add((hit.start, hit.end))
            verified.append(hit)
    return verified, dropped


# --- plain-text replies -------------------------------------------------------------------

_FENCED_JSON = re.compile(r"^```(?:json)?\s*(\{.*\})\s*```$", re.DOTALL)
_INLINE_QUOTE = re.compile(r"[\"“]([^\"“”]{20,}?)[\"”]")
_NOT_FOUND_PHRASES = re.compile(
    r"^\W*(not found\b|the article (does not|doesn't|doesn’t) (say|mention|contain|cover|"
    r"answer|address|specify|state))",
    re.IGNORECASE,
)


def _from_json(text: str) -> GroundedAnswer | None:
    fenced = _FENCED_JSON.match(text)
    candidate = fenced.group(1) if fenced else text
    if not candidate.startswith("{"):
        return None
    try:
        data = json.loads(candidate)
        return GroundedAnswer.model_validate(data)
    except ValueError:
        return None


def strip_not_found_marker(answer: str) -> tuple[str, bool]:
    """(answer without the marker, True if the marker was there)."""
    stripped = answer.lstrip()
    if stripped.upper().startswith(NOT_FOUND_MARKER):
        return stripped[len(NOT_FOUND_MARKER) :].strip(), True
    return answer.strip(), False


def parse_answer_text(text: str) -> GroundedAnswer:
    """Read a grounded answer from plain text: answer prose, quotes as "> ..." lines.

    Also accepts the JSON object itself (some models send it anyway), and falls back to
    inline "quoted passages" when there are no "> " lines.
    """
    text = text.strip()
    as_json = _from_json(text)
    if as_json is not None:
        return normalise_answer(as_json)
    quotes: list[str] = []
    prose: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith(">"):
            quote = _clean_quote(line.lstrip().lstrip(">"))
            if quote:
                quotes.append(quote)
        else:
            prose.append(line)
    answer = "\n".join(prose).strip()
    answer = re.sub(r"\n*(?:supporting )?quotes?:\s*$", "", answer, flags=re.IGNORECASE).strip()
    if not quotes:
        quotes = [m.group(1).strip() for m in _INLINE_QUOTE.finditer(answer)]
    answer, marked = strip_not_found_marker(answer)
    found = not (marked or _NOT_FOUND_PHRASES.match(answer))
    return GroundedAnswer(answer=answer, quotes=quotes if found else [], found=found)


def normalise_answer(answer: GroundedAnswer) -> GroundedAnswer:
    """Tidy a structured answer: marker stripped, `found` consistent with it."""
    text, marked = strip_not_found_marker(answer.answer)
    found = answer.found and not marked
    quotes = [q for q in (_clean_quote(q) for q in answer.quotes) if q] if found else []
    return GroundedAnswer(answer=text, quotes=quotes, found=found)
