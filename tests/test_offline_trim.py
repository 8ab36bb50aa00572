"""Sentence trimming in offline summaries: what a bullet may leave out, and what it must not."""

from __future__ import annotations

import pytest

from bot.ingest.article import Article
from bot.offline import summarize
from bot.offline.readability import line_defect
from bot.offline.trim import drop_attribution, drop_parentheticals, trim


def _lines(markdown: str) -> list[str]:
    return [line.removeprefix("- ") for line in markdown.splitlines() if line.startswith("- ")]


@pytest.mark.parametrize(
    ("sentence", "trimmed"),
    [
        (
            "The bridge will reopen to traffic at the end of next month, officials said.",
            "The bridge will reopen to traffic at the end of next month.",
        ),
        (
            "The supply ship will burn up in the atmosphere between May 5 and May 7, "
            "according to the space agency.",
            "The supply ship will burn up in the atmosphere between May 5 and May 7.",
        ),
        (
            "The club should expect offers for its best players this summer, manager Gary "
            "Bowyer has said.",
            "The club should expect offers for its best players this summer.",
        ),
        (
            "The museum will stay closed until the roof is repaired, said a spokeswoman.",
            "The museum will stay closed until the roof is repaired.",
        ),
        (
            "The school will close for good in July, the head teacher announced on Tuesday.",
            "The school will close for good in July.",
        ),
    ],
)
def test_an_uncontested_attribution_tail_is_dropped(sentence: str, trimmed: str) -> None:
    assert drop_attribution(sentence) == trimmed
    assert line_defect(trimmed) is None


@pytest.mark.parametrize(
    "sentence",
    [
        # A quote keeps its speaker, whatever the wording.
        "'We will rebuild the bridge, whatever it costs,' the mayor said.",
        "“The ward will reopen in 2027,” the health board said.",
        "The minister called the plan 'a disgrace to the city', her spokesman said.",
        # An allegation stays attributed: without it, it would read as fact.
        "The man stabbed his neighbour twice during the argument, prosecutors said.",
        "The driver was going twice the speed limit, police said.",
        "He had ties to the royal family, according to court documents.",
        # What would be left is not a sentence of its own.
        "Although the river rose overnight, officials said.",
        "It rained all day, officials said.",
        # The source has commas of its own: where it starts is not clear.
        "The singer died at a hospital in Santa Monica, his son and daughter, Don and Donna "
        "Freberg, confirmed to a newspaper.",
    ],
)
def test_attribution_that_must_stay(sentence: str) -> None:
    assert drop_attribution(sentence) == sentence


def test_parentheticals_are_dropped_but_not_a_defined_abbreviation() -> None:
    assert (
        drop_parentheticals("Derby (away to Millwall) will make sure of a play-off place.")
        == "Derby will make sure of a play-off place."
    )
    assert (
        drop_parentheticals("The fine is £85 ($126) for staying too long in a car park.")
        == "The fine is £85 for staying too long in a car park."
    )
    kept = "She did not attend her hearing at the Nursing and Midwifery Council (NMC)."
    assert drop_parentheticals(kept) == kept
    fragment = "Prices rose (again)."  # too little would remain to be a sentence
    assert drop_parentheticals(fragment) == fragment


def test_a_span_on_the_focus_is_kept() -> None:
    sentence = "The bridge will reopen to traffic next month, the transport ministry said."
    assert trim(sentence, keep=lambda span: "ministry" in span) == sentence
    assert trim(sentence) == "The bridge will reopen to traffic next month."


ARTICLE = Article.from_paragraphs(
    [
        "The city council approved a plan to rebuild the old harbour bridge, officials said.",
        "The project will cost 48 million dollars (about 44 million euros) and take three years.",
        "'We cannot let the harbour be cut off from the rest of the city,' Mayor Ana Costa told "
        "reporters after the meeting.",
        "Some residents had argued that the money should go to schools instead.",
    ],
    source_kind="text",
)


def test_summary_lines_are_trimmed_but_the_sources_stay_verbatim() -> None:
    result = summarize(ARTICLE)
    lines = _lines(result.text)
    assert lines[0] == "The city council approved a plan to rebuild the old harbour bridge."
    assert lines[1] == "The project will cost 48 million dollars and take three years."
    assert all(line_defect(line) is None for line in lines)
    for sentence in result.sentences:
        assert sentence in ARTICLE.text
    # The quote keeps its speaker wherever it is shown.
    assert not any(line.startswith("'We cannot") and "Costa" not in line for line in lines)


def test_instructions_focus_keeps_the_trimmed_span() -> None:
    focused = summarize(ARTICLE, instructions="focus on the euros")
    assert "(about 44 million euros)" in focused.text


def test_non_english_lines_are_not_trimmed() -> None:
    article = Article.from_paragraphs(
        [
            "Der Stadtrat hat den Neubau der alten Hafenbrücke beschlossen (mit großer Mehrheit).",
            "Das Projekt kostet 48 Millionen Euro und soll drei Jahre dauern.",
            "Einige Anwohner wollten das Geld lieber für Schulen ausgeben.",
        ],
        source_kind="text",
        language="de",
    )
    assert "(mit großer Mehrheit)" in summarize(article).text


def test_two_long_points_fill_the_budget_and_short_ones_make_three() -> None:
    long_points = Article.from_paragraphs(
        [
            "The regional government announced on Monday that it would spend 300 million "
            "dollars over the next decade to rebuild the harbour, widen the coastal road and "
            "replace the ageing bridge that links the old town to the industrial district.",
            "Engineers hired by the council found last winter that the bridge, which carries "
            "about 20,000 cars a day and most of the port's freight, had cracks in two of its "
            "main supports that could force it to close within five years.",
            "Work on the new bridge is expected to start next spring and to take three years.",
            "Residents will be able to comment on the plans at a public meeting in May.",
        ],
        source_kind="text",
    )
    assert len(_lines(summarize(long_points).text)) == 2
    assert len(_lines(summarize(ARTICLE).text)) >= 3  # short points: three at least
