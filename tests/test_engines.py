"""The engines behind the pipeline (bot/engines): the fallback that exists once, the pure
wording of answers, and results that come back from the cache whole."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.engines import FallbackEngine, OfflineEngine, Question, SummaryRequest, wording
from bot.errors import LLMTimeout
from bot.ingest import Article
from bot.llm.templates import load_templates
from bot.pipeline import Pipeline
from bot.results import Result
from bot.settings import Settings
from bot.store import SQLiteStore

SEED = (Path(__file__).parent / "fixtures" / "seed_paywall.txt").read_text(encoding="utf-8")


@pytest.fixture
def seed() -> Article:
    return Pipeline(Settings(_env_file=None, engine="offline")).article_from_text(SEED)


class Failing:
    """A model engine that has stopped answering (the real one is tested end to end
    against the fake OpenAI server in test_pipeline)."""

    name = "openai"
    cache_id = "openai:gpt-test"

    def __init__(self) -> None:
        self.calls = 0

    def summarize(self, *args: Any) -> Result:
        self.calls += 1
        raise LLMTimeout("The AI model took too long to answer.")

    def answer(self, *args: Any) -> Result:
        self.calls += 1
        raise LLMTimeout("The AI model took too long to answer.")


def test_fallback_says_why_and_keeps_the_offline_engines_own_notes(seed: Article) -> None:
    primary = Failing()
    engine = FallbackEngine(primary, OfflineEngine())
    template = load_templates().summary("bullets")
    result = engine.summarize(SummaryRequest(seed, template, "bullets", "in Spanish"), None)
    assert primary.calls == 1 and result.engine == "offline"
    assert result.notice is not None
    assert result.notice.startswith("The AI model didn't answer")
    assert "“in Spanish”" in result.notice
    # The error's details are for the log: the reply says once that the model didn't answer.
    assert "took too long" not in result.notice and result.notice.count("AI model") == 1
    assert result.model_error == "The AI model took too long to answer."  # for the CLI
    assert engine.name == "openai" != result.engine  # the pipeline won't cache it as the model's


def test_fallback_answers_offline_too(seed: Article) -> None:
    from bot.llm.followups import resolve

    engine = FallbackEngine(Failing(), OfflineEngine())
    result = engine.answer(Question((seed,), resolve("Who is Moon?", [])), None)
    assert result.engine == "offline" and result.notice and "didn't answer" in result.notice


@pytest.mark.parametrize(
    ("found", "quotes", "dropped", "expected"),
    [
        (True, ["A line."], 0, "Yes.\n\n> A line."),
        (True, [], 0, "Yes.\n\n" + wording.NO_BACKING),
        (True, ["A line."], 2, "couldn't verify 2 quotes against the article, so I left them"),
        (True, [], 1, "couldn't verify a quote against the article, so I left it out"),
        (False, ["A line."], 0, "Yes."),  # not found: the quotes aren't shown as backing
    ],
)
def test_grounded_answer_wording(
    found: bool, quotes: Sequence[str], dropped: int, expected: str
) -> None:
    text = wording.grounded_answer("Yes.", found, quotes, dropped, None)
    assert expected in text
    if not found:
        assert text == "Yes."


def test_a_cached_summary_comes_back_with_its_notice_and_flags(seed: Article) -> None:
    pipeline = Pipeline(Settings(_env_file=None, engine="offline"), store=SQLiteStore(":memory:"))
    first = pipeline.summarize(seed, instructions="3 bullets in Spanish")
    again = pipeline.summarize(seed, instructions="3 bullets in Spanish")
    assert not first.cached and again.cached
    assert again.text == first.text and again.label == first.label
    assert again.notice == first.notice and "“in Spanish”" in (again.notice or "")


def test_cache_round_trip_keeps_every_field_a_surface_shows(seed: Article) -> None:
    result = Result(
        kind="answer",
        text="No.\n\n> quote",
        article=seed,
        engine="openai",
        model="gpt-test",
        label=None,
        quotes=("quote",),
        found=False,
        notice="Read only in part.",
        prose="No.",
        quotes_dropped=1,
    )
    back = Result.from_cache(result.to_cache(), seed)
    assert back.cached and back.articles == (seed,)
    for name in ("kind", "text", "engine", "model", "quotes", "found", "notice", "prose"):
        assert getattr(back, name) == getattr(result, name), name
    assert back.quotes_dropped == 1 and back.usage.prompt_tokens == 0  # a hit spends nothing
