"""Sentence splitting with character offsets, for extractive summaries and quotes.

sentencex (Wikimedia's rule-based segmenter, ~300 languages) finds the boundaries; this
module only keeps offsets into the original text so a quote can always be traced back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sentencex

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# A line that starts a list item is a unit of its own even without end punctuation.
_LIST_ITEM = re.compile(r"^\s*(?:[-*•·▪◦]|\d{1,3}[.)])\s+")
_HAS_WORD = re.compile(r"\w")
_WORD = re.compile(r"\w+")
# Scripts written without spaces between words (CJK, Thai...): about 2 characters a word.
_UNSPACED_CHAR = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]"
)
_DEFAULT_LANGUAGE = "en"
# A piece that opens with an abbreviation and a comma ("Va., visited the plant") after one
# that ends with an initial ("… R-W.") is one sentence cut at an abbreviation's inner stop.
_ABBREVIATION_GOES_ON = re.compile(r"[A-Z][a-z]{0,3}\.,\s")
_ENDS_WITH_INITIAL = re.compile(r"(?:^|[\s(-])[A-Z]\.$")
# sentencex is quadratic in opening quotes it can't pair (“““…, ```…: 200k of them held a job,
# and the GIL, for a minute). A unit with more of them than any paragraph of prose has is read
# in windows of _WINDOW characters, each starting at the sentence the window before may have
# cut short; prose is read whole, as sentencex pairs quotes across sentences.
_QUOTES = re.compile(r"[“„«»‹›‘‚`「『]|''")  # an apostrophe only in a run: prose has many
_MANY_QUOTES = 100
_WINDOW = 2000


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: `text` is exactly `source[start:end]` of the text it came from."""

    text: str
    start: int
    end: int
    index: int  # position among the sentences of the text
    paragraph: int  # index of the paragraph (blank-line separated block) it sits in


def count_words(text: str) -> int:
    """Words in `text`, counting unspaced scripts at two characters a word."""
    unspaced = len(_UNSPACED_CHAR.findall(text))
    spaced = len(_WORD.findall(_UNSPACED_CHAR.sub(" ", text)))
    return spaced + (unspaced + 1) // 2


def _blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph, then of each list-item line inside it."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        spans.append((pos, end))
        if match:
            pos = match.end()
    return spans


def _lines_as_units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a paragraph at newlines that begin list items; keep wrapped prose together."""
    units: list[tuple[int, int]] = []
    unit_start = start
    offset = start
    for line in text[start:end].split("\n"):
        if offset > unit_start and _LIST_ITEM.match(line):
            units.append((unit_start, offset - 1))
            unit_start = offset
        offset += len(line) + 1
    units.append((unit_start, end))
    return units


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str, language: str | None = None) -> list[Sentence]:
    """The sentences of `text` in order, with offsets; whitespace-only pieces are dropped.

    `language` is an ISO 639-1 code (abbreviation rules differ per language); English rules
    are used when it is unknown.
    """
    lang = (language or _DEFAULT_LANGUAGE).lower()
    sentences: list[Sentence] = []
    for paragraph, (p_start, p_end) in enumerate(_blocks(text)):
        for u_start, u_end in _lines_as_units(text, p_start, p_end):
            unit = text[u_start:u_end]
            if not _HAS_WORD.search(unit):
                continue
            for bound_start, bound_end in _boundaries(text, u_start, u_end, lang):
                start, end = _trim(text, bound_start, bound_end)
                if not (start < end and _HAS_WORD.search(text, start, end)):
                    continue
                last = sentences[-1] if sentences else None
                if (
                    last
                    and last.paragraph == paragraph
                    and _ABBREVIATION_GOES_ON.match(text, start)
                ):
                    start = last.start  # "R-W." | "Va., visited …": one sentence
                    sentences.pop()
                sentences.append(Sentence(text[start:end], start, end, len(sentences), paragraph))
    return sentences


def _boundaries(text: str, start: int, end: int, lang: str) -> list[tuple[int, int]]:
    """sentencex's sentences of `text[start:end]`, as offsets into `text`; in windows of at
    most _WINDOW characters when it holds many quote marks, so that its time grows linearly."""
    if not _many_quotes(text, start, end):
        bounds = sentencex.get_sentence_boundaries(lang, text[start:end])
        return [(start + b["start_index"], start + b["end_index"]) for b in bounds]
    spans: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        stop = min(pos + _WINDOW, end)
        if stop < end:  # cut between words if there is a space in the window's second half
            space = text.rfind(" ", pos + _WINDOW // 2, stop)
            stop = space + 1 if space > pos else stop
        bounds = [
            (pos + b["start_index"], pos + b["end_index"])
            for b in sentencex.get_sentence_boundaries(lang, text[pos:stop])
        ]
        if stop == end or len(bounds) < 3 or bounds[-2][0] <= pos:  # the end, or long ones
            spans.extend(bounds or [(pos, stop)])
            pos = stop
            continue
        # The last sentence may go on past the window, and where the one before it ends
        # depends on how the last begins (an opening quote): read both again.
        spans.extend(bounds[:-2])
        pos = bounds[-2][0]
    return spans


def _many_quotes(text: str, start: int, end: int) -> bool:
    found = _QUOTES.finditer(text, start, end)
    return any(i >= _MANY_QUOTES for i, _ in enumerate(found))
