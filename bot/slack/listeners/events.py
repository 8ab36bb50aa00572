"""Events: @mentions, thread follow-ups, DMs, and the optional per-channel auto offer."""

from __future__ import annotations

import contextlib
import logging
import re
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.ingest.links import ParsedInput, is_question, parse_input
from bot.llm import followups
from bot.slack import etiquette, limits, tasks
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
CAPABILITIES = (
    "*I read articles so you don't have to.*\n"
    "• Send me a link, paste an article, or share a PDF: I'll summarize it.\n"
    "• Add how you want it: `<link> tl;dr`, `<link> in 3 bullets for a CFO`.\n"
    "• Then ask me anything about it: I answer from the article and quote it.\n"
    "• Say *Summarize the last article I shared* to get the latest one again."
)
CHANNEL_HELP = (
    "*Using me in channels*\n"
    "• Invite me (`/invite @articlebot`), then mention me with a link: I summarize it in a "
    "thread, and answer follow-up questions there without a mention.\n"
    "• `/summarize <link>` posts a summary for the channel (`--private` just for you); "
    "`/ask <question>` asks about the latest one.\n"
    "• In a thread, use *Summarize article* from a message's ⋮ menu."
)
NO_ARTICLE = (
    "I don't have an article for this conversation yet. Send me a link or paste the article first."
)
NOTHING_SHARED = (
    "You haven't shared an article with me yet. Send me a link, paste an article, or share a PDF."
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
        dm=event.get("channel_type") == "im",
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

    in_thread: the message is inside an existing channel thread (not one it starts).
    """
    try:
        job = _job_for(services, dest, parsed, files, help_text, in_thread)
        services.submit(job)
        if dest.thread_ts and isinstance(job, tasks.REPLIES):
            # Engaged now, not when the job starts: a follow-up typed a moment later (while
            # the job still waits for a worker) must not be taken for chatter and dropped.
            # After submit: a refused request leaves no thread engaged.
            services.memory.engage(dest.conversation, dest.user)
    except limits.RateLimited as exc:
        limits.tell(services, client, dest, exc)
    except Busy:
        client.chat_postMessage(channel=dest.channel, thread_ts=dest.thread_ts, text=BUSY)


def _job_for(
    services: Services,
    dest: Destination,
    parsed: ParsedInput,
    files: list[dict[str, Any]],
    help_text: str,
    in_thread: bool,
) -> tasks.Job:
    store = services.store
    request = parsed.instruction
    if files or parsed.kind in ("link", "paste"):
        return tasks.Summarize(dest=dest, parsed=parsed, files=files, name="event")
    if parsed.kind != "message":
        return tasks.Post(dest=dest, text=help_text, name="event")
    # Inside a thread about an article, "how do I use ..." is about the article.
    topic = None if in_thread else etiquette.help_topic(request)
    if topic:
        text = CHANNEL_HELP if topic == "channels" else CAPABILITIES
        return tasks.Post(dest=dest, text=text, name="event")
    if etiquette.asks_to_summarize_last(request):
        latest = _articles_for(services, dest, in_thread)
        if not latest:
            return tasks.Post(dest=dest, text=NOTHING_SHARED, name="event")
        return tasks.SummarizeRef(dest=dest, ref=latest[0], name="event")
    # "@bot thanks" gets a word back, not a search (and no model tokens); "summarize it"
    # summarizes the conversation's article. The same rules as the CLI chat.
    turn = followups.classify_turn(request)
    if turn == "small":
        return tasks.Post(dest=dest, text=followups.small_reply(request), name="event")
    articles = _articles_for(services, dest, in_thread)
    if turn == "summarize" and articles:
        wishes = followups.summary_instructions(request) or ""
        return tasks.SummarizeRef(dest=dest, ref=articles[0], instructions=wishes, name="event")
    if articles:
        return tasks.Ask(dest=dest, question=request, articles=articles, name="event")
    if in_thread and store.is_engaged(dest.conversation):
        # Our reply here is still reading its article: wait for it rather than guess.
        return tasks.AskWhenReady(dest=dest, question=request, name="event")
    if in_thread:
        # Asked inside a thread we haven't seen: the article is probably its first message.
        return tasks.FromThreadStart(dest=dest, request=request, name="event")
    text = NO_ARTICLE if is_question(request) else help_text
    return tasks.Post(dest=dest, text=text, name="event")


def _articles_for(services: Services, dest: Destination, in_thread: bool) -> list[Any]:
    """What a question is about.

    A DM: the last article there (this assistant/DM thread's, else the DM's latest). A
    channel thread: only its own articles, never another thread's. A mention that starts
    a new thread: the channel's latest article, as /ask does.
    """
    store = services.store
    team = dest.team or "-"
    if dest.dm:
        own = store.articles_for(dest.conversation)[:1] if dest.thread_ts else []
        latest = own[0] if own else store.latest_article(team, dest.channel)
        return [latest] if latest else []
    articles = store.articles_for(dest.conversation)
    if articles or in_thread:
        return articles
    latest = store.latest_article(team, dest.channel)
    return [latest] if latest else []


def register(app: App, services: Services) -> None:
    app.middleware(dedupe_events(services.store))

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if not is_human_content(event):
            return
        text = _MENTION.sub(" ", event.get("text") or "")
        dest = _destination(event, body, thread=True)
        in_thread = bool(event.get("thread_ts")) and event.get("thread_ts") != event.get("ts")
        if in_thread:
            services.memory.recall(dest.conversation, speaker=dest.user)
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
        bot_mention = f"<@{context.bot_user_id}>" if context.bot_user_id else None
        if event.get("channel_type") == "im":
            # Slack sends no app_mention for DMs: a mention there is just part of the text.
            if bot_mention:
                text = text.replace(bot_mention, " ")
            dest, help_text = _destination(event, body, thread=False), DM_HELP
            if etiquette.is_acknowledgement(text) and not event.get("files"):
                return  # "thanks!" needs no answer
            _handle(
                services,
                client,
                dest,
                parse_input(text),
                event.get("files") or [],
                help_text=help_text,
            )
            return
        if bot_mention and bot_mention in text:
            return  # app_mention handles it; answering here too would reply twice
        if not event.get("thread_ts"):
            if event["channel"] in services.settings.slack_auto_channels:
                _offer_summary(services, event)
            return
        dest = _destination(event, body, thread=True)
        seen = services.memory.recall(dest.conversation, speaker=dest.user)
        if not seen.engaged:
            return  # a thread we were never part of
        several = len(seen.participants) > 1
        if not etiquette.for_the_bot(text, bot_user_id=context.bot_user_id, several_people=several):
            return  # people talking to each other
        files = event.get("files") or []
        _handle(
            services, client, dest, parse_input(text), files, help_text=MENTION_HELP, in_thread=True
        )


def _offer_summary(services: Services, event: dict[str, Any]) -> None:
    """Auto mode: offer (only to the poster) to summarize the links they shared."""
    parsed = parse_input(event.get("text") or "")
    if parsed.kind == "link":
        with contextlib.suppress(Busy):  # an offer is optional; skip it when overloaded
            services.submit(
                tasks.OfferSummary(
                    channel=event["channel"],
                    user=event["user"],
                    ts=event["ts"],
                    url=parsed.urls[0],
                    name="offer",
                )
            )
