"""👍/👎 clicks on a reply's feedback buttons: stored against its request, then a private
"Thanks" (queued like every Slack call a listener causes)."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from slack_bolt import Ack, App

from bot.slack import feedback, tasks
from bot.slack.context import Services
from bot.slack.worker import Busy

log = logging.getLogger(__name__)


def handle_feedback(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Services
) -> None:
    parsed = feedback.parse(action.get("value"))
    user = (body.get("user") or {}).get("id")
    if parsed is None or not user:
        ack()
        return
    vote, request_id = parsed
    team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or "-"
    # One small write, like the rate limits' counters, before the ack: Slack never sends a
    # click again, so a process that died between the two would lose the vote.
    services.store.vote(team, request_id, user, vote)
    ack()
    if body.get("response_url"):
        payload = {
            "text": feedback.THANKS[vote],
            "response_type": "ephemeral",
            "replace_original": False,
        }
        with contextlib.suppress(Busy):  # a full queue costs the "Thanks", not the vote
            services.submit(
                tasks.Respond(response_url=body["response_url"], payload=payload, name="feedback")
            )


def register(app: App, services: Services) -> None:
    app.action(feedback.ACTION_ID)(handle_feedback)
