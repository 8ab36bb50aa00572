"""Whether the words sent with a link ask a question about it or say how to summarize it
(bot.llm.asking): many phrasings, in English, German and a few more of the languages the
follow-up rules know."""

from __future__ import annotations

import pytest

from bot.ingest.links import is_question, only_wishes, parse_input
from bot.llm.asking import asks_about_link

QUESTIONS = [
    "Who paid for it?",
    "who paid for it",
    "How much did the repairs cost",
    "why did it close?",
    "Is the bridge open yet?",
    "does it say when the bridge reopens",
    "what does the article say about costs?",
    "costs?",
    "any mention of the mayor?",
    "Who paid for it？",  # full-width
    "من دفع؟",  # Arabic question mark
    "can you tell me who paid?",
    "could you explain why it closed?",
    "tell me who paid for the bridge",
    "explain why it took 18 months",
    "could you check whether the numbers add up",
    "who paid for it, in 3 bullets?",
    # German
    "Wer hat das bezahlt?",
    "wer hat das bezahlt",
    "Warum wurde die Brücke gesperrt?",
    "Wie viel hat das gekostet",
    "Was sagt die Bürgermeisterin zu den Kosten?",
    "Kannst du mir sagen, wer das bezahlt hat?",
    "Sag mir, warum die Brücke gesperrt wurde",
    "Gibt es einen Radweg",
    "Stimmt es, dass die Stadt gezahlt hat?",
    # others
    "Qui a payé ?",
    "¿Quién pagó",
    "Chi ha pagato?",
    "Quem pagou?",
    "Wie heeft het betaald?",
]

SUMMARIES = [
    "",
    "What's about?",  # "What's <link> about?" with the link taken out
    "de quoi ça parle ?",  # the about-questions of bot/llm/meta_questions.yaml, one list
    "Was steht im Artikel?",
    "please",
    "tldr",
    "tl;dr",
    "TL;DR?",
    "tldr please",
    "detailed",
    "detailed?",
    "in 3 bullets",
    "in 3 bullets?",
    "in 3 bullets for a CFO",
    "in Spanish",
    "in Spanish?",
    "focus on the costs",
    "focus on the costs?",
    "summarize this",
    "summarize this:",
    "can you summarize?",
    "Can you summarize this?",
    "could you please summarize it for me?",
    "can you give me a summary?",
    "would you sum it up?",
    "what's this about?",
    "What is this article about?",
    "what's this?",
    "what's that?",
    "what's the gist?",
    "any key takeaways?",
    "can you make it shorter?",
    "keep it short?",
    "shorter please?",
    "could you translate it?",
    "for my team?",
    "eli5",
    "explain it like I'm five",
    "thanks",
    # German
    "zusammenfassen bitte",
    "Kannst du das zusammenfassen?",
    "Kannst du den Artikel kurz zusammenfassen?",
    "Fass das mal zusammen",
    "Zusammenfassung?",
    "Worum geht es?",
    "Worum geht's in dem Artikel?",
    "auf Deutsch bitte",
    "Auf Deutsch?",
    "kannst du es kürzer machen?",
    "kannst du dich auf die Kosten konzentrieren?",
    "in 3 Stichpunkten?",
    # others
    "résume-le",
    "¿puedes resumirlo?",
    "vat het samen",
]


@pytest.mark.parametrize("words", QUESTIONS)
def test_a_question_with_a_link_asks_about_it(words):
    assert asks_about_link(words)


@pytest.mark.parametrize("words", SUMMARIES)
def test_summary_wishes_with_a_link_stay_summary_wishes(words):
    assert not asks_about_link(words)


def test_the_question_is_what_parse_input_leaves_beside_the_link():
    after = parse_input("<https://news.test/story> Who paid for it?")
    before = parse_input("Who paid for it? https://news.test/story")
    assert after.instruction == before.instruction == "Who paid for it?"
    assert asks_about_link(after.instruction)
    assert not asks_about_link(
        parse_input("can you summarize <https://news.test/story>?").instruction
    )


def test_only_wishes_is_made_of_summary_instructions_only():
    assert only_wishes("in 3 bullets, in Spanish?") and only_wishes("TL;DR")
    assert not only_wishes("in 3 bullets, who paid?") and not only_wishes("in Europe?")


def test_is_question_knows_the_arabic_question_mark():
    assert is_question("من دفع؟")


@pytest.mark.parametrize(
    "text",
    ["wie viel hat das gekostet", "pourquoi le pont a fermé", "¿quién lo pagó", "explain it"],
)
def test_is_question_knows_the_question_words_asking_knows(text):
    # One list for both (it was English only here): a follow-up in a busy thread, a recap's
    # decisions and the help text all ask is_question.
    assert is_question(text)


@pytest.mark.parametrize("text", ["thanks!", "danke dir", "merci beaucoup", "great read"])
def test_what_asks_nothing_is_no_question(text):
    assert not is_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "Must read!",
        "May be relevant to our budget talks",
        "Might be useful for the offsite",
        "War in Sudan, worth a read",
        "Hat tip to Ann for this one",
        "Could be worse",
        "Would love your take on the costs",
        "Will be discussed on Monday",
    ],
)
def test_a_comment_that_starts_like_a_question_asks_nothing(text):
    # Beside a link it was answered as a question ("Must read!" searched the article), and
    # in a thread of several people it was taken as asked of the bot (is_question, which
    # gained "may", "must", "war", "hat" from asking's list today).
    assert not is_question(text)
    assert not asks_about_link(text)


@pytest.mark.parametrize(
    "text",
    [
        "May I ask who paid",
        "Shall we trust the figures",
        "Must we pay for it",
        "War es teuer",
        "Hat Apple gezahlt",
        "Can the city afford it",
        "did the council approve it",
        "is inflation rising",
        "Will the bridge reopen",
    ],
)
def test_a_modal_before_its_subject_still_asks(text):
    assert is_question(text)
    assert asks_about_link(text)


def test_a_long_run_of_cue_words_is_no_question():
    # On Slack's ack path ("fass … zusammen" with unbounded gaps took ~15 s on this text; the
    # time is measured by `python -m bench pathological --hot`).
    for words in ("fass " * 20_000, "vat " * 20_000, "tell me " * 10_000):
        assert not asks_about_link(words)
