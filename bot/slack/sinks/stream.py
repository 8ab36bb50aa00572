"""A reply streamed into its thread (chat.startStream / appendStream / stopStream). When a
stream can't start or dies, the reply carries on as a placeholder: the stream's message if
there is one, else a new one."""

from __future__ import annotations

import logging
import time

from bot.slack import format as fmt
from bot.slack.sinks.base import ChannelSink, Sink
from bot.slack.sinks.placeholder import PlaceholderSink
from bot.slack.sinks.target import NOT_A_MEMBER, SLACK_ERRORS, NotAMember, Target, error_code

log = logging.getLogger(__name__)

STREAM_BUFFER = 200  # characters gathered before each appendStream...
FLUSH_INTERVAL = 0.5  # ...or this many seconds, whichever comes first


class StreamSink(ChannelSink):
    def __init__(self, target: Target) -> None:
        self.target = target
        self.ts: str | None = None
        self._pending = ""  # text not yet sent
        self._streamed = 0  # characters sent into the stream so far
        self._last_flush = 0.0

    def start(self, status: str) -> None:
        pass  # the thread's status line shows progress until the first words

    def progress(self, note: str) -> None:
        pass

    def write(self, text: str, delta: str) -> Sink:
        room = self.target.limit - self._streamed - len(self._pending)
        if room <= 0:
            return self  # the rest goes out as follow-up messages when the reply finishes
        self._pending += delta[:room]
        now = time.monotonic()
        try:
            if self.ts is None:
                self._open(now)
            elif len(self._pending) >= STREAM_BUFFER or now - self._last_flush >= FLUSH_INTERVAL:
                self._flush(now)
        except SLACK_ERRORS as exc:
            if self.ts is None and error_code(exc) in NOT_A_MEMBER:
                raise NotAMember(self.target.dest.channel) from exc
            log.info("streaming unavailable (%s); falling back to chat.update", error_code(exc))
            return self._fall_back(text)
        except KeyError as exc:  # a startStream answer without a ts
            log.info("streaming unavailable (%s); falling back to chat.update", error_code(exc))
            return self._fall_back(text)
        return self

    def _open(self, now: float) -> None:
        chunk = self._sendable()
        if not chunk:
            return
        # The first words go out at once: time to first text is what users notice.
        dest = self.target.dest
        response = self.target.client.chat_startStream(
            channel=dest.channel,
            thread_ts=dest.thread_ts or "",
            recipient_team_id=dest.team,
            recipient_user_id=dest.user,
            markdown_text=fmt.neutralize_mentions(chunk),
        )
        self.ts = response["ts"]
        self.target.record_first(self.ts, stream=True)
        self._sent(now, len(chunk))

    def _sendable(self) -> str:
        """The pending text that can go out now. A trailing `<` waits for the next piece:
        only the character after it tells whether it opens a mention to neutralize."""
        return self._pending[:-1] if self._pending.endswith("<") else self._pending

    def _flush(self, now: float) -> None:
        chunk = self._sendable()
        if chunk and self.ts:
            self.target.client.chat_appendStream(
                channel=self.target.dest.channel,
                ts=self.ts,
                markdown_text=fmt.neutralize_mentions(chunk),
            )
            self._sent(now, len(chunk))

    def _sent(self, now: float, count: int) -> None:
        self._streamed += count
        self._pending = self._pending[count:]
        self._last_flush = now

    def _fall_back(self, text: str) -> PlaceholderSink:
        """Keep the message the stream started (if any) and carry on with chat.update."""
        if self.ts:
            return PlaceholderSink(self.target, self.ts)
        preview = fmt.neutralize_mentions(fmt.preview(text, self.target.limit))
        return PlaceholderSink(self.target, self.target.post_first(text=preview or "_Writing…_"))

    def finish_first(self, streamed: str, part: str, footer: list[fmt.Block] | None) -> str | None:
        if self.ts is None:  # nothing was streamed (e.g. a cached answer): post it whole
            return PlaceholderSink(self.target, post_at_start=False).finish_first(
                streamed, part, footer
            )
        client, channel = self.target.client, self.target.dest.channel
        try:
            sent = streamed[: self._streamed]  # what Slack already shows
            rest = part[len(sent) :] if part.startswith(sent) else ""
            if rest.strip():
                # Neutralized with what precedes it in view: a held-back "<" included.
                client.chat_appendStream(
                    channel=channel, ts=self.ts, markdown_text=fmt.neutralize_mentions(rest)
                )
            client.chat_stopStream(channel=channel, ts=self.ts, blocks=footer)
            if not part.startswith(sent):
                # The final text differs from what streamed (e.g. an unverified quote was
                # dropped): replace the message with the final version.
                client.chat_update(
                    channel=channel,
                    ts=self.ts,
                    text=fmt.fallback_text(part),
                    blocks=self.final_payload(part, footer)["blocks"],
                )
            return self.ts
        except SLACK_ERRORS as exc:
            log.info("stream ended early (%s); finishing with chat.update", error_code(exc))
            return self._fall_back(streamed).finish_first(streamed, part, footer)

    def fail(self, message: str, streamed: str) -> None:
        if self.ts is None:
            self.target.tell(message)
            return
        self.target.safe(
            self.target.client.chat_stopStream,
            channel=self.target.dest.channel,
            ts=self.ts,
            markdown_text="\n\n" + message,
        )
