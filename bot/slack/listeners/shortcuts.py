"""Message shortcut "Summarize article": works on any message, threads included."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.ingest.links import parse_input
from bot.slack import limits, tasks
from bot.slack.context import Destination, Services
from bot.slack.worker import Busy

CALLBACK_ID = "summarize_message"
NOTHING_TO_READ = "That message has no link, article text or file I can summarize."


def handle_summarize_message(
    ack: Ack, shortcut: dict[str, Any], respond: Respond, services: Services
) -> None:
    ack()
    message = shortcut.get("message") or {}
    # "eli5 <article>": a style of PROMPTS_DIR's leads a paste here as in a mention.
    styles = services.pipeline.templates.styles()
    parsed = parse_input(message.get("text") or "", styles=styles)
    files = tuple(message.get("files") or ())
    if parsed.kind not in ("link", "paste") and not files:
        tell_privately(services, shortcut, NOTHING_TO_READ)
        return
    dest = shortcut_dest(shortcut, message.get("thread_ts") or message.get("ts"))
    # A message without replies has no thread_ts: the reply starts its thread.
    dest = replace(dest, new_thread=not message.get("thread_ts"))
    job = tasks.Summarize(dest=dest, parsed=parsed, files=files, name="shortcut")
    submit_or_say_busy(services, respond, job)


def shortcut_dest(shortcut: dict[str, Any], thread_ts: str | None) -> Destination:
    """Where a message shortcut's reply goes: the message's channel, in `thread_ts`."""
    return Destination(
        channel=shortcut["channel"]["id"],
        user=shortcut["user"]["id"],
        team=(shortcut.get("team") or {}).get("id"),
        thread_ts=thread_ts,
        response_url=shortcut.get("response_url"),
    )


def tell_privately(services: Services, shortcut: dict[str, Any], text: str) -> None:
    """A word to the person who used the shortcut only, through its response_url (queued:
    the ack has gone; skipped when overloaded, it is only a note)."""
    note = {"text": text, "response_type": "ephemeral"}
    with contextlib.suppress(Busy):
        services.submit(
            tasks.Respond(response_url=shortcut["response_url"], payload=note, name="note")
        )


def submit_or_say_busy(services: Services, respond: Respond, job: tasks.Job) -> None:
    try:
        services.submit(job)
    except Busy as exc:
        respond(text=limits.notice(exc), response_type="ephemeral")


def register(app: App, services: Services) -> None:
    app.shortcut(CALLBACK_ID)(handle_summarize_message)
