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
            for bound in sentencex.get_sentence_boundaries(lang, unit):
                start, end = _trim(
                    text, u_start + bound["start_index"], u_start + bound["end_index"]
                )
                if start < end and _HAS_WORD.search(text, start, end):
                    sentences.append(
                        Sentence(text[start:end], start, end, len(sentences), paragraph)
                    )
    return sentences
