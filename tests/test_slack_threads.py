"""Threads and DMs: which messages the bot answers, and from which article.

Protocol level: signed events over real HTTP into the app, the fake Slack Web API recording
what is posted where, local article pages, the offline engine or the fake OpenAI server.
"""

from __future__ import annotations

import pytest

from tests.servers.fake_openai import Reply
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import CHANNEL, USER, model_harness, text_of

pytestmark = pytest.mark.timeout(60)


def _in_thread(slack: FakeSlack, method: str, thread_ts: str) -> list:
    return [c for c in slack.calls(method) if c.params.get("thread_ts") == thread_ts]


# --- 1: the thread of the bot's own top-level reply ----------------------------------------


def test_reply_in_the_thread_of_a_summarize_reply_is_a_follow_up(bot, articles):
    bot.command("/summarize", articles.url("/story"))
    (summary,) = bot.wait_for_update()
    reply_ts = summary.params["ts"]
    bot.idle()

    bot.message("Who cut the ribbon at the east end?", ts="1800000000.000001", thread_ts=reply_ts)
    (stop,) = bot.slack.wait_for("chat.stopStream", timeout=20)
    (start,) = _in_thread(bot.slack, "chat.startStream", reply_ts)
    assert start.params["channel"] == CHANNEL
    assert "Ana Ruiz" in bot.slack.streamed_text(stop.params["ts"])

    # With a mention too: answered from memory, not from the thread's first message.
    bot.mention("how much did the repairs cost?", ts="1800000000.000002", thread_ts=reply_ts)
    stops = bot.slack.wait_for("chat.stopStream", count=2, timeout=20)
    assert "14 million" in bot.slack.streamed_text(stops[1].params["ts"])
    assert bot.slack.calls("conversations.replies") == []


def test_reply_in_the_thread_of_an_ask_reply_is_a_follow_up(bot, articles):
    bot.command("/ask", f"{articles.url('/story')} when will the city decide about lorries?")
    (answer,) = bot.wait_for_update()
    bot.idle()
    bot.message("and who cut the ribbon?", ts="1800000000.000003", thread_ts=answer.params["ts"])
    (stop,) = bot.slack.wait_for("chat.stopStream", timeout=20)
    assert "Ana Ruiz" in bot.slack.streamed_text(stop.params["ts"])


# --- 2: a follow-up while the reply is still being written ----------------------------------


@pytest.mark.timeout(90)
def test_follow_up_during_a_slow_summary_is_about_that_threads_article(
    slack, model, articles, tmp_path
):
    with model_harness(slack, model, tmp_path, llm_timeout=30) as bot:
        model.default = Reply("- The bridge reopened.")
        bot.mention(f"<{articles.url('/story')}>", ts="1800000000.000100")  # thread A
        slack.wait_for("chat.stopStream", timeout=30)
        bot.idle()

        answer = {"answer": "Volunteers cleaned the river.", "quotes": [], "found": True}
        model.script(Reply("- Summary of B.", first_token_delay=3), Reply("x", structured=answer))
        bot.mention(f"<{articles.url('/article')}>", ts="1800000000.000200")  # thread B, slow
        bot.message("who cleaned the river?", ts="1800000000.000300", thread_ts="1800000000.000200")
        bot.idle(timeout=60)

    question_prompt = next(
        model.user_prompt(i)
        for i in range(len(model.requests))
        if "who cleaned the river" in model.user_prompt(i)
    )
    assert "River cleanup" in question_prompt or "cleanup" in question_prompt.lower()
    assert "Millford" not in question_prompt  # never thread A's article
    answers = _in_thread(slack, "chat.startStream", "1800000000.000200")
    assert len(answers) == 2  # B's summary, then the answer, both in thread B


# --- 6: people talking to each other in an engaged thread -----------------------------------


def test_chatter_between_people_in_an_engaged_thread_gets_no_reply(bot, articles):
    thread = "1800000001.000100"
    bot.mention(f"<{articles.url('/story')}>", ts=thread)
    bot.slack.wait_for("chat.stopStream", timeout=20)
    bot.idle()

    chatter = [
        ("U0CAROL", "thanks!"),
        ("U0CAROL", "<@U0BOB> can you take a look at this later"),
        ("U0CAROL", "lol"),
        ("U0CAROL", ":+1:"),
        ("U0CAROL", "I think it was overpriced"),  # several people: a statement, not for us
        (USER, "ok cool"),
    ]
    for i, (user, text) in enumerate(chatter):
        bot.message(text, ts=f"1800000001.00020{i}", thread_ts=thread, user=user)
    bot.idle()
    assert len(bot.slack.calls("chat.startStream")) == 1  # only the summary
    assert _in_thread(bot.slack, "chat.postMessage", thread) == []

    bot.message("Who cut the ribbon?", ts="1800000001.000300", thread_ts=thread, user="U0CAROL")
    stops = bot.slack.wait_for("chat.stopStream", count=2, timeout=20)
    assert "Ana Ruiz" in bot.slack.streamed_text(stops[1].params["ts"])


def test_one_person_thread_still_answers_requests_that_are_not_questions(bot, articles):
    thread = "1800000002.000100"
    bot.mention(f"<{articles.url('/story')}>", ts=thread)
    bot.slack.wait_for("chat.stopStream", timeout=20)
    bot.message("thanks!", ts="1800000002.000200", thread_ts=thread)
    bot.idle()
    assert len(bot.slack.calls("chat.startStream")) == 1
    bot.message("the cost of the repairs", ts="1800000002.000300", thread_ts=thread)
    stops = bot.slack.wait_for("chat.stopStream", count=2, timeout=20)
    assert "14 million" in bot.slack.streamed_text(stops[1].params["ts"])


# --- 7 and 10: DMs --------------------------------------------------------------------------


def test_dm_that_mentions_the_bot_is_answered(bot, articles):
    bot.message(
        f"<@{bot.slack.bot_user_id}> <{articles.url('/story')}>",
        ts="1800000003.000100",
        channel="D0DM",
        channel_type="im",
    )
    (summary,) = bot.wait_for_update()
    assert summary.params["channel"] == "D0DM"
    assert "bridge" in text_of(summary).lower()


def test_dm_question_is_about_the_last_article_there(bot, articles):
    for i, path in enumerate(["/story", "/article"], start=1):
        bot.message(
            f"<{articles.url(path)}>", ts=f"180000000{i}.1", channel="D0DM", channel_type="im"
        )
        bot.wait_for_update(count=i)
    bot.idle()
    bot.message("Who organised it?", ts="1800000009.1", channel="D0DM", channel_type="im")
    answer = bot.wait_for_update(count=3)[2]
    footer = text_of(answer)
    assert "River cleanup" in footer  # the last article...
    assert "Millford" not in footer  # ...and only that one


def test_dm_thanks_gets_no_reply(bot, articles):
    bot.message(f"<{articles.url('/story')}>", ts="1800000010.1", channel="D0DM", channel_type="im")
    bot.wait_for_update()
    bot.message("thanks :pray:", ts="1800000010.2", channel="D0DM", channel_type="im")
    bot.idle()
    assert len(bot.slack.calls("chat.postMessage")) == 1  # the summary's placeholder only


# --- answers stream like summaries ----------------------------------------------------------


def test_a_model_answer_streams_its_words_then_the_checked_quote(slack, model, articles, tmp_path):
    quote = "said Mayor Ana Ruiz, who cut a ribbon at the east end of the"
    with model_harness(slack, model, tmp_path, llm_timeout=30) as bot:
        model.default = Reply("- The bridge reopened.")
        thread = "1800000002.000100"
        bot.mention(f"<{articles.url('/story')}>", ts=thread)
        slack.wait_for("chat.stopStream", timeout=30)
        bot.idle()
        answer = {
            "answer": "Mayor Ana Ruiz cut the ribbon, at the east end of the bridge.",
            "quotes": [quote, "The governor cut the ribbon himself"],
            "found": True,
        }
        model.script(Reply(structured=answer, chunk_chars=4))
        bot.message("who cut the ribbon?", ts="1800000002.000200", thread_ts=thread)
        stops = slack.wait_for("chat.stopStream", count=2, timeout=30)
        bot.idle()
    stream_ts = stops[1].params["ts"]
    appends = [c for c in slack.calls("chat.appendStream") if c.params["ts"] == stream_ts]
    start = _in_thread(slack, "chat.startStream", thread)[1]
    # The stream opens with the answer's steps; its words follow as markdown.
    texts = [c.params["markdown_text"] for c in [start, *appends] if c.params.get("markdown_text")]
    first = texts[0]
    # The first words went out before the answer was complete, and no JSON ever did.
    assert first and "Mayor Ana Ruiz cut the ribbon".startswith(first.strip()[:10])
    assert all("{" not in text for text in texts)
    shown = slack.streamed_text(stream_ts)
    assert shown.startswith("Mayor Ana Ruiz cut the ribbon, at the east end of the bridge.")
    assert f"> {quote}" in shown and "governor" not in shown
    assert "couldn't verify a quote" in shown
