"""What every way of delivering a reply does, and the shape they share."""

from __future__ import annotations

from typing import Protocol

from bot.progress import Step
from bot.slack import format as fmt
from bot.slack.sinks.target import Target


class Sink(Protocol):
    """One way of delivering a reply. `write` returns the sink that carries on (itself, or
    a placeholder when a stream fails); any call may raise NotAMember, after which the
    reply continues privately."""

    target: Target

    def start(self, status: str) -> None: ...

    def progress(self, note: str) -> None:
        """A progress note ("Writing…") before any text, where there is no status line."""

    def step(self, name: Step, source: str | None) -> None:
        """The reply's work moved on to `name` (bot.progress); shown where Slack can."""

    def write(self, text: str, delta: str) -> Sink:
        """`delta` arrived; `text` is the whole reply so far."""

    def parts(self, text: str) -> list[str]:
        """The final text split under Slack's limits, as this sink will send it."""

    def finish(self, streamed: str, parts: list[str], footer: list[fmt.Block]) -> str | None:
        """The final text, already split under Slack's limits; returns the first message's
        ts (None when the reply went privately). `streamed` is what `write` was given."""

    def fail(self, message: str, streamed: str) -> str | None:
        """Say `message` (what went wrong); returns the ts of the message in the conversation
        that says it, None when it was told privately (an ephemeral note)."""
        ...


class ChannelSink:
    """A reply posted in the conversation: the first part goes where the sink put it, the
    rest follow in the thread."""

    target: Target

    def parts(self, text: str) -> list[str]:
        return fmt.split_message(text, self.target.limit)

    def finish(self, streamed: str, parts: list[str], footer: list[fmt.Block]) -> str | None:
        # A top-level message's rest goes into its own thread: its cue says so.
        under = fmt.part_blocks(
            1, len(parts), footer, rest_in_thread=self.target.dest.thread_ts is None
        )
        first = self.finish_first(streamed, parts[0], under)
        self.target.post_rest(parts, footer, first)
        return first

    def finish_first(self, streamed: str, part: str, footer: list[fmt.Block]) -> str | None:
        raise NotImplementedError

    def final_payload(self, part: str, footer: list[fmt.Block]) -> fmt.Payload:
        blocks = fmt.message_blocks(part, footer)
        if self.target.dest.preface:
            blocks = [fmt.context_block(self.target.dest.preface), *blocks]
        return {**fmt.message_payload(part), "blocks": blocks}
