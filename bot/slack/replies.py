"""Write one reply into Slack as the model produces it.

Streamed (chat.startStream / appendStream / stopStream) when the reply lives in a thread,
with the thread's status line ("Reading the article…") showing until the first words;
otherwise, or when a stream fails or expires, a placeholder message updated with the text
so far (throttled, Slack's chat.update is rate limited). Whatever the length, the reply is
split under Slack's limits: the first part in the streamed/placeholder message, the rest
as follow-ups in the thread, the source line under the last part. Where the bot can't post
(not a member of the channel) the reply goes privately to the asker, saying why. Model
text never pings anyone: mentions in it are neutralized in every payload.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.errors import ArticlebotError
from bot.pipeline import Result
from bot.slack import format as fmt
from bot.slack.context import Destination
from bot.slack.journal import Scope
from bot.slack.retry import webhook

log = logging.getLogger(__name__)

UPDATE_INTERVAL = 1.0  # seconds between chat.update calls while text streams in
STREAM_BUFFER = 200  # characters gathered before each appendStream...
FLUSH_INTERVAL = 0.5  # ...or this many seconds, whichever comes first
NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
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
    ) -> None:
        self.client = client
        self.dest = dest
        self.limit = limit
        self._text = ""
        self._lock = threading.Lock()
        self._use_stream = stream and dest.thread_ts is not None and not dest.ephemeral
        # The thread's status line ("is reading…", assistant.threads.setStatus, allowed in
        # any thread with chat:write) shows progress where a stream has nothing to show yet.
        self._use_status = dest.thread_ts is not None and not dest.ephemeral
        self._use_status = self._use_status and (dest.assistant or self._use_stream)
        self._private_note: str | None = None  # why a reply meant for the channel went private
        self._stream_ts: str | None = None
        self._pending = ""  # streamed text not yet sent
        self._streamed = 0  # characters sent into the stream so far
        self._placeholder_ts: str | None = None
        self._last_update = 0.0
        self.first_text_at: float | None = None  # when text first reached Slack (benchmarks)
        # What an earlier run of this job already posted (it died mid-reply): carry on in
        # the same message, by chat.update, instead of posting a second reply.
        self._journal = journal
        self._resumed = False
        if journal is not None:
            self._resume(journal)

    def _resume(self, journal: Scope) -> None:
        if journal.get("private"):
            self._go_private(record=False)
            return
        ts = journal.get("ts")
        if not ts:
            return
        self._resumed = True
        self._use_stream = False
        self._placeholder_ts = ts
        if journal.get("stream"):  # Slack may still hold it open: close it before editing
            self._safe(self.client.chat_stopStream, channel=self.dest.channel, ts=ts)

    # --- lifecycle ----------------------------------------------------------------------

    def start(self, status: str = "Reading the article…") -> None:
        """Show that work has begun: a status line (assistant) or a placeholder message."""
        if self.dest.ephemeral:
            return
        if self._resumed:  # an earlier run's message: carry on there
            self._update_placeholder(f"_{status}_")
            if self._use_status:
                self._set_status(status)
            return
        if self._use_status:
            if self._set_status(status) in NOT_A_MEMBER:
                self._go_private()  # don't wait for the stream to find out
            return
        if not self._use_stream:
            self._placeholder_ts = self._post_first(text=f"_{status}_")

    def status(self, text: str) -> None:
        """A progress note ("Writing…"): the thread's status line, or the placeholder."""
        if self._use_status:
            if not self._text:
                self._set_status(text)
        elif self._placeholder_ts and not self._text:
            self._update_placeholder(f"_{text}_")

    def write(self, delta: str) -> None:
        if not delta:
            return
        with self._lock:
            self._text += delta
            if self.dest.ephemeral:
                return
            if self._use_stream:
                self._stream_append(delta)
            elif self._placeholder_ts:
                now = time.monotonic()
                if now - self._last_update >= UPDATE_INTERVAL:
                    self._last_update = now
                    self._update_placeholder(fmt.preview(self._text, self.limit))

    def finish(self, result: Result) -> str | None:
        """Put the final text in place, split under the limits, with the source line.

        Returns the ts of the reply's first message (None when it went privately): a
        top-level reply starts a thread where follow-ups belong.
        """
        with self._lock:
            text = result.text or self._text
            parts = fmt.split_message(text, self.limit)
            footer = fmt.source_blocks(result)
            first_ts = None
            if not self.dest.ephemeral:
                first_ts = self._finish_first(parts[0], footer if len(parts) == 1 else None)
            if self.dest.ephemeral:  # asked privately, or the bot turned out not to be a member
                self._send_private(parts, footer)
                return None
            thread_ts = self.dest.thread_ts or first_ts
            for i, part in enumerate(parts[1:], start=2):
                last = i == len(parts)
                payload = fmt.message_payload(part, footer if last else None)
                posted = self._journal.get(f"part{i}") if self._journal else None
                if posted:  # an earlier run of the job posted this part already
                    payload.pop("unfurl_links"), payload.pop("unfurl_media")
                    self.client.chat_update(channel=self.dest.channel, ts=posted, **payload)
                    continue
                response = self.client.chat_postMessage(
                    channel=self.dest.channel, thread_ts=thread_ts, **payload
                )
                if self._journal is not None and response.get("ts"):
                    self._journal.set(f"part{i}", str(response["ts"]))
            if self._use_status:
                self._set_status("")
            return first_ts

    def fail(self, exc: ArticlebotError) -> None:
        """Tell the asker what went wrong, in words; privately where Slack allows it."""
        message = fmt.error_text(exc)
        if self._journal is not None and self._journal.get("failed"):
            return  # an earlier run of the job told them already
        with self._lock:
            self._fail(message)
        if self._journal is not None:
            self._journal.set("failed", "1")

    def _fail(self, message: str) -> None:
        if self._placeholder_ts and not self._text and self.dest.user:
            # Nothing useful was shown yet: take the placeholder back and tell only the
            # asker, rather than leaving an error in the channel.
            self._safe(self.client.chat_delete, channel=self.dest.channel, ts=self._placeholder_ts)
            self._placeholder_ts = None
            self._tell_privately(message)
        elif self._placeholder_ts:
            self._safe(
                self.client.chat_update,
                channel=self.dest.channel,
                ts=self._placeholder_ts,
                text=message,
                blocks=fmt.message_blocks(message, None),
            )
        elif self._stream_ts:
            self._safe(
                self.client.chat_stopStream,
                channel=self.dest.channel,
                ts=self._stream_ts,
                markdown_text="\n\n" + message,
            )
        elif self.dest.user and not self.dest.assistant:
            self._tell_privately(message)
        else:
            self._safe(
                self.client.chat_postMessage,
                channel=self.dest.channel,
                thread_ts=self.dest.thread_ts,
                text=message,
            )
        if self._use_status:
            self._set_status("")

    # --- streaming ----------------------------------------------------------------------

    def _stream_append(self, delta: str) -> None:
        room = self.limit - self._streamed - len(self._pending)
        if room <= 0:
            return  # the rest goes out as follow-up messages in `finish`
        self._pending += delta[:room]
        now = time.monotonic()
        try:
            if self._stream_ts is None:
                chunk = self._sendable()
                if not chunk:
                    return
                # The first words go out at once: time to first text is what users notice.
                response = self.client.chat_startStream(
                    channel=self.dest.channel,
                    thread_ts=self.dest.thread_ts,
                    recipient_team_id=self.dest.team,
                    recipient_user_id=self.dest.user,
                    markdown_text=fmt.neutralize_mentions(chunk),
                )
                self._stream_ts = response["ts"]
                self._record_first(self._stream_ts, stream=True)
                self.first_text_at = now
                self._flush_done(now, len(chunk))
            elif len(self._pending) >= STREAM_BUFFER or now - self._last_update >= FLUSH_INTERVAL:
                self._flush_stream(now)
        except SlackApiError as exc:
            if self._stream_ts is None and _error_code(exc) in NOT_A_MEMBER:
                self._go_private()
                return
            log.info("streaming unavailable (%s); falling back to chat.update", _error_code(exc))
            self._abandon_stream()
        except (SlackRequestError, KeyError) as exc:
            log.info("streaming unavailable (%s); falling back to chat.update", _error_code(exc))
            self._abandon_stream()

    def _sendable(self) -> str:
        """The pending text that can go out now. A trailing `<` waits for the next piece:
        only the character after it tells whether it opens a mention to neutralize."""
        return self._pending[:-1] if self._pending.endswith("<") else self._pending

    def _flush_stream(self, now: float) -> None:
        chunk = self._sendable()
        if chunk and self._stream_ts:
            self.client.chat_appendStream(
                channel=self.dest.channel,
                ts=self._stream_ts,
                markdown_text=fmt.neutralize_mentions(chunk),
            )
            self._flush_done(now, len(chunk))

    def _flush_done(self, now: float, sent: int) -> None:
        self._streamed += sent
        self._pending = self._pending[sent:]
        self._last_update = now

    def _abandon_stream(self) -> None:
        """Keep the message the stream started (if any) and carry on with chat.update."""
        self._use_stream = False
        self._pending = ""
        if self._stream_ts:
            self._placeholder_ts = self._stream_ts
            return
        preview = fmt.neutralize_mentions(fmt.preview(self._text, self.limit))
        self._placeholder_ts = self._post_first(text=preview or "_Writing…_")

    def _finish_first(self, part: str, footer: list[dict[str, Any]] | None) -> str | None:
        """Close the stream (or fill the placeholder) with the first part. Returns its ts."""
        blocks = fmt.message_blocks(part, footer)
        if self.dest.preface:
            blocks = [fmt.context_block(self.dest.preface), *blocks]
        if self._use_stream and self._stream_ts:
            try:
                sent = self._text[: self._streamed]  # what Slack already shows
                rest = part[len(sent) :] if part.startswith(sent) else ""
                if rest.strip():
                    # Neutralized with what precedes it in view: a held-back "<" included.
                    self.client.chat_appendStream(
                        channel=self.dest.channel,
                        ts=self._stream_ts,
                        markdown_text=fmt.neutralize_mentions(rest),
                    )
                self.client.chat_stopStream(
                    channel=self.dest.channel, ts=self._stream_ts, blocks=footer
                )
                if not part.startswith(sent):
                    # The final text differs from what streamed (e.g. an unverified quote
                    # was dropped): replace the message with the final version.
                    self.client.chat_update(
                        channel=self.dest.channel,
                        ts=self._stream_ts,
                        text=fmt.fallback_text(part),
                        blocks=blocks,
                    )
                return self._stream_ts
            except (SlackApiError, SlackRequestError) as exc:
                log.info("stream ended early (%s); finishing with chat.update", _error_code(exc))
                self._abandon_stream()
        payload = {**fmt.message_payload(part), "blocks": blocks}
        if self._placeholder_ts:
            payload.pop("unfurl_links"), payload.pop("unfurl_media")  # not chat.update args
            self.client.chat_update(channel=self.dest.channel, ts=self._placeholder_ts, **payload)
            return self._placeholder_ts
        if self.dest.ephemeral:  # went private while abandoning the stream
            return None
        return self._post_first(**payload)

    def _post_first(self, **payload: Any) -> str | None:
        """The reply's first chat.postMessage. Where the bot isn't a member, the reply
        continues privately (see `_go_private`) and None is returned."""
        payload.setdefault("unfurl_links", False)
        payload.setdefault("unfurl_media", False)
        try:
            response = self.client.chat_postMessage(
                channel=self.dest.channel, thread_ts=self.dest.thread_ts, **payload
            )
        except SlackApiError as exc:
            if _error_code(exc) not in NOT_A_MEMBER:
                raise
            self._go_private()
            return None
        ts = response.get("ts")
        self._record_first(ts)
        return ts

    def _record_first(self, ts: str | None, *, stream: bool = False) -> None:
        """Note the reply's first message in the job's journal (see bot.slack.journal)."""
        if self._journal is None or not ts:
            return
        self._journal.set("channel", self.dest.channel)
        if stream:
            self._journal.set("stream", "1")
        self._journal.set("ts", str(ts))

    def _go_private(self, *, record: bool = True) -> None:
        """Slack won't let the bot post here (not a member): the reply goes to the asker."""
        log.info("not a member of %s: replying privately", self.dest.channel)
        if record and self._journal is not None:
            self._journal.set("private", "1")
        self.dest = replace(self.dest, ephemeral=True)
        self._use_stream = self._use_status = False
        self._placeholder_ts = self._stream_ts = None
        self._private_note = NOT_IN_CHANNEL

    # --- helpers ------------------------------------------------------------------------

    def _update_placeholder(self, text: str) -> None:
        if not text.strip() or not self._placeholder_ts:
            return
        self._safe(
            self.client.chat_update,
            channel=self.dest.channel,
            ts=self._placeholder_ts,
            markdown_text=fmt.neutralize_mentions(text),
        )

    def _send_private(self, parts: list[str], footer: list[dict[str, Any]]) -> None:
        for i, part in enumerate(parts, start=1):
            if self._journal is not None and self._journal.get(f"private{i}"):
                continue  # sent by an earlier run of the job
            payload = fmt.message_payload(part, footer if i == len(parts) else None)
            if i == 1 and self._private_note:
                payload["blocks"] = [fmt.context_block(self._private_note), *payload["blocks"]]
            if self.dest.response_url and i <= 5:  # response_url takes at most 5 posts
                webhook(self.dest.response_url).send(
                    text=payload["text"], blocks=payload["blocks"], response_type="ephemeral"
                )
            elif self.dest.user:
                self._safe(
                    self.client.chat_postEphemeral,
                    channel=self.dest.channel,
                    user=self.dest.user,
                    thread_ts=self.dest.thread_ts,
                    text=payload["text"],
                    blocks=payload["blocks"],
                )
            if self._journal is not None:
                self._journal.set(f"private{i}", "1")

    def _tell_privately(self, message: str) -> None:
        """An ephemeral note: through the response_url when there is one (works even where
        the bot isn't a member), else chat.postEphemeral."""
        if self.dest.response_url:
            try:
                webhook(self.dest.response_url).send(text=message, response_type="ephemeral")
                return
            except Exception as exc:  # a dead response_url: fall back to the Web API
                log.info("response_url failed: %s", type(exc).__name__)
        self._safe(
            self.client.chat_postEphemeral,
            channel=self.dest.channel,
            user=self.dest.user,
            thread_ts=self.dest.thread_ts,
            text=message,
        )

    def _set_status(self, status: str) -> str | None:
        return self._safe(
            self.client.assistant_threads_setStatus,
            channel_id=self.dest.channel,
            thread_ts=self.dest.thread_ts,
            status=status,
        )

    @staticmethod
    def _safe(call: Any, **kwargs: Any) -> str | None:
        """Best-effort calls (status lines, error notes) must not raise over the real error.
        Returns Slack's error code when the call failed."""
        try:
            call(**kwargs)
        except (SlackApiError, SlackRequestError) as exc:
            log.warning("Slack call failed: %s", _error_code(exc))
            return _error_code(exc)
        return None


def _error_code(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return type(exc).__name__
