"""Which messages the bot answers, and how: `plan(incoming, memory) -> Action`.

Pure: an `Incoming` (built from Slack's event dict) and what the bot remembers of the
conversation (`bot.slack.memory.ThreadMemory`) in, one Action out. No Slack calls, no store:
the listener recalls the memory, plans, and submits the job the plan returns
(`dispatch` in bot.slack.listeners.events).

An Action is either `Ignore` (nothing to say) or a job (bot.slack.tasks): the typed, frozen
message the queue carries and a worker runs.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from bot.ingest.links import (
    is_question,
    is_slack_link,
    names_a_file_not_article,
    parse_input,
    question_text,
)
from bot.llm import asking, followups, recaps
from bot.slack import etiquette
from bot.slack.context import Destination
from bot.slack.memory import ThreadMemory
from bot.slack.middleware import is_human_content
from bot.slack.tasks import (
    Ask,
    AskAboutMessage,
    FromThreadStart,
    OfferSummary,
    ParkQuestion,
    Post,
    RecapThread,
    Summarize,
    SummarizeRef,
)
from bot.store import ArticleRef

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
    "• Or ask about it right away: `<link> who paid for it?`.\n"
    "• Then ask me anything about it: I answer from the article and quote it.\n"
    "• Say *Summarize the last article I shared* to get the latest one again."
)
CHANNEL_HELP = (
    "*Using me in channels*\n"
    "• Invite me (`/invite @articlebot`), then mention me with a link: I summarize it in a "
    "thread (or answer your question about it: `@articlebot <link> who paid for it?`), and "
    "answer follow-up questions there without a mention.\n"
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

_MENTION = re.compile(r"<@[UW][A-Z0-9]+>")

Source = Literal["mention", "message", "assistant"]


@dataclass(frozen=True, slots=True)
class Ignore:
    """Nothing to say: why, for logs and tests."""

    why: str


# What a job made here may be; every one of them runs on a worker (bot.slack.tasks), but
# ParkQuestion is parked with its thread first (the listener does: bot.slack.parked).
Job = (
    Summarize
    | SummarizeRef
    | Ask
    | AskAboutMessage
    | ParkQuestion
    | FromThreadStart
    | RecapThread
    | Post
    | OfferSummary
)
Action = Ignore | Job


@dataclass(frozen=True, slots=True)
class Incoming:
    """A message for the bot to consider, as Slack delivered it (one of three surfaces).

    source: "mention" (an app_mention event), "message" (a message event: DMs, and replies
    in threads the bot may be part of), "assistant" (the agent/assistant view).
    """

    source: Source
    channel: str
    text: str = ""
    user: str | None = None
    team: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    files: tuple[dict[str, Any], ...] = ()
    dm: bool = False
    human: bool = True  # a person posted it (not an edit, a join, another bot, ourselves)
    bot_user_id: str | None = None
    # An edit of a message told a fixable error: that note's ts (bot.slack.edits).
    replaces: str | None = None

    @classmethod
    def from_event(
        cls, source: Source, event: dict[str, Any], body: dict[str, Any], bot_user_id: str | None
    ) -> Incoming:
        """An app_mention or message event."""
        return cls(
            source=source,
            channel=event.get("channel") or "",  # noise without one is ignored anyway
            text=event.get("text") or "",
            user=event.get("user"),
            team=event.get("team") or body.get("team_id"),
            ts=event.get("ts"),
            thread_ts=event.get("thread_ts"),
            files=tuple(event.get("files") or ()),
            dm=event.get("channel_type") == "im",
            human=is_human_content(event),
            bot_user_id=bot_user_id,
        )

    @classmethod
    def from_assistant(cls, payload: dict[str, Any], body: dict[str, Any]) -> Incoming:
        """A user's message in the assistant view (Bolt's `Assistant` filtered it already)."""
        return cls(
            source="assistant",
            channel=payload["channel"],
            text=payload.get("text") or "",
            user=payload.get("user"),
            team=payload.get("team") or body.get("team_id"),
            ts=payload.get("ts"),
            thread_ts=payload.get("thread_ts") or payload.get("ts"),
            files=tuple(payload.get("files") or ()),
            dm=True,
        )

    @property
    def in_thread(self) -> bool:
        """Inside an existing channel thread (not one the message itself starts)."""
        if self.source == "mention":
            return bool(self.thread_ts) and self.thread_ts != self.ts
        return self.source == "message" and not self.dm and bool(self.thread_ts)

    @property
    def dest(self) -> Destination:
        """Where the answer goes: a mention's own thread, else the message's (if any)."""
        thread_ts = self.thread_ts or (self.ts if self.source == "mention" else None)
        return Destination(
            channel=self.channel,
            user=self.user,
            team=self.team,
            thread_ts=thread_ts,
            assistant=self.source == "assistant",
            dm=self.dm,
            new_thread=thread_ts is not None and not self.thread_ts,
            # The assistant view's messages aren't re-run by an edit (their thread is its own).
            asked_ts=self.ts if self.source != "assistant" else None,
            replaces=self.replaces,
        )

    @property
    def needs_memory(self) -> bool:
        """Whether `plan` reads the memory: a channel's top-level chatter is decided without
        it (no store reads for every message in every channel the bot is in)."""
        if self.source != "message" or self.dm:
            return self.human
        return self.human and bool(self.thread_ts) and not self._mentions_bot

    @property
    def _mentions_bot(self) -> bool:
        return bool(self.bot_user_id) and f"<@{self.bot_user_id}>" in self.text


def plan(
    incoming: Incoming,
    memory: ThreadMemory,
    *,
    auto_channels: Collection[str] = (),
    styles: Collection[str] | None = None,
) -> Action:
    """What to do about `incoming`. `memory` is the conversation's (`incoming.dest`),
    recalled for its speaker; `auto_channels` offer a summary of any link shared in them;
    `styles` are the summary styles a request before a paste may name ("eli5 <article>"):
    the prompt registry's, which has PROMPTS_DIR's too (None: the built-in ones)."""
    if not incoming.human:
        return Ignore("not a person's message")  # edits, deletions, joins, bots, ourselves
    text = incoming.text
    if incoming.source == "mention":
        return _answer(incoming, memory, _MENTION.sub(" ", text), MENTION_HELP, styles)
    if incoming.source == "assistant":
        return _answer(incoming, memory, text, DM_HELP, styles)
    if incoming.dm:
        # Slack sends no app_mention for DMs: a mention there is just part of the text.
        if incoming.bot_user_id:
            text = text.replace(f"<@{incoming.bot_user_id}>", " ")
        if etiquette.is_acknowledgement(text) and not incoming.files:
            return Ignore("an acknowledgement")  # "thanks!" needs no answer
        return _answer(incoming, memory, text, DM_HELP, styles)
    if incoming._mentions_bot:
        return Ignore("app_mention answers it")  # answering here too would reply twice
    if not incoming.thread_ts:
        return _offer(incoming, auto_channels)
    if not memory.engaged:
        return Ignore("a thread the bot isn't part of")
    several = len(memory.participants) > 1
    if not etiquette.for_the_bot(text, bot_user_id=incoming.bot_user_id, several_people=several):
        return Ignore("people talking to each other")
    return _answer(incoming, memory, text, MENTION_HELP, styles)


def _offer(incoming: Incoming, auto_channels: Collection[str]) -> Action:
    """Auto mode: offer (only to the poster) to summarize the links they shared."""
    if incoming.channel not in auto_channels:
        return Ignore("top-level message")
    parsed = parse_input(incoming.text)
    # A link to a Slack message is no article (fetched, it is Slack's sign-in page), nor is
    # a link to an image, a video or an archive.
    urls = [
        url for url in parsed.urls if not is_slack_link(url) and not names_a_file_not_article(url)
    ]
    if parsed.kind != "link" or not urls or not incoming.user or not incoming.ts:
        return Ignore("nothing to offer")
    return OfferSummary(
        channel=incoming.channel,
        user=incoming.user,
        ts=incoming.ts,
        url=urls[0],
        name="offer",
    )


def _answer(
    incoming: Incoming,
    memory: ThreadMemory,
    text: str,
    help_text: str,
    styles: Collection[str] | None = None,
) -> Job:
    """Summarize what a message carries, or answer its question from the conversation."""
    dest, in_thread, files = incoming.dest, incoming.in_thread, incoming.files
    parsed = parse_input(text, styles=styles)
    request = parsed.instruction
    if (files or parsed.kind == "link") and asking.asks_about_link(request):
        # "<link> Who paid for it?": answered from that article, as `/ask <link> …` is; a
        # link inside the question keeps its label ("Who paid for <url|the bridge>?").
        question = question_text(text) if parsed.kind == "link" else request
        return AskAboutMessage(
            dest=dest, question=question or request, parsed=parsed, files=files, name="event"
        )
    if files or parsed.kind in ("link", "paste"):
        return Summarize(dest=dest, parsed=parsed, files=files, name="event")
    if parsed.kind != "message":
        return Post(dest=dest, text=help_text, fixable=True, name="event")
    # "recap" inside a thread is about the discussion there, not the article (which
    # "summarize it" is): checked before the follow-up rules, which read "recap" as that.
    wishes = recaps.recap_instructions(request) if in_thread else None
    if wishes is not None:
        return RecapThread(
            dest=dest, instructions=wishes, bot_user_id=incoming.bot_user_id, name="event"
        )
    # Inside a thread about an article, "how do I use ..." is about the article.
    topic = None if in_thread else etiquette.help_topic(request)
    if topic:
        return Post(
            dest=dest, text=CHANNEL_HELP if topic == "channels" else CAPABILITIES, name="event"
        )
    articles = _articles_for(incoming, memory)
    if etiquette.asks_to_summarize_last(request):
        if not articles:
            return Post(dest=dest, text=NOTHING_SHARED, fixable=True, name="event")
        return SummarizeRef(dest=dest, ref=articles[0], name="event")
    # "@bot thanks" gets a word back, not a search (and no model tokens); "summarize it"
    # summarizes the conversation's article. The same rules as the CLI chat.
    turn = followups.classify_turn(request)
    if turn == "small":
        # "hi" with no article to ask about yet: how to use the bot, not "ask about it".
        greeted = followups.is_greeting(request) and not articles
        text = help_text if greeted else followups.small_reply(request)
        return Post(dest=dest, text=text, fixable=greeted, name="event")
    if turn == "summarize" and articles:
        wishes = followups.summary_instructions(request) or ""
        # "tl;dr" and "what is this about?" want the one-sentence TL;DR, as in the CLI.
        style = followups.summary_style(request)
        return SummarizeRef(
            dest=dest, ref=articles[0], style=style, instructions=wishes, name="event"
        )
    if articles:
        return Ask(dest=dest, question=request, articles=articles, name="event")
    if in_thread and memory.engaged:
        # Our reply here is still reading its article: park the question with the thread
        # for that reply's job to answer, rather than guess (or wait on a worker).
        return ParkQuestion(dest=dest, question=request, name="event")
    if in_thread:
        # Asked inside a thread we haven't seen: the article is in it (read on the worker).
        return FromThreadStart(
            dest=dest, request=request, bot_user_id=incoming.bot_user_id, name="event"
        )
    text = NO_ARTICLE if is_question(request) else help_text
    return Post(dest=dest, text=text, fixable=True, name="event")


def _articles_for(incoming: Incoming, memory: ThreadMemory) -> tuple[ArticleRef, ...]:
    """What a question is about.

    A DM: the last article there (this assistant/DM thread's, else the DM's latest). A
    channel thread: only its own articles, never another thread's. A mention that starts
    a new thread: the channel's latest article, as /ask does.
    """
    latest = (memory.latest,) if memory.latest else ()
    if incoming.dm:
        own = memory.articles[:1] if incoming.dest.thread_ts else ()
        return own or latest
    if memory.articles or incoming.in_thread:
        return memory.articles
    return latest
