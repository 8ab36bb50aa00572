"""The model path: an answer whose quotes don't back it says so (a local fake model, scripted)."""

from __future__ import annotations

import pytest

from bot.ingest.article import Article
from bot.llm.quotes import verify_quotes
from bot.llm.support import unbacked
from bot.pipeline import Pipeline
from tests.servers.fake_openai import FakeOpenAI, Reply
from tests.test_offline_answers import STUDY

COPYRIGHT = "This study summary is copyright 2024 Harbour Health News, all rights reserved"
WALKING = "people who walked at least thirty minutes a day scored higher on recall tests"


@pytest.fixture(autouse=True)
def _no_model_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ENGINE", "PROMPTS_DIR"):
        monkeypatch.delenv(name, raising=False)


def _ask(model: FakeOpenAI, article: Article, question: str, reply: dict) -> str:
    model.script(Reply(structured=reply))
    return Pipeline(model.settings()).ask([article], question).text


def test_real_quote_that_does_not_back_the_answer_is_flagged(model: FakeOpenAI) -> None:
    text = _ask(
        model,
        STUDY,
        "Who funded the study?",
        {"answer": "The Wellcome Trust funded it.", "quotes": [COPYRIGHT], "found": True},
    )
    assert f"> {COPYRIGHT}" in text  # the quote is real, so it is shown...
    assert "The quotes don't mention “Wellcome”, “Trust”, so I couldn't check those" in text


def test_invented_quote_is_flagged(model: FakeOpenAI) -> None:
    text = _ask(
        model,
        STUDY,
        "Who funded the study?",
        {
            "answer": "The Wellcome Trust funded it.",
            "quotes": ["The Wellcome Trust paid for the whole study"],
            "found": True,
        },
    )
    assert "couldn't verify a quote" in text


def test_quote_that_backs_the_answer_gets_no_note(model: FakeOpenAI) -> None:
    text = _ask(
        model,
        STUDY,
        "What did the study find?",
        {
            "answer": "Walkers (thirty minutes a day) did better on recall tests.",
            "quotes": [WALKING],
            "found": True,
        },
    )
    assert f"> {WALKING}" in text
    assert "couldn't" not in text


def test_unbacked_names_and_numbers() -> None:
    quotes, _ = verify_quotes([WALKING, "Lead author Maria Okafor said"], STUDY.text)
    assert unbacked("Maria Okafor found that 2,400 adults did better.", quotes, "Who?") == ["2,400"]
    assert unbacked("Okafor's team saw it in 2,400 adults.", quotes, "Did 2400 adults?") == []
    # A capital opening a sentence is not a name; the question's own names need no quote.
    assert unbacked("Walking helps. Harbour Institute ran it.", quotes, "Harbour?") == ["Institute"]
