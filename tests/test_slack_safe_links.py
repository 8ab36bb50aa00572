"""Spoofed links from the model or the article never reach Slack live: through the real app,
the real slack_sdk client and the fake Slack Web API, for a streamed answer (split across
many appendStream calls), chat.update, ephemeral replies, a DM, the assistant view, a
response_url, and the auto-mode offer."""

from __future__ import annotations

import json
import re

import pytest

from bot.ingest.links import slack_unescape
from bot.slack.safe_links import sanitize
from bot.slack.sinks import stream
from tests.servers.fake_openai import Reply
from tests.servers.fake_slack import Call, FakeSlack
from tests.servers.slack_app import USER, SlackAppHarness, harness_settings, model_harness
from tests.test_safe_links import deceptive_links

pytestmark = pytest.mark.timeout(90)

EVIL = "evil.example"
SPOOF = (
    "**Summary**\n"
    "- Log in at [bank.com](https://evil.example/login) to read the report.\n"
    "- Or try <https://evil.example/x|bank.com>, and see ![chart](https://evil.example/p.gif).\n"
    "- Code stays: `[a](https://evil.example)`."
)


def _sent(slack: FakeSlack) -> list[tuple[Call, str]]:
    """Every message payload the bot sent, with all its text (text, markdown, blocks)."""
    sent = []
    for call in slack.calls():
        if call.method.startswith("chat.") or call.method == "response_url":
            params = call.params
            shown = [params.get("text") or "", params.get("markdown_text") or ""]
            shown.append(json.dumps(params.get("blocks") or [], ensure_ascii=False))
            sent.append((call, "\n".join(shown)))
    return sent


def _assert_nothing_deceptive(slack: FakeSlack) -> str:
    """No payload shows a deceptive link or an image; returns all text sent."""
    everything = []
    for call, shown in _sent(slack):
        assert deceptive_links(shown.replace('\\"', '"')) == [], (call.method, shown)
        everything.append(shown)
    return "\n".join(everything)


@pytest.fixture
def small_stream_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every piece of model text goes out in its own appendStream (the bot normally
    gathers 200 characters): links are split across many calls."""
    monkeypatch.setattr(stream, "STREAM_BUFFER", 1)
    monkeypatch.setattr(stream, "FLUSH_INTERVAL", 0.0)


@pytest.mark.parametrize("chunk_chars", [1, 3, 7])
def test_a_streamed_answer_shows_real_domains_however_it_is_split(
    slack, model, articles, tmp_path, small_stream_pieces, chunk_chars
):
    model.default = Reply(SPOOF, chunk_chars=chunk_chars)
    with model_harness(slack, model, tmp_path) as bot:
        bot.mention(f"<{articles.url('/story')}>", ts="1800000100.000100")
        (stop,) = slack.wait_for("chat.stopStream", timeout=30)
        bot.idle()
    appends = slack.calls("chat.appendStream")
    assert len(appends) > 5  # the answer really went out in pieces
    streamed = slack.streamed_text(stop.params["ts"])
    # Each piece as shown so far, and the whole: never a deceptive link, never an image.
    so_far = slack.calls("chat.startStream")[0].params.get("markdown_text") or ""
    for append in appends:
        so_far += append.params.get("markdown_text") or ""
        assert deceptive_links(so_far) == [], so_far
    assert streamed == sanitize(SPOOF)  # held-back pieces arrive, in order, by the stop
    assert "Log in at bank.com ([evil.example](https://evil.example/login))" in streamed
    assert "`[a](https://evil.example)`" in streamed  # code as written
    assert slack.calls("chat.update") == []  # nothing needed replacing afterwards
    _assert_nothing_deceptive(slack)


def test_chat_update_previews_and_final_reply_show_real_domains(slack, model, articles, tmp_path):
    model.default = Reply(SPOOF, chunk_chars=4)
    with model_harness(slack, model, tmp_path, slack_stream=False) as bot:
        bot.mention(f"<{articles.url('/story')}>", ts="1800000101.000100")
        (final,) = bot.wait_for_update()
        bot.idle()
    assert slack.calls("chat.startStream") == []
    shown = json.dumps(final.params["blocks"], ensure_ascii=False)
    assert "bank.com ([evil.example](https://evil.example/login))" in shown
    assert "![chart]" not in shown and "chart ([evil.example]" in shown
    assert EVIL in _assert_nothing_deceptive(slack)


def test_an_ephemeral_reply_shows_real_domains(slack, model, articles, tmp_path):
    model.default = Reply(SPOOF)
    with model_harness(slack, model, tmp_path) as bot:
        slack.fail_next("assistant.threads.setStatus", "not_in_channel")  # goes private
        bot.mention(f"<{articles.url('/story')}>", ts="1800000102.000100")
        (private,) = slack.wait_for("chat.postEphemeral", timeout=30)
        bot.idle()
    assert private.params["user"] == USER
    assert "bank.com ([evil.example]" in json.dumps(private.params["blocks"])
    _assert_nothing_deceptive(slack)


def test_a_private_summary_through_the_response_url_shows_real_domains(
    slack, model, articles, tmp_path
):
    model.default = Reply(SPOOF)
    with model_harness(slack, model, tmp_path) as bot:
        bot.command("/summarize", f"--private {articles.url('/story')}")
        (private,) = slack.wait_for("response_url", timeout=30)
        bot.idle()
    assert private.params["response_type"] == "ephemeral"
    assert "bank.com ([evil.example]" in json.dumps(private.params["blocks"])
    _assert_nothing_deceptive(slack)


def test_a_dm_reply_shows_real_domains(slack, model, articles, tmp_path):
    model.default = Reply(SPOOF, chunk_chars=5)
    with model_harness(slack, model, tmp_path) as bot:
        bot.message(
            articles.url("/story"), ts="1800000103.000100", channel="D0DM", channel_type="im"
        )
        (final,) = bot.wait_for_update()
        bot.idle()
    assert final.params["channel"] == "D0DM"
    assert "bank.com (<https://evil.example/x|evil.example>)" in final.params["text"] or (
        "bank.com ([evil.example](https://evil.example/x))" in json.dumps(final.params["blocks"])
    )
    _assert_nothing_deceptive(slack)


def test_the_assistant_view_shows_real_domains(slack, model, articles, tmp_path):
    model.default = Reply(SPOOF, chunk_chars=3)
    with model_harness(slack, model, tmp_path) as bot:
        bot.message(
            f"Summarize <{articles.url('/story')}>",
            ts="1800000104.000300",
            thread_ts="1800000104.000100",
            channel="D0ASSIST",
            channel_type="im",
        )
        (stop,) = slack.wait_for("chat.stopStream", timeout=30)
        bot.idle()
    assert slack.streamed_text(stop.params["ts"]) == sanitize(SPOOF)
    _assert_nothing_deceptive(slack)


def test_an_article_quoted_by_the_offline_engine_shows_real_domains(bot):
    # No model: the extractive summary copies the article's own sentences, links and all.
    sentence = (
        "The council said residents must confirm their details at "
        "[the city portal](https://evil.example/confirm) before Friday."
    )
    article = "\n\n".join([sentence] * 3 + ["The bridge reopened on Monday after repairs."] * 3)
    bot.message(article, ts="1800000105.000100", channel="D0DM", channel_type="im")
    (final,) = bot.wait_for_update()
    bot.idle()
    shown = _assert_nothing_deceptive(bot.slack)
    assert "the city portal ([evil.example](https://evil.example/confirm))" in shown
    assert final.params["channel"] == "D0DM"


# --- the auto-mode offer --------------------------------------------------------------------

_LIVE_MENTION = re.compile(r"<[!@#]")


@pytest.mark.parametrize(
    ("posted", "url"),
    [
        ("https://x.example/a&lt;!channel&gt;b", "https://x.example/a%3C!channel%3Eb"),
        ("https://x.example/a|bank.com", "https://x.example/a%7Cbank.com"),
        ("https://x.example/a&amp;b=1", "https://x.example/a&amp;b=1"),
    ],
)
def test_the_auto_offer_escapes_the_link_it_shows(slack, tmp_path, posted, url):
    settings = harness_settings(slack, tmp_path, slack_auto_channels=["C0AUTO"])
    with SlackAppHarness(slack, settings) as bot:
        event = {"type": "message", "channel": "C0AUTO", "channel_type": "channel"}
        bot.event({**event, "user": USER, "text": posted, "ts": "1800000106.000100"})
        (offer,) = slack.wait_for("chat.postEphemeral", timeout=10)
        bot.idle()
    question = offer.params["blocks"][0]["text"]["text"]
    assert question == f"Want a summary of <{url}>?"  # one link: the URL itself, whole
    assert not _LIVE_MENTION.search(question) and not _LIVE_MENTION.search(offer.params["text"])
    button = offer.params["blocks"][0]["accessory"]
    assert button["value"] == f"1800000106.000100 {slack_unescape(posted)}"  # as it was
