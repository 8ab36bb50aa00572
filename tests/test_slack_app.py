"""The Slack app end to end: signed requests over real HTTP into the app, a fake Slack Web API
recording what the bot posts, local article pages, and the offline engine or a fake model."""

from __future__ import annotations

import json
import time

import pytest

from tests.servers.fake_openai import Failure, Reply
from tests.servers.slack_app import CHANNEL, USER, SlackAppHarness, harness_settings, model_harness

pytestmark = pytest.mark.timeout(60)


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
    (call,) = bot.slack.wait_for("response_url", timeout=20)
    assert call.params["response_type"] == "ephemeral"
    assert "paywall" in call.params["text"].lower() or "log in" in call.params["text"].lower()
    bot.slack.wait_for("chat.delete", timeout=5)  # the placeholder is taken back
    assert bot.slack.messages(CHANNEL) == []


def test_rate_limited_web_api_calls_are_retried(bot, articles):
    bot.slack.rate_limit_next("chat.postMessage", retry_after=1)
    bot.command("/summarize", articles.url("/story"))
    (final,) = bot.wait_for_update()
    assert "bridge" in _text_of(final).lower()
    statuses = [c.status for c in bot.slack.calls("chat.postMessage")]
    assert statuses[:2] == [429, 200]


def test_same_link_twice_costs_one_fetch(bot, articles):
    link = articles.url("/story")
    bot.command("/summarize", link)
    bot.wait_for_update()
    bot.command("/summarize", link, channel="C0OTHER")
    second = bot.wait_for_update(count=2)[1]
    assert second.params["channel"] == "C0OTHER"
    assert [path for path, _ in articles.requests].count("/story") == 1


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


# --- /ask, private replies, shortcuts, auto mode --------------------------------------------


def test_ask_without_an_article_says_so(bot):
    status, body = bot.command("/ask", "what did the mayor say?", channel="C0EMPTY")
    assert status == 200
    assert "haven't summarized" in body


def test_ask_after_summary_answers_in_channel_with_quotes(bot, articles):
    bot.command("/summarize", articles.url("/story"))
    bot.wait_for_update()
    status, _ = bot.command("/ask", "How much did the repairs cost?")
    assert status == 200
    answer = bot.wait_for_update(count=2)[1]
    shown = _text_of(answer)
    assert "asked: How much did the repairs cost?" in shown
    assert "14 million euros" in shown
    assert "> " in answer.params["blocks"][1]["text"]  # quoted from the article


def test_ask_with_link_reads_it_first(bot, articles):
    bot.command("/ask", f"{articles.url('/story')} when will the city decide about lorries?")
    answer = bot.wait_for_update()[0]
    assert "March" in _text_of(answer)


def test_private_summary_goes_only_to_the_asker(bot, articles):
    bot.command("/summarize", f"--private {articles.url('/story')}")
    (call,) = bot.slack.wait_for("response_url", timeout=20)
    assert call.params["response_type"] == "ephemeral"
    assert "bridge" in json.dumps(call.params).lower()
    assert bot.slack.calls("chat.postMessage") == []


def test_message_shortcut_replies_in_the_message_thread(bot, articles):
    bot.interactive(
        {
            "type": "message_action",
            "callback_id": "summarize_message",
            "trigger_id": "trig",
            "team": {"id": "T0TEST"},
            "user": {"id": USER},
            "channel": {"id": CHANNEL},
            "response_url": bot.slack.response_url(),
            "message_ts": "1700000010.000200",
            "message": {
                "type": "message",
                "user": "U0BOB",
                "text": f"have you seen <{articles.url('/story')}>?",
                "ts": "1700000010.000200",
                "thread_ts": "1700000010.000100",
            },
        }
    )
    (start,) = bot.slack.wait_for("chat.startStream", timeout=20)
    assert start.params["thread_ts"] == "1700000010.000100"  # the thread the message is in


def test_auto_mode_offers_then_summarizes_on_click(slack, articles, tmp_path):
    settings = harness_settings(slack, tmp_path, slack_auto_channels=["C0AUTO"])
    with SlackAppHarness(slack, settings) as bot:
        link = articles.url("/story")
        bot.event(
            {
                "type": "message",
                "channel": "C0AUTO",
                "channel_type": "channel",
                "user": USER,
                "text": f"<{link}>",
                "ts": "1700000020.000100",
            }
        )
        (offer,) = slack.wait_for("chat.postEphemeral", timeout=10)
        button = offer.params["blocks"][0]["accessory"]
        assert offer.params["user"] == USER and button["action_id"] == "summarize_offer"
        assert slack.calls("chat.postMessage") == []  # nothing posted unasked
        bot.interactive(
            {
                "type": "block_actions",
                "team": {"id": "T0TEST"},
                "user": {"id": USER},
                "channel": {"id": "C0AUTO"},
                "container": {"type": "message", "is_ephemeral": True},
                "response_url": slack.response_url(),
                "trigger_id": "trig",
                "actions": [{**button, "type": "button", "block_id": "b", "action_ts": "1"}],
            }
        )
        (start,) = slack.wait_for("chat.startStream", timeout=20)
        assert start.params["thread_ts"] == "1700000020.000100"
    no_auto = [c for c in slack.calls("chat.postEphemeral") if c.params["channel"] != "C0AUTO"]
    assert no_auto == []


# --- the model: slow, long, down ------------------------------------------------------------


@pytest.mark.timeout(90)
def test_slash_command_acked_fast_while_the_model_takes_10s(slack, model, articles, tmp_path):
    model.default = Reply("**Summary**\n- The bridge reopened.", first_token_delay=10)
    with model_harness(slack, model, tmp_path, llm_max_retries=1, llm_timeout=30) as bot:
        started = time.monotonic()
        status, _ = bot.command("/summarize", articles.url("/story"))
        acked = time.monotonic() - started
        assert status == 200 and acked < 3
        (final,) = bot.wait_for_update(timeout=40)
        assert "The bridge reopened." in _text_of(final)


def test_a_9000_character_answer_arrives_whole_and_split(slack, model, articles, tmp_path):
    paragraphs = [f"Paragraph {i}: " + "the bridge story goes on and on. " * 8 for i in range(34)]
    long_text = "\n\n".join(paragraphs)
    assert len(long_text) > 9000
    model.default = Reply(long_text, chunk_chars=400)
    with model_harness(slack, model, tmp_path, llm_max_retries=1) as bot:
        _mention(bot, f"<{articles.url('/story')}>", ts="1700000030.000100")
        stop = slack.wait_for("chat.stopStream", timeout=30)[0]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the follow-up parts come right after the stream
            rest = [
                c
                for c in slack.calls("chat.postMessage")
                if c.params.get("thread_ts") == "1700000030.000100"
            ]
            joined = slack.streamed_text(stop.params["ts"]) + "".join(
                b["text"] for c in rest for b in c.params["blocks"] if b["type"] == "markdown"
            )
            if all(p.split(":")[0] in joined for p in paragraphs):
                break
            time.sleep(0.1)
        assert rest, "the reply was not split into several messages"
        for paragraph in paragraphs:
            assert paragraph.strip() in joined
        assert all(c.ok for c in slack.calls())  # Slack refused nothing (limits kept)


def test_model_down_means_a_labelled_offline_answer(slack, model, articles, tmp_path):
    model.default = Failure(500)
    with model_harness(slack, model, tmp_path, llm_max_retries=1) as bot:
        bot.command("/summarize", articles.url("/story"))
        (final,) = bot.wait_for_update()
        shown = _text_of(final)
        assert "Offline" in shown
        assert "bridge" in shown.lower()
    # Why, said once and short: no "no AI model" beside it, no HTTP status (the log's).
    (footer,) = [
        b for b in final.params["blocks"] if b["type"] == "context" and "newspaper" in str(b)
    ]
    said = [element["text"] for element in footer["elements"]]
    assert said[1:] == [":robot_face: Offline summary (extractive): the AI model didn't answer"]
    assert shown.count("AI model") == 1 and "HTTP" not in shown


# --- files, the assistant view, Socket Mode, the job process ---------------------------------


def test_text_snippet_shared_in_a_dm_is_read(bot):
    story = "\n\n".join(
        [
            "The regional airline will stop flying to the island in April, ending a route that "
            "has run for forty years.",
            "The company blamed rising fuel costs and a shortage of pilots for the decision.",
            "Islanders said the ferry, which takes five hours, is no replacement for the "
            "forty-minute flight.",
        ]
    )
    file = bot.slack.add_file("story.txt", story.encode(), mimetype="text/plain")
    bot.event(
        {
            "type": "message",
            "subtype": "file_share",
            "channel": "D0DM",
            "channel_type": "im",
            "user": USER,
            "text": "",
            "ts": "1700000040.1",
            "files": [file],
        }
    )
    (summary,) = bot.wait_for_update()
    assert "airline" in _text_of(summary)
    (download,) = bot.slack.calls("file.download")
    assert download.headers["authorization"] == f"Bearer {bot.slack.token}"


def test_assistant_thread_suggests_prompts_and_shows_status(bot, articles):
    bot.event(
        {
            "type": "assistant_thread_started",
            "assistant_thread": {
                "user_id": USER,
                "context": {},
                "channel_id": "D0ASSIST",
                "thread_ts": "1700000050.000100",
            },
            "event_ts": "1700000050.000200",
        }
    )
    (prompts,) = bot.slack.wait_for("assistant.threads.setSuggestedPrompts", timeout=10)
    assert prompts.params["thread_ts"] == "1700000050.000100"
    bot.event(
        {
            "type": "message",
            "channel": "D0ASSIST",
            "channel_type": "im",
            "user": USER,
            "text": f"Summarize this article: <{articles.url('/story')}>",
            "ts": "1700000050.000300",
            "thread_ts": "1700000050.000100",
        }
    )
    statuses = bot.slack.wait_for("assistant.threads.setStatus", count=2, timeout=20)
    assert statuses[0].params["status"] == "Reading the article…"
    bot.slack.wait_for("chat.stopStream", timeout=20)


def test_socket_mode_delivery_needs_no_signature(bot, articles):
    body = bot.event_body(
        {
            "type": "app_mention",
            "user": USER,
            "text": f"<@{bot.slack.bot_user_id}> <{articles.url('/story')}>",
            "ts": "1700000060.000100",
            "channel": CHANNEL,
        }
    )
    response = bot.dispatch(body)
    assert response.status == 200
    bot.slack.wait_for("chat.stopStream", timeout=20)


@pytest.mark.timeout(120)
def test_jobs_in_a_separate_process(slack, articles, tmp_path):
    settings = harness_settings(slack, tmp_path, slack_job_process=True)
    with SlackAppHarness(slack, settings) as bot:
        bot.command("/summarize", articles.url("/story"))
        (final,) = bot.wait_for_update(timeout=60)
        assert "bridge" in _text_of(final).lower()


def test_same_link_and_style_twice_costs_no_new_model_tokens(slack, model, articles, tmp_path):
    model.default = Reply("**Bridge**\n- It reopened.")
    with model_harness(slack, model, tmp_path, llm_max_retries=1) as bot:
        bot.command("/summarize", articles.url("/story"))
        bot.wait_for_update()
        bot.command("/summarize", articles.url("/story"), channel="C0OTHER")
        second = bot.wait_for_update(count=2)[1]
        assert "It reopened." in _text_of(second)
        bot.command("/summarize", f"{articles.url('/story')} in French")
        bot.wait_for_update(count=3)
    assert len(model.requests) == 2  # the repeat was cached; new instructions cost a call
    assert "in French" in model.user_prompt(-1)


def test_mention_in_a_thread_under_a_link_reads_the_thread_start(bot, articles):
    parent = bot.slack.add_message(CHANNEL, f"look: <{articles.url('/story')}>", user="U0BOB")
    bot.event(
        {
            "type": "app_mention",
            "user": USER,
            "text": f"<@{bot.slack.bot_user_id}> who cut the ribbon?",
            "ts": "1700000070.000200",
            "thread_ts": parent,
            "channel": CHANNEL,
        }
    )
    stop = bot.slack.wait_for("chat.stopStream", timeout=20)[0]
    assert "Ana Ruiz" in bot.slack.streamed_text(stop.params["ts"])
    assert len(bot.slack.calls("conversations.replies")) == 1
    # Now the thread is remembered: the follow-up needs no lookup and no mention.
    bot.event(
        {
            "type": "message",
            "channel_type": "channel",
            "user": USER,
            "text": "how much did it cost?",
            "ts": "1700000070.000300",
            "thread_ts": parent,
            "channel": CHANNEL,
        }
    )
    bot.slack.wait_for("chat.stopStream", count=2, timeout=20)
    assert len(bot.slack.calls("conversations.replies")) == 1


def test_an_expired_stream_falls_back_to_chat_update(bot, articles):
    bot.slack.fail_next("chat.stopStream", "message_not_in_streaming_state")
    _mention(bot, f"<{articles.url('/story')}>", ts="1700000080.000100")
    (final,) = bot.wait_for_update()
    (start,) = bot.slack.calls("chat.startStream")
    assert final.params["ts"] == bot.slack.calls("chat.stopStream")[0].params["ts"]
    assert "bridge" in _text_of(final).lower()
    assert start.params["thread_ts"] == "1700000080.000100"


def test_assistant_status_says_writing_after_reading(bot, articles):
    bot.event(
        {
            "type": "message",
            "channel": "D0ASSIST",
            "channel_type": "im",
            "user": USER,
            "text": f"<{articles.url('/story')}>",
            "ts": "1700000090.000300",
            "thread_ts": "1700000090.000100",
        }
    )
    statuses = bot.slack.wait_for("assistant.threads.setStatus", count=3, timeout=20)
    assert [s.params["status"] for s in statuses] == ["Reading the article…", "Writing…", ""]
