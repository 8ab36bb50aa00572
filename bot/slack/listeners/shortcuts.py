"""Message shortcut "Summarize article": works on any message, threads included."""

from __future__ import annotations

import contextlib
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.ingest.links import parse_input
from bot.slack import limits, tasks
from bot.slack.context import Destination, Services
from bot.slack.worker import Busy

CALLBACK_ID = "summarize_message"
NOTHING_TO_READ = "That message has no link, article text or file I can summarize."
BUSY = "I'm handling a lot of requests right now; please try again in a minute."


def handle_summarize_message(
    ack: Ack, shortcut: dict[str, Any], respond: Respond, services: Services
) -> None:
    ack()
    message = shortcut.get("message") or {}
    parsed = parse_input(message.get("text") or "")
    files = tuple(message.get("files") or ())
    if parsed.kind not in ("link", "paste") and not files:
        note = {"text": NOTHING_TO_READ, "response_type": "ephemeral"}
        with contextlib.suppress(Busy):
            services.submit(
                tasks.Respond(response_url=shortcut["response_url"], payload=note, name="note")
            )
        return
    dest = Destination(
        channel=shortcut["channel"]["id"],
        user=shortcut["user"]["id"],
        team=(shortcut.get("team") or {}).get("id"),
        thread_ts=message.get("thread_ts") or message.get("ts"),
        response_url=shortcut.get("response_url"),
    )
    try:
        services.submit(tasks.Summarize(dest=dest, parsed=parsed, files=files, name="shortcut"))
    except Busy as exc:
        respond(text=limits.notice(exc, BUSY), response_type="ephemeral")


def register(app: App, services: Services) -> None:
    app.shortcut(CALLBACK_ID)(handle_summarize_message)
