"""A reply as one message edited in place: a placeholder ("_Reading the article…_")
updated with the text so far, throttled (chat.update is rate limited), then the final text."""

from __future__ import annotations

import time

from bot.progress import Step
from bot.slack import format as fmt
from bot.slack.sinks.base import ChannelSink, Sink
from bot.slack.sinks.target import Target, as_member

UPDATE_INTERVAL = 1.0  # seconds between chat.update calls while text streams in


class PlaceholderSink(ChannelSink):
    def __init__(self, target: Target, ts: str | None = None, *, post_at_start: bool = True):
        """`ts`: a message to carry on in (an earlier run's, or a stream's that failed).
        `post_at_start`: False where a status line shows progress instead of a placeholder
        (then the message is posted when the text is final)."""
        self.target = target
        self.ts = ts
        self._post_at_start = post_at_start
        self._last_update = 0.0

    def start(self, status: str) -> None:
        if self.ts:
            self.target.update(self.ts, f"_{status}_")
        elif self._post_at_start:
            self.ts = self.target.post_first(text=f"_{status}_")

    def progress(self, note: str) -> None:
        if self.ts:
            self.target.update(self.ts, f"_{note}_")

    def step(self, name: Step, source: str | None) -> None:
        pass  # the placeholder's progress notes (or the status line) say enough

    def write(self, text: str, delta: str) -> Sink:
        now = time.monotonic()
        if self.ts and now - self._last_update >= UPDATE_INTERVAL:
            self._last_update = now
            self.target.update(self.ts, fmt.preview(text, self.target.limit))
        return self

    def finish_first(self, streamed: str, part: str, footer: list[fmt.Block]) -> str | None:
        payload = self.final_payload(part, footer)
        if not self.ts:
            return self.target.post_first(**payload)
        payload.pop("unfurl_links"), payload.pop("unfurl_media")  # not chat.update args
        # Removed from the channel while writing: the reply goes to the asker.
        with as_member(self.target.dest.channel):
            self.target.client.chat_update(channel=self.target.dest.channel, ts=self.ts, **payload)
        return self.ts

    def fail(self, message: str, streamed: str) -> str | None:
        target = self.target
        if self.ts and not streamed and target.dest.user and not target.dest.dm:
            # Nothing useful was shown yet: take the placeholder back and tell only the
            # asker, rather than leaving an error in the channel. (In a DM the placeholder
            # becomes the error: private already, and still there after a reload.)
            target.safe(target.client.chat_delete, channel=target.dest.channel, ts=self.ts)
            self.ts = None
            target.tell_privately(message)
            return None
        if self.ts:
            target.safe(
                target.client.chat_update,
                channel=target.dest.channel,
                ts=self.ts,
                text=message,
                blocks=fmt.message_blocks(message, None),
            )
            return self.ts
        return target.tell(message)
