"""Global middleware: drop Slack's retries of events we already took, and message noise."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse

from bot.logs import bind_request_id
from bot.store import EventClaims

log = logging.getLogger(__name__)

# Message subtypes that are people adding content; every other subtype (edits, deletions,
# joins, the bot's own chat.update echoes) is noise that must never trigger a reply.
CONTENT_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})

EVENT_TTL_SECONDS = 60 * 60  # Slack retries within ~5 minutes; keep the claim well past that
# How long a claim holds while the event is handled (listeners take milliseconds); a process
# that dies holding it lets Slack's next retry in once it runs out.
LEASE_SECONDS = 30


def dedupe_events(claims: EventClaims) -> Callable[..., Any]:
    """The same event_id (Slack's retries carry it unchanged) is handled once, ever.

    Retries are answered 200 so Slack stops; a claim, not the retry header, decides,
    so a retry after a genuine failure to receive the first delivery is still handled.
    """

    def middleware(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        event_id = body.get("event_id")
        request_id = event_id if isinstance(event_id, str) else body.get("trigger_id")
        with bind_request_id(request_id if isinstance(request_id, str) else None):
            if body.get("type") != "event_callback" or not isinstance(event_id, str):
                return next()
            if not claims.claim_event(event_id, LEASE_SECONDS):
                log.info("duplicate delivery of %s ignored", event_id)
                return BoltResponse(status=200, body="")
            response = next()
            # Only after a normal return (the job is queued durably, or none was needed): if
            # next() raised, the lease runs out and Slack's retry is handled.
            claims.finish_event(event_id, EVENT_TTL_SECONDS)
            return response

    return middleware


def only_team(team_id: str) -> Callable[..., Any]:
    """Requests from any other workspace (or Enterprise org) are acked and dropped: the app's
    signing secret is shared by every workspace it is installed in, so a valid signature
    alone doesn't say the request is for ours."""

    def middleware(context: Any, body: dict[str, Any], next: Callable[[], Any]) -> Any:
        if team_id in (context.team_id, context.enterprise_id):
            return next()
        kind = body.get("type") or body.get("command") or "request"
        log.info("%s for team %s dropped (SLACK_TEAM_ID is %s)", kind, context.team_id, team_id)
        return BoltResponse(status=200, body="")

    return middleware


def is_human_content(event: dict[str, Any]) -> bool:
    """A message a person posted (not an edit, deletion, join, or another bot's post)."""
    if event.get("bot_id") or event.get("bot_profile") or event.get("subtype") == "bot_message":
        return False
    return event.get("subtype") in CONTENT_SUBTYPES and bool(event.get("user"))
