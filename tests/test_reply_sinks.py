"""Each way of delivering a reply (bot/slack/sinks), against a client that records calls.

The end-to-end tests (test_slack_replies, test_slack_app, ...) go through the real Web API
client and the mock Slack server; these pin what each sink sends, call by call."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from bot.ingest.article import Article
from bot.pipeline import Result
from bot.slack import format as fmt
from bot.slack.context import Destination
from bot.slack.replies import NOT_IN_CHANNEL, Reply
from bot.slack.sinks import (
    NotAMember,
    PlaceholderSink,
    PrivateSink,
    StreamSink,
    Target,
    placeholder,
    stream,
)

CHANNEL, USER, THREAD = "C1", "U1", "100.0"


class Recorder:
    """A stand-in for slack_sdk's WebClient: records each call; `refuse` makes a method
    answer with a Slack error code."""

    def __init__(self, refuse: dict[str, str] | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.refuse = refuse or {}
        self._ts = 0

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)

        def call(**kwargs: Any) -> dict[str, Any]:
            self.calls.append((method, kwargs))
            if method in self.refuse:
                error = {"ok": False, "error": self.refuse[method]}
                raise SlackApiError(self.refuse[method], error)
            self._ts += 1
            return {"ok": True, "ts": f"200.{self._ts}"}

        return call

    def methods(self) -> list[str]:
        return [m for m, _ in self.calls]

    def last(self, method: str) -> dict[str, Any]:
        return [kw for m, kw in self.calls if m == method][-1]


class Journal:
    """The two verbs of bot.slack.journal.Scope, in a dict."""

    def __init__(self, **values: str) -> None:
        self.values = dict(values)

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value


def target(client: Recorder, *, thread: bool = True, journal: Journal | None = None) -> Target:
    dest = Destination(channel=CHANNEL, user=USER, team="T1", thread_ts=THREAD if thread else None)
    return Target(client, dest, journal, limit=500)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def no_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(placeholder, "UPDATE_INTERVAL", 0.0)
    monkeypatch.setattr(stream, "FLUSH_INTERVAL", 0.0)


# --- placeholder ---------------------------------------------------------------------------


def test_placeholder_is_posted_updated_then_filled_in_place() -> None:
    client = Recorder()
    sink = PlaceholderSink(target(client, thread=False))
    sink.start("Reading the article…")
    assert client.last("chat_postMessage")["text"] == "_Reading the article…_"
    assert sink.write("Hello <!channel>", "Hello <!channel>") is sink
    update = client.last("chat_update")
    assert "<!channel>" not in update["markdown_text"] and update["ts"] == "200.1"
    first = sink.finish("Hello", ["Hello, world."], fmt.source_blocks(_result("Hello, world.")))
    final = client.last("chat_update")
    assert first == "200.1" and final["ts"] == "200.1"
    assert "unfurl_links" not in final and final["blocks"]
    assert client.methods().count("chat_postMessage") == 1  # one message, edited


def test_without_a_placeholder_the_final_text_is_posted() -> None:
    client = Recorder()
    sink = PlaceholderSink(target(client), post_at_start=False)  # a status line shows progress
    sink.start("Reading the article…")
    sink.write("Some text", "Some text")
    assert client.calls == []
    assert sink.finish("Some text", ["Some text"], []) == "200.1"
    assert client.methods() == ["chat_postMessage"]


def test_failure_before_any_text_takes_the_placeholder_back_and_tells_the_asker() -> None:
    client = Recorder()
    sink = PlaceholderSink(target(client, thread=False))
    sink.start("Reading the article…")
    sink.fail("That page is not an article.", "")
    assert client.methods() == ["chat_postMessage", "chat_delete", "chat_postEphemeral"]
    assert client.last("chat_postEphemeral")["user"] == USER


def test_failure_after_some_text_is_written_into_the_message() -> None:
    client = Recorder()
    sink = PlaceholderSink(target(client, thread=False))
    sink.start("Reading…")
    sink.write("Half an answer", "Half an answer")
    sink.fail("The model stopped.", "Half an answer")
    assert client.methods()[-1] == "chat_update"
    assert client.last("chat_update")["text"] == "The model stopped."


def test_a_long_reply_continues_in_the_thread_and_a_rerun_edits_what_was_posted() -> None:
    journal = Journal()
    client = Recorder()
    sink = PlaceholderSink(target(client, thread=False, journal=journal))
    footer = fmt.source_blocks(_result("x"))
    first = sink.finish("", ["part one", "part two"], footer)
    posts = [kw for m, kw in client.calls if m == "chat_postMessage"]
    assert [p["text"] for p in posts] == ["part one", "part two"]
    assert posts[1]["thread_ts"] == first and posts[1]["blocks"][-len(footer) :] == footer
    assert journal.get("ts") == first and journal.get("part2") == "200.2"
    rerun = Recorder()  # the job died after posting; its next run edits both messages
    PlaceholderSink(target(rerun, thread=False, journal=journal), first).finish(
        "", ["part one", "part two"], footer
    )
    assert rerun.methods() == ["chat_update", "chat_update"]
    assert [kw["ts"] for _, kw in rerun.calls] == [first, "200.2"]


def test_a_long_reply_in_the_channel_says_it_continues_in_the_thread() -> None:
    client = Recorder()
    dest = Destination(channel=CHANNEL, user=USER, team="T1")  # /summarize: top level
    reply = Reply(client, dest, limit=500)  # type: ignore[arg-type]
    reply.start()
    text = _long_list(24)
    assert len(fmt.split_message(text, 500)) == 3
    reply.write(text)
    first = reply.finish(_result(text))
    (channel_message,) = [kw for m, kw in client.calls if m == "chat_update" and "blocks" in kw]
    cue = channel_message["blocks"][-1]
    assert cue["type"] == "context"
    assert cue["elements"][0]["text"] == ":thread: Continued in the thread (1/3)"
    posts = [kw for m, kw in client.calls if m == "chat_postMessage"][1:]  # the placeholder first
    assert [p["thread_ts"] for p in posts] == [first, first]
    assert _context_texts(posts[0])[-1] == ":arrow_down: Continued below (2/3)"
    last = posts[-1]["blocks"]
    assert _context_texts(posts[-1])[0] == "End of the reply (3/3)"
    assert last[-1]["type"] == "context_actions"  # 👍/👎 where the reader finishes
    assert ":newspaper:" in str(last) and ":newspaper:" not in str(channel_message["blocks"])


def test_a_private_long_reply_says_each_part_continues_below() -> None:
    client = Recorder()
    sink = PrivateSink(target(client).made_private())
    footer = fmt.source_blocks(_result("x"))
    sink.finish("", ["part one", "part two"], footer)
    sent = [kw for m, kw in client.calls if m == "chat_postEphemeral"]
    assert _context_texts(sent[0]) == [":arrow_down: Continued below (1/2)"]
    assert sent[1]["blocks"][-len(footer) :] == footer


# --- stream --------------------------------------------------------------------------------


def test_a_full_stream_ends_at_a_line_break_and_is_not_cut_back() -> None:
    client = Recorder()
    reply = Reply(client, Destination(CHANNEL, USER, team="T1", thread_ts=THREAD), limit=500)  # type: ignore[arg-type]
    text = "An opening paragraph of about eighty characters, before the list starts here.\n\n"
    text += _long_list(16)
    # The plain split would end the first message after the opening paragraph alone.
    assert len(fmt.split_message(text, 500)[0]) < 100
    for i in range(0, len(text), 40):
        reply.write(text[i : i + 40])
    reply.finish(_result(text))
    streamed = "".join(
        kw.get("markdown_text", "") for m, kw in client.calls if m.endswith("Stream")
    )
    assert "chat_update" not in client.methods()  # what the reader watched stays
    assert len(streamed) <= 500 and text.startswith(streamed)
    assert text[len(streamed)] == "\n" and streamed.endswith("traffic.")  # a whole line
    stop = client.last("chat_stopStream")
    assert stop["blocks"][0]["elements"][0]["text"] == ":arrow_down: Continued below (1/3)"
    posts = [kw for m, kw in client.calls if m == "chat_postMessage"]
    shown = [streamed, *(p["blocks"][0]["text"] for p in posts)]
    assert "\n".join(shown).split() == text.split()  # nothing lost, nothing twice
    assert posts[-1]["blocks"][-1]["type"] == "context_actions"


def test_stream_starts_with_the_first_words_and_closes_with_the_footer() -> None:
    client = Recorder()
    journal = Journal()
    sink = StreamSink(target(client, journal=journal))
    assert sink.write("The bridge", "The bridge") is sink
    start = client.last("chat_startStream")
    assert start["markdown_text"] == "The bridge" and start["thread_ts"] == THREAD
    assert journal.get("stream") == "1" and journal.get("ts") == "200.1"
    sink.write("The bridge reopened.", " reopened.")
    footer = fmt.source_blocks(_result("The bridge reopened."))
    assert sink.finish("The bridge reopened.", ["The bridge reopened."], footer) == "200.1"
    assert client.methods() == ["chat_startStream", "chat_appendStream", "chat_stopStream"]
    assert client.last("chat_stopStream")["blocks"] == footer


def test_a_trailing_angle_bracket_waits_for_the_next_piece() -> None:
    client = Recorder()
    sink = StreamSink(target(client))
    sink.write("Ask <", "Ask <")
    assert client.last("chat_startStream")["markdown_text"] == "Ask "
    sink.write("Ask <!here> now", "!here> now")
    appended = client.last("chat_appendStream")["markdown_text"]
    assert appended.startswith("<") and "<!here>" not in appended


def test_final_text_that_differs_from_the_stream_replaces_it() -> None:
    client = Recorder()
    sink = StreamSink(target(client))
    sink.write("Draft with an invented quote", "Draft with an invented quote")
    sink.finish("Draft with an invented quote", ["Checked answer."], [])
    assert client.methods()[-2:] == ["chat_stopStream", "chat_update"]
    assert "Checked answer." in client.last("chat_update")["text"]


def test_stream_refused_as_not_a_member_is_for_the_reply_to_take_private() -> None:
    sink = StreamSink(target(Recorder(refuse={"chat_startStream": "not_in_channel"})))
    with pytest.raises(NotAMember):
        sink.write("Hello", "Hello")


def test_stream_that_cannot_start_falls_back_to_a_placeholder() -> None:
    client = Recorder(refuse={"chat_startStream": "method_deprecated"})
    sink = StreamSink(target(client))
    carried = sink.write("Hello there", "Hello there")
    assert isinstance(carried, PlaceholderSink) and carried.ts == "200.1"
    assert client.last("chat_postMessage")["text"] == "Hello there"


def test_stream_that_dies_midway_carries_on_in_its_own_message() -> None:
    client = Recorder()
    sink = StreamSink(target(client))
    sink.write("Hello", "Hello")
    client.refuse["chat_appendStream"] = "message_not_in_streaming_state"
    carried = sink.write("Hello there", " there")
    assert isinstance(carried, PlaceholderSink) and carried.ts == "200.1"
    del client.refuse["chat_appendStream"]
    carried.finish("Hello there", ["Hello there"], [])
    assert client.last("chat_update")["ts"] == "200.1"
    assert client.methods().count("chat_postMessage") == 0


def test_failing_stream_is_stopped_with_the_message() -> None:
    client = Recorder()
    sink = StreamSink(target(client))
    sink.write("Hello", "Hello")
    sink.fail("The model stopped.", "Hello")
    assert client.last("chat_stopStream")["markdown_text"].endswith("The model stopped.")


# --- private -------------------------------------------------------------------------------


def test_private_reply_says_why_and_is_not_sent_twice() -> None:
    journal = Journal()
    client = Recorder()
    sink = PrivateSink(target(client, journal=journal).made_private(), NOT_IN_CHANNEL)
    sink.start("Reading…")
    sink.write("Hi", "Hi")
    assert client.calls == []  # nothing until the text is final
    assert sink.finish("Hi", ["Hi"], []) is None
    sent = client.last("chat_postEphemeral")
    assert sent["user"] == USER and NOT_IN_CHANNEL in str(sent["blocks"][0])
    again = Recorder()
    PrivateSink(target(again, journal=journal).made_private()).finish("Hi", ["Hi"], [])
    assert again.calls == []


# --- Reply switching sinks -----------------------------------------------------------------


def test_reply_goes_private_when_the_stream_finds_it_is_not_a_member() -> None:
    client = Recorder(refuse={"chat_startStream": "not_in_channel"})
    dest = Destination(channel=CHANNEL, user=USER, team="T1", thread_ts=THREAD)
    journal = Journal()
    reply = Reply(client, dest, journal=journal)  # type: ignore[arg-type]
    reply.write("The bridge reopened.")
    assert reply.dest.ephemeral and journal.get("private") == "1"
    assert reply.finish(_result("The bridge reopened.")) is None
    assert NOT_IN_CHANNEL in str(client.last("chat_postEphemeral")["blocks"])


def test_reply_resumed_from_the_journal_edits_the_earlier_message() -> None:
    client = Recorder()
    dest = Destination(channel=CHANNEL, user=USER, team="T1", thread_ts=THREAD)
    reply = Reply(client, dest, journal=Journal(ts="150.0", stream="1"))  # type: ignore[arg-type]
    reply.start()
    reply.write("Again")
    assert reply.finish(_result("Again.")) == "150.0"
    assert client.methods()[0] == "chat_stopStream"  # the old stream closed before editing
    assert "chat_postMessage" not in client.methods() and "chat_startStream" not in client.methods()


def _long_list(count: int) -> str:
    return "\n".join(
        f"- Point {i}: the council discussed item {i} and its traffic." for i in range(count)
    )


def _context_texts(payload: dict[str, Any]) -> list[str]:
    return [
        element["text"]
        for block in payload["blocks"]
        if block["type"] == "context"
        for element in block["elements"]
    ]


def _result(text: str) -> Result:
    article = Article.from_paragraphs(["The bridge reopened."], source_kind="text")
    return Result(kind="summary", text=text, article=article, engine="offline")
