"""Fix a request by editing it: a message the bot answered with a fixable error (a typo in
its link, no article in it) is answered again when its author edits its text.

Where such an error is told, the asking message is kept in the store (`remember`: its
(team, channel, ts) → who asked and the note's ts), for a day. Slack's `message_changed`
event for an edit of it (`edited_message` says which events are people changing their own
text) takes that record once (bot.store.ErrorNotes.take_error_note: the edit event's id is
the taker, so Slack's retry of it takes the same record) and the edited message is planned
like a new one (bot.slack.listeners.events). The job it makes carries the old note
(`Destination.replaces`), which is taken back as the job starts (`take_back`): the thread
keeps no stale error above the new reply.

Everything else a `message_changed` says is noise, as before: the bot's own chat.update
echoes, unfurls adding attachments, edits of messages answered well (no record), others'
edits.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient

from bot.errors import IngestError
from bot.store import ErrorNote, Store

if TYPE_CHECKING:
    from bot.slack.context import Destination
    from bot.slack.journal import Journal

log = logging.getLogger(__name__)

WINDOW_SECONDS = 24 * 3600  # an edit this long after the message no longer asks again
MAX_RERUNS = 3  # answers to edits of one message; more is someone fiddling, not fixing


def fixable(exc: BaseException) -> bool:
    """A failure the person can fix by changing what they sent: the link (a typo, a page
    that isn't an article, a site that won't be read), the paste, the file. Not the model's
    or the bot's own troubles (trying again is the fix there, not an edit)."""
    return isinstance(exc, IngestError)


def remember(store: Store, dest: Destination, note_ts: str | None) -> None:
    """A fixable error about the message that asked was just told (`note_ts`: the message
    saying so in the conversation; None: it was told privately). Best effort: without the
    record an edit only does nothing, as before."""
    if not dest.asked_ts or not dest.user or dest.assistant:
        return
    try:
        store.note_error(
            dest.team or "-",
            dest.channel,
            dest.asked_ts,
            ErrorNote(dest.user, note_ts),
            WINDOW_SECONDS,
        )
    except Exception:
        log.warning("couldn't keep the error note of %s", dest.asked_ts, exc_info=True)


def edited_message(
    event: dict[str, Any], *, bot_user_id: str | None, now: float
) -> dict[str, Any] | None:
    """The message as edited, shaped like a new message's event (its channel added), when
    `event` is a person changing the text of their own recent message; else None.

    Not an edit: an unfurl or attachment added (the text is the same), the bot's own
    messages (chat.update echoes), another bot's, an edit by someone other than the
    author, an edit more than WINDOW_SECONDS after the message."""
    from bot.slack.middleware import is_human_content  # it imports the jobs, which import us

    if event.get("subtype") != "message_changed":
        return None
    message, previous = event.get("message"), event.get("previous_message")
    if not isinstance(message, dict) or not isinstance(previous, dict):
        return None
    user = message.get("user")
    if not is_human_content(message) or not user or user == bot_user_id:
        return None
    edited = message.get("edited")
    if isinstance(edited, dict) and edited.get("user") not in (None, user):
        return None
    if (message.get("text") or "") == (previous.get("text") or ""):
        return None
    try:
        age = now - float(message.get("ts") or "")
    except ValueError:
        return None
    if age > WINDOW_SECONDS:
        return None
    shaped = {**message, "channel": event.get("channel")}
    if event.get("channel_type"):
        shaped["channel_type"] = event["channel_type"]
    return shaped


def take_back(client: WebClient, journal: Journal, dest: Any) -> None:
    """As a job asked again by an edit starts: delete the error note told the first time
    (once, however often the job runs). Best effort: a note already gone is fine."""
    replaces = getattr(dest, "replaces", None)
    channel = getattr(dest, "channel", None)
    if not replaces or not channel or not journal.once("replaced"):
        return
    from bot.slack.sinks.target import Target  # sinks import the journal, which imports us

    Target.safe(client.chat_delete, channel=channel, ts=replaces)
