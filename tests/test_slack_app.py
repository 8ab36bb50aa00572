"""The Slack app end to end: signed requests over real HTTP into the app, a fake Slack Web API
recording what the bot posts, local article pages, and the offline engine or a fake model."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.articles import ArticleServer
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import CHANNEL, USER, SlackAppHarness, harness_settings

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def articles() -> Iterator[ArticleServer]:
    with ArticleServer() as server:
        yield server


@pytest.fixture
def bot(slack: FakeSlack, tmp_path: Path) -> Iterator[SlackAppHarness]:
    with SlackAppHarness(slack, harness_settings(slack, tmp_path)) as harness:
        yield harness


def _text_of(call) -> str:
    """Everything visible in a posted/updated message: text, markdown blocks, context."""
    params = call.params
    parts = [params.get("text") or "", params.get("markdown_text") or ""]
    for block in params.get("blocks") or []:
        if block.get("type") == "markdown":
            parts.append(block.get("text", ""))
        for element in block.get("elements", []) if block.get("type") == "context" else []:
            parts.append(element.get("text", ""))
    return "\n".join(parts)


# --- signatures -----------------------------------------------------------------------------


def test_bad_signature_is_401_and_nothing_is_posted(bot: SlackAppHarness, articles):
    status, _ = bot.command("/summarize", articles.url("/story"), secret="wrong-secret")
    assert status == 401
    stale = int(time.time()) - 600
    status, _ = bot.command("/summarize", articles.url("/story"), timestamp=stale)
    assert status == 401
    time.sleep(0.3)  # give a wrongly accepted request time to post something
    assert bot.slack.calls("chat.postMessage") == []


def test_healthz(bot: SlackAppHarness):
    import urllib.request

    with urllib.request.urlopen(bot.url + "/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read())["ok"] is True


# --- /summarize -----------------------------------------------------------------------------


def test_summarize_command_posts_summary_in_channel_saying_who_asked(bot, articles):
    started = time.monotonic()
    status, _body = bot.command("/summarize", articles.url("/story"))
    assert status == 200
    assert time.monotonic() - started < 3
    (update,) = bot.wait_for_update()
    final = bot.slack.message(CHANNEL, update.params["ts"])
    assert final is not None
    shown = _text_of(update)
    assert f"<@{USER}>" in shown  # who asked
    assert "Offline" in shown  # the offline engine answered and says so
    placeholder = bot.slack.calls("chat.postMessage")[0]
    assert placeholder.params["channel"] == CHANNEL
    assert placeholder.params.get("thread_ts") in (None, "")  # top level in the channel


def test_summarize_without_text_shows_usage(bot):
    status, body = bot.command("/summarize", "")
    assert status == 200
    assert "/summarize" in body and "How to use" in body
    time.sleep(0.2)
    assert bot.slack.calls("chat.postMessage") == []


def test_summarize_bad_link_is_a_clear_ephemeral_error(bot, articles):
    bot.command("/summarize", articles.url("/paywall"))
    (call,) = bot.wait_for_update()
    assert "paywall" in _text_of(call).lower() or "log" in _text_of(call).lower()


# --- mentions, threads, DMs -----------------------------------------------------------------


def _mention(bot, text: str, ts: str = "1700000000.000100", **extra):
    event = {
        "type": "app_mention",
        "user": USER,
        "text": f"<@{bot.slack.bot_user_id}> {text}",
        "ts": ts,
        "channel": CHANNEL,
        "event_ts": ts,
        **extra,
    }
    return bot.event(event)


def test_mention_with_link_streams_a_summary_into_the_thread(bot, articles):
    status, _ = _mention(bot, f"<{articles.url('/story')}>")
    assert status == 200
    (start,) = bot.slack.wait_for("chat.startStream", timeout=20)
    assert start.params["thread_ts"] == "1700000000.000100"
    assert start.params["channel"] == CHANNEL
    assert start.params["recipient_user_id"] == USER
    stop = bot.slack.wait_for("chat.stopStream", timeout=20)[0]
    text = bot.slack.streamed_text(stop.params["ts"])
    assert len(text) > 50


def test_follow_up_in_engaged_thread_needs_no_mention(bot, articles):
    _mention(bot, f"<{articles.url('/story')}>")
    bot.slack.wait_for("chat.stopStream", timeout=20)
    bot.event(
        {
            "type": "message",
            "channel_type": "channel",
            "user": USER,
            "text": "what happened to the bridge?",
            "ts": "1700000000.000200",
            "thread_ts": "1700000000.000100",
            "channel": CHANNEL,
        }
    )
    streams = bot.slack.wait_for("chat.startStream", count=2, timeout=20)
    assert streams[1].params["thread_ts"] == "1700000000.000100"


def test_same_event_delivered_four_times_gets_one_reply(bot, articles):
    body = bot.event_body(
        {
            "type": "app_mention",
            "user": USER,
            "text": f"<@{bot.slack.bot_user_id}> {articles.url('/story')}",
            "ts": "1700000001.000100",
            "channel": CHANNEL,
        },
        event_id="Ev0DUPLICATE",
    )
    for retry in range(4):
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        status, _ = bot.post(body, "application/json", headers=headers if retry else None)
        assert status == 200
    bot.slack.wait_for("chat.stopStream", timeout=20)
    time.sleep(1.0)  # time for any duplicate reply to show up
    assert len(bot.slack.calls("chat.startStream")) == 1


def test_bot_messages_and_edits_are_ignored(bot, articles):
    link = articles.url("/story")
    base = {"type": "message", "channel": "D0DM", "channel_type": "im", "ts": "1700000002.1"}
    bot.event({**base, "bot_id": bot.slack.bot_id, "text": link, "user": bot.slack.bot_user_id})
    bot.event({**base, "subtype": "message_changed", "message": {"text": link}})
    bot.event({**base, "subtype": "message_deleted"})
    time.sleep(1.0)
    assert bot.slack.calls("chat.postMessage") == []
    assert bot.slack.calls("chat.startStream") == []


def test_dm_link_then_question(bot, articles):
    dm = {"type": "message", "channel": "D0DM", "channel_type": "im", "user": USER}
    bot.event({**dm, "text": articles.url("/story"), "ts": "1700000003.1"})
    (summary,) = bot.wait_for_update()
    assert summary.params["channel"] == "D0DM"
    assert "bridge" in _text_of(summary).lower()
    bot.event({**dm, "text": "Who cut the ribbon at the east end?", "ts": "1700000003.2"})
    answer = bot.wait_for_update(count=2)[1]
    assert answer.params["channel"] == "D0DM"
    assert "Ana Ruiz" in _text_of(answer)  # answered from the DM's article
