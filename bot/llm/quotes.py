"""Grounded answers: their schema, a plain-text parser, and checking quotes against the article.

Pure logic, no I/O. A model's "verbatim" quote often differs from the page in curly vs straight
quotes, dashes, spacing or case, or elides words with "..."; those are kept (and replaced by the
article's own span). Invented or paraphrased quotes are dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from langchain_core.utils.json import parse_partial_json
from pydantic import BaseModel, Field
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

# The answer template asks the model to start with this when the article has no answer.
NOT_FOUND_MARKER = "NOT FOUND:"
# Fuzzy matching only for quotes long enough that a near-match can't be chance.
FUZZY_MIN_CHARS = 25
FUZZY_MIN_SCORE = 92.0
_FRAGMENT_MIN_CHARS = 12  # each piece of an elided quote ("a ... b") must be this long
_TYPO_MIN_SCORE = 75.0  # a quoted word this close to the article's is a typo ("structre")
# A quote of a word or two ("the", "Moon") supports nothing: not shown, not counted as wrong.
MIN_QUOTE_WORDS = 3
MIN_QUOTE_CHARS_UNSPACED = 8  # scripts written without spaces (Chinese, Japanese, Thai)
_WORD = re.compile(r"\w+")

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
    """Position of a normalised fragment at or after `start`, as whole words: exact, else a
    tight fuzzy match whose differences are small typos, never other words."""
    at = haystack.find(fragment, start)
    while at >= 0:
        end = at + len(fragment)
        if _word_edge(haystack, at) and _word_edge(haystack, end):
            return at, end, 100.0
        at = haystack.find(fragment, at + 1)
    if len(fragment) < FUZZY_MIN_CHARS:
        return None
    found = fuzz.partial_ratio_alignment(fragment, haystack[start:], score_cutoff=FUZZY_MIN_SCORE)
    if found is None:
        return None
    span = _word_span(fragment, haystack, start + found.dest_start, start + found.dest_end)
    if span is None:
        return None
    begin, end = span
    if _meaning_marks(fragment) != _meaning_marks(haystack[begin:end]):
        return None  # a changed number or a dropped "not" is a misquote, however close
    return begin, end, fuzz.ratio(fragment, haystack[begin:end])


def _word_edge(text: str, i: int) -> bool:
    """True when position `i` does not cut a word in two."""
    return i <= 0 or i >= len(text) or not (text[i - 1].isalnum() and text[i].isalnum())


def _word_span(fragment: str, haystack: str, begin: int, end: int) -> tuple[int, int] | None:
    """The run of whole words around a fuzzy hit that the fragment really quotes: each of its
    words the same or a near-spelling of the article's, at most one small word missing or
    extra. Character similarity alone would let "a bad pace" stand for "a good pace"."""
    wanted = _WORD.findall(fragment)
    words = [m.span() for m in _WORD.finditer(haystack, max(0, begin - 40), end + 40)]
    if not wanted or not words:
        return None
    first = next((i for i, (_, e) in enumerate(words) if e > begin), 0)
    last = max((i for i, (s, _) in enumerate(words) if s < end), default=first)
    best: tuple[int, int, int] | None = None  # (cost, first word, last word)
    for lo in range(max(0, first - 2), min(first + 3, len(words))):
        for hi in range(max(lo, last - 2), min(last + 3, len(words))):
            cost = _edit_cost(wanted, [haystack[a:b] for a, b in words[lo : hi + 1]])
            if cost is not None and (best is None or cost < best[0]):
                best = (cost, lo, hi)
    if best is None:
        return None
    return words[best[1]][0], words[best[2]][1]


def _edit_cost(wanted: list[str], found: list[str]) -> int | None:
    """Word edits from the quote to the article's words, or None when one is more than a
    typo: a different word, or more than one word added or left out."""
    cost = gaps = 0
    for op in Levenshtein.opcodes(wanted, found):
        if op.tag == "equal":
            continue
        if op.tag == "replace" and op.src_end - op.src_start == op.dest_end - op.dest_start:
            pairs = zip(
                wanted[op.src_start : op.src_end], found[op.dest_start : op.dest_end], strict=True
            )
            if any(fuzz.ratio(a, b) < _TYPO_MIN_SCORE for a, b in pairs):
                return None
            cost += op.src_end - op.src_start
            continue
        gaps += max(op.src_end - op.src_start, op.dest_end - op.dest_start)
        if gaps > 1:
            return None
        cost += 2
    return cost


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


def is_trivial_quote(quote: str) -> bool:
    """A word or two ("the", "Moon"): true of any article that mentions it, so no support."""
    words = _WORD.findall(quote)
    if len(words) >= MIN_QUOTE_WORDS:
        return False
    # One "word" of an unspaced script can be a whole sentence.
    return sum(len(w) for w in words) < MIN_QUOTE_CHARS_UNSPACED or all(w.isascii() for w in words)


def verify_quotes(quotes: list[str], article_text: str) -> tuple[list[VerifiedQuote], list[str]]:
    """Split quotes into those the article really contains (with its own span) and the rest.

    Duplicates (same article span) are kept once; quotes too short to support anything
    are left out of both.
    """
    verified: list[VerifiedQuote] = []
    dropped: list[str] = []
    seen: set[tuple[int, int]] = set()
    normalised = _normalise(article_text)  # once for all quotes
    for quote in quotes:
        if is_trivial_quote(quote):
            continue
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
    # "The article doesn't say." with found=true and nothing quoted is still a not-found.
    says_not_found = not answer.quotes and bool(_NOT_FOUND_PHRASES.match(text))
    found = answer.found and not marked and not says_not_found
    quotes = [q for q in (_clean_quote(q) for q in answer.quotes) if q] if found else []
    return GroundedAnswer(answer=text, quotes=quotes, found=found)


# --- answers as they stream in ------------------------------------------------------------

_QUOTES_HEADER = re.compile(r"^\s*(?:supporting )?quotes?:\s*$", re.IGNORECASE)
_HEADERS = ("quote:", "quotes:", "supporting quote:", "supporting quotes:")


def _settled(prose: str) -> str:
    """Prose that can be shown now: trimmed, NOT FOUND marker taken off, and nothing while
    the text could still turn out to be the marker."""
    text = prose.lstrip()
    head = text[: len(NOT_FOUND_MARKER)].upper()
    if NOT_FOUND_MARKER.startswith(head) and len(head) < len(NOT_FOUND_MARKER):
        return ""
    if head == NOT_FOUND_MARKER:
        text = text[len(NOT_FOUND_MARKER) :].lstrip()
    return text.rstrip()


def answer_prose(raw: str, *, json_reply: bool) -> str:
    """The part of a half-written answer that is sure to start the final `answer`: for a
    JSON reply the `answer` field so far; for plain text the lines that aren't "> " quotes,
    holding back a line until it can't become one (or a "Quotes:" header)."""
    if json_reply:
        try:
            data = parse_partial_json(raw)
        except ValueError:
            return ""
        answer = data.get("answer") if isinstance(data, dict) else None
        return _settled(answer) if isinstance(answer, str) else ""
    if raw.lstrip()[:1] in ("{", "`"):
        return ""  # JSON (perhaps fenced) despite asking for text: parsed at the end
    lines = raw.split("\n")
    *done, last = lines
    prose = [line for line in done if not line.lstrip().startswith(">")]
    if prose and _QUOTES_HEADER.match(prose[-1]):
        prose.pop()  # dropped at the end if no prose follows it
    head = last.strip().lower()
    maybe_header = _QUOTES_HEADER.match(last) or any(h.startswith(head) for h in _HEADERS)
    if head and not head.startswith(">") and not maybe_header:
        prose.append(last)
    return _settled("\n".join(prose))


class ProseStream:
    """Sends `answer_prose` readings to `on_text` as deltas; stops for good if a reading
    ever stops extending what was sent (it can't be taken back)."""

    def __init__(self, on_text: Callable[[str], None] | None) -> None:
        self._on_text = on_text
        self.sent = ""

    def update(self, prose: str) -> None:
        if self._on_text is None or len(prose) <= len(self.sent):
            return
        if not prose.startswith(self.sent):
            self._on_text = None
            return
        delta, self.sent = prose[len(self.sent) :], prose
        self._on_text(delta)
