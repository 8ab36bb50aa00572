"""What a channel shared in a period: its messages (conversations.history, and
conversations.replies for threads with replies), then every link in them, once each.

`shared_links` is pure: messages in, links out (deduplicated by normalized URL across
messages and threads, with who shared each and where). `read_channel` does the reading.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient

from bot.ingest.links import find_urls, is_slack_link
from bot.slack.digest.periods import Window
from bot.store import normalize_url

log = logging.getLogger(__name__)

PAGE_SIZE = 200  # messages per history/replies page (Slack's recommended most)
MAX_THREADS = 200  # threads read per digest: a bound on conversations.replies calls
# Messages people wrote (a broadcast thread reply and a shared file included); joins,
# topic changes, bots and edits are not shares.
_SHARED_SUBTYPES = frozenset({"thread_broadcast", "file_share", "me_message"})


@dataclass(frozen=True, slots=True)
class Share:
    """One message that shared a link."""

    ts: str
    user: str | None
    thread_ts: str | None = None  # set when the message is a reply in a thread


@dataclass(slots=True)
class SharedLink:
    """A link, as first shared, and every message that shared it (oldest first)."""

    url: str
    key: str  # its normalized form: what makes two shares the same link
    shares: list[Share] = field(default_factory=list)

    @property
    def sharers(self) -> list[str]:
        """Who shared it, each once, in order."""
        return list(dict.fromkeys(share.user for share in self.shares if share.user))


def shared_links(
    messages: Iterable[dict[str, Any]],
    *,
    bot_user_id: str | None,
    workspace_url: str | None = None,
) -> list[SharedLink]:
    """Every web link people shared in `messages`, once per normalized URL, in the order
    first shared. The bot's own messages, other bots', and links to Slack itself (message
    permalinks: *.slack.com, and the workspace's own URL from auth.test) are left out."""
    own = (urlsplit(workspace_url).hostname or "").lower() if workspace_url else ""
    found: dict[str, SharedLink] = {}
    seen: set[str] = set()
    for message in sorted(messages, key=lambda m: float(m.get("ts") or 0)):
        ts = str(message.get("ts") or "")
        if not ts or ts in seen or not _by_a_person(message, bot_user_id):
            continue  # a broadcast reply comes in both the history and its thread
        seen.add(ts)
        thread_ts = message.get("thread_ts")
        share = Share(
            ts=ts,
            user=message.get("user"),
            thread_ts=thread_ts if thread_ts and thread_ts != ts else None,
        )
        for url in find_urls(str(message.get("text") or "")):
            if is_slack_link(url, own):
                continue
            key = normalize_url(url)
            link = found.setdefault(key, SharedLink(url=url, key=key))
            if not link.shares or link.shares[-1].ts != ts:
                link.shares.append(share)
    return list(found.values())


def _by_a_person(message: dict[str, Any], bot_user_id: str | None) -> bool:
    if message.get("bot_id") or (bot_user_id and message.get("user") == bot_user_id):
        return False
    subtype = message.get("subtype")
    return subtype is None or subtype in _SHARED_SUBTYPES


def read_channel(client: WebClient, channel: str, window: Window) -> list[dict[str, Any]]:
    """The channel's messages in `window`, thread replies included (SlackApiError when the
    bot can't read the channel: not a member, or the channel is gone)."""
    oldest, latest = window.oldest.timestamp(), window.latest.timestamp()
    messages = [m for m in _history(client, channel, oldest, latest) if _inside(m, oldest, latest)]
    threads = [m["ts"] for m in messages if int(m.get("reply_count") or 0) > 0]
    if len(threads) > MAX_THREADS:
        log.info(
            "digest: %d threads in %s; reading the first %d", len(threads), channel, MAX_THREADS
        )
    for ts in threads[:MAX_THREADS]:
        replies = _replies(client, channel, ts, oldest)
        messages.extend(m for m in replies if m.get("ts") != ts and _inside(m, oldest, latest))
    return messages


def _inside(message: dict[str, Any], oldest: float, latest: float) -> bool:
    try:
        return oldest <= float(message.get("ts") or "") < latest
    except ValueError:
        return False


def _history(client: WebClient, channel: str, oldest: float, latest: float) -> Iterator[dict]:
    cursor: str | None = None
    while True:
        page = client.conversations_history(
            channel=channel,
            oldest=f"{oldest:.6f}",
            latest=f"{latest:.6f}",
            inclusive=True,  # oldest is in the window; latest is dropped by _inside
            limit=PAGE_SIZE,
            cursor=cursor,
        )
        yield from page.get("messages") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not page.get("has_more") or not cursor:
            return


def _replies(client: WebClient, channel: str, ts: str, oldest: float) -> Iterator[dict]:
    cursor: str | None = None
    while True:
        page = client.conversations_replies(
            channel=channel, ts=ts, oldest=f"{oldest:.6f}", limit=PAGE_SIZE, cursor=cursor
        )
        yield from page.get("messages") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not page.get("has_more") or not cursor:
            return
