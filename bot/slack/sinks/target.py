"""Where a reply is delivered and the Slack calls every way of delivering it shares."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.slack import format as fmt
from bot.slack.context import Destination
from bot.slack.journal import Scope
from bot.slack.retry import webhook

log = logging.getLogger(__name__)

NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
SLACK_ERRORS = (SlackApiError, SlackRequestError)


class NotAMember(Exception):
    """Slack won't let the bot post in this channel: the reply must go to the asker."""


@contextmanager
def as_member(channel: str) -> Iterator[None]:
    """Slack's refusals because the bot isn't in `channel` raised as NotAMember (the reply
    then goes to the asker); any other error as it is."""
    try:
        yield
    except SlackApiError as exc:
        if error_code(exc) in NOT_A_MEMBER:
            raise NotAMember(channel) from exc
        raise


def error_code(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return type(exc).__name__


@dataclass(slots=True)
class Target:
    """One reply's destination, Web API client and journal (what an earlier run of the job
    already posted: bot.slack.journal), for the sinks to deliver through."""

    client: WebClient
    dest: Destination
    journal: Scope | None = None
    limit: int = fmt.MESSAGE_LIMIT

    def recorded(self, key: str) -> str | None:
        return self.journal.get(key) if self.journal is not None else None

    def record(self, key: str, value: str) -> None:
        if self.journal is not None:
            self.journal.set(key, value)

    def made_private(self) -> Target:
        return replace(self, dest=replace(self.dest, ephemeral=True))

    def post_first(self, **payload: Any) -> str | None:
        """The reply's first chat.postMessage, noted in the journal. Raises NotAMember
        where the bot can't post."""
        payload.setdefault("unfurl_links", False)
        payload.setdefault("unfurl_media", False)
        with as_member(self.dest.channel):
            response = self.client.chat_postMessage(
                channel=self.dest.channel, thread_ts=self.dest.thread_ts, **payload
            )
        ts = response.get("ts")
        self.record_first(ts)
        return ts

    def post_rest(self, parts: list[str], footer: list[fmt.Block], first_ts: str | None) -> None:
        """Parts 2… of a long reply as follow-ups in its thread, each saying which part it
        is, the footer under the last; a part an earlier run of the job posted is edited,
        not posted again."""
        thread_ts = self.dest.thread_ts or first_ts
        for i, part in enumerate(parts[1:], start=2):
            payload = fmt.message_payload(part, fmt.part_blocks(i, len(parts), footer))
            posted = self.recorded(f"part{i}")
            if posted:
                payload.pop("unfurl_links"), payload.pop("unfurl_media")  # not update args
                self.client.chat_update(channel=self.dest.channel, ts=posted, **payload)
                continue
            response = self.client.chat_postMessage(
                channel=self.dest.channel, thread_ts=thread_ts, **payload
            )
            if response.get("ts"):
                self.record(f"part{i}", str(response["ts"]))

    def record_first(self, ts: str | None, *, stream: bool = False) -> None:
        if not ts:
            return
        self.record("channel", self.dest.channel)
        if stream:
            self.record("stream", "1")
        self.record("ts", str(ts))

    def update(self, ts: str, markdown: str) -> None:
        """Best-effort progress edit of a message already posted."""
        if markdown.strip():
            self.safe(
                self.client.chat_update,
                channel=self.dest.channel,
                ts=ts,
                markdown_text=fmt.neutralize_mentions(markdown),
            )

    def tell(self, message: str) -> str | None:
        """An error note where no message of ours exists to carry it: privately to a person
        who asked in a channel, else in the conversation (a DM is private already and keeps
        the note, where an ephemeral one is gone on reload; the assistant view has none).
        Returns the ts of the note posted in the conversation (None: told privately, or
        Slack refused it)."""
        if self.dest.user and not self.dest.assistant and not self.dest.dm:
            self.tell_privately(message)
            return None
        try:
            response = self.client.chat_postMessage(
                channel=self.dest.channel, thread_ts=self.dest.thread_ts, text=message
            )
        except SLACK_ERRORS as exc:  # best effort, as `safe`: never raised over the error
            log.warning("Slack call failed: %s", error_code(exc))
            return None
        ts = response.get("ts")
        return str(ts) if ts else None

    def tell_privately(self, message: str) -> None:
        """An ephemeral note: through the response_url when there is one (works even where
        the bot isn't a member), else chat.postEphemeral."""
        if self.dest.response_url:
            try:
                webhook(self.dest.response_url).send(text=message, response_type="ephemeral")
                return
            except Exception as exc:  # a dead response_url: fall back to the Web API
                log.info("response_url failed: %s", type(exc).__name__)
        self.post_privately(text=message)

    def post_privately(self, **payload: Any) -> None:
        """chat.postEphemeral to the asker; where Slack refuses it because the bot is no
        longer in the channel (removed mid-answer, no response_url to use), a DM instead."""
        error = self.safe(
            self.client.chat_postEphemeral,
            channel=self.dest.channel,
            user=self.dest.user,
            thread_ts=self.dest.note_thread_ts,
            **payload,
        )
        if error not in NOT_A_MEMBER or not self.dest.user:
            return
        try:
            opened = self.client.conversations_open(users=self.dest.user)
            dm = opened["channel"]["id"]
        except SLACK_ERRORS as exc:
            log.warning("couldn't open a DM for a reply: %s", error_code(exc))
            return
        # channel_not_found too: a private channel the bot was removed from looks deleted.
        where = (
            f"I can't post in <#{self.dest.channel}> any more, so here is what you asked for there."
        )
        said = payload.get("blocks") or [
            {"type": "section", "text": {"type": "mrkdwn", "text": payload.get("text", "")}}
        ]
        blocks = [fmt.context_block(where), *said]
        self.safe(self.client.chat_postMessage, channel=dm, **{**payload, "blocks": blocks})

    def set_status(self, status: str) -> str | None:
        """The thread's status line ("is reading…"); Slack's error code when it failed."""
        return self.safe(
            self.client.assistant_threads_setStatus,
            channel_id=self.dest.channel,
            thread_ts=self.dest.thread_ts,
            status=status,
        )

    @staticmethod
    def safe(call: Callable[..., Any], **kwargs: Any) -> str | None:
        """Best-effort calls (status lines, error notes) must not raise over the real error.
        Returns Slack's error code when the call failed."""
        try:
            call(**kwargs)
        except SLACK_ERRORS as exc:
            log.warning("Slack call failed: %s", error_code(exc))
            return error_code(exc)
        return None
