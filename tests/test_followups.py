"""Follow-ups (bot.llm.followups): small talk, "summarize it", and questions that lean on the
turns before them; then the pipeline searching with what they lean on."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.ingest import Article
from bot.llm.followups import (
    GREETING,
    asks_for_more,
    classify_turn,
    last_quotes,
    leans_on_context,
    resolve,
    small_reply,
    summary_instructions,
    summary_style,
)
from bot.llm.meta import meta_kind
from bot.pipeline import Pipeline
from bot.settings import Settings
from tests.servers.fake_openai import FakeOpenAI, Reply, fake_openai_server  # noqa: F401

PLAGUE = (Path(__file__).parent / "fixtures" / "plague_burials.txt").read_text(encoding="utf-8")
GRAVEDIGGERS = (
    "Gravediggers, poor labourers hired by each parish for a few pennies a day, buried most "
    "of the dead and carried the corpses through the streets on carts."
)
TRENCHES = (
    "The dead were buried in long trenches dug outside the city walls, where bodies were laid "
    "side by side and covered with a thin layer of earth."
)
FIRST = [("user", "How were the dead buried?"), ("assistant", f"From the article:\n> {TRENCHES}")]


# --- classify_turn ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        *("thanks", "Thank you!", "thx", "ok", "cool", "great 👍", "👍", ":+1:"),
        *("ok cool, thanks a lot", "merci beaucoup", "danke", "¡gracias!", "grazie mille"),
        *("obrigado", "vale, genial"),
    ],
)
def test_small_talk(text: str) -> None:
    assert classify_turn(text) == "small"


@pytest.mark.parametrize(
    ("text", "wishes"),
    [
        ("summarize it", ""),
        ("Summarise this.", ""),
        ("tl;dr", ""),
        ("TLDR please", ""),
        ("give me a summary", ""),
        ("sum it up", ""),
        ("can you summarize it in Spanish?", "in Spanish"),
        ("Summarize the article for a CFO", "for a CFO"),
        ("résume-le", ""),
        ("Zusammenfassung bitte", ""),
    ],
)
def test_summary_requests(text: str, wishes: str) -> None:
    assert classify_turn(text) == "summarize"
    assert summary_instructions(text) == wishes


@pytest.mark.parametrize(
    ("text", "style"),
    [
        *(("tl;dr", "tldr"), ("TLDR please", "tldr"), ("give me a tl;dr", "tldr")),
        *(("summarize it", None), ("What does tl;dr mean here?", None), ("thanks", None)),
    ],
)
def test_a_tldr_request_asks_for_the_tldr_style(text: str, style: str | None) -> None:
    assert summary_style(text) == style


@pytest.mark.parametrize(
    "text",
    [
        "summarize the costs",  # a part of the article: a question
        "Who usually does that work?",
        "ok, who paid?",
        "thanks, and when did it close?",
        "Is it cool enough to swim?",
        "1350",
        "What is the summary of the council's decision?",
    ],
)
def test_questions(text: str) -> None:
    assert classify_turn(text) == "question"


def test_small_reply_is_short_and_says_thanks_back() -> None:
    assert small_reply("thanks!").startswith("You're welcome")
    assert "welcome" not in small_reply("ok")
    assert len(small_reply("merci")) < 80


# --- leans_on_context -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "Who usually does that work?",
        "and in 1350?",
        "why?",
        "How many?",
        "Who paid?",
        "When did she take office?",
        "Where did they meet?",
        "What about the wealthy?",
        "Was it expensive to do there?",
        "Wer macht das?",
    ],
)
def test_follow_ups_lean_on_the_conversation(question: str) -> None:
    assert leans_on_context(question)


@pytest.mark.parametrize(
    "question",
    [
        "Who cut the ribbon at the east end?",
        "What happened in 1350?",
        "How much did the repairs cost?",
        "Is there a museum that holds the remains?",  # existential "there"
        "Did the chroniclers write that the dead were left unburied?",  # "that" + clause
    ],
)
def test_self_contained_questions_stand_alone(question: str) -> None:
    assert not leans_on_context(question)


# --- resolve ----------------------------------------------------------------------------------


def test_a_pronoun_borrows_the_previous_question_and_the_names_in_its_answer() -> None:
    history = [
        ("user", "Who cut the ribbon?"),
        ("assistant", '> "It was worth the wait," said Mayor Ana Ruiz, who cut a ribbon.'),
    ]
    resolved = resolve("When did she take office?", history)
    assert resolved.question == "When did she take office?"
    assert {"cut", "ribbon", "Mayor", "Ana", "Ruiz"} <= set(resolved.context)
    assert "It" not in resolved.context  # a sentence's everyday first word is no name
    # The new question's own words count twice, what it borrows once.
    assert resolved.query.count("take office") == 2 and resolved.query.count("ribbon") == 1


def test_a_question_that_named_its_subject_lends_that_name_not_its_answers() -> None:
    # "Who is Julian Assange?" → a quote naming Sweden and Wikileaks → "Where is he held?":
    # he is Assange; the answer's other names dragged the reply back to the first quote.
    history = [
        ("user", "Who is Julian Assange?"),
        ("assistant", "> Prosecutors in Sweden dropped a case against Wikileaks' Julian Assange."),
    ]
    resolved = resolve("Where is he being held?", history)
    assert {"Julian", "Assange"} <= set(resolved.context)
    assert not {"Sweden", "Wikileaks", "Prosecutors"} & set(resolved.context)


def test_a_self_contained_question_is_not_dragged_by_history() -> None:
    resolved = resolve("What happened in 1350?", FIRST)
    assert resolved.query == "What happened in 1350?" and resolved.context == ()
    assert resolve("Who usually does that work?", []).context == ()


def test_follow_ups_of_follow_ups_reach_back_to_what_they_are_about() -> None:
    history = [
        *FIRST,
        ("user", "Who usually does that work?"),
        ("assistant", f"From the article:\n> {GRAVEDIGGERS}"),
        ("user", "thanks"),  # small talk names nothing
        ("assistant", "You're welcome!"),
    ]
    resolved = resolve("why?", history)
    assert {"dead", "buried", "Gravediggers"} <= set(resolved.context)


def test_the_first_question_after_a_summary_borrows_its_names() -> None:
    summary = [("assistant", "- Mayor Ana Ruiz reopened the bridge.\n- It cost 14 million.")]
    resolved = resolve("What did she say?", summary)
    assert {"Mayor", "Ana", "Ruiz"} <= set(resolved.context) and "It" not in resolved.context


def test_stored_turns_and_model_roles_are_read_alike() -> None:
    class Turn:
        def __init__(self, role: str, text: str) -> None:
            self.role, self.text = role, text

    as_objects = resolve("and in 1350?", [Turn(r, t) for r, t in FIRST])
    as_messages = resolve("and in 1350?", [("human", FIRST[0][1]), ("ai", FIRST[1][1])])
    assert as_objects == as_messages and "buried" in as_objects.context


def test_last_quotes_are_the_last_answers() -> None:
    assert last_quotes(FIRST) == {TRENCHES}
    assert last_quotes([*FIRST, ("user", "ok?"), ("assistant", "No quotes here.")]) == set()


# --- the pipeline searches with the resolved question -----------------------------------------


@pytest.fixture
def offline() -> Pipeline:
    return Pipeline(Settings(_env_file=None, engine="offline"))


@pytest.fixture
def plague(offline: Pipeline) -> Article:
    return offline.article_from_text(PLAGUE)


def test_offline_follow_up_quotes_what_that_work_is(offline: Pipeline, plague: Article) -> None:
    alone = offline.ask([plague], "Who usually does that work?")
    assert GRAVEDIGGERS not in alone.quotes  # without the conversation: not this sentence
    result = offline.ask([plague], "Who usually does that work?", history=FIRST)
    assert result.found and GRAVEDIGGERS in result.quotes
    assert TRENCHES not in result.quotes  # already shown: a follow-up wants something new


HAWKS = (Path(__file__).parent / "fixtures" / "harbor_hawks_defense.txt").read_text(
    encoding="utf-8"
)
DELANE = (
    "All-Star defensive tackle Marcus Delane led the team in sacks with 12, while also forcing "
    "three fumbles and recovering two."
)
MOREAU_PENALTY = "a holding penalty on cornerback Felix Moreau"
WHO_IS_DELANE = [("user", "Who is Marcus Delane?"), ("assistant", f"From the article:\n> {DELANE}")]


def test_a_follow_up_gets_the_shown_sentence_again_when_it_is_clearly_the_answer(
    offline: Pipeline,
) -> None:
    hawks = offline.article_from_text(HAWKS)
    # "he" is Delane, and the sentence that introduced him holds his fumbles: not the
    # teammates' fumbles in the next paragraph.
    resolved = resolve("How many fumbles did he force?", WHO_IS_DELANE)
    assert {"Marcus", "Delane"} <= set(resolved.context)
    result = offline.ask([hawks], "How many fumbles did he force?", history=WHO_IS_DELANE)
    assert result.found and result.quotes == (DELANE,)


def test_a_follow_up_about_something_the_shown_sentence_lacks_gets_a_new_one(
    offline: Pipeline,
) -> None:
    hawks = offline.article_from_text(HAWKS)
    intro = next(line for line in HAWKS.splitlines() if line.startswith("The secondary"))
    history = [("user", "Who is Felix Moreau?"), ("assistant", f"From the article:\n> {intro}")]
    result = offline.ask([hawks], "What penalty did he get?", history=history)
    assert result.found and MOREAU_PENALTY in result.text and intro not in result.quotes


@pytest.mark.parametrize("question", ["What else did he do?", "Tell me more about him."])
def test_asking_for_more_never_repeats_the_last_quote(offline: Pipeline, question: str) -> None:
    hawks = offline.article_from_text(HAWKS)
    result = offline.ask([hawks], question, history=WHO_IS_DELANE)
    assert DELANE not in result.quotes


@pytest.mark.parametrize(
    ("question", "more"),
    [
        ("What else did he do?", True),
        ("tell me more", True),
        ("Any other reasons?", True),
        ("go on", True),
        ("¿Qué más hizo?", True),
        ("How many more sacks did he have than Pratt?", False),
        ("How many fumbles did he force?", False),
        ("Who paid?", False),
        ("Who are the other candidates?", False),  # the ones the last answer named
        ("Was hat der andere Kandidat gesagt?", False),
        ("¿Hay algún otro motivo?", True),
        ("Anything else?", True),
    ],
)
def test_asks_for_more(question: str, more: bool) -> None:
    assert asks_for_more(question) is more


def _article_block(prompt: str) -> str:
    return prompt.split("<article>", 1)[1].split("</article>", 1)[0].strip()


TOWNS = ["Ashford", "Brenton", "Carlow", "Dunmore", "Elston", "Farley", "Glenby", "Harwick"]
VANE = (
    "In Kelso, a blacksmith forged a new weather vane shaped like a leaping salmon for the "
    "church tower."
)


def test_model_excerpts_of_a_long_article_follow_the_resolved_question(
    fake_openai: FakeOpenAI,
) -> None:
    # A long article: only the excerpts that match the search reach the model.
    filler = [
        f"In {town}, the market hall reopened on day {i + 1} after the council repaired its "
        f"roof, and traders there sold {i + 5} kinds of cheese to visitors from the coast."
        for i, town in enumerate(TOWNS * 2)
    ]
    text = "\n\n".join([*filler[:8], PLAGUE, *filler[8:12], VANE, *filler[12:]])
    pipeline = Pipeline(fake_openai.settings(llm_context_tokens=500))
    article = pipeline.article_from_text(text)
    fake_openai.default = Reply(structured={"answer": "x", "quotes": [], "found": True})

    pipeline.ask([article], "Who usually does that work?", history=FIRST)
    assert GRAVEDIGGERS in _article_block(fake_openai.user_prompt())

    # A question that names its own subject isn't searched with the last one's words, whose
    # excerpts would take the budget from the ones it needs.
    pipeline.ask([article], "What shape did the blacksmith give the weather vane?", history=FIRST)
    sent = _article_block(fake_openai.user_prompt())
    assert VANE in sent and GRAVEDIGGERS not in sent


@pytest.mark.parametrize("text", ["what is that?", "What's that?"])
def test_what_is_that_in_a_conversation_is_a_question_not_a_summary(text: str) -> None:
    # "that" points back at what was just said ("It uses a cantilever truss." "What is
    # that?"): meta_questions.yaml read it as "what is the article about" and the reply was
    # the article's TL;DR again. Beside a link it still asks for the summary (asking).
    assert meta_kind(text) is None
    assert classify_turn(text) == "question" and summary_style(text) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("What is this article about?", "about"),
        ("what's this about?", "about"),
        ("So what is the story all about?", "about"),
        ("Worum geht es in dem Artikel?", "about"),
        ("Worum geht's?", "about"),
        ("De quoi parle cet article ?", "about"),
        ("¿De qué trata el artículo?", "about"),
        ("Who wrote this article?", "author"),
        ("Who is the author?", "author"),
        ("Wer hat den Artikel geschrieben?", "author"),
        ("Qui a écrit cet article ?", "author"),
        ("¿Quién escribió este artículo?", "author"),
        ("When was it published?", "published"),
        ("Wann wurde der Artikel veröffentlicht?", "published"),
        ("Quand a été publié cet article ?", "published"),
        ("¿Cuándo se publicó el artículo?", "published"),
        # Questions about what the article says stay questions.
        ("What is the article's main argument about taxes?", None),
        ("What is the article about taxes?", None),
        ("What does the article say about the budget?", None),
        ("Who wrote the letter to the council?", None),
        ("What was the war about?", None),
        ("When was the bridge built?", None),
        ("Worum geht es bei der Reform der Steuern?", None),
    ],
)
def test_questions_about_the_article_itself(text: str, kind: str | None) -> None:
    assert meta_kind(text) == kind
    assert (classify_turn(text) == "summarize") == (kind == "about")
    if kind == "about":
        assert summary_style(text) == "tldr" and summary_instructions(text) == ""


@pytest.mark.parametrize("text", ["hi", "Hello!", "hey there", "good morning", "Hallo", "hola"])
def test_a_greeting_is_small_talk_answered_with_what_to_ask(text: str) -> None:
    assert classify_turn(text) == "small"
    assert small_reply(text) == GREETING


def test_every_ask_answers_questions_about_the_article_itself(
    offline: Pipeline, plague: Article, fake_openai: FakeOpenAI
) -> None:
    # Slack's parked questions and /ask reach Pipeline.ask directly, not through a router.
    about = offline.ask([plague], "what is this about?")
    assert about.kind == "summary" and about.text == offline.summarize(plague, style="tldr").text
    unknown = offline.ask([plague], "Who wrote this article?")
    assert not unknown.found and "doesn't say who wrote it" in unknown.text
    signed = replace(plague, author="Ada Lowe", published="2020-05-01")
    assert offline.ask([signed], "Who is the author?").text == "The article is by Ada Lowe."
    assert "1 May 2020" in offline.ask([signed], "When was it published?").text
    # The model isn't asked what the page's metadata says; what it lacks, the model may find.
    model = Pipeline(fake_openai.settings())
    fake_openai.default = Reply(structured={"answer": "x", "quotes": [], "found": False})
    assert model.ask([signed], "Who wrote this article?").text == "The article is by Ada Lowe."
    assert fake_openai.requests == []
    model.ask([plague], "Who wrote this article?")
    assert len(fake_openai.requests) == 1
