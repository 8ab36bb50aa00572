"""Message shortcut "Recap thread": a recap of the discussion in the message's thread."""

from __future__ import annotations

import contextlib
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.slack import limits, tasks
from bot.slack.context import Destination, Services
from bot.slack.worker import Busy

CALLBACK_ID = "recap_thread"
NOT_A_THREAD = "That message has no thread to recap. Use *Recap thread* on a message in a thread."
BUSY = "I'm handling a lot of requests right now; please try again in a minute."


def thread_of(message: dict[str, Any]) -> str | None:
    """The thread a message is in, or starts (a message with replies); None for a lone one."""
    if message.get("thread_ts"):
        return str(message["thread_ts"])
    if message.get("reply_count") and message.get("ts"):
        return str(message["ts"])
    return None


def handle_recap_thread(
    ack: Ack,
    shortcut: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    services: Services,
) -> None:
    ack()
    message = shortcut.get("message") or {}
    thread_ts = thread_of(message)
    if thread_ts is None:
        note = {"text": NOT_A_THREAD, "response_type": "ephemeral"}
        with contextlib.suppress(Busy):
            services.submit(
                tasks.Respond(response_url=shortcut["response_url"], payload=note, name="note")
            )
        return
    dest = Destination(
        channel=shortcut["channel"]["id"],
        user=shortcut["user"]["id"],
        team=(shortcut.get("team") or {}).get("id"),
        thread_ts=thread_ts,
        response_url=shortcut.get("response_url"),
    )
    job = tasks.RecapThread(dest=dest, bot_user_id=context.bot_user_id, name="shortcut")
    try:
        services.submit(job)
    except Busy as exc:
        respond(text=limits.notice(exc, BUSY), response_type="ephemeral")


def register(app: App, services: Services) -> None:
    app.shortcut(CALLBACK_ID)(handle_recap_thread)
