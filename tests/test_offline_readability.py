"""Offline summaries read as written: no captions, credits, code, navigation, datelines,
dangling openers or quotes without a speaker; "What happens next" only looks ahead."""

from __future__ import annotations

import pytest

from bot.ingest.article import Article
from bot.offline import summarize
from bot.offline.cues import attribute, looks_ahead, named_speakers, strip_photo_refs
from bot.offline.news import prose_span, strip_dateline
from bot.offline.readability import line_defect
from bot.offline.summaries import plan


def _lines(markdown: str) -> list[str]:
    return [line.removeprefix("- ") for line in markdown.splitlines() if line.startswith("- ")]


# --- the detector, on sentences written for it -------------------------------------------


@pytest.mark.parametrize(
    ("line", "defect"),
    [
        ("He then rolls over several times on the wet road.", "unresolved"),
        ("But the council said the money had already been spent.", "unresolved"),
        ("And the rain kept falling on the town all night long.", "unresolved"),
        ("This means the bridge will stay shut for another year.", "unresolved"),
        ("These figures were the worst since the survey began.", "unresolved"),
        ("'We will rebuild it, whatever it costs,' she said.", "unresolved"),
        ("'We will rebuild it, whatever it costs.'", "unattributed"),
        ("We are ready to pay the whole amount on April 9.'", "unattributed"),
        ("Boris Johnson leaves Downing Street. Photograph: Jacob King/PA", "furniture"),
        ("The mayor opens the new bridge (pictured) on Tuesday", "furniture"),
        ("By Jane Reporter | Political Editor", "furniture"),
        ("LONDON (Reuters) - Prices rose again in March, the data showed.", "furniture"),
        ("var recipe = {servings: 4, time: 30}; loadRecipe(recipe);", "non_prose"),
        ("window.dataLayer = window.dataLayer || [];", "non_prose"),
        (".recipe-card { color: #333; margin: 0 auto; }", "non_prose"),
        ("Home | News | Sport | Weather | Culture", "non_prose"),
        ("[Home](https://x.example/) [News](https://x.example/news) [Sport](/s)", "non_prose"),
        ("https://x.example/a https://x.example/b https://x.example/c", "non_prose"),
        ("More on this and other stories", "non_prose"),
        ("Six weeks later.", "non_prose"),
        ("Related Stories Council Budget Bridge Repairs", "non_prose"),
    ],
)
def test_line_defect_flags(line: str, defect: str) -> None:
    assert line_defect(line) == defect


@pytest.mark.parametrize(
    "line",
    [
        "The council approved a plan on Tuesday to rebuild the old harbour bridge.",
        "'We will rebuild it, whatever it costs,' Mayor Ana Costa said.",
        "This week the council met again to discuss the budget.",
        "Butter prices rose by a third in the year to March.",
        "Engineers said the bridge, built in 1931, carries 20,000 cars a day.",
        "Prices at the market rose 3% in the year; bread rose most.",
        "Residents must confirm their details at [the city portal](https://x.example/a) now.",
        "The full report is at https://example.org/report/2024/final.pdf for anyone.",
    ],
)
def test_line_defect_passes_prose(line: str) -> None:
    assert line_defect(line) is None


def test_an_opener_is_fine_right_after_its_antecedent() -> None:
    assert line_defect("But the money ran out in May.", follows=True) is None
    assert line_defect("'We will win,' she said.", follows=True) is None
    # Furniture and code stay wrong wherever they are.
    assert line_defect("function init() { return 1; }", follows=True) == "non_prose"


def test_speakers_and_attribution() -> None:
    assert named_speakers("Mayor Ana Costa said the vote was important.") == {"Mayor Ana Costa"}
    assert named_speakers("'It was close,' said Locke after the game.") == {"Locke"}
    assert named_speakers("Engineers said the bridge was safe.") == set()
    quote = "'We cannot let the harbour be cut off,' she told reporters."
    assert (
        attribute(quote, "Mayor Ana Costa said the vote was the most important of her term.")
        == "'We cannot let the harbour be cut off,' [Mayor Ana Costa] told reporters."
    )
    # Two people named: whose words these are is not clear, so no name is made up.
    assert attribute(quote, "Ana Costa and Bob Lee said the vote was close.") is None
    assert attribute(quote, "The vote was close.") is None


def test_datelines_navigation_and_photo_pointers_are_cut_from_the_sentence() -> None:
    assert strip_dateline("WASHINGTON, March 3 (AP) — The Senate voted 51-49 on Tuesday.") == (
        "The Senate voted 51-49 on Tuesday."
    )
    assert (
        strip_dateline("Mr Smith (Labour) said it was fine.")
        == "Mr Smith (Labour) said it was fine."
    )
    text = "The council approved the plan on Tuesday. More on this and other stories from Kent"
    start, end = prose_span(text)
    assert text[start:end] == "The council approved the plan on Tuesday."
    prose = "He said he would read more books next year."
    assert prose_span(prose) == (0, len(prose))
    assert strip_photo_refs("Carlos Boente (pictured) was jailed.") == "Carlos Boente was jailed."
    assert strip_photo_refs("Ms Lee, pictured left, was there.") == "Ms Lee was there."


def test_looks_ahead_only_for_plans_in_the_writers_words() -> None:
    assert looks_ahead("The council is expected to vote on the plan next week.")
    assert looks_ahead("He will be sentenced on May 3 at the crown court.")
    assert not looks_ahead("'We will vote on it next week,' he said.")
    assert not looks_ahead("The match was scheduled to begin at 3pm but was delayed.")
    assert not looks_ahead("Prices will rise, economists believe.")


# --- whole articles ----------------------------------------------------------------------

CAPTIONED = Article.from_paragraphs(
    [
        "Ministers will publish the plan for the new rail line on Monday, after two years of "
        "delays and a legal fight with landowners along the route.",
        "Boris Johnson leaves Downing Street on Wednesday. Photograph: Jacob King/PA",
        "The line will link the two cities in under an hour and carry 15,000 passengers a day "
        "when it opens in 2031.",
        "Transport officials said the budget had risen to £12bn because of higher steel prices.",
        "Campaigners along the route have promised to keep fighting the scheme in the courts.",
    ],
    source_kind="text",
)


def test_captions_and_their_credits_are_never_bullets() -> None:
    for style in ("bullets", "tldr", "detailed"):
        text = summarize(CAPTIONED, style).text
        assert "Jacob King" not in text and "Photograph" not in text
        assert "leaves Downing Street" not in text
    assert "publish the plan for the new rail line" in summarize(CAPTIONED).text


def test_a_javascript_line_first_is_skipped() -> None:
    article = Article.from_paragraphs(
        [
            "window.dataLayer = window.dataLayer || []; "
            "function gtag(){dataLayer.push(arguments);}",
            "This lemon cake takes twenty minutes to make and keeps for a week in a tin.",
            "Beat the butter and sugar until pale, then add the eggs one at a time.",
            "Fold in the flour and the zest of two lemons, and bake for 25 minutes.",
            "Pour the lemon syrup over the cake while it is still warm from the oven.",
        ],
        source_kind="text",
    )
    lines = _lines(summarize(article).text)
    assert lines[0].startswith("This lemon cake takes twenty minutes")
    assert not any("dataLayer" in line or "function" in line for line in lines)


def test_navigation_glued_to_a_sentence_is_cut_off() -> None:
    article = Article.from_paragraphs(
        [
            "The hospital will close its maternity ward in June, the health board said on "
            "Friday. More on this and other stories from across the region",
            "Mothers will be sent to the city hospital forty miles away for the next two years.",
            "The board blamed a shortage of midwives and said the ward would reopen in 2027.",
            "Local councillors called the decision a disgrace and demanded a public meeting.",
        ],
        source_kind="text",
    )
    summary = summarize(article)
    assert "More on this" not in summary.text
    # The unit ends at the sentence (the bullet also drops its attribution tail).
    assert (
        "The hospital will close its maternity ward in June, the health board said on Friday."
        in summary.sentences
    )
    assert "- The hospital will close its maternity ward in June.\n" in summary.text


def test_quotes_get_their_speaker_or_are_left_out() -> None:
    article = Article.from_paragraphs(
        [
            "The city council voted on Tuesday to ban cars from the old town from next spring.",
            "The decision followed two years of complaints about traffic and air pollution.",
            "Shop owners in the old town had warned that the ban would drive customers away.",
            "Council leader Maria Gonzalez defended the plan at a packed public meeting.",
            "'This is the most important decision this council has made in a generation,' she "
            "told the meeting to loud applause from the gallery.",
            "'Nobody will miss the traffic jams, and the shops will do better than ever.'",
            "Buses and bicycles will still be allowed through the old town at all hours.",
        ],
        source_kind="text",
    )
    lines = _lines(summarize(article, instructions="5 bullets").text)
    assert not any(line.startswith("'Nobody will miss") for line in lines)
    for line in lines:
        if line.startswith("'This is the most important decision"):
            assert "[Council leader Maria Gonzalez] told the meeting" in line or (
                lines[lines.index(line) - 1].startswith("Council leader Maria Gonzalez")
            )
    # In "detailed" the unattributed quote may only continue the one whose speaker is named.
    key = plan(article, "detailed").key
    for k, line in enumerate(key):
        if line.text.startswith("'Nobody will miss"):
            assert k > 0 and key[k - 1].text.startswith("'This is the most important")


def test_a_quote_said_by_he_names_the_speaker_when_shown_alone() -> None:
    article = Article.from_paragraphs(
        [
            "Gary Locke will be confirmed as the club's permanent manager on Friday.",
            "The former captain has won six of his eight games since taking over in February.",
            "Locke said the players deserved the credit for the turnaround this season.",
            "'They have worked so hard and taken on board everything I have asked,' he said.",
        ],
        source_kind="text",
    )
    # Shown without the sentence before it, the quote names its speaker ...
    alone = plan(article, "bullets", "3 bullets focusing on worked hard taken board")
    assert [line.index for line in alone.key] == [0, 1, 3]
    assert alone.key[2].text == (
        "'They have worked so hard and taken on board everything I have asked,' [Locke] said."
    )
    assert alone.key[2].source.endswith("he said.")  # the article's own words, kept
    # ... and right after it, it is shown as written.
    together = plan(article, "bullets", "4 bullets")
    assert together.key[3].text.endswith("asked,' he said.")


def test_a_sentence_that_opens_with_a_pronoun_comes_after_its_antecedent_or_not_at_all() -> None:
    article = Article.from_paragraphs(
        [
            "A 19-year-old student has become the youngest person to row across the Atlantic.",
            "Maya Hart set off from the Canary Islands in December and reached Antigua on "
            "Saturday after 52 days alone at sea.",
            "The previous record holder was 21 when she made the same crossing in 2019.",
            "She survived two capsizes, a broken desalinator and a storm that lasted four days.",
            "Her family and friends met her on the dock with champagne and a cake.",
        ],
        source_kind="text",
    )
    for style in ("bullets", "tldr", "detailed"):
        result = plan(article, style)
        for section in (result.key, result.context, result.upcoming):
            for k, line in enumerate(section):
                if line.text.startswith(("She ", "Her ")):
                    assert k > 0 and section[k - 1].index == line.index - 1, (style, line.text)


def test_datelines_are_stripped_and_the_sentence_kept() -> None:
    article = Article.from_paragraphs(
        [
            "LONDON, March 3 (Reuters) — British inflation fell to 2.1% in March, its lowest "
            "level in three years, official figures showed on Wednesday.",
            "Economists had expected a fall to 2.4% after energy prices eased over the winter.",
            "The Bank of England is expected to cut interest rates at its next meeting in May.",
            "Food prices rose by 3% over the year, down from 4% in February.",
        ],
        source_kind="text",
    )
    lines = _lines(summarize(article).text)
    assert lines[0].startswith("British inflation fell to 2.1% in March")
    assert not any("Reuters" in line or "LONDON" in line for line in lines)


def test_a_quote_tail_glued_to_a_sentence_is_cut_off() -> None:
    article = Article(
        text=(
            "Football fans staged a walk-out at the weekend over the rising cost of tickets.\n\n"
            "£64 a ticket' The cheapest seats at the stadium now cost more than a week's "
            "shopping for a family of four, supporters say.\n\n"
            "The club said its prices were in line with those of its rivals in the league.\n\n"
            "Supporter groups plan another protest at the next home game in two weeks."
        ),
        source_kind="text",
    )
    lines = _lines(summarize(article).text)
    assert not any("a ticket'" in line for line in lines)
    assert any(line.startswith("The cheapest seats at the stadium") for line in lines)


def test_what_happens_next_is_not_a_quote_or_a_past_plan() -> None:
    article = Article.from_paragraphs(
        [
            "The city's only swimming pool closed on Friday after its roof was found unsafe.",
            "Engineers discovered cracks in three steel beams during a routine inspection.",
            "About 2,000 people a week used the pool, including twelve school swimming clubs.",
            "Parents said children would lose a whole year of swimming lessons.",
            "The building opened in 1974 and was last refurbished more than twenty years ago.",
            "Its roof has leaked every winter since a storm damaged the flashing in 2015.",
            "Swimming clubs have asked neighbouring towns whether they can borrow lanes.",
            "The pool was scheduled to reopen after repairs last summer but the work overran.",
            "'We will fight to keep this pool open, whatever it takes,' said swimmer Jo Bell.",
            "The council remains unsure how long the repairs might take.",
        ],
        source_kind="text",
    )
    assert "What happens next" not in summarize(article, "detailed").text
