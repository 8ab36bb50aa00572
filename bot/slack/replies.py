"""Write one reply into Slack as the model produces it.

Streamed (chat.startStream / appendStream / stopStream) when the reply lives in a thread,
with the thread's status line ("Reading the article…") showing until the first words;
otherwise, or when a stream fails or expires, a placeholder message updated with the text
so far. Whatever the length, the reply is split under Slack's limits: the first part in the
streamed/placeholder message (a stream stops at a line break near the limit, and that is
where its part ends), the rest as follow-ups in the thread; each part but the last says
that the reply continues, and where ("in the thread", "below"), and the footer (source
line, engine, 👍/👎) is under the last part, where the reader finishes. Where the bot
can't post (not a member of the channel) the reply goes privately to the asker, saying
why. Model text never pings anyone: mentions in it are neutralized in every payload.

`Reply` holds the text and the lock; delivery is a sink's (bot.slack.sinks).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable

from slack_sdk import WebClient

from bot.errors import ArticlebotError
from bot.pipeline import Result
from bot.progress import Step
from bot.slack import feedback
from bot.slack import format as fmt
from bot.slack.context import Destination
from bot.slack.journal import Scope
from bot.slack.sinks import (
    NOT_A_MEMBER,
    NotAMember,
    PlaceholderSink,
    PrivateSink,
    Sink,
    StreamSink,
    Target,
)

log = logging.getLogger(__name__)

NOT_IN_CHANNEL = (
    "I'm not in this channel, so only you can see this. "
    "Invite me with `/invite @articlebot` to share replies here."
)


class Reply:
    """One answer in progress. Call `write` with each piece of text, then `finish` or `fail`."""

    def __init__(
        self,
        client: WebClient,
        dest: Destination,
        *,
        stream: bool = True,
        limit: int = fmt.MESSAGE_LIMIT,
        journal: Scope | None = None,
        kind: str = "summary",
    ) -> None:
        self._text = ""
        self._lock = threading.Lock()
        self._journal = journal
        # What the feedback buttons and the request log know this reply by.
        self.request_id: str = getattr(journal, "request_id", None) or uuid.uuid4().hex
        target = Target(client, dest, journal, limit)
        in_thread = dest.thread_ts is not None and not dest.ephemeral
        streaming = stream and in_thread
        # The thread's status line ("is reading…", assistant.threads.setStatus, allowed in
        # any thread with chat:write) shows progress where a stream has nothing to show yet.
        self._status_line = in_thread and (dest.assistant or streaming)
        self._resumed = False
        self.note_ts: str | None = None  # where `fail` said what went wrong, in the conversation
        self._sink: Sink
        if dest.ephemeral:
            self._sink = PrivateSink(target)
        elif streaming:
            self._sink = StreamSink(target, kind)
        else:
            self._sink = PlaceholderSink(target, post_at_start=not self._status_line)
        if journal is not None:
            self._resume(target, journal)

    @property
    def dest(self) -> Destination:
        """Where the reply goes now (`ephemeral` once it went privately)."""
        return self._sink.target.dest

    def _resume(self, target: Target, journal: Scope) -> None:
        """What an earlier run of this job already posted (it died mid-reply): carry on in
        the same message, by chat.update, instead of posting a second reply."""
        if journal.get("private"):
            self._go_private(record=False)
            return
        ts = journal.get("ts")
        if not ts:
            return
        self._resumed = True
        if journal.get("stream"):  # Slack may still hold it open: close it before editing
            target.safe(target.client.chat_stopStream, channel=target.dest.channel, ts=ts)
        self._sink = PlaceholderSink(target, ts)

    # --- lifecycle ----------------------------------------------------------------------

    def start(self, status: str = "Reading the article…") -> None:
        """Show that work has begun: a status line (assistant) or a placeholder message."""
        with self._lock:
            self._deliver(lambda: self._sink.start(status))
            if self._status_line:
                refused = self._sink.target.set_status(status) in NOT_A_MEMBER
                if refused and not self._resumed:
                    self._go_private()  # don't wait for the stream to find out

    def status(self, text: str) -> None:
        """A progress note ("Writing…"): the thread's status line, or the placeholder."""
        with self._lock:
            if self._text:
                return
            if self._status_line:
                self._sink.target.set_status(text)
            else:
                self._sink.progress(text)

    def step(self, name: Step, source: str | None = None) -> None:
        """The work moved on to `name` (a bot.progress reporter): a streamed reply shows it
        as a task where Slack can; elsewhere the status line or placeholder says enough."""
        with self._lock:
            self._deliver(lambda: self._sink.step(name, source))

    def write(self, delta: str) -> None:
        if not delta:
            return
        with self._lock:
            self._text += delta
            self._deliver(lambda: self._switch(self._sink.write(self._text, delta)))

    def finish(self, result: Result) -> str | None:
        """Put the final text in place, split under the limits, with the source line.

        Returns the ts of the reply's first message (None when it went privately): a
        top-level reply starts a thread where follow-ups belong.
        """
        with self._lock:
            parts = self._sink.parts(result.text or self._text)
            footer = [*fmt.source_blocks(result), feedback.block(self.request_id)]
            try:
                first_ts = self._sink.finish(self._text, parts, footer)
            except NotAMember:
                self._go_private()
                first_ts = self._sink.finish(self._text, parts, footer)
            if self._status_line:
                self._sink.target.set_status("")
            return first_ts

    def fail(self, exc: ArticlebotError) -> bool:
        """Tell the asker what went wrong, in words; privately where Slack allows it.

        False when an earlier run of the job told them already; else `note_ts` is the
        message in the conversation that says it (None: it was said privately)."""
        if self._journal is not None and self._journal.get("failed"):
            return False  # an earlier run of the job told them already
        with self._lock:
            self.note_ts = self._sink.fail(fmt.error_text(exc), self._text)
            if self._status_line:
                self._sink.target.set_status("")
        if self._journal is not None:
            self._journal.set("failed", "1")
        return True

    # --- switching sinks ----------------------------------------------------------------

    def _switch(self, sink: Sink) -> None:
        self._sink = sink

    def _deliver(self, step: Callable[[], None]) -> None:
        try:
            step()
        except NotAMember:
            self._go_private()

    def _go_private(self, *, record: bool = True) -> None:
        """Slack won't let the bot post here (not a member): the reply goes to the asker."""
        target = self._sink.target
        log.info("not a member of %s: replying privately", target.dest.channel)
        if record:
            target.record("private", "1")
        self._status_line = False
        self._sink = PrivateSink(target.made_private(), NOT_IN_CHANNEL)
