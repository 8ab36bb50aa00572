"""Global middleware, run for every request before its listener: `begin_requests` (the
request's job ids, request id and workspace, for whichever listener runs; Slack's retries of
events we already took dropped) and, with SLACK_TEAM_ID, `only_team`. Registered together
in bot.slack.listeners. Also what a person's message is (`is_human_content`): not noise.

An event is claimed (a lease) before its listener runs and marked handled once its job is
queued (durably, where the queue is). Between those two there is a moment where a crash
leaves the job queued and the lease running out, which lets Slack's retry in: its job gets
the same id as the first (`job_request_seed`), so the queues take it for the job they
already hold, and the user gets one reply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.logs import set_request_id
from bot.slack import tasks
from bot.store import EventClaims, Tenant

log = logging.getLogger(__name__)

# Message subtypes that are people adding content; every other subtype (edits, deletions,
# joins, the bot's own chat.update echoes) is noise that must never trigger a reply.
CONTENT_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})

EVENT_TTL_SECONDS = 60 * 60  # Slack retries within ~5 minutes; keep the claim well past that
# How long a claim holds while the event is handled (listeners take milliseconds); a process
# that dies holding it lets Slack's next retry in once it runs out.
LEASE_SECONDS = 30


def begin_requests(claims: EventClaims) -> Callable[..., Any]:
    """Every request (a command, a button, an event) is begun here for its listener: the seed
    its jobs are named after, its request id on the log lines, its workspace. And the same
    event_id (Slack's retries carry it unchanged) is answered once, ever.

    Retries are answered 200 so Slack stops; a claim, not the retry header, decides, so a
    retry after a genuine failure to receive the first delivery is still handled. Bolt runs
    the listener after this returns (its `next()` only passes control on), so the event is
    marked handled from the listener's side: when its job is queued (`tasks.queued`). An
    event that makes no job keeps only its lease; a retry after it is handled again and
    again makes none.
    """

    def middleware(
        body: dict[str, Any], next: Callable[[], Any], context: BoltContext | None = None
    ) -> Any:
        event_id = body.get("event_id")
        request_id = event_id if isinstance(event_id, str) else body.get("trigger_id")
        request_id = request_id if isinstance(request_id, str) else None
        is_event = body.get("type") == "event_callback" and isinstance(event_id, str)
        on_queued = _finisher(claims, event_id) if isinstance(event_id, str) and is_event else None
        # For the listener, which runs on this thread once every middleware has returned.
        tasks.begin_request(
            job_request_seed(body),
            request_id,
            on_queued=on_queued,
            tenant=tenant_of(context) if context is not None else None,
        )
        set_request_id(request_id)  # the listener's lines too (a new request replaces it)
        if not is_event or not isinstance(event_id, str):
            return next()
        if not claims.claim_event(event_id, LEASE_SECONDS):
            log.info("duplicate delivery of %s ignored", event_id)
            return BoltResponse(status=200, body="")
        return next()

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


def tenant_of(context: BoltContext) -> Tenant | None:
    """The workspace (and org) a request comes from, as Bolt read it from the payload."""
    if not context.team_id and not context.enterprise_id:
        return None
    return Tenant(
        team=context.team_id,
        enterprise=context.enterprise_id,
        enterprise_install=bool(context.is_enterprise_install),
    )


def _finisher(claims: EventClaims, event_id: str) -> Callable[[], None]:
    def finish() -> None:
        try:
            claims.finish_event(event_id, EVENT_TTL_SECONDS)
        except Exception:  # the job is queued: a retry after the lease makes the same job
            log.warning("couldn't mark event %s handled; its job is queued", event_id)

    return finish


def job_request_seed(body: dict[str, Any]) -> str | None:
    """What the jobs made for this request are named after: something every delivery of
    the same request carries unchanged, and no other request does.

    Events: the event_id (Slack's retries repeat it). Shortcuts and buttons: the trigger_id
    Slack makes for each use (a redelivery would carry it again). Slash commands are never
    retried by Slack: random ids (None).
    """
    if body.get("type") == "event_callback":
        event_id = body.get("event_id")
        return f"ev:{event_id}" if isinstance(event_id, str) and event_id else None
    trigger_id = body.get("trigger_id")
    if body.get("command") or not isinstance(trigger_id, str) or not trigger_id:
        return None
    return f"tr:{trigger_id}"


def is_human_content(event: dict[str, Any]) -> bool:
    """A message a person posted (not an edit, deletion, join, or another bot's post)."""
    if event.get("bot_id") or event.get("bot_profile") or event.get("subtype") == "bot_message":
        return False
    return event.get("subtype") in CONTENT_SUBTYPES and bool(event.get("user"))
