"""Events: @mentions, thread follow-ups, DMs, and the optional per-channel auto offer.

Which messages get an answer, and which, is decided in bot.slack.routing. The listeners turn
Slack's event into an `Incoming`; `dispatch` (the assistant view's listener uses it too)
recalls the conversation, plans, and submits the job the plan returns (or parks the
question: bot.slack.parked) and engages its thread.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import replace
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack import channel_prefs, edits, limits, parked, routing
from bot.slack.context import Services
from bot.slack.memory import ThreadMemory
from bot.slack.routing import Incoming
from bot.slack.tasks import OfferSummary, ParkQuestion
from bot.slack.worker import Busy

log = logging.getLogger(__name__)


def dispatch(services: Services, client: WebClient, incoming: Incoming) -> routing.Action | None:
    """Act on `incoming`; returns what was planned. Over a limit or busy: says so in the
    conversation instead (nothing is queued, no thread engaged) and returns None."""
    dest = incoming.dest
    memory = ThreadMemory()
    if incoming.needs_memory:
        # Who posts in a thread the bot is part of counts for telling a one-to-one thread
        # from people talking to each other (etiquette.for_the_bot).
        speaker = incoming.user if incoming.in_thread else None
        memory = services.memory.recall(dest.conversation, speaker=speaker)
    auto = channel_prefs.auto_channels(services, incoming)  # a channel's own offer setting
    styles = services.pipeline.templates.styles()  # PROMPTS_DIR's too: "eli5 <paste>"
    action = routing.plan(incoming, memory, auto_channels=auto, styles=styles)
    if isinstance(action, routing.Ignore):
        log.debug("no reply: %s", action.why)
        return action
    log.debug("%s planned %s", incoming.source, action.kind)
    if isinstance(action, OfferSummary):
        with contextlib.suppress(Busy):  # an offer is optional; skip it when overloaded
            services.submit(action)
        return action
    try:
        if isinstance(action, ParkQuestion):
            parked.park(services, action)  # its safety net queued, the question parked
        else:
            services.submit(action)
    except limits.RateLimited as exc:
        limits.tell(services, client, dest, exc)
        return None
    except Busy:
        client.chat_postMessage(channel=dest.channel, thread_ts=dest.thread_ts, text=limits.BUSY)
        return None
    if action.engages_thread:
        # Engaged now, not when the job starts: a follow-up typed a moment later (while the
        # job still waits for a worker) must not be taken for chatter and dropped. After
        # submit: a refused request leaves no thread engaged.
        services.memory.engage(dest.conversation, dest.user)
    return action


def handle_app_mention(
    event: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    services: Services,
) -> None:
    dispatch(services, client, Incoming.from_event("mention", event, body, context.bot_user_id))


def handle_message(
    event: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    services: Services,
) -> None:
    if event.get("subtype") == "message_changed":
        handle_edit(event, body, client, context, services)
        return
    dispatch(services, client, Incoming.from_event("message", event, body, context.bot_user_id))


def handle_edit(
    event: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    services: Services,
) -> routing.Action | None:
    """A person edited a message of theirs: when the bot told it a fixable error (a typo in
    its link), the edited text is asked again, planned like a new message; any other edit
    is noise (bot.slack.edits)."""
    bot_user_id = context.bot_user_id
    message = edits.edited_message(event, bot_user_id=bot_user_id, now=time.time())
    if message is None:
        return None
    # Slack sends no app_mention for an edit: a channel message naming the bot is one.
    named = bool(bot_user_id) and f"<@{bot_user_id}>" in (message.get("text") or "")
    source: routing.Source = (
        "mention" if named and message.get("channel_type") != "im" else "message"
    )
    incoming = Incoming.from_event(source, message, body, bot_user_id)
    if not incoming.user or not incoming.ts or not incoming.channel:
        return None
    # Slack's retry of this edit event takes the same note again (and makes the same job).
    taker = body.get("event_id") or f"{incoming.ts}/{event.get('event_ts')}"
    note = services.store.take_error_note(
        incoming.team or "-",
        incoming.channel,
        incoming.ts,
        user=incoming.user,
        taker=str(taker),
        max_reruns=edits.MAX_RERUNS,
    )
    if note is None:
        log.debug("edit ignored: no fixable error told for %s", incoming.ts)
        return None
    log.info("%s was edited after an error: asking again", incoming.ts)
    action = dispatch(services, client, replace(incoming, replaces=note.note_ts))
    if action is None or isinstance(action, routing.Ignore):
        # Nothing was asked again (over a limit, busy, or the edit took the mention out):
        # the note stays live, so the next edit still can.
        edits.remember(services.store, incoming.dest, note.note_ts)
    return action


def register(app: App, services: Services) -> None:
    app.event("app_mention")(handle_app_mention)
    app.event("message")(handle_message)
