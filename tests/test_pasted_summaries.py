"""A whole web page pasted (menus, dek, captions, prompts, teaser lists, footer): the offline
summary's bullets come from the article only (issue 10). Pages written for these tests."""

from __future__ import annotations

import pytest

from bench.pasted_summary import is_inside, longest_run, words
from bot.ingest import from_text
from bot.ingest.clean import clean_text
from bot.offline import summarize
from bot.offline.readability import line_defect

STORY = [
    "The city council voted on Tuesday to close the old harbour bridge to cars from "
    "next spring, after engineers found cracks in two of its main supports.",
    "The bridge, which opened in 1932, carries about 18,000 vehicles a day between the "
    "docks and the town centre, according to the council's own traffic counts.",
    "Council leader Maria Okafor said the repairs would take at least two years and cost "
    "about 40 million pounds, most of it from the national roads fund.",
    "Buses and bicycles will still be allowed to cross while the work is under way, and a "
    "temporary ferry will run every fifteen minutes during the morning and evening peaks.",
    "Shop owners near the docks said they feared losing trade, and asked the council to "
    "pay for extra parking on the town side of the river while the bridge is shut.",
    "The council will publish a full timetable for the works in January, after a second "
    "inspection of the supports by an independent firm of engineers.",
]

MENU = ["Home", "News", "Sport", "Business", "Weather", "Search"]
FOOTER = [
    "Contact us",
    "Terms of use",
    "Privacy policy",
    "© 2026 Harbour Gazette. All rights reserved.",
]


def _paste(*blocks: list[str]) -> str:
    return "\n".join(line for block in blocks for line in block)


def _bullets(text: str) -> list[str]:
    summary = summarize(from_text(text), "bullets").text
    return [line.removeprefix("- ") for line in summary.splitlines() if line.startswith("- ")]


def _from_story(bullets: list[str]) -> list[str]:
    """The bullets that are not (for the most part, unbroken) from STORY."""
    story = words(" ".join(STORY))
    return [b for b in bullets if not is_inside(b, story)]


# A news page's header: headline, dek, a photo caption and its credit, a newsletter box,
# the date and the byline; only then the story.
HEADER = [
    "Harbour bridge to close to cars for two years",
    "The decision follows months of warnings from engineers about the state of the supports.",
    "Commuters crowd onto the harbour bridge during the evening rush hour on a wet day "
    "last month. Jane Smith / Reuters file",
    "Morning Briefing Emails",
    "Get the news that matters to the town, delivered to your inbox every weekday.",
    "Dec. 8, 2026, 9:41 AM UTC",
    "By Tom Reed",
]


def test_header_above_the_byline_is_not_the_story() -> None:
    bullets = _bullets(_paste(MENU, HEADER, STORY, FOOTER))
    assert bullets
    assert _from_story(bullets) == []
    assert bullets[0].startswith("The city council voted on Tuesday")


def test_header_cut_keeps_the_story_whole() -> None:
    paragraphs = clean_text(_paste(MENU, HEADER, STORY, FOOTER))
    assert paragraphs[0] == STORY[0]
    assert all(line in paragraphs for line in STORY)


def test_a_lede_above_a_long_stretch_of_prose_is_not_cut() -> None:
    # A date line far down the text (past the header's few lines of prose) is the story's.
    text = _paste(STORY[:3], ["Updated 8.12.2026 10:15"], STORY[3:])
    assert clean_text(text)[0] == STORY[0]


@pytest.mark.parametrize(
    "sentence",
    [
        "By Tuesday, contractors were on site.",
        "Von Januar bis März stiegen die Kosten um zwei Prozent.",
    ],
)
def test_a_sentence_that_starts_like_a_byline_is_no_header_end(sentence: str) -> None:
    # "By Tuesday, …" matched the byline cue: the lede and that sentence were cut as a
    # header above it.
    text = _paste(STORY[:1], [sentence], STORY[1:])
    paragraphs = clean_text(text)
    assert paragraphs[:2] == [STORY[0], sentence]


def test_a_teaser_list_inside_the_story_is_not_picked() -> None:
    teasers = [
        "More:",
        "* Ferry operators bid for the bridge closure contract",
        "* Council tax to rise by three per cent next year",
        "* Harbour festival returns with a record number of boats",
    ]
    bullets = _bullets(_paste(MENU, ["By Tom Reed"], STORY[:2], teasers, STORY[2:], FOOTER))
    assert _from_story(bullets) == []


def test_a_news_photo_caption_at_the_top_is_not_picked() -> None:
    captions = [
        "FILE PHOTO: Commuters cross the harbour bridge in the town centre, Britain, "
        "December 1, 2026. REUTERS/Jane Smith",
        "Council leader Maria Okafor, left, speaks with engineers on the harbour bridge, "
        "Monday, Dec. 7, 2026, in the town centre.",
    ]
    bullets = _bullets(_paste(MENU, captions, STORY, FOOTER))
    assert _from_story(bullets) == []


def test_the_site_asking_about_itself_is_dropped() -> None:
    survey = [
        "Welcome to our new article page. Tell us what you think about our new look by "
        "taking this survey."
    ]
    paragraphs = clean_text(_paste(MENU, survey, STORY, FOOTER))
    assert not any("survey" in p for p in paragraphs)


@pytest.mark.parametrize(
    "line",
    [
        "FILE PHOTO: Traders work on the floor of the stock exchange in New York, U.S., "
        "November 18, 2019.",
        "In this Dec. 12, 2006, file photo, made available by NASA, two astronauts take "
        "part in a space walk.",
        "Above: A coworking space in San Francisco.",
        "An artist's illustration of a plume of water vapour rising from a moon of Jupiter.",
        "This illustration of a lunar lander shows how people could go back to the Moon "
        "[SpaceX via Nasa]",
        "Troops remain in the country, 18 years after the war began [File: Reuters]",
        "The house where the composer was born, in a small town. Jane Smith / Reuters file",
        "A man rides a donkey in the village opposite the settlement (background) on "
        "November 19, 2019.",
        "The governor, left, speaks with a shop owner during a campaign stop, Tuesday, "
        "Nov. 19, 2019, in Columbia, S.C.",
        "1 of 4 A shopper looks at the gas cans on the shelves of a hardware store.",
        "The border check point near the port of entry in Nogales, Ariz. (AP)",
    ],
)
def test_captions_and_credits_are_furniture(line: str) -> None:
    assert line_defect(line) == "furniture"


def test_a_teaser_cut_off_mid_clause_is_not_prose() -> None:
    assert line_defect("Two people in the region have been diagnosed with the plague,...")


@pytest.mark.parametrize(
    "line",
    [
        "In this case the picture is clear, the judge said.",
        "The council met on Tuesday, Dec. 8, and agreed the budget for the bridge.",
        "The mayor said the work would start on Monday, after the inspection.",
    ],
)
def test_prose_that_looks_a_little_like_a_caption_stays(line: str) -> None:
    assert line_defect(line) is None


# --- the benchmark's inside test ----------------------------------------------------------


def test_longest_run_counts_consecutive_words_only() -> None:
    article = words("The council voted on Tuesday to close the old bridge to cars.")
    assert longest_run(words("voted on Tuesday to close"), article) == 5
    assert longest_run(words("Tuesday voted close"), article) == 1


def test_inside_is_most_words_as_one_run() -> None:
    article = words("The council voted on Tuesday to close the old bridge to cars.")
    assert is_inside("The Council voted, on Tuesday, to close the old bridge!", article)
    # A teaser sharing a phrase with the story is not from it.
    assert not is_inside("Council voted on new parking rules for the town centre", article)
    assert not is_inside("Bridge", article)
