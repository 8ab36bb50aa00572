"""Buttons: the auto-mode "Summarize" offer."""

from __future__ import annotations

import contextlib
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.ingest.links import parse_input
from bot.slack import limits, tasks
from bot.slack.context import Destination, Services
from bot.slack.worker import Busy


def handle_summarize_offer(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, services: Services
) -> None:
    ack()
    message_ts, _, url = (action.get("value") or "").partition(" ")
    parsed = parse_input(url)
    if parsed.kind != "link":
        return
    if body.get("response_url"):  # the offer is taken; don't leave it hanging
        with contextlib.suppress(Busy):
            services.submit(
                tasks.Respond(
                    response_url=body["response_url"],
                    payload={"delete_original": True},
                    name="note",
                )
            )
    dest = Destination(
        channel=body["channel"]["id"],
        user=body["user"]["id"],
        team=(body.get("team") or {}).get("id"),
        thread_ts=message_ts,
        new_thread=True,  # offered for a top-level message: its thread may not exist yet
    )
    try:
        services.submit(tasks.Summarize(dest=dest, parsed=parsed, name="offer"))
    except Busy as exc:
        respond(text=limits.notice(exc), response_type="ephemeral")


def register(app: App, services: Services) -> None:
    app.action("summarize_offer")(handle_summarize_offer)
