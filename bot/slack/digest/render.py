"""A digest as one Slack message (blocks), or as a canvas's markdown when it is too long.

Pure: entries in, payloads out. Everything the article or the model wrote (titles, gists)
is escaped here, and links show their real domain, as everywhere the bot writes
(bot.slack.safe_links); the way out (bot.slack.outbound) checks messages again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.slack import feedback
from bot.slack.format import (
    MAX_BLOCKS,
    MAX_MARKDOWN_TOTAL,
    MAX_SECTION_TEXT,
    OFFLINE_LABEL,
    domain_link,
    escape_mrkdwn,
)
from bot.slack.safe_links import link_target, sanitize

GIST_CHARS = 300  # one line: a gist longer than this is cut at a word
TITLE_CHARS = 150
SHARES_LINKED = 3  # links back per article; more sharers are named without links
# A message longer than this reads badly (and nears Slack's limits): it becomes a canvas.
MESSAGE_CHARS = MAX_MARKDOWN_TOTAL
_SPACES = re.compile(r"\s+")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


@dataclass(frozen=True, slots=True)
class LinkBack:
    """A message that shared the article: who, and its permalink."""

    user: str | None
    permalink: str | None
    in_thread: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    title: str
    url: str
    gist: str
    sharers: tuple[str, ...]
    links_back: tuple[LinkBack, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    channel: str
    period: str  # "30 Nov – 7 Dec", "since Monday 7 Dec"
    entries: tuple[Entry, ...]
    notice: str | None = None  # why the gists are what they are (the channel's budget spent)
    more: int = 0  # articles over the cap, not listed
    unread: int = 0  # links that weren't articles, or couldn't be read
    max_articles: int = 20
    engine: str | None = None  # "offline": say that the gists are extracts
    preface: str | None = None  # "<@U…> asked for a digest"
    request_id: str | None = None  # its 👍/👎 buttons' request (bot.slack.feedback)

    @property
    def title(self) -> str:
        return f"Link digest · {self.period}"


def one_line(text: str, limit: int = GIST_CHARS) -> str:
    """A summary's text as one line: list markers dropped, spaces squashed, cut at a word."""
    lines = [_BULLET.sub("", line) for line in text.splitlines() if line.strip()]
    flat = _SPACES.sub(" ", " ".join(lines)).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def _notes(digest: Digest) -> list[str]:
    notes = []
    if digest.more:
        notes.append(
            f"{digest.more} more article{'s' if digest.more != 1 else ''} shared but not listed "
            f"(a digest lists at most {digest.max_articles})."
        )
    if digest.unread:
        notes.append(
            "1 link wasn't an article or couldn't be read."
            if digest.unread == 1
            else f"{digest.unread} links weren't articles or couldn't be read."
        )
    if digest.engine == "offline":
        notes.append(f"Gists by the {OFFLINE_LABEL[0].lower()}{OFFLINE_LABEL[1:]}.")
    if digest.notice:
        notes.append(digest.notice)
    return notes


# --- the message ----------------------------------------------------------------------------


def _entry_mrkdwn(number: int, entry: Entry) -> str:
    title = escape_mrkdwn(one_line(entry.title, TITLE_CHARS))
    head = f"*{number}. {title}* ({domain_link(entry.url)})"
    return "\n".join(filter(None, [head, escape_mrkdwn(entry.gist), _shared_by(entry)]))


def _shared_by(entry: Entry) -> str:
    parts = []
    for back in entry.links_back[:SHARES_LINKED]:
        who = f"<@{back.user}>" if back.user else "someone"
        where = " in a thread" if back.in_thread else ""
        link = f" ({domain_link(back.permalink)})" if back.permalink else ""
        parts.append(f"{who}{where}{link}")
    linked = {back.user for back in entry.links_back[:SHARES_LINKED]}
    others = [f"<@{user}>" for user in entry.sharers if user not in linked]
    if others:
        parts.append("also " + ", ".join(others))
    return f"Shared by {', '.join(parts)}" if parts else ""


def message(digest: Digest) -> dict[str, Any] | None:
    """chat.postMessage arguments (add the channel), or None when the digest doesn't fit
    one message: more than Slack's 50 blocks, or longer than MESSAGE_CHARS."""
    count = len(digest.entries)
    heading = f":newspaper: *{digest.title}* in <#{digest.channel}>"
    if digest.preface:
        heading = f"{digest.preface}\n{heading}"
    blocks: list[dict[str, Any]] = [_section(heading)]
    blocks += [_section(_entry_mrkdwn(i, e)) for i, e in enumerate(digest.entries, 1)]
    notes = _notes(digest)
    if notes:
        blocks.append({"type": "context", "elements": [_mrkdwn(" ".join(notes))]})
    blocks += _feedback(digest)
    texts = [block.get("text", {}).get("text", "") for block in blocks]
    if (
        len(blocks) > MAX_BLOCKS
        or sum(map(len, texts)) + len(" ".join(notes)) > MESSAGE_CHARS
        or any(len(text) > MAX_SECTION_TEXT for text in texts)
    ):
        return None
    articles = f"{count} article{'s' if count != 1 else ''}"
    return {
        "text": f"{digest.title}: {articles} shared in <#{digest.channel}>",
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text)}


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def canvas_note(digest: Digest, canvas_url: str | None) -> dict[str, Any]:
    """The short message that points to the digest's canvas."""
    count = len(digest.entries)
    where = f": {domain_link(canvas_url)}" if canvas_url else " (in this channel's canvases)"
    text = (
        f":newspaper: *{digest.title}* in <#{digest.channel}>: {count} articles, "
        f"too many for one message, so they're in a canvas{where}"
    )
    if digest.preface:
        text = f"{digest.preface}\n{text}"
    return {
        "text": text,
        "blocks": [_section(text), *_feedback(digest)],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def _feedback(digest: Digest) -> list[dict[str, Any]]:
    """The 👍/👎 buttons under the digest (a canvas digest: under the note pointing to it)."""
    return [feedback.block(digest.request_id)] if digest.request_id else []


# --- the canvas -----------------------------------------------------------------------------


def _plain(text: str, limit: int) -> str:
    """Article or model text as inert canvas markdown: links show their domain (safe_links),
    and nothing in it can become a heading, mention or markup of ours."""
    flat = one_line(text, limit)
    return sanitize(flat, "markdown").replace("#", "\\#")


def _canvas_link(url: str) -> str:
    target = link_target(url)
    if target is None:
        return "(link removed)"
    href = url.strip().replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{target.shown}]({href})"


def canvas_markdown(digest: Digest) -> str:
    """The digest as canvas markdown (mentions as `![](@U…)`, Slack's canvas syntax)."""
    lines = [f"Links shared in ![](#{digest.channel}), {digest.period}.", ""]
    if digest.preface:
        lines[:0] = [_plain(digest.preface.replace("<@", "@").replace(">", ""), 200), ""]
    for number, entry in enumerate(digest.entries, 1):
        lines.append(f"## {number}. {_plain(entry.title, TITLE_CHARS)}")
        lines.append(_canvas_link(entry.url))
        lines.append("")
        if entry.gist:
            lines += [_plain(entry.gist, GIST_CHARS), ""]
        shares = []
        for back in entry.links_back:
            who = f"![](@{back.user})" if back.user else "someone"
            where = " in a thread" if back.in_thread else ""
            link = f" ({_canvas_link(back.permalink)})" if back.permalink else ""
            shares.append(f"{who}{where}{link}")
        if shares:
            lines += [f"Shared by {', '.join(shares)}", ""]
    notes = _notes(digest)
    if notes:
        lines += ["---", " ".join(notes)]
    return "\n".join(lines).strip() + "\n"
