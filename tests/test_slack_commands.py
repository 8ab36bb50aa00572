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
