"""A streamed reply's steps (fetching → cleaning → writing → checking quotes) as Slack's task
and plan chunks, against the fake Slack API: recorded in order, the article as a URL source,
every step complete by the end; and the silent fallback where a workspace refuses them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.slack.safe_links import sanitize_payload
from bot.slack.sinks import StreamSink, stream
from tests.servers.fake_openai import Reply
from tests.servers.slack_app import CHANNEL, USER, model_harness, text_of
from tests.test_reply_sinks import Recorder, target

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(autouse=True)
def _steps_allowed() -> Iterator[None]:
    """Each test starts with no workspace remembered as refusing steps, and leaves none."""
    stream._no_steps.clear()
    yield
    stream._no_steps.clear()


def _stream_ts(slack, thread: str) -> str:
    starts = [c for c in slack.calls("chat.startStream") if c.params["thread_ts"] == thread]
    return str(starts[-1].response["ts"])


def test_a_streamed_summary_shows_its_steps_in_order_with_the_source(bot, articles):
    link = articles.url("/story")
    bot.mention(f"<{link}>", ts="1700000600.000100")
    (stop,) = bot.slack.wait_for("chat.stopStream", timeout=20)
    bot.idle()
    ts = stop.params["ts"]
    (start,) = bot.slack.calls("chat.startStream")
    assert start.params["task_display_mode"] == "plan"
    assert bot.slack.stream_display_mode(ts) == "plan"
    chunks = bot.slack.stream_chunks(ts)
    assert chunks[0] == {"type": "plan_update", "title": "Summarizing the article"}
    # Every step shown in progress, then done, in the order the work happened.
    updates = [(c["id"], c["status"]) for c in chunks if c["type"] == "task_update"]
    assert updates == [
        ("fetch", "in_progress"),
        ("fetch", "complete"),
        ("clean", "in_progress"),
        ("clean", "complete"),
        ("write", "in_progress"),
        ("write", "complete"),
    ]
    tasks = bot.slack.stream_tasks(ts)
    assert [t["title"] for t in tasks.values()] == [
        "Fetching the article",
        "Cleaning the page",
        "Writing the summary",
    ]
    # The article as a URL source element, labelled with its real domain.
    source = {"type": "url", "url": link, "text": "127.0.0.1"}
    assert tasks["fetch"]["sources"] == [source]
    assert tasks["write"]["sources"] == [source]
    # The words still stream, and the steps were all done before the stream stopped.
    assert "bridge" in bot.slack.streamed_text(ts).lower()
    steps_done = max(i for i, c in enumerate(bot.slack.calls()) if c.params.get("chunks"))
    assert steps_done < bot.slack.calls().index(stop)


def test_a_model_answer_shows_writing_then_checking_quotes(slack, model, articles, tmp_path):
    quote = "said Mayor Ana Ruiz, who cut a ribbon at the east end of the"
    with model_harness(slack, model, tmp_path) as bot:
        model.default = Reply("- The bridge reopened.")
        thread = "1800000600.000100"
        bot.mention(f"<{articles.url('/story')}>", ts=thread)
        slack.wait_for("chat.stopStream", timeout=30)
        bot.idle()
        answer = {"answer": "Mayor Ana Ruiz cut the ribbon.", "quotes": [quote], "found": True}
        model.script(Reply(structured=answer, chunk_chars=4))
        bot.message("who cut the ribbon?", ts="1800000600.000200", thread_ts=thread)
        slack.wait_for("chat.stopStream", count=2, timeout=30)
        bot.idle()
    ts = _stream_ts(slack, thread)
    chunks = slack.stream_chunks(ts)
    assert chunks[0] == {"type": "plan_update", "title": "Answering from the article"}
    tasks = slack.stream_tasks(ts)
    assert list(tasks) == ["write", "check"]  # the article was read already: no fetch
    assert tasks["write"]["title"] == "Writing the answer"
    assert tasks["check"]["title"] == "Checking the quotes against the article"
    assert {t["status"] for t in tasks.values()} == {"complete"}
    # The quotes are checked after the words were written, and before the stream stopped.
    calls = [c for c in slack.calls() if c.params.get("ts") == ts]
    first_words = next(i for i, c in enumerate(calls) if c.params.get("markdown_text"))
    checking = next(
        i
        for i, c in enumerate(calls)
        if any(ch.get("id") == "check" for ch in c.params.get("chunks") or [])
    )
    assert first_words < checking < len(calls) - 1
    assert f"> {quote}" in slack.streamed_text(ts)


def test_where_chunks_are_refused_the_reply_streams_as_before(bot, articles):
    bot.slack.refuse_chunks()
    bot.mention(f"<{articles.url('/story')}>", ts="1700000610.000100")
    (stop,) = bot.slack.wait_for("chat.stopStream", timeout=20)
    bot.idle()
    ts = stop.params["ts"]
    assert bot.slack.stream_chunks(ts) == []
    assert "bridge" in bot.slack.streamed_text(ts).lower()  # the words, unharmed
    refused = [c for c in bot.slack.calls("chat.startStream") if not c.ok]
    assert len(refused) == 1 and refused[0].params.get("chunks")  # tried once, quietly
    statuses = [c.params["status"] for c in bot.slack.calls("assistant.threads.setStatus")]
    assert statuses == ["Reading the article…", "Writing…", ""]  # today's status line
    assert any(b["type"] == "context_actions" for b in stop.params["blocks"])

    # The workspace is remembered: the next reply doesn't ask again.
    bot.mention(f"<{articles.url('/story')}>", ts="1700000611.000100")
    bot.slack.wait_for("chat.stopStream", count=2, timeout=20)
    bot.idle()
    assert [c for c in bot.slack.calls("chat.startStream") if c.params.get("chunks")] == refused


def test_chunks_refused_mid_stream_stop_the_steps_not_the_reply(bot, articles):
    bot.slack.fail_next("chat.appendStream", "invalid_chunks")  # the "cleaning" step
    bot.mention(f"<{articles.url('/story')}>", ts="1700000620.000100")
    (stop,) = bot.slack.wait_for("chat.stopStream", timeout=20)
    bot.idle()
    ts = stop.params["ts"]
    assert list(bot.slack.stream_tasks(ts)) == ["fetch"]  # shown before the refusal, no more
    assert "bridge" in bot.slack.streamed_text(ts).lower()


def test_a_failure_after_the_steps_leaves_no_message_and_tells_the_asker(bot, articles):
    bot.mention(f"<{articles.url('/paywall')}>", ts="1700000630.000100")
    (note,) = bot.slack.wait_for("chat.postEphemeral", timeout=20)
    bot.idle()
    assert note.params["user"] == USER
    assert bot.slack.calls("chat.startStream")  # the steps had opened a stream...
    bot.slack.wait_for("chat.delete", timeout=5)  # ...taken back: no error left in the channel
    assert [m for m in bot.slack.messages(CHANNEL) if m.get("bot_id")] == []
    # The thread has no replies left, and Slack shows an ephemeral message in a thread only
    # once it has some: the note goes to the channel, where the asker sees it.
    assert not note.params.get("thread_ts")


def test_a_failure_in_a_thread_tells_the_asker_in_that_thread(bot, articles):
    parent = bot.slack.add_message(CHANNEL, "what do we think of this?", user="U0BOB")
    bot.mention(f"<{articles.url('/paywall')}>", ts="1700000640.000100", thread_ts=parent)
    (note,) = bot.slack.wait_for("chat.postEphemeral", timeout=20)
    bot.idle()
    assert note.params["thread_ts"] == parent and note.params["user"] == USER


def test_url_sources_always_show_their_real_domain() -> None:
    chunk = {
        "type": "task_update",
        "id": "fetch",
        "title": "Fetching the article",
        "status": "complete",
        "sources": [
            {"type": "url", "url": "https://evil.example/login", "text": "bank.com"},
            {"type": "url", "url": "javascript:alert(1)", "text": "click"},
            {"type": "url", "url": "https://news.example/a", "text": "news.example"},
        ],
    }
    (cleaned,) = sanitize_payload({"chunks": [chunk]})["chunks"]
    assert cleaned["sources"] == [
        {"type": "url", "url": "https://evil.example/login", "text": "evil.example"},
        {"type": "url", "url": "https://news.example/a", "text": "news.example"},
    ]


def test_the_first_words_after_the_steps_go_out_at_once() -> None:
    """A stream the steps opened doesn't hold the first words for the flush interval:
    time to first text is what people notice."""
    client = Recorder()
    sink = StreamSink(target(client), "summary")
    sink.step("fetch", "https://news.example/a")
    sink.step("write", "https://news.example/a")
    assert sink.write("The", "The") is sink
    assert client.methods() == ["chat_startStream", "chat_appendStream", "chat_appendStream"]
    assert client.last("chat_appendStream") == {
        "channel": "C1",
        "ts": "200.1",
        "markdown_text": "The",
    }
    # A failure now: the words were shown, so the error goes below them, the step marked failed.
    sink.fail(":warning: The model stopped.", "The")
    error = [kw for m, kw in client.calls if m == "chat_appendStream"][-1]
    assert error["chunks"][0] == {**error["chunks"][0], "id": "write", "status": "error"}
    assert client.last("chat_stopStream")["markdown_text"].endswith("The model stopped.")


def test_the_fake_slack_checks_chunks_as_slack_documents_them(slack) -> None:
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(token=slack.token, base_url=slack.api_url)
    good = {"type": "task_update", "id": "fetch", "title": "Fetching", "status": "in_progress"}
    ts = client.chat_startStream(
        channel="C1", thread_ts="1.0", chunks=[good], task_display_mode="plan"
    )["ts"]
    for bad in (
        {**good, "status": "done"},  # not one of pending / in_progress / complete / error
        {**good, "sources": [{"type": "url", "url": "https://a.example"}]},  # no text
        {"type": "plan_update"},  # no title
        {"type": "thinking", "text": "hm"},
    ):
        with pytest.raises(SlackApiError) as refused:
            client.chat_appendStream(channel="C1", ts=ts, chunks=[bad])
        assert refused.value.response["error"] == "invalid_chunks"
    with pytest.raises(SlackApiError):
        client.chat_startStream(channel="C1", thread_ts="1.0", task_display_mode="list")
    client.chat_appendStream(channel="C1", ts=ts, chunks=[{**good, "status": "complete"}])
    assert slack.stream_tasks(ts) == {"fetch": {**good, "status": "complete"}}
    slack.refuse_chunks("invalid_arguments")
    with pytest.raises(SlackApiError) as refused:
        client.chat_appendStream(channel="C1", ts=ts, chunks=[good])
    assert refused.value.response["error"] == "invalid_arguments"
    client.chat_appendStream(channel="C1", ts=ts, markdown_text="words still stream")
    assert slack.streamed_text(ts) == "words still stream"


def test_a_link_to_a_slack_message_is_not_fetched_and_says_what_to_use(bot, articles):
    # It was fetched, and refused as Slack's sign-in page ("That's a sign-in page…").
    permalink = "https://fake-team.slack.com/archives/C0NEWS/p1700000000000100"
    bot.mention(f"<{permalink}>", ts="1700000650.000100")
    (note,) = bot.slack.wait_for("chat.postEphemeral", timeout=20)
    bot.idle()
    said = text_of(note)
    assert "link to Slack itself" in said and "*Summarize article*" in said
    assert "sign-in page" in said and "That's a sign-in page" not in said
