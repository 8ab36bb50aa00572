"""How a reply reaches Slack: the status line before streamed text, private replies where the
bot isn't a member, and model text that never pings anyone. Protocol level, like
test_slack_app.py."""

from __future__ import annotations

import json
import re

import pytest

from tests.servers.fake_openai import Reply
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import (
    CHANNEL,
    TEAM,
    USER,
    SlackAppHarness,
    model_harness,
    text_of,
)

pytestmark = pytest.mark.timeout(60)


def _methods(slack: FakeSlack) -> list[str]:
    return [c.method for c in slack.calls() if c.method != "auth.test"]


# --- 3: something shows before the first streamed words -------------------------------------


def test_streamed_reply_in_a_channel_thread_shows_a_status_first(slack, model, articles, tmp_path):
    model.default = Reply("- The bridge reopened.", first_token_delay=1)
    with model_harness(slack, model, tmp_path) as bot:
        bot.mention(f"<{articles.url('/story')}>", ts="1800000000.000100")
        slack.wait_for("chat.stopStream", timeout=30)
        bot.idle()
    methods = _methods(slack)
    assert methods[0] == "assistant.threads.setStatus"  # at once, before the fetch and model
    statuses = slack.calls("assistant.threads.setStatus")
    assert all(s.params["channel_id"] == CHANNEL for s in statuses)
    assert all(s.params["thread_ts"] == "1800000000.000100" for s in statuses)
    assert [s.params["status"] for s in statuses] == ["Reading the article…", "Writing…", ""]
    # The stream opens with the reply's steps (fetching first), not with a placeholder.
    (start,) = slack.calls("chat.startStream")
    assert "markdown_text" not in start.params
    assert [c["type"] for c in start.params["chunks"]] == ["plan_update", "task_update"]
    assert start.params["chunks"][1]["id"] == "fetch"
    assert "chat.postMessage" not in methods  # no placeholder message left behind


# --- a reply longer than one message ----------------------------------------------------------

INTRO = "# Detailed summary\n\n**Key points** of the [council](https://city.example/vote).\n\n"
LONG_REPLY = INTRO + (
    "\n".join(
        f"- Point {i}: the council discussed item {i} at length, with the costs of the bridge, "
        "the grant, the kingfisher colony and the schedule."
        for i in range(80)
    )
)


def _context(call) -> list[str]:
    return [
        element.get("text", "")
        for block in call.params.get("blocks") or []
        if block["type"] == "context"
        for element in block["elements"]
    ]


def test_a_long_summary_in_the_channel_says_it_continues_in_the_thread(
    slack, model, articles, tmp_path
):
    model.default = Reply(LONG_REPLY, chunk_chars=400)
    with model_harness(slack, model, tmp_path) as bot:
        bot.command("/summarize", articles.url("/story"))
        (final,) = bot.wait_for_update()
        bot.idle()
    assert _context(final)[-1].startswith(":thread: Continued in the thread (1/")
    # Its notification reads as text: no markdown marks, the link as label and domain.
    assert final.params["text"].startswith("Detailed summary: Key points of the council (")
    assert "**" not in final.params["text"] and "](" not in final.params["text"]
    rest = [c for c in slack.calls("chat.postMessage") if c.params.get("thread_ts")]
    assert rest and all(c.params["thread_ts"] == final.params["ts"] for c in rest)
    count = len(rest) + 1
    assert _context(rest[-1])[0] == f"End of the reply ({count}/{count})"
    assert any(":newspaper:" in t for t in _context(rest[-1]))
    assert rest[-1].params["blocks"][-1]["type"] == "context_actions"  # 👍/👎
    shown = [
        b["text"] for c in [final, *rest] for b in c.params["blocks"] if b["type"] == "markdown"
    ]
    assert "Point 79:" in shown[-1] and sum(s.count("- Point ") for s in shown) == 80


def test_a_long_streamed_reply_is_not_cut_back_after_it_streamed(slack, model, articles, tmp_path):
    model.default = Reply(LONG_REPLY, chunk_chars=400)
    with model_harness(slack, model, tmp_path) as bot:
        bot.mention(f"<{articles.url('/story')}>", ts="1800000004.000100")
        (stop,) = slack.wait_for("chat.stopStream", timeout=30)
        bot.idle()
    assert not [c for c in slack.calls("chat.update") if c.params["ts"] == stop.params["ts"]]
    assert _context(stop)[0].startswith(":arrow_down: Continued below (1/")
    streamed = slack.streamed_text(stop.params["ts"])
    assert streamed.rstrip().endswith("schedule.")  # a whole line, not "Point 16: the"
    rest = [c for c in slack.calls("chat.postMessage") if c.params.get("thread_ts")]
    assert rest[0].params["blocks"][0]["text"].startswith("- Point ")
    assert rest[-1].params["blocks"][-1]["type"] == "context_actions"


# --- 4: where the bot isn't a member ---------------------------------------------------------


def _shortcut(bot: SlackAppHarness, link: str, channel: str = "C0OTHER") -> str:
    response_url = bot.slack.response_url()
    bot.interactive(
        {
            "type": "message_action",
            "callback_id": "summarize_message",
            "trigger_id": "trig",
            "team": {"id": TEAM},
            "user": {"id": USER},
            "channel": {"id": channel},
            "response_url": response_url,
            "message": {"type": "message", "text": f"<{link}>", "ts": "1800000003.000100"},
        }
    )
    return response_url


def _private_replies(slack: FakeSlack) -> list:
    return [c for c in slack.calls("response_url") if c.params.get("response_type") == "ephemeral"]


def test_shortcut_where_the_bot_is_not_a_member_replies_privately_and_says_why(bot, articles):
    bot.slack.fail_next("chat.startStream", "not_in_channel")
    bot.slack.fail_next("chat.postMessage", "not_in_channel", times=3)
    _shortcut(bot, articles.url("/story"))
    bot.idle()
    (private,) = _private_replies(bot.slack)
    shown = text_of(private)
    assert "bridge" in shown.lower()  # the summary itself...
    assert "not in this channel" in shown  # ...and why it is private
    assert "went wrong" not in shown.lower()


def test_status_refused_as_not_in_channel_goes_private_before_streaming(bot, articles):
    bot.slack.fail_next("assistant.threads.setStatus", "not_in_channel")
    _shortcut(bot, articles.url("/story"))
    bot.idle()
    assert bot.slack.calls("chat.startStream") == []
    (private,) = _private_replies(bot.slack)
    assert "not in this channel" in text_of(private)


def test_summarize_where_the_bot_is_not_a_member_says_why(bot, articles):
    bot.slack.fail_next("chat.postMessage", "channel_not_found")
    bot.command("/summarize", articles.url("/story"), channel="C0PRIV")
    bot.idle()
    (private,) = _private_replies(bot.slack)
    assert "not in this channel" in text_of(private) and "bridge" in text_of(private).lower()
    assert bot.slack.messages("C0PRIV") == []


def test_removed_from_the_channel_mid_answer_the_summary_goes_to_the_asker(bot, articles):
    """The placeholder was posted, then the bot was removed: every edit of it is refused.
    The finished summary goes to the asker (through the command's response_url), saying
    why, rather than nowhere, with a traceback in the log."""
    bot.slack.fail_next("chat.update", "not_in_channel", times=10)
    bot.command("/summarize", articles.url("/story"))
    bot.idle()
    (private,) = _private_replies(bot.slack)
    shown = text_of(private)
    assert "bridge" in shown.lower() and "not in this channel" in shown
    assert "went wrong" not in shown.lower()


def test_a_failure_in_a_dm_stays_in_the_dm(bot, articles):
    """A DM is private already: the error replaces the placeholder there, where it is still
    seen after a reload (an ephemeral note is gone then, leaving the link unanswered)."""
    dm = {"channel": "D0DM", "channel_type": "im"}
    bot.message(f"<{articles.url('/nope')}>", ts="1700000700.000100", **dm)
    bot.idle()
    assert bot.slack.calls("chat.postEphemeral") == [] and bot.slack.calls("chat.delete") == []
    (shown,) = bot.slack.messages("D0DM")
    assert "doesn't exist" in shown["text"] and "Check the link" in shown["text"]


# --- 11: model text never pings anyone -------------------------------------------------------

PINGS = "Summary: <!channel> look <!here> and <!everyone>. <@U0CEO> said <!subteam^S0TEAM> hi."
_LIVE_MENTION = re.compile(r"<[!@]")


def _sent_markdown(slack: FakeSlack) -> list[str]:
    sent = []
    for call in slack.calls():
        if call.method.startswith("chat.") or call.method == "response_url":
            sent.append(call.params.get("markdown_text") or "")
            sent.append(call.params.get("text") or "")
            sent.append(json.dumps(call.params.get("blocks") or []))
    return sent


@pytest.mark.parametrize("stream", [True, False])
def test_mentions_in_model_text_are_neutralized_everywhere(
    slack, model, articles, tmp_path, stream
):
    # 3-character chunks: "<" and "!channel>" arrive in different pieces.
    model.default = Reply(PINGS, chunk_chars=3)
    with model_harness(slack, model, tmp_path, slack_stream=stream) as bot:
        bot.mention(f"<{articles.url('/story')}>", ts="1800000004.000100")
        bot.slack.wait_for("chat.stopStream" if stream else "chat.postMessage", timeout=30)
        bot.idle()
    for sent in _sent_markdown(slack):
        assert not _LIVE_MENTION.search(sent), sent
    if stream:
        (stop,) = slack.calls("chat.stopStream")
        text = slack.streamed_text(stop.params["ts"])
        assert text.replace("\u200b", "") == PINGS  # same words, only made inert
    else:
        assert any(c.params.get("markdown_text") for c in slack.calls("chat.update"))


def test_removed_mid_answer_to_a_mention_the_summary_reaches_the_asker_by_dm(bot, articles):
    """A mention has no response_url, and Slack refuses an ephemeral message in a channel
    the bot has left: the summary goes to the asker in a DM, saying why (it went nowhere)."""
    for method in ("chat.update", "chat.appendStream", "chat.stopStream", "chat.postEphemeral"):
        bot.slack.fail_next(method, "not_in_channel", times=10)
    bot.mention(f"<{articles.url('/story')}>", ts="1700000710.000100")
    bot.idle()
    opened = bot.slack.calls("conversations.open")
    assert opened and opened[0].params["users"] == USER
    (dm,) = [c for c in bot.slack.calls("chat.postMessage") if c.params["channel"].startswith("D")]
    shown = text_of(dm)
    assert "bridge" in shown.lower() and "can't post in" in shown
