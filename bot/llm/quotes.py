"""Grounded answers: their schema, a plain-text parser, and checking quotes against the article.

Pure logic, no I/O. A model's "verbatim" quote often differs from the page in curly vs straight
quotes, dashes, spacing or case, or elides words with "..."; those are kept (and replaced by the
article's own span). Invented or paraphrased quotes are dropped.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

from langchain_core.utils.json import parse_partial_json
from pydantic import BaseModel, Field, PrivateAttr
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
    # Not asked of the model (no field in its schema): the reply stopped at the token limit.
    _cut: bool = PrivateAttr(default=False)

    @property
    def cut(self) -> bool:
        return self._cut

    def cut_short(self) -> GroundedAnswer:
        """This answer, marked as stopped at LLM_MAX_OUTPUT_TOKENS."""
        marked = self.model_copy()
        marked._cut = True
        return marked


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

    Duplicates (same article span, or the same words found twice) are kept once; quotes too
    short to support anything are left out of both.
    """
    verified: list[VerifiedQuote] = []
    dropped: list[str] = []
    seen: set[tuple[int, int]] = set()
    said: set[str] = set()  # a sentence the article has twice is still one quote
    normalised = _normalise(article_text)  # once for all quotes
    for quote in quotes:
        if is_trivial_quote(quote):
            continue
        hit = locate_quote(quote, article_text, normalised)
        if hit is None:
            dropped.append(quote)
            continue
        text = " ".join(re.findall(r"\w+", hit.text.casefold()))  # words only: "it!" is "it"
        if (hit.start, hit.end) not in seen and text not in said:
            seen.add((hit.start, hit.end))
            said.add(text)
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


# A reply that opens as the JSON object (perhaps in a fence), whether or not it ends as one.
_JSON_OPENING = re.compile(r"^(?:```(?:json)?\s*)?\{")
# The `answer` string of a JSON object, read only when its closing quote came.
_ANSWER_FIELD = re.compile(r'[{,]\s*"answer"\s*:\s*("(?:[^"\\]|\\.)*")')


def looks_like_json(text: str) -> bool:
    """The reply is (or starts as) the JSON object rather than prose."""
    return bool(_JSON_OPENING.match(text.strip()))


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


def whole_json_answer(text: str) -> GroundedAnswer | None:
    """The answer of a reply that is the whole JSON object (perhaps fenced), else None."""
    parsed = _from_json(text.strip())
    return normalise_answer(parsed) if parsed is not None else None


def _from_cut_json(text: str) -> GroundedAnswer:
    """What a JSON reply that doesn't parse (cut off at the token limit, or malformed) says
    for sure: its `answer` when that string was finished, else nothing (never the braces)."""
    field = _ANSWER_FIELD.search(text)
    try:
        answer = json.loads(field.group(1)) if field else ""
    except ValueError:
        answer = ""
    if not answer:
        return GroundedAnswer(answer="", quotes=[], found=True)
    try:
        data = parse_partial_json(text[text.index("{") :])
    except ValueError:
        data = None
    data = data if isinstance(data, dict) else {}
    quotes = data.get("quotes")
    quotes = [q for q in quotes if isinstance(q, str)] if isinstance(quotes, list) else []
    if quotes and _cut_in_quotes(text):
        quotes.pop()  # its end was cut off: the parser closed it, the model didn't
    found = data.get("found")
    return GroundedAnswer(answer=answer, quotes=quotes, found=found is not False)


def _cut_in_quotes(text: str) -> bool:
    """Whether `text` ends inside a string of its (still open) "quotes" list."""
    at = text.rfind('"quotes"')
    if at < 0 or "]" in text[at:]:
        return False
    inside, escaped = False, False
    for char in text[at + len('"quotes"') :]:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = inside
        elif char == '"':
            inside = not inside
    return inside


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
    if looks_like_json(text):
        return normalise_answer(_from_json(text) or _from_cut_json(text))
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
    holding back a line until it can't become one (or a "Quotes:" header).

    Reads the whole reply: the definition of what streams. ProseStream works the same out
    piece by piece (tests/test_prose_stream.py holds the two equal)."""
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


class _Settled:
    """`_settled` of a text that only grows, kept up to date: what its reading gains is
    handed to `emit` (the reading only grows too)."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._phase = "lead"  # lead -> head -> [marker] -> body
        self._head: list[str] = []  # the text after leading space, while it may be the marker
        self._spaces: list[str] = []  # trailing space: shown once something follows it

    def add(self, text: str) -> None:
        if self._phase in ("lead", "marker"):
            text = text.lstrip()
            if not text:
                return
            if self._phase == "lead":
                self._phase = "head"
            else:
                self._phase = "body"
        if self._phase == "head":
            # Undecided for at most len(NOT_FOUND_MARKER) characters: joins stay short.
            self._head.append(text)
            whole = "".join(self._head)
            head = whole[: len(NOT_FOUND_MARKER)].upper()
            if NOT_FOUND_MARKER.startswith(head) and len(head) < len(NOT_FOUND_MARKER):
                return
            self._head = []
            if head == NOT_FOUND_MARKER:
                self._phase = "marker"
                self.add(whole[len(NOT_FOUND_MARKER) :])
                return
            self._phase = "body"
            text = whole
        body = text.rstrip()
        if not body:
            self._spaces.append(text)
            return
        self._emit("".join(self._spaces) + body)
        self._spaces = [text[len(body) :]]


class _PlainProse:
    """`answer_prose(raw, json_reply=False)` worked out piece by piece: complete lines are
    classified once, and the line being written is looked at again only while it could
    still become a quote or a "Quotes:" header."""

    def __init__(self, stream: ProseStream) -> None:
        self._stream = stream
        self._settled = _Settled(stream._extend)
        self._lead: list[str] | None = []  # space before the first character, which decides
        self._json = False  # the reply started with "{" or "`": nothing to show
        self._prose: list[str] = []  # complete lines in the reading
        self._header: str | None = None  # a "Quotes:" line, the last complete non-quote one
        self._line: list[str] = []  # the line being written
        self._line_shown = False  # in the reading (as it was at the end of a piece)
        self._line_settled = False  # shown or a quote: its fate can't change any more
        self._line_new = False  # it has gained non-space since last looked at

    unreadable = False

    def feed(self, piece: str) -> None:
        if self._json:
            return
        if self._lead is not None:
            start = piece.lstrip()[:1]
            if not start:
                self._lead.append(piece)
                return
            if start in ("{", "`"):
                self._json = True
                return
            piece = "".join(self._lead) + piece
            self._lead = None
        first, *rest = piece.split("\n")
        self._grow(first)
        for part in rest:
            self._end_line()
            self._grow(part)
        self._look_at_line()

    def _grow(self, text: str) -> None:
        if not text:
            return
        self._line.append(text)
        if self._line_shown:
            self._settled.add(text)
        elif not text.isspace():
            self._line_new = True

    def _sep(self) -> str:
        return "\n" if self._prose else ""

    def _add_line(self, line: str) -> None:
        self._settled.add(self._sep() + line)
        self._prose.append(line)

    def _look_at_line(self) -> None:
        if self._line_settled or not self._line_new:
            return
        self._line_new = False
        last = "".join(self._line)
        self._line = [last]
        head = last.strip().lower()
        if head.startswith(">"):
            self._line_settled = True  # a quote line, never shown
            return
        if _QUOTES_HEADER.match(last) or any(h.startswith(head) for h in _HEADERS):
            return
        self._settled.add(self._sep() + last)
        self._line_shown = self._line_settled = True

    def _end_line(self) -> None:
        line = "".join(self._line)
        shown = self._line_shown
        self._line, self._line_shown, self._line_settled, self._line_new = [], False, False, False
        if line.lstrip().startswith(">"):
            return
        header, self._header = self._header, None
        if _QUOTES_HEADER.match(line):
            self._header = line  # never shown while written: it matched then too
            if header is not None:
                self._add_line(header)
            return
        if header is None:
            if shown:
                self._prose.append(line)  # already in the reading
            else:
                self._add_line(line)
            return
        if not shown:
            self._add_line(header)
            self._add_line(line)
            return
        # The header comes back above a line that was shown without it: the reading is
        # no longer an extension of itself (ProseStream will likely stop).
        self._prose += [header, line]
        self._stream._restart()
        self._settled = _Settled(self._stream._extend)
        self._settled.add("\n".join(self._prose))


_JSON_SPACES = re.compile(r"[ \t\n\r]*")
_STRING_RUN = re.compile(r'[^"\\]*')  # raw control characters too: parsed with strict=False
_TOKEN_RUN = re.compile(r"[A-Za-z0-9+\-.]*")


def _run(pattern: re.Pattern[str], text: str, pos: int) -> re.Match[str]:
    """The run of `pattern` at `pos`: these patterns match the empty string, so always one."""
    match = pattern.match(text, pos)
    assert match is not None
    return match


# What Python's json reads as a number or a constant.
_JSON_TOKEN = re.compile(
    r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null|NaN|-?Infinity"
)
_BRACKET = re.compile(r'["{}\[\]]')
_CLOSER = {"{": "}", "[": "]"}
_FLOAT_TAIL = re.compile(r"\.[0-9]|[eE][-+]?[0-9]")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_JSON_ESCAPES = {
    **{c: c for c in '"\\/'},
    **{"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"},
}


class _Brackets:
    """`parse_partial_json`'s own scan for a closing bracket that doesn't match (it then
    reads nothing at all, whatever comes before)."""

    def __init__(self) -> None:
        self._stack: list[str] = []
        self._in_string = False
        self._escaped = False
        self.mismatch = False

    def feed(self, text: str) -> None:
        pos = 0
        while pos < len(text) and not self.mismatch:
            if self._in_string:
                run = _run(_STRING_RUN, text, pos)
                if run.end() > pos:
                    self._escaped, pos = False, run.end()
                    if pos == len(text):
                        return
                if text[pos] == "\\":
                    self._escaped = not self._escaped
                elif self._escaped:
                    self._escaped = False
                else:
                    self._in_string = False
                pos += 1
                continue
            found = _BRACKET.search(text, pos)
            if found is None:
                return
            char, pos = found.group(), found.end()
            if char == '"':
                self._in_string, self._escaped = True, False
            elif char in _CLOSER:
                self._stack.append(_CLOSER[char])
            elif self._stack and self._stack[-1] == char:
                self._stack.pop()
            else:
                self.mismatch = True


class _JsonProse:
    """`answer_prose(raw, json_reply=True)` worked out piece by piece: a JSON reader that
    keeps its place between pieces and decodes the top-level "answer" string as it comes.

    As with `parse_partial_json`, nothing more is read after the first syntax error, text
    after the top-level object is ignored, and the reading is "" (nothing new is sent)
    while it can't be parsed: a half-written "\\u" escape, a bad escape in the answer,
    an int too long for Python, a closing bracket that doesn't match. Deliberately
    different: a surrogate pair written as two escapes shows as one character (the whole
    re-parse sent its first half alone, then stopped streaming), a second top-level
    "answer" key stops the stream (the re-parse switched to its value), and nesting too
    deep for Python's recursion limit is read like any other (the re-parse raised
    RecursionError)."""

    def __init__(self, stream: ProseStream) -> None:
        self._stream = stream
        self._settled = _Settled(stream._extend)
        self._brackets = _Brackets()
        self._state = "top"
        self._stack: list[str] = []  # open "{" and "["
        self._cut = ""  # an escape split by the end of a piece
        self._kind = ""  # of the string being read: "key", "answer" or "other"
        self._key: list[str] | None = None  # a top-level key being decoded
        self._answer_next = False  # the key just read is "answer"
        self._answer_seen = False
        self._token: list[str] = []  # a number or constant being read
        self._int_open = True  # the token has been all digits (after a "-")
        self._int_digits = 0
        self._after_int = ""  # what follows its integer part: ".5" or "e3" make a float
        self._broken = False  # unreadable for good

    @property
    def unreadable(self) -> bool:
        """What `parse_partial_json` makes of the reply so far is no reading at all."""
        if self._broken:
            return True
        if self._state == "token":
            return self._int_too_long()
        at = self._cut.rfind("\\u")
        return self._kind == "answer" and at >= 0 and len(self._cut) - at < 6

    def feed(self, piece: str) -> None:
        if self._broken:
            return
        self._brackets.feed(piece)
        if self._brackets.mismatch:
            self._broken = True
            return
        text, self._cut = self._cut + piece, ""
        pos = 0
        while pos < len(text) and self._state not in ("done", "dead"):
            pos = self._step(text, pos)

    def _fail(self) -> int:
        if self._state == "string" and self._kind == "answer":
            self._broken = True  # the answer so far can't be read either
        self._state = "dead"
        return 0

    def _step(self, text: str, pos: int) -> int:
        """Read from `pos`; the position reached, or len(text) when the piece is used up."""
        state = self._state
        if state == "string":
            return self._string(text, pos)
        if state == "token":
            return self._token_run(text, pos)
        pos = _run(_JSON_SPACES, text, pos).end()
        if pos == len(text):
            return pos
        char = text[pos]
        if state == "top":
            if char != "{":
                return self._fail()
            self._open(char, "first key")
        elif state in ("first key", "key"):
            if char == "}" and state == "first key":
                self._close()
            elif char == '"':
                self._state, self._kind = "string", "key"
                self._key = [] if len(self._stack) == 1 else None
            else:
                return self._fail()
        elif state == "colon":
            if char != ":":
                return self._fail()
            self._state = "value"
        elif state == "after":
            if char == ",":
                self._state = "key" if self._stack[-1] == "{" else "value"
            elif char == _CLOSER[self._stack[-1]]:
                self._close()
            else:
                return self._fail()
        elif char == "]" and state == "first value":
            self._close()
        else:
            return self._value(char, pos)
        return pos + 1

    def _value(self, char: str, pos: int) -> int:
        answer = self._answer_next and len(self._stack) == 1
        self._answer_next = False
        if answer:
            if self._answer_seen:
                self._stream.stop()
                return self._fail()
            self._answer_seen = True
        if char == '"':
            self._state, self._kind = "string", "answer" if answer else "other"
        elif char in _CLOSER:
            self._open(char, "first key" if char == "{" else "first value")
        elif char == "-" or (char.isascii() and char.isalnum()):
            self._state, self._token = "token", []
            self._int_open, self._int_digits, self._after_int = True, 0, ""
            return pos
        else:
            return self._fail()
        return pos + 1

    def _open(self, char: str, state: str) -> None:
        self._stack.append(char)
        self._state = state

    def _close(self) -> None:
        self._stack.pop()
        self._state = "after" if self._stack else "done"

    def _token_run(self, text: str, pos: int) -> int:
        run = _run(_TOKEN_RUN, text, pos)
        chars = run.group()
        if not self._token and chars.startswith("-"):
            chars = chars[1:]
        if self._int_open:  # still in the number's integer part
            digits = len(chars) - len(chars.lstrip("0123456789"))
            self._int_digits += digits
            if digits < len(chars) or chars.startswith("0"):
                self._int_open = False
                self._after_int = chars[digits : digits + 3]
        elif len(self._after_int) < 3:
            self._after_int += chars[: 3 - len(self._after_int)]
        self._token.append(run.group())
        if run.end() == len(text):
            return run.end()
        if self._int_too_long():
            self._broken = True  # a ValueError from Python's int(): no reading at all
            return self._fail()
        if not _JSON_TOKEN.fullmatch("".join(self._token)):
            return self._fail()
        self._state = "after" if self._stack else "done"
        return run.end()

    def _int_too_long(self) -> bool:
        """An int (not a float) with more digits than Python's int() reads from a string."""
        limit = sys.get_int_max_str_digits()
        return 0 < limit < self._int_digits and not _FLOAT_TAIL.match(self._after_int)

    def _string(self, text: str, pos: int) -> int:
        run = _run(_STRING_RUN, text, pos)
        self._take(run.group())
        pos = run.end()
        if pos == len(text):
            return pos
        if text[pos] == '"':
            if self._kind == "key":
                self._answer_next = self._key is not None and "".join(self._key) == "answer"
                self._key = None
                self._state = "colon"
            else:
                self._state = "after" if self._stack else "done"
            return pos + 1
        return self._escape(text, pos)

    def _escape(self, text: str, pos: int) -> int:
        """Decode the escape at `pos` (a backslash) the way json's C scanner does."""
        rest = len(text) - pos
        if rest < 2:
            return self._wait(text, pos)
        char = text[pos + 1]
        if char in _JSON_ESCAPES:
            self._take(_JSON_ESCAPES[char])
            return pos + 2
        if char != "u":
            return self._fail()
        if rest < 6:
            return self._wait(text, pos)
        if not _HEX4.fullmatch(text, pos + 2, pos + 6):
            return self._fail()
        code = int(text[pos + 2 : pos + 6], 16)
        end = pos + 6
        if 0xD800 <= code <= 0xDBFF:  # a high surrogate: a low one may follow as "\\uDC00"
            if rest < 7 or (text[end] == "\\" and rest < 8):
                return self._wait(text, pos)
            if text[end : end + 2] == "\\u":
                if rest < 12:
                    return self._wait(text, pos)
                if not _HEX4.fullmatch(text, end + 2, end + 6):
                    return self._fail()
                low = int(text[end + 2 : end + 6], 16)
                if 0xDC00 <= low <= 0xDFFF:
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    end += 6
        self._take(chr(code))
        return end

    def _wait(self, text: str, pos: int) -> int:
        self._cut = text[pos:]  # at most 11 characters
        return len(text)

    def _take(self, chars: str) -> None:
        if not chars:
            return
        if self._kind == "answer":
            self._settled.add(chars)
        elif self._key is not None:
            self._key.append(chars)


class ProseStream:
    """Sends the answer's prose to `on_text` while the reply is written: what it has sent
    is always what `answer_prose` reads from the reply so far, or was when it last grew.

    Feed it the reply piece by piece (`start` first, and again for a new reply). A reading
    that grows but no longer extends what was sent stops the stream for good (sent text
    can't be taken back). Incremental, so linear in the reply: re-reading the whole reply
    per piece took 7 s of CPU for a 20 KB answer streamed in 4-character pieces.
    """

    def __init__(self, on_text: Callable[[str], None] | None) -> None:
        self._on_text = on_text
        self._reader: _JsonProse | _PlainProse | None = None
        self._sent: list[str] = []
        self._sent_len = 0
        self._sent_text = ""  # "".join(self._sent), joined when needed
        # This reply's reading, against what was sent (before this reply, or by it).
        self._length = 0
        self._differs = False
        self._unsent: list[str] = []  # the reading beyond what was sent

    @property
    def sent(self) -> str:
        return "".join(self._sent)

    def start(self, *, json_reply: bool) -> None:
        """A new reply, read as JSON (the `answer` field) or as plain text."""
        self._restart()
        self._reader = _JsonProse(self) if json_reply else _PlainProse(self)

    def feed(self, piece: str) -> None:
        if self._on_text is None or self._reader is None:
            return
        self._reader.feed(piece)
        if self._on_text is None or self._length <= self._sent_len or self._reader.unreadable:
            return  # a reading no longer than what was sent, or none for now, changes nothing
        if self._differs:
            self.stop()
            return
        delta = "".join(self._unsent)
        self._unsent = []
        self._sent.append(delta)
        self._sent_len = self._length
        self._on_text(delta)

    def stop(self) -> None:
        self._on_text = None

    def _restart(self) -> None:
        """The reading starts again from nothing."""
        self._length = 0
        self._differs = False
        self._unsent = []

    def _extend(self, text: str) -> None:
        """The reading grew by `text`."""
        overlap = min(self._sent_len - self._length, len(text))
        if overlap > 0 and not self._differs:
            if len(self._sent_text) != self._sent_len:
                self._sent_text = "".join(self._sent)
            if not self._sent_text.startswith(text[:overlap], self._length):
                self._differs = True
        if not self._differs and len(text) > overlap:
            self._unsent.append(text[max(overlap, 0) :])
        self._length += len(text)
