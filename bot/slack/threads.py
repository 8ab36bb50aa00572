"""Reading a thread: its messages (conversations.replies, paged), the article it is about,
its messages as plain text for a recap, and links back to them.

conversations.replies is rate-limited hard for most apps: a job reads a thread once, at
most MAX_PAGES pages of PAGE_SIZE, and only when it has to (a recap, or a mention in a
thread whose article the bot doesn't know yet).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.ingest.links import ParsedInput, parse_input, word_weight
from bot.llm.recaps import Said, is_recap_request
from bot.slack.safe_links import link_target

log = logging.getLogger(__name__)

PAGE_SIZE = 200  # conversations.replies' largest page
MAX_PAGES = 5  # a thread of 1,000 messages is read up to there; the recap says so
SLACK_ERRORS = (SlackApiError, SlackRequestError)
# A paste no one handed to the bot is an article only at an article's size: a headline and
# paragraphs over many lines. A long comment in prose is still someone's words.
ARTICLE_MIN_WORDS = 120
ARTICLE_MIN_LINES = 6

Message = dict[str, Any]

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+\|([^>]*)>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


@dataclass(frozen=True, slots=True)
class Thread:
    messages: tuple[Message, ...]
    complete: bool = True  # False: longer than MAX_PAGES pages; only the start was read


def read(client: WebClient, channel: str, thread_ts: str) -> Thread:
    """The thread's messages, oldest first (its first message included)."""
    messages: list[Message] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        kwargs: dict[str, Any] = {"channel": channel, "ts": thread_ts, "limit": PAGE_SIZE}
        if cursor:
            kwargs["cursor"] = cursor
        response = client.conversations_replies(**kwargs)
        messages.extend(response.get("messages") or [])
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not response.get("has_more") or not cursor:
            return Thread(tuple(messages))
    return Thread(tuple(messages), complete=False)


def bot_user(client: WebClient) -> str | None:
    """The bot's own user id (auth.test), when the job wasn't given it."""
    try:
        return str(client.auth_test().get("user_id") or "") or None
    except SLACK_ERRORS:
        return None


def from_bot(message: Message, bot_user_id: str | None) -> bool:
    """The bot's own message (its summaries, answers, recaps)."""
    return bool(bot_user_id) and message.get("user") == bot_user_id


# --- the article a thread is about ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Found:
    """The message of a thread that carries its article."""

    parsed: ParsedInput
    files: tuple[dict[str, Any], ...]
    ts: str | None


def find_article(messages: Sequence[Message], bot_user_id: str | None) -> Found | None:
    """Where the thread's article is: its first message when that carries one (a link, a
    pasted article, a file), else the latest person's message with a link or file, else the
    latest pasted article. Never the bot's own messages (their source lines are links)."""
    carrying = [
        (found, message.get("ts") == messages[0].get("ts"))
        for message in messages
        if not from_bot(message, bot_user_id) and (found := _carries(message)) is not None
    ]
    if not carrying:
        return None
    if carrying[0][1]:
        return carrying[0][0]
    linked = [found for found, _ in carrying if found.files or found.parsed.kind == "link"]
    return (linked or [found for found, _ in carrying])[-1]


def _carries(message: Message) -> Found | None:
    parsed = parse_input(message.get("text") or "")
    files = tuple(message.get("files") or ())
    if parsed.kind in ("link", "paste") or files:
        return Found(parsed, files, message.get("ts"))
    return None


# --- the discussion as plain text -------------------------------------------------------------


def discussion(messages: Sequence[Message], bot_user_id: str | None) -> list[Said]:
    """The thread as a recap reads it: refs by position ("m3": its third message), authors by
    display name, Slack's markup as plain text, pasted articles marked. Requests for a recap
    are left out."""
    names = _names(messages)
    out: list[Said] = []
    for position, message in enumerate(messages, 1):
        raw = message.get("text") or ""
        text = plain_text(raw, names)
        bot = from_bot(message, bot_user_id)
        if not bot and (not text.strip() or is_recap_request(raw)):
            continue
        # An article pasted into the thread is what the recap is about, not something said.
        pasted = not bot and _pasted_article(raw, bot_user_id)
        out.append(Said(f"m{position}", text, _name(message), from_bot=bot, pasted=pasted))
    return out


def _pasted_article(raw: str, bot_user_id: str | None) -> bool:
    """A message that is an article, not someone's words: a paste handed to the bot (its
    mention makes it a summary request; so does a lead such as "tldr <article>"), or one of
    an article's size. 60 words of prose make a paste for parse_input, but a long opinion is
    still what the person said. (The bot's reply right after is no sign: a "Recap thread"
    shortcut posts there too.)"""
    parsed = parse_input(raw)
    if parsed.kind != "paste":
        return False
    handed = bool(bot_user_id) and f"<@{bot_user_id}" in raw
    if handed or parsed.instruction or parsed.style:
        return True
    lines = sum(1 for line in parsed.text.splitlines() if line.strip())
    return lines >= ARTICLE_MIN_LINES and word_weight(parsed.text) >= ARTICLE_MIN_WORDS


def plain_text(text: str, names: dict[str, str] | None = None) -> str:
    """Slack's message markup as text: mentions as @name (never a live mention), links as
    "label (url)", entities decoded."""
    names = names or {}

    def user(match: re.Match[str]) -> str:
        return "@" + (match.group(2) or names.get(match.group(1)) or "someone")

    text = _USER.sub(user, text)
    text = _CHANNEL.sub(lambda m: "#" + m.group(1), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    return html.unescape(text)


def _name(message: Message) -> str | None:
    profile = message.get("user_profile") or {}
    bot = message.get("bot_profile") or {}
    name = " ".join(
        str(
            profile.get("display_name")
            or profile.get("real_name")
            or bot.get("name")
            or message.get("username")
            or ""
        ).split()
    )
    return name[:80] or None


def _names(messages: Iterable[Message]) -> dict[str, str]:
    """Display names of the thread's people, from the profiles Slack sends with messages."""
    out: dict[str, str] = {}
    for message in messages:
        name = _name(message)
        if name and message.get("user"):
            out[str(message["user"])] = name
    return out


# --- links back to messages -------------------------------------------------------------------


class Permalinks:
    """Links to a thread's messages: chat.getPermalink, or when that fails, built from the
    workspace's URL (auth.test) the way Slack builds them."""

    def __init__(self, client: WebClient, channel: str, thread_ts: str | None) -> None:
        self._client = client
        self._channel = channel
        self._thread_ts = thread_ts
        self._base: str | None = None

    def url(self, ts: str) -> str | None:
        try:
            link = self._client.chat_getPermalink(channel=self._channel, message_ts=ts)
            return str(link["permalink"])
        except (*SLACK_ERRORS, KeyError) as exc:
            log.info("no permalink from Slack (%s); building it", exc)
        return self._built(ts)

    def markdown(self, ts: str) -> str | None:
        """The link labelled with its domain, as every link the bot shows is."""
        url = self.url(ts)
        return _markdown_link(url) if url else None

    def _built(self, ts: str) -> str | None:
        if self._base is None:
            try:
                self._base = str(self._client.auth_test().get("url") or "")
            except SLACK_ERRORS:
                self._base = ""
        if not self._base:
            return None
        url = f"{self._base.rstrip('/')}/archives/{self._channel}/p{ts.replace('.', '')}"
        if self._thread_ts and ts != self._thread_ts:
            url += f"?thread_ts={self._thread_ts}&cid={self._channel}"
        return url


def _markdown_link(url: str) -> str | None:
    """`[domain](url)`: the label is the link's real domain, so the way out keeps it."""
    target = link_target(url)
    return f"[{target.shown}]({target.href})" if target else None
