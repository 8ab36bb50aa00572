"""Message shortcut "Recap thread": a recap of the discussion in the message's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.slack import tasks
from bot.slack.context import Services
from bot.slack.listeners.shortcuts import shortcut_dest, submit_or_say_busy, tell_privately

CALLBACK_ID = "recap_thread"
NOT_A_THREAD = "That message has no thread to recap. Use *Recap thread* on a message in a thread."


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
        tell_privately(services, shortcut, NOT_A_THREAD)
        return
    job = tasks.RecapThread(
        dest=shortcut_dest(shortcut, thread_ts), bot_user_id=context.bot_user_id, name="shortcut"
    )
    submit_or_say_busy(services, respond, job)


def register(app: App, services: Services) -> None:
    app.shortcut(CALLBACK_ID)(handle_recap_thread)
