"""Slash commands refused at ack time: nothing posted, nothing fetched."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.timeout(60)


def test_unknown_style_is_refused_in_the_ack_listing_the_styles(bot, articles):
    status, body = bot.command("/summarize", f"--style nosuch {articles.url('/story')}")
    assert status == 200
    assert "nosuch" in body
    for style in bot.services.pipeline.templates.styles():
        assert f"`{style}`" in body
    bot.idle()
    assert [c.method for c in bot.slack.calls() if c.method != "auth.test"] == []
    assert articles.requests == []  # not even fetched


def test_known_style_spelled_differently_is_accepted(bot, articles):
    status, body = bot.command("/summarize", f"--style TLDR {articles.url('/story')}")
    assert status == 200 and body == ""
    bot.wait_for_update()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com/a --private", ("https://example.com/a", True, None)),
        ("-p https://example.com/a", ("https://example.com/a", True, None)),
        ("https://example.com/a --style tldr", ("https://example.com/a", False, "tldr")),
        ("--style=detailed -p x", ("x", True, "detailed")),
        (
            "an e-post re-pair and a --stylesheet",
            ("an e-post re-pair and a --stylesheet", False, None),
        ),
        ("  plain text, nothing to take out ", ("plain text, nothing to take out", False, None)),
    ],
)
def test_split_options(text: str, expected: tuple[str, bool, str | None]):
    from bot.slack.listeners.commands import split_options

    assert split_options(text) == expected
