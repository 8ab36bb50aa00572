"""Follow-ups in a Slack thread use the same rules as `articlebot chat` (bot.llm.followups):
pronouns resolved from the thread's turns, "@bot thanks" answered without a search or the
model, "summarize it" summarized.

Protocol level: signed events over real HTTP into the app, the fake Slack Web API recording
what is posted where, the local article server, the offline engine or the fake OpenAI server.
"""

from __future__ import annotations

import pytest

from tests.servers.fake_openai import Reply
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import model_harness

pytestmark = pytest.mark.timeout(60)


def _in_thread(slack: FakeSlack, method: str, thread_ts: str) -> list:
    return [c for c in slack.calls(method) if c.params.get("thread_ts") == thread_ts]


def test_a_pronoun_in_a_thread_means_what_the_last_question_was_about(bot, articles):
    thread = "1800000020.000100"
    bot.mention(f"<{articles.url('/story')}>", ts=thread)
    bot.slack.wait_for("chat.stopStream", timeout=20)
    bot.idle()
    bot.message("What happened to the shop owners?", ts="1800000020.000200", thread_ts=thread)
    bot.slack.wait_for("chat.stopStream", count=2, timeout=20)
    bot.idle()

    # "they" are the shop owners: alone, the question finds the cyclists' lane instead.
    bot.message("How much will they get?", ts="1800000020.000300", thread_ts=thread)
    stops = bot.slack.wait_for("chat.stopStream", count=3, timeout=20)
    answer = bot.slack.streamed_text(stops[2].params["ts"])
    assert "500,000 euros" in answer and "Cyclists" not in answer


def test_thanks_and_summarize_it_in_a_thread(slack, model, articles, tmp_path):
    with model_harness(slack, model, tmp_path, llm_timeout=30) as bot:
        model.default = Reply("- The bridge reopened.")
        thread = "1800000021.000100"
        bot.mention(f"<{articles.url('/story')}>", ts=thread)
        slack.wait_for("chat.stopStream", timeout=30)
        bot.idle()
        asked = len(model.requests)

        bot.mention("thanks!", ts="1800000021.000200", thread_ts=thread)
        bot.idle()
        (note,) = _in_thread(slack, "chat.postMessage", thread)
        assert note.params["text"].startswith("You're welcome!")
        assert len(model.requests) == asked  # no tokens spent on "thanks"

        model.default = Reply("- Millford's bridge reopened after 18 months.")
        bot.message("summarize it in 3 bullets", ts="1800000021.000300", thread_ts=thread)
        stops = slack.wait_for("chat.stopStream", count=2, timeout=30)
        bot.idle()
    assert "Millford's bridge reopened" in slack.streamed_text(stops[1].params["ts"])
    # The article was read already: its status says so ("Reading the article…" before).
    statuses = [c.params["status"] for c in slack.calls("assistant.threads.setStatus")]
    assert statuses.count("Reading the article…") == 1
    assert "Looking through the article…" in statuses
    # The summary prompt with the wishes, not a question "summarize it in 3 bullets".
    assert "<question>" not in model.user_prompt() and "in 3 bullets" in model.user_prompt()
