"""The offline recap on threads as people write them: a pasted article with the bot's answers,
a planning thread, social chatter, a German thread. What was said is people's own words, an
open question is one of the discussion that nothing answered, and citations side by side
become one group of links.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engines.wording import NOT_SAID
from bot.llm.recaps import Said, discussion_text, link_citations
from bot.offline.answers import NOT_FOUND
from bot.offline.recap import recap
from bot.slack.threads import discussion

FIXTURES = Path(__file__).parent / "fixtures"
BOT = "U0BOT"


def _section(text: str, title: str) -> str:
    start = text.index(f"**{title}**")
    end = text.find("\n\n**", start)
    return text[start : end if end >= 0 else None]


def _bot(ref: str, text: str) -> Said:
    return Said(ref, text, None, from_bot=True)


# A library closing: the article pasted, the bot's summary and answers, people's talk.
LIBRARY_ARTICLE = (
    "Central library to close for 14 months of repairs\n\n"
    "The council decided to close the central library on Monday for 14 months while its roof "
    "and heating are replaced. About 40,000 books will move to the annex on Mill Street.\n\n"
    '"We will reopen in spring with a new children\'s floor," the head librarian said. '
    "Students worry about losing their study space during exams. "
    "Will the annex be big enough? The council says it will publish a plan in June."
)
LIBRARY = [
    Said("m1", LIBRARY_ARTICLE, "Alice", pasted=True),
    _bot("m2", "- The council decided to close the central library for 14 months."),
    Said("m3", "How many books will move to the annex?", "Bob"),
    _bot("m4", "From the article:\n> About 40,000 books will move to the annex on Mill Street."),
    Said("m5", "Does anyone know if the reading room stays open during the repairs?", "Carol"),
    _bot("m6", NOT_FOUND),
    Said(
        "m7",
        "> The council decided to close the central library on Monday for 14 months.\n"
        "Fourteen months feels long for the students who study there.",
        "Dan",
    ),
    Said("m8", "The annex on Mill Street is far too small for group study.", "Bob"),
]


def test_a_question_the_bot_found_nothing_for_stays_open():
    questions = _section(recap(LIBRARY).text, "Open questions")
    assert "Carol: Does anyone know if the reading room stays open during the repairs? [m5]" in (
        questions
    )
    assert "[m3]" not in questions  # the bot quoted the answer right after


def test_the_bots_not_found_wordings_are_all_read_as_found_nothing():
    # The offline engine's and the model's ("The article doesn't say."), and a model's own.
    for reply in (NOT_FOUND, NOT_SAID, "The article doesn’t mention the reading room."):
        thread = [Said("m1", "Will the reading room stay open?", "Carol"), _bot("m2", reply)]
        assert "[m1]" in _section(recap(thread).text, "Open questions"), reply


def test_what_was_said_is_peoples_own_words_not_the_pasted_or_quoted_article():
    text = recap(LIBRARY).text
    said = _section(text, "What was said")
    assert "Dan: Fourteen months feels long for the students who study there. [m7]" in said
    assert "Bob: The annex on Mill Street is far too small for group study. [m8]" in said
    for article_words in ("head librarian", "council decided", "40,000", "[m1]"):
        assert article_words not in text
    # The article's "We will reopen" and "Will the annex be big enough?" are neither a
    # decision nor an open question of the thread.
    assert _section(text, "Decisions").endswith("_None found._")
    assert "annex be big enough" not in text


def test_the_bots_replies_are_one_citation_group_and_link_with_separators():
    text = recap(LIBRARY).text
    assert "articlebot replied 3 times (its summary and answers aren't repeated) [m2, m4, m6]" in (
        text
    )
    links = {ref: f"[slack](https://s.test/{ref})" for ref in ("m2", "m4", "m6")}
    line = next(line for line in link_citations(text, links).splitlines() if "replied" in line)
    assert line.endswith(
        "([slack](https://s.test/m2), [slack](https://s.test/m4), [slack](https://s.test/m6))"
    )


def test_citations_side_by_side_from_a_model_become_one_group():
    links = {"m2": "[a](https://s/2)", "m4": "[a](https://s/4)"}
    assert link_citations("- Costs [m2][m4]\n- Again [m2] [m4, m9]", links) == (
        "- Costs ([a](https://s/2), [a](https://s/4))\n- Again ([a](https://s/2), [a](https://s/4))"
    )


# A planning thread: a link, questions to people by name, a decision, a lunch aside.
PLANNING = [
    Said("m1", "Planning the offsite issue of the newsletter: https://news.test/offsite", "Alice"),
    Said("m2", "@Carol can you draft the venue section?", "Bob"),
    Said("m3", "Yes, I'll send it by Thursday.", "Carol"),
    Said("m4", "Who is booking the train tickets for the team?", "Dan"),
    Said("m5", "We decided to hold the offsite in Lyon in May.", "Alice"),
    Said("m6", "@Dan are you coming to the pub tonight?", "Bob"),
    Said("m7", "@Dan what is the budget for the train tickets?", "Carol"),
    Said("m8", "Who orders lunch for the offsite day?", "Alice"),
]


def test_planning_thread_questions_answered_by_the_person_asked_or_asides_are_not_open():
    text = recap(PLANNING).text
    questions = _section(text, "Open questions")
    assert "venue section" not in questions  # Carol, asked by name, replied
    assert "pub tonight" not in questions  # an aside to Dan on nothing the thread discusses
    assert "Dan: Who is booking the train tickets for the team? [m4]" in questions
    # Asked of one person but about the thread's business, and he didn't reply: still open.
    assert "Carol: @Dan what is the budget for the train tickets? [m7]" in questions
    # Lunch, but the offsite's: a question of the discussion.
    assert "Alice: Who orders lunch for the offsite day? [m8]" in questions
    assert "Alice: We decided to hold the offsite in Lyon in May. [m5]" in (
        _section(text, "Decisions")
    )


def test_a_reply_from_someone_else_than_the_person_asked_does_not_answer_by_itself():
    thread = [
        Said("m1", "@Carol can you draft the venue section of the offsite issue?", "Bob"),
        Said("m2", "Yes, I'll send it by Thursday.", "Dan"),
        Said("m3", "Friday is the deadline for everything.", "Alice"),
    ]
    assert "[m1]" in _section(recap(thread).text, "Open questions")


# Social chatter around a link about a heatwave.
HEATWAVE = [
    Said("m1", "Heatwave warnings for the weekend: https://news.test/heatwave", "Alice"),
    _bot("m2", "- Temperatures will reach 38 degrees on Saturday."),
    Said("m3", "Anyone up for coffee?", "Bob"),
    Said("m4", "How hot will it get on Saturday?", "Carol"),
    _bot("m5", "From the article:\n> Temperatures will reach 38 degrees on Saturday."),
    Said("m6", "Will the city open the cooling centres this weekend?", "Dan"),
    Said("m7", "@Carol how was your holiday?", "Bob"),
    Said("m8", "Older neighbours should stay inside during the afternoon heat.", "Carol"),
]


def test_social_chatter_is_not_an_open_question_but_a_weekend_question_on_topic_is():
    text = recap(HEATWAVE).text
    questions = _section(text, "Open questions")
    assert "coffee" not in questions
    assert "holiday" not in questions
    assert "[m4]" not in questions  # the bot answered
    assert "Dan: Will the city open the cooling centres this weekend? [m6]" in questions
    assert "Carol: Older neighbours should stay inside during the afternoon heat. [m8]" in (
        _section(text, "What was said")
    )


# A German thread: the article pasted, the bot's answers, a lunch aside, a decision.
GERMAN = [
    Said("m1", (FIXTURES / "paste_de.expected.txt").read_text(), "Anna", pasted=True),
    _bot("m2", "- Die Bäckerei Brandt in Kassel schließt Ende des Jahres."),
    Said("m3", "Seit wann gibt es die Bäckerei?", "Jonas"),
    _bot("m4", "Aus dem Artikel:\n> Seit 1911 backt die Familie Brandt in der Kasseler Altstadt."),
    Said("m5", "Weiß jemand, ob die Berufsschule das Roggenbrot verkaufen wird?", "Lena"),
    _bot("m6", NOT_FOUND),
    Said("m7", "@Jonas kommst du zum Mittagessen?", "Lena"),
    Said("m8", "Wir werden den Artikel am Freitag im Newsletter teilen.", "Jonas"),
    Said("m9", "Schade um die Bäckerei, das Roggenbrot war das beste der Altstadt.", "Anna"),
]


def test_a_german_thread_gets_the_same_rules():
    text = recap(GERMAN).text
    questions = _section(text, "Open questions")
    assert "Lena: Weiß jemand, ob die Berufsschule das Roggenbrot verkaufen wird? [m5]" in (
        questions
    )
    assert "[m3]" not in questions and "Mittagessen" not in questions
    assert "Jonas: Wir werden den Artikel am Freitag im Newsletter teilen. [m8]" in (
        _section(text, "Decisions")
    )
    said = _section(text, "What was said")
    assert "Anna: Schade um die Bäckerei, das Roggenbrot war das beste der Altstadt. [m9]" in said
    assert "Renate Brandt" not in text and "[m1]" not in text


def test_a_bot_reply_after_a_recap_request_does_not_answer_the_question_before_it():
    # m2 asked for a recap (left out of the discussion); m3 is the recap, not an answer.
    thread = [Said("m1", "Who pays for the new bakery oven?", "Bob"), _bot("m3", "**Recap**")]
    assert "[m1]" in _section(recap(thread).text, "Open questions")


# --- the thread as read from Slack ------------------------------------------------------------


def test_a_pasted_article_is_marked_and_not_shown_to_the_model_as_someones_words():
    paste = (FIXTURES / "paste_de.txt").read_text()
    messages = [
        {
            "ts": "1.0",
            "user": "U1",
            "text": f"<@{BOT}> {paste}",
            "user_profile": {"display_name": "Anna"},
        },
        {"ts": "1.1", "user": BOT, "text": "the summary"},
        {"ts": "1.2", "user": "U2", "text": "Schade um die Bäckerei, das Brot war gut."},
    ]
    said = discussion(messages, BOT)
    assert [(s.ref, s.pasted) for s in said] == [("m1", True), ("m2", False), ("m3", False)]
    prompt = discussion_text(said)
    assert "[m1] Anna: (pasted the article)" in prompt
    assert "Renate Brandt" not in prompt
    assert "[m3] someone: Schade um die Bäckerei" in prompt


# A long opinion: 60+ words of prose, which parse_input takes for a paste, but someone's words.
LONG_COMMENT = (
    "I read it twice and I think the author misses the real problem. The bridge is not over "
    "budget because of the steel prices, it is over budget because the council changed the "
    "design three times after the tender. We should push back on the idea that this was bad "
    "luck. Also, the traffic numbers they quote are from 2019, before the new bypass opened, "
    "so the case for the second lane is weaker than it looks. "
    "We agreed to raise this at Thursday's meeting."
)


def _bridge_thread(*later: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"ts": "1.0", "user": "U1", "text": "<https://news.test/bridge> what do you think?"},
        {"ts": "1.1", "user": "U2", "text": LONG_COMMENT},
        *later,
        {"ts": "1.9", "user": "U3", "text": "Good point about the bypass, the numbers are old."},
    ]


def test_a_long_comment_is_someones_words_for_the_model_and_the_offline_recap():
    said = discussion(_bridge_thread(), BOT)
    assert [(s.ref, s.pasted) for s in said] == [("m1", False), ("m2", False), ("m3", False)]
    assert "[m2] someone: I read it twice" in discussion_text(said)
    text = recap(said).text
    assert "We agreed to raise this at Thursday's meeting. [m2]" in _section(text, "Decisions")
    assert "[m2]" in _section(text, "What was said")


@pytest.mark.parametrize(
    "pasted",
    [
        (FIXTURES / "paste_metered_en.txt").read_text(),  # article-sized: nobody's words
        f"tldr {LONG_COMMENT}",  # a lead hands it to the bot
        f"<@{BOT}> {LONG_COMMENT}",  # so does a mention: the bot summarised it
    ],
)
def test_an_article_pasted_later_in_the_thread_is_left_out(pasted: str):
    said = discussion(_bridge_thread({"ts": "1.5", "user": "U4", "text": pasted}), BOT)
    assert [(s.ref, s.pasted) for s in said][2:] == [("m3", True), ("m4", False)]
    assert "[m3] someone: (pasted the article)" in discussion_text(said)
    assert "[m3]" not in recap(said).text


# Old code: a search for "[\s,]*@name$" at every comma of the run, 3.6 s at 8,000 commas,
# once per name; now a look at the last "@".
@pytest.mark.timeout(10)
@pytest.mark.parametrize("end", ["do we agree on the budget?", "do we agree, @Carol?"])
def test_a_long_run_of_commas_before_a_question_is_read_in_linear_time(end: str):
    asked = "x" + ", " * 40_000 + end
    thread = [
        Said("m1", "Alice here, what do you think of the bridge article?", "Alice"),
        Said("m2", asked, "Bob"),
        Said("m3", "Sure, fine by me.", "Carol"),
    ]
    opened = _section(recap(thread).text, "Open questions")
    # Asked of Carol, who replied: answered. Asked of no one: still open.
    assert ("[m2]" in opened) == ("@Carol" not in end)
    assert ("[m1]" in opened) is True
