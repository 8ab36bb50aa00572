"""`--instructions` the offline engine follows (a length, a focus the article has) and the ones
it can't (a language, a reader, a tone), each named as the user wrote it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ingest import Article, from_text
from bot.offline import read_instructions, summarize
from bot.offline.instructions import MAX_COUNT, READ_CHARS
from bot.offline.summaries import MAX_SUMMARY_CHARS
from bot.pipeline import Pipeline
from bot.settings import Settings

SEED = (Path(__file__).parent / "fixtures" / "seed_paywall.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed() -> Article:
    return from_text(SEED)


@pytest.mark.parametrize(
    ("instructions", "followed", "ignored"),
    [
        ("6 bullets", ["6 bullets"], []),
        ("briefly", ["briefly"], []),
        ("keep it short", ["keep it short"], []),
        ("summarize it for me", [], []),
        ("Please summarize this article in five bullet points", ["in five bullet points"], []),
        ("6 bullets in Spanish", ["6 bullets"], ["in Spanish"]),
        ("summarize this in 6 bullets, in Spanish please", ["in 6 bullets"], ["in Spanish"]),
        ("in Spanish, for a CFO", [], ["in Spanish", "for a CFO"]),
        ("in 3 bullets, focus on the sanctions", ["in 3 bullets", "focus on the sanctions"], []),
        ("TL;DR in French", ["TL;DR"], ["in French"]),
        ("focus on Beijing and tariffs", ["focus on Beijing"], ["tariffs"]),
        ("in detail. Avoid jargon.", ["in detail"], ["Avoid jargon"]),
    ],
)
def test_each_wish_is_followed_or_named_as_ignored(
    seed: Article, instructions: str, followed: list[str], ignored: list[str]
) -> None:
    reading = read_instructions(seed, instructions)
    assert (list(reading.followed), list(reading.ignored)) == (followed, ignored)


def test_no_instructions_no_reading(seed: Article) -> None:
    assert read_instructions(seed, None) == read_instructions(seed, "  ")
    assert not read_instructions(seed, None).ignored


def test_it_reads_what_the_summary_reads() -> None:
    assert READ_CHARS == MAX_SUMMARY_CHARS


def test_a_followed_length_is_really_followed(seed: Article) -> None:
    assert len(summarize(seed, instructions="6 bullets in Spanish").sentences) == 6
    assert len(summarize(seed, instructions="in five bullet points").sentences) == 5


@pytest.mark.parametrize(
    ("instructions", "count"),
    [
        ("in 2 Sätzen", 2),
        ("in drei Stichpunkten", 3),
        ("in 3 Punkten", 3),
        ("en 3 puntos", 3),
        ("en deux phrases", 2),
        ("in 4 punti elenco", 4),
        ("em 2 frases", 2),
        ("in 5 zinnen", 5),
    ],
)
def test_a_count_in_another_language_is_followed(
    seed: Article, instructions: str, count: int
) -> None:
    reading = read_instructions(seed, instructions)
    assert (reading.followed, reading.ignored) == ((instructions,), ())
    assert len(summarize(seed, instructions=instructions).sentences) == count


def test_a_number_of_years_is_no_count(seed: Article) -> None:
    # "in 3 Jahren" names no unit of a summary: it stays a wish the engine can't follow.
    assert read_instructions(seed, "in 3 Jahren").ignored == ("in 3 Jahren",)
    assert _notice(seed, "en 20 puntos") == ("I can write at most 12 points offline; here are 12.")


def _notice(seed: Article, instructions: str) -> str | None:
    return (
        Pipeline(Settings(_env_file=None))
        .summarize(seed, instructions=instructions, engine="offline")
        .notice
    )


def test_the_notice_names_exactly_the_parts_ignored(seed: Article) -> None:
    mixed = _notice(seed, "6 bullets in Spanish")
    assert mixed is not None
    assert "followed “6 bullets”" in mixed and "couldn't follow “in Spanish”" in mixed
    assert "“6 bullets in Spanish”" not in mixed
    both = _notice(seed, "in Spanish, for a CFO")
    assert both is not None and "couldn't follow “in Spanish” or “for a CFO”" in both
    assert "followed" not in both
    assert _notice(seed, "6 bullets") is None
    assert _notice(seed, "briefly, focus on the sanctions") is None


@pytest.mark.parametrize(
    ("instructions", "capped", "followed", "ignored"),
    [
        ("100 bullets", ["100 bullets"], [], []),
        ("20 bullets", ["20 bullets"], [], []),
        ("in 13 bullet points, in Spanish", ["in 13 bullet points"], [], ["in Spanish"]),
        ("12 bullets", [], ["12 bullets"], []),
        ("6 bullets", [], ["6 bullets"], []),
    ],
)
def test_a_count_past_the_cap_is_capped_not_followed(
    seed: Article, instructions: str, capped: list[str], followed: list[str], ignored: list[str]
) -> None:
    reading = read_instructions(seed, instructions)
    assert list(reading.capped) == capped
    assert (list(reading.followed), list(reading.ignored)) == (followed, ignored)


@pytest.mark.parametrize("count", ["20", "100", "99999999999"])
def test_a_count_past_the_cap_gets_the_most_it_can_and_says_so(seed: Article, count: str) -> None:
    summary = summarize(seed, instructions=f"{count} bullets")
    assert len(summary.sentences) == MAX_COUNT == 12
    assert summary.notice == "I can write at most 12 bullets offline; here are 12."
    assert _notice(seed, f"{count} bullets") == summary.notice
    assert summarize(seed, instructions="6 bullets").notice is None


def test_the_cap_notice_keeps_the_users_unit_and_the_ignored_wishes(seed: Article) -> None:
    notice = _notice(seed, "in 15 sentences, in Spanish")
    assert notice == (
        "The offline engine only picks sentences from the article, so it couldn't follow "
        "“in Spanish”. I can write at most 12 sentences offline; here are 12."
    )


def test_a_short_article_past_the_cap_says_how_many_it_had(seed: Article) -> None:
    short = from_text("\n".join(SEED.splitlines()[:4]))
    summary = summarize(short, instructions="20 bullets")
    assert 0 < len(summary.sentences) < 12
    assert summary.notice == (
        f"I can write at most 12 bullets offline; this article gave {len(summary.sentences)}."
    )


def test_more_bullets_than_the_article_has_says_how_many_it_had() -> None:
    three = from_text(
        "The Riverside Library will close for renovations on March 3. The work, funded by a "
        "£2 million grant, will add a children's wing and a café. It is expected to reopen in "
        "the autumn."
    )
    summary = summarize(three, instructions="6 bullets")
    assert len(summary.sentences) == 3
    assert summary.notice == (
        "You asked for 6 bullets, but the article only has 3 sentences worth listing."
    )
    assert summarize(three, instructions="3 bullets").notice is None
    one = summarize(three, instructions="2 sentences")
    assert one.notice is None and len(one.sentences) == 2


@pytest.mark.parametrize("wish", ["tl;dr", "tl/dr please", "TL DR", "tldr"])
def test_every_spelling_of_tldr_asks_for_a_short_summary(wish: str) -> None:
    # The same spellings the paste lead and follow-ups read (bot.ingest.links.TLDR).
    from bot.offline.instructions import SHORT_HINT

    assert SHORT_HINT.search(wish)
