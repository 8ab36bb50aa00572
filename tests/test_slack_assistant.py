"""The assistant view: suggested prompts that make sense when clicked, in code and manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.slack.listeners.assistant import SUGGESTED_PROMPTS
from bot.slack.routing import CAPABILITIES, CHANNEL_HELP, NOTHING_SHARED
from tests.servers.slack_app import USER, SlackAppHarness, text_of

pytestmark = pytest.mark.timeout(60)

MANIFEST = json.loads((Path(__file__).resolve().parent.parent / "manifest.json").read_text())
DM = "D0ASSIST"


def _start_thread(bot: SlackAppHarness, thread_ts: str) -> list[dict]:
    bot.event(
        {
            "type": "assistant_thread_started",
            "assistant_thread": {
                "user_id": USER,
                "context": {},
                "channel_id": DM,
                "thread_ts": thread_ts,
            },
            "event_ts": thread_ts,
        }
    )
    bot.idle()
    calls = bot.slack.calls("assistant.threads.setSuggestedPrompts")
    return calls[-1].params["prompts"]


def _click(bot: SlackAppHarness, prompt: dict, thread_ts: str, ts: str) -> None:
    """Slack posts the prompt's message as the user's own message in the thread."""
    bot.message(prompt["message"], ts=ts, thread_ts=thread_ts, channel=DM, channel_type="im")
    bot.idle()


def _posted_in(bot: SlackAppHarness, thread_ts: str) -> list[str]:
    return [
        c.params.get("text") or text_of(c)
        for c in bot.slack.calls("chat.postMessage")
        if c.params.get("thread_ts") == thread_ts
    ]


def test_manifest_and_code_suggest_the_same_prompts():
    assert MANIFEST["features"]["assistant_view"]["suggested_prompts"] == SUGGESTED_PROMPTS


def test_every_suggested_prompt_is_a_complete_message(bot):
    prompts = _start_thread(bot, "1800000000.000100")
    assert prompts == SUGGESTED_PROMPTS
    for prompt in prompts:
        assert not prompt["message"].rstrip().endswith(":")  # nothing left to fill in


def test_prompts_get_sensible_answers(bot, articles):
    thread = "1800000001.000100"
    prompts = {p["message"]: p for p in _start_thread(bot, thread)}
    _click(bot, prompts["What can you do?"], thread, "1800000001.000200")
    _click(bot, prompts["How do I use you in channels?"], thread, "1800000001.000300")
    _click(bot, prompts["Summarize the last article I shared"], thread, "1800000001.000400")
    _greeting, capabilities, channels, nothing = _posted_in(bot, thread)
    assert capabilities == CAPABILITIES
    assert channels == CHANNEL_HELP
    assert nothing == NOTHING_SHARED  # nothing shared yet: says so, asks for a link


def test_summarize_the_last_article_summarizes_it_again_in_a_new_thread(bot, articles):
    first = "1800000002.000100"
    _start_thread(bot, first)
    bot.message(
        f"<{articles.url('/story')}>",
        ts="1800000002.000200",
        thread_ts=first,
        channel=DM,
        channel_type="im",
    )
    bot.slack.wait_for("chat.stopStream", timeout=20)
    bot.idle()

    second = "1800000003.000100"
    prompts = {p["message"]: p for p in _start_thread(bot, second)}
    _click(bot, prompts["Summarize the last article I shared"], second, "1800000003.000200")
    starts = bot.slack.calls("chat.startStream")
    assert [s.params["thread_ts"] for s in starts] == [first, second]
    stop = bot.slack.calls("chat.stopStream")[-1]
    assert "bridge" in bot.slack.streamed_text(stop.params["ts"]).lower()


def test_an_assistant_thread_is_titled_by_its_first_article(bot, articles):
    """The History tab lists assistant threads by title: the first article's names the
    thread; a question, or a second article, leaves it as it is."""
    thread = "1800000004.000100"
    _start_thread(bot, thread)
    say = dict(thread_ts=thread, channel=DM, channel_type="im")
    bot.message(f"<{articles.url('/story')}>", ts="1800000004.000200", **say)
    bot.idle()
    bot.message("How much did the repairs cost?", ts="1800000004.000300", **say)
    bot.idle()
    bot.message(f"<{articles.url('/article')}>", ts="1800000004.000400", **say)
    bot.idle()
    (titled,) = bot.slack.calls("assistant.threads.setTitle")
    assert titled.params["thread_ts"] == thread and titled.params["channel_id"] == DM
    assert titled.params["title"] == "Millford bridge reopens after 18 months"
