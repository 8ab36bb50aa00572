"""Sentence splitting: offsets that trace back, and quote marks it can't pair read in
windows (sentencex is quadratic in them) without losing or repeating a sentence."""

from __future__ import annotations

import re

import pytest

from bot.text import sentences
from bot.text.sentences import split_sentences

PROSE = [
    "The council met on Tuesday.",
    "It agreed the budget for the bridge.",
    "“We have waited long enough,” the mayor said.",
    "Work starts in the spring.",
]


def _spans_trace_back(text: str) -> list[str]:
    found = split_sentences(text)
    for sentence in found:
        assert text[sentence.start : sentence.end] == sentence.text
    starts = [s.start for s in found]
    assert starts == sorted(set(starts))  # in order, none read twice at a window's seam
    ends = [s.end for s in found]
    assert all(end <= start for end, start in zip(ends, starts[1:], strict=False))
    return [s.text for s in found]


def test_prose_is_split_whole_and_quotes_stay_with_their_sentence() -> None:
    assert _spans_trace_back(" ".join(PROSE)) == PROSE


@pytest.mark.parametrize("junk", ["“", "'", "`", "«", "“word "])
def test_a_run_of_unpaired_quote_marks_loses_no_sentence(junk: str) -> None:
    # 40k quote marks between prose: read in windows, no word is lost or read twice, and
    # the prose before them is split as ever.
    text = " ".join(PROSE) + " " + junk * (40_000 // len(junk)) + " " + " ".join(PROSE)
    assert len(text) > 10 * sentences._WINDOW
    marks = " “«'`"  # an unpaired mark may stick to the sentence beside it, as unwindowed
    got = _spans_trace_back(text)
    assert [sentence.strip(marks) for sentence in got[: len(PROSE)]] == [
        sentence.strip(marks) for sentence in PROSE
    ]
    assert got[-1] == PROSE[-1]
    words = re.compile(r"\w+")
    assert sum(len(words.findall(sentence)) for sentence in got) == len(words.findall(text))


def test_a_long_paragraph_with_many_quotes_is_read_in_windows_without_seams() -> None:
    # Hundreds of quoted sentences in one paragraph (a transcript): windows cut between
    # sentences, never inside one, and every sentence comes back exactly once.
    said = [f"“Point {i} is agreed,” said member {i}." for i in range(400)]
    text = " ".join(said)
    assert sentences._many_quotes(text, 0, len(text))
    assert _spans_trace_back(text) == said


@pytest.mark.parametrize(
    "text",
    [
        "Rep. David McKinley, R-W. Va., visited the plant on Monday.",
        "Sen. Jane Roe, D-N. Y., voted against it.",
    ],
)
def test_a_state_abbreviation_does_not_end_the_sentence(text: str) -> None:
    # "R-W." | "Va., visited …" came out as two bullets.
    assert _spans_trace_back(f"{text} He spoke for an hour.") == [text, "He spoke for an hour."]
