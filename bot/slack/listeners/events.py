"""Events: @mentions, thread follow-ups, DMs, and the optional per-channel auto offer."""

from __future__ import annotations

import contextlib
import logging
import re
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.ingest.links import ParsedInput, is_question, parse_input
from bot.slack import jobs
from bot.slack.context import Destination, Services
from bot.slack.middleware import dedupe_events, is_human_content
from bot.slack.worker import Busy

log = logging.getLogger(__name__)

MENTION_HELP = (
    "Hi! Mention me with an article link or a pasted article and I'll summarize it in a thread. "
    "Ask me questions in that thread and I'll answer from the article."
)
DM_HELP = (
    "Send me an article link, paste an article, or share a PDF, and I'll summarize it. "
    "Then ask me anything about it."
)
NO_ARTICLE = (
    "I don't have an article for this conversation yet. Send me a link or paste the article first."
)
BUSY = "I'm handling a lot of requests right now; please try again in a minute."

_MENTION = re.compile(r"<@[UW][A-Z0-9]+>")


def _destination(event: dict[str, Any], body: dict[str, Any], *, thread: bool) -> Destination:
    ts = event.get("thread_ts") or (event.get("ts") if thread else None)
    return Destination(
        channel=event["channel"],
        user=event.get("user"),
        team=event.get("team") or body.get("team_id"),
        thread_ts=ts,
    )


def _handle(
    services: Services,
    client: WebClient,
    dest: Destination,
    parsed: ParsedInput,
    files: list[dict[str, Any]],
    *,
    help_text: str,
    in_thread: bool = False,
) -> None:
    """Summarize what a message carries, or answer its question from the conversation.

    in_thread: a mention inside a channel thread (whose first message may hold the article).
    """
    if files or parsed.kind in ("link", "paste"):
        job, args, kwargs = jobs.summarize, (dest, parsed), {"files": files}
    elif in_thread and not services.store.articles_for(dest.conversation):
        # Asked inside a thread we haven't seen: the article is probably its first message.
        job, args, kwargs = jobs.from_thread_start, (dest, parsed.instruction), {}
    elif parsed.kind == "message":
        articles = services.store.articles_for(dest.conversation)
        if not articles:
            latest = services.store.latest_article(dest.team or "-", dest.channel)
            articles = [latest] if latest else []
        if articles:
            job, args, kwargs = jobs.ask, (dest, parsed.instruction, articles), {}
        else:
            text = NO_ARTICLE if is_question(parsed.instruction) else help_text
            job, args, kwargs = jobs.post, (dest, text), {}
    else:
        job, args, kwargs = jobs.post, (dest, help_text), {}
    try:
        services.submit(job, *args, name="event", **kwargs)
    except Busy:
        client.chat_postMessage(channel=dest.channel, thread_ts=dest.thread_ts, text=BUSY)


def register(app: App, services: Services) -> None:
    app.middleware(dedupe_events(services.store))

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if not is_human_content(event):
            return
        text = _MENTION.sub(" ", event.get("text") or "")
        dest = _destination(event, body, thread=True)
        in_thread = bool(event.get("thread_ts")) and event.get("thread_ts") != event.get("ts")
        _handle(
            services,
            client,
            dest,
            parse_input(text),
            event.get("files") or [],
            help_text=MENTION_HELP,
            in_thread=in_thread,
        )

    @app.event("message")
    def on_message(
        event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        if not is_human_content(event):
            return  # edits, deletions, joins, bots (ourselves included): never reply
        text = event.get("text") or ""
        if context.bot_user_id and f"<@{context.bot_user_id}>" in text:
            return  # app_mention handles it; answering here too would reply twice
        if event.get("channel_type") == "im":
            dest, help_text = _destination(event, body, thread=False), DM_HELP
        elif event.get("thread_ts"):
            dest, help_text = _destination(event, body, thread=True), MENTION_HELP
            if not services.store.is_engaged(dest.conversation):
                return  # a thread we were never part of
        else:
            if event["channel"] in services.settings.slack_auto_channels:
                _offer_summary(services, event)
            return
        files = event.get("files") or []
        _handle(services, client, dest, parse_input(text), files, help_text=help_text)


def _offer_summary(services: Services, event: dict[str, Any]) -> None:
    """Auto mode: offer (only to the poster) to summarize the links they shared."""
    parsed = parse_input(event.get("text") or "")
    if parsed.kind == "link":
        with contextlib.suppress(Busy):  # an offer is optional; skip it when overloaded
            services.submit(
                jobs.offer_summary,
                event["channel"],
                event["user"],
                event["ts"],
                parsed.urls[0],
                name="offer",
            )
