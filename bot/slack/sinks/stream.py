"""A reply streamed into its thread (chat.startStream / appendStream / stopStream). When a
stream can't start or dies, the reply carries on as a placeholder: the stream's message if
there is one, else a new one.

Where the workspace takes them, the reply's steps (fetching → cleaning → writing → checking
quotes) show in the stream as a plan of tasks (bot.slack.steps), the stream opening at the
first step. A workspace that answers an error for them gets none for an hour: the thread's
status line shows progress instead, as it always does.
"""

from __future__ import annotations

import logging
import threading
import time

from bot.progress import Step
from bot.slack import format as fmt
from bot.slack import steps
from bot.slack.sinks.base import ChannelSink, Sink
from bot.slack.sinks.placeholder import PlaceholderSink
from bot.slack.sinks.target import NOT_A_MEMBER, SLACK_ERRORS, NotAMember, Target, error_code

log = logging.getLogger(__name__)

STREAM_BUFFER = 200  # characters gathered before each appendStream...
FLUSH_INTERVAL = 0.5  # ...or this many seconds, whichever comes first
# The last this many characters a message can take stream whole lines only: a message that
# fills up then ends at a line break, where its part of the reply can end (`parts`).
LINES_NEAR_LIMIT = 1_000
NO_STEPS_SECONDS = 3600.0  # a workspace that refused step chunks isn't asked again this long
# Errors that say a workspace takes no step chunks (remembered for NO_STEPS_SECONDS); any
# other error (a dead stream, a passing fault) only ends this reply's steps.
_REFUSALS = frozenset(
    {"invalid_arguments", "invalid_chunks", "unknown_method", "method_deprecated", "not_allowed"}
)

_no_steps: dict[str, float] = {}  # team -> until when it gets no step chunks
_no_steps_lock = threading.Lock()


def _steps_refused(team: str | None) -> bool:
    with _no_steps_lock:
        return _no_steps.get(team or "-", 0.0) > time.monotonic()


def _refuse_steps(team: str | None) -> None:
    with _no_steps_lock:
        _no_steps[team or "-"] = time.monotonic() + NO_STEPS_SECONDS


class StreamSink(ChannelSink):
    def __init__(self, target: Target, kind: str = "summary") -> None:
        self.target = target
        self.kind = kind  # "summary" / "answer": the plan's and the writing step's title
        self.ts: str | None = None
        self._pending = ""  # text not yet sent
        self._streamed = 0  # characters sent into the stream so far
        self._head = ""  # the text sent so far (what the reader sees)
        self._full = False  # the stream's message reached the limit: nothing more goes in
        self._last_flush = 0.0
        self._steps_on = not _steps_refused(target.dest.team)
        self._step: tuple[Step, str | None] | None = None  # the step shown in progress

    # --- steps ----------------------------------------------------------------------------

    def step(self, name: Step, source: str | None) -> None:
        """Show `name` in progress (the step before it done), opening the stream if need be."""
        if not self._steps_on or (self._step is not None and self._step[0] == name):
            return
        chunks = [] if self.ts else [steps.plan(self.kind)]
        if self._step is not None:
            chunks.append(steps.task(self._step[0], self.kind, "complete", self._step[1]))
        chunks.append(steps.task(name, self.kind, "in_progress", source))
        dest, client = self.target.dest, self.target.client
        try:
            if self.ts is None:
                response = client.chat_startStream(
                    channel=dest.channel,
                    thread_ts=dest.thread_ts or "",
                    recipient_team_id=dest.team,
                    recipient_user_id=dest.user,
                    chunks=chunks,
                    task_display_mode=steps.DISPLAY_MODE,
                )
                self.ts = response["ts"]
                self.target.record_first(self.ts, stream=True)
            else:
                client.chat_appendStream(channel=dest.channel, ts=self.ts, chunks=chunks)
        except SLACK_ERRORS as exc:
            code = error_code(exc)
            if self.ts is None and code in NOT_A_MEMBER:
                raise NotAMember(dest.channel) from exc
            self._steps_on = False
            if code in _REFUSALS:
                _refuse_steps(dest.team)
            log.info("stream steps unavailable (%s); the status line shows progress", code)
            return
        except KeyError:  # a startStream answer without a ts: stream as if no steps
            self._steps_on = False
            return
        self._step = (name, source)

    def _end_steps(self, status: steps.Status) -> None:
        """The step in progress is over (done, or failed with the reply): best effort."""
        if self._step is None or not self._steps_on or self.ts is None:
            return
        chunk = steps.task(self._step[0], self.kind, status, self._step[1])
        self._step = None
        self.target.safe(
            self.target.client.chat_appendStream,
            channel=self.target.dest.channel,
            ts=self.ts,
            chunks=[chunk],
        )

    def start(self, status: str) -> None:
        pass  # the thread's status line shows progress until the first words

    def progress(self, note: str) -> None:
        pass

    def write(self, text: str, delta: str) -> Sink:
        room = self.target.limit - self._streamed - len(self._pending)
        if self._full or room <= 0:
            return self  # the rest goes out as follow-up messages when the reply finishes
        if len(delta) >= room:
            # The message is full. It ends at the last line break that fits, and so does
            # its part of the reply (`parts`): the reader never sees it cut back.
            taken = self._pending + delta[:room]
            cut = taken.rfind("\n")
            self._pending = taken[:cut] if cut >= 0 else taken
            self._full = True
        else:
            self._pending += delta
        now = time.monotonic()
        try:
            if self.ts is None:
                self._open(now)
            elif (
                not self._streamed  # the first words go out at once, steps or not
                or len(self._pending) >= STREAM_BUFFER
                or now - self._last_flush >= FLUSH_INTERVAL
            ):
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
        only the character after it tells whether it opens a mention to neutralize. Near
        the message's limit, a line goes out once it is whole."""
        chunk = self._pending[:-1] if self._pending.endswith("<") else self._pending
        limit = self.target.limit
        if self._streamed + len(chunk) > limit - min(LINES_NEAR_LIMIT, limit // 4):
            chunk = chunk[: max(chunk.rfind("\n"), 0)]
        return chunk

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
        self._head += self._pending[:count]
        self._streamed += count
        self._pending = self._pending[count:]
        self._last_flush = now

    def _fall_back(self, text: str) -> PlaceholderSink:
        """Keep the message the stream started (if any) and carry on with chat.update."""
        if self.ts:
            return PlaceholderSink(self.target, self.ts)
        preview = fmt.neutralize_mentions(fmt.preview(text, self.target.limit))
        return PlaceholderSink(self.target, self.target.post_first(text=preview or "_Writing…_"))

    def parts(self, text: str) -> list[str]:
        """A full stream's message keeps what it streamed (and holds) as the first part."""
        if self.ts is None or not self._full:
            return fmt.split_message(text, self.target.limit)
        return fmt.split_after(text, self._head + self._pending, self.target.limit)

    def finish_first(self, streamed: str, part: str, footer: list[fmt.Block]) -> str | None:
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
            self._end_steps("complete")
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

    def fail(self, message: str, streamed: str) -> str | None:
        if self.ts is None:
            return self.target.tell(message)
        target = self.target
        if not self._streamed and target.dest.user:
            # Only steps were shown: take the message back and tell the asker, as a failed
            # placeholder does, rather than leave an error in the channel.
            self._end_steps("error")
            target.safe(target.client.chat_stopStream, channel=target.dest.channel, ts=self.ts)
            target.safe(target.client.chat_delete, channel=target.dest.channel, ts=self.ts)
            self.ts = None
            return target.tell(message)
        self._end_steps("error")
        self.target.safe(
            self.target.client.chat_stopStream,
            channel=self.target.dest.channel,
            ts=self.ts,
            markdown_text="\n\n" + message,
        )
        return self.ts
