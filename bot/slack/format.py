"""Slack message payloads for replies, sources and errors. Pure: dicts in, dicts out.

Replies are standard markdown (what the model writes), posted in Slack's `markdown` block
(or as `markdown_text` when streaming), so Slack renders it; nothing is converted to
mrkdwn by hand. Only the short lines this module writes itself (source line, errors, the
notification fallback) are mrkdwn, and everything from outside is escaped there.

Limits (https://docs.slack.dev/reference/block-kit/blocks): message `text` 40,000 chars
(4,000 in practice: longer ones are truncated or rejected by chat.update), 50 blocks per
message, 3,000 chars of section text, 12,000 chars of `markdown` block text per payload,
10 elements per context block.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

from bot.errors import (
    ArticlebotError,
    BlockedAddress,
    ConfigError,
    FetchTimeout,
    Forbidden,
    InvalidURL,
    LLMError,
    NotAnArticle,
    NotArticlePage,
    NotFound,
    SlackLink,
    TooLarge,
    UnknownHost,
    UnsupportedType,
)
from bot.ingest.article import Article
from bot.slack.plain import plain_text
from bot.slack.safe_links import link_target
from bot.slack.text import balance_fences, split_markdown

Block = dict[str, Any]
Payload = dict[str, Any]

MESSAGE_LIMIT = 4_000  # chars per message we post; Slack's hard limit is 40,000
MAX_TEXT = 40_000
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3_000
MAX_MARKDOWN_TOTAL = 12_000
MAX_CONTEXT_ELEMENTS = 10
FALLBACK_CHARS = 300  # notification previews show far less; no need to send more

OFFLINE_LABEL = "Offline engine (extractive, no AI model)"
UNEXPECTED = "Something went wrong on my side. Please try again in a minute."

# Slack's special mentions; in the model's output (which quotes articles) they must stay text.
_MENTION = re.compile(r"<(?=[!@#])")
_SPACES = re.compile(r"\s+")


# --- escaping -------------------------------------------------------------------------------


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def neutralize_mentions(markdown: str) -> str:
    """Keep `<!channel>`, `<@U…>`, `<#C…>` in model output from pinging anyone.

    A zero-width space after `<` breaks Slack's parsing and looks the same; escaping with
    entities would show `&lt;` inside code, where markdown does not decode entities.
    """
    return _MENTION.sub("<\u200b", markdown)


def _link_target(url: str) -> str:
    # `|` and `>` end the target in Slack's <url|label> syntax; `&` must be escaped there too.
    return url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


def link(url: str, label: str) -> str:
    """A mrkdwn link with an escaped label. Only a label showing the link's own domain
    survives the way out (bot.slack.safe_links); see `domain_link`."""
    return f"<{_link_target(url)}|{escape_mrkdwn(label)}>"


def domain_link(url: str) -> str:
    """A mrkdwn link labelled with its real domain; the escaped URL as text if it has none."""
    # Judged on the link as sent, as the way out will judge it.
    target = link_target(_link_target(url), "mrkdwn")
    return link(url, target.shown) if target else escape_mrkdwn(url)


def url_link(url: str) -> str:
    """A mrkdwn link showing the URL itself, whatever characters it holds: `<`, `>` and
    `|` would otherwise end the link early or give it a label of the URL's choosing."""
    return f"<{_link_target(url)}>"


def _shorten(text: str, limit: int) -> str:
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    # A cut after an ellipsis the text had (a recap's shortened quote) gets no second one.
    return cut.rstrip(" ,;:.…") + "…"


# --- replies --------------------------------------------------------------------------------


def split_message(markdown: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The reply cut into parts that each fit one message (see bot.slack.text)."""
    return split_markdown(markdown, min(limit, MAX_MARKDOWN_TOTAL))


def split_after(markdown: str, head: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """`split_message`, keeping `head` (what a stream already showed of `markdown`, ending
    at a line break) as the first part, so what the reader watched being written is not cut
    back to where the split would have ended it. Without such a head: `split_message`."""
    parts = split_message(markdown, limit)
    first = head.rstrip()
    if len(parts) < 2 or not first.strip() or parts[0].startswith(first.lstrip()):
        return parts  # one part, or the split keeps all of the head in the first part
    at_line_break = markdown.startswith(head) and markdown[len(head) : len(head) + 1] == "\n"
    fits = len(first) <= min(limit, MAX_MARKDOWN_TOTAL)
    if not (at_line_break and fits and balance_fences(first) == first):
        return parts  # cut mid-line or in code: the message is rewritten with parts[0]
    return [first, *split_message(markdown[len(head) :], limit)]


def preview(markdown: str, limit: int = MESSAGE_LIMIT) -> str:
    """The start of a reply still being written, safe to show: within limit, fences closed."""
    parts = split_message(markdown, limit - 2)
    if not parts:
        return ""
    head = parts[0] if len(parts) == 1 else f"{parts[0]} …"
    return balance_fences(head)


def fallback_text(markdown: str, limit: int = FALLBACK_CHARS) -> str:
    """Plain text for notifications and screen readers when the message has blocks: the
    words without their markdown marks, links as label and domain (bot.slack.plain)."""
    plain, room = plain_text(markdown), limit
    text = escape_mrkdwn(_shorten(plain, room))
    while len(text) > limit and room > 1:  # the escapes made it longer: leave them room
        room -= len(text) - limit
        text = escape_mrkdwn(_shorten(plain, max(room, 1)))
    return text


def markdown_block(markdown: str) -> Block:
    return {"type": "markdown", "text": neutralize_mentions(markdown)}


def context_block(*mrkdwn: str) -> Block:
    """A context block of already-formatted (escaped) mrkdwn strings."""
    elements = [{"type": "mrkdwn", "text": text[:MAX_SECTION_TEXT]} for text in mrkdwn if text]
    return {"type": "context", "elements": elements[:MAX_CONTEXT_ELEMENTS]}


def message_blocks(markdown: str, footer: Sequence[Block] | None = None) -> list[Block]:
    """One reply part as blocks: the markdown, then (on the last part) the source footer."""
    return [markdown_block(markdown), *(footer or ())]


def part_blocks(
    number: int, count: int, footer: Sequence[Block], *, rest_in_thread: bool = False
) -> list[Block]:
    """What goes under part `number` of a reply sent as `count` messages.

    A part that isn't the last says the reply goes on, and where: "in the thread" when it
    is a top-level message (/summarize) whose thread holds the rest, so a reader of the
    channel knows the reply isn't whole; "below" in a thread or a private reply. The footer
    (source line, engine, notice, 👍/👎) goes under the last part, where the reader finishes
    and a vote is about the whole reply."""
    if count <= 1:
        return list(footer)
    if number < count:
        where = (
            ":thread: Continued in the thread"
            if number == 1 and rest_in_thread
            else ":arrow_down: Continued below"
        )
        return [context_block(f"{where} ({number}/{count})")]
    return [context_block(f"End of the reply ({count}/{count})"), *footer]


def message_payload(markdown: str, footer: Sequence[Block] | None = None) -> Payload:
    """Keyword arguments for chat.postMessage / chat.update / chat.postEphemeral (add channel)."""
    return {
        "text": fallback_text(markdown),
        "blocks": message_blocks(markdown, footer),
        "unfurl_links": False,
        "unfurl_media": False,
    }


# --- the source line ------------------------------------------------------------------------


class SourcedReply(Protocol):
    """What the source footer needs from a pipeline result."""

    @property
    def article(self) -> Article: ...

    @property
    def engine(self) -> str: ...

    @property
    def label(self) -> str | None: ...

    @property
    def notice(self) -> str | None: ...

    @property
    def articles(self) -> Sequence[Article]: ...


def source_line(article: Article) -> str:
    """*Title* (linked domain) · site · author · date, in escaped mrkdwn.

    The link shows the article's real domain, not its title: a page titled "Your bank"
    can't pass for your bank."""
    title = escape_mrkdwn(_shorten(article.title or "", 150))
    if article.url:
        where = domain_link(article.url)
        head = f"*{title}* ({where})" if title else where
    else:
        head = f"*{title or 'Pasted text'}*"
    details = [article.site_name, article.author and f"by {article.author}", article.published]
    extras = [escape_mrkdwn(_shorten(item, 80)) for item in details if item]
    return " · ".join([head, *extras])


THREAD_TITLE_CHARS = 80  # the assistant view's History lists threads by their title


def thread_title(article: Article) -> str | None:
    """An assistant thread's title: its first article's title (plain text, shortened)."""
    title = _shorten(article.title or "", THREAD_TITLE_CHARS)
    return title or None


def source_blocks(result: SourcedReply, *, max_sources: int = 5) -> list[Block]:
    """The footer under a reply: where it came from, and which engine wrote it (and why)."""
    sources = list(result.articles) or [result.article]
    lines = [f":newspaper: {source_line(article)}" for article in sources[:max_sources]]
    if len(sources) > max_sources:
        lines.append(f"…and {len(sources) - max_sources} more")
    label = result.label or (OFFLINE_LABEL if result.engine == "offline" else None)
    # Here, not at the top: bot.engines loads the model engine, which payloads don't need.
    from bot.engines.wording import FALLBACK_NOTICE, fallback_label

    notice = result.notice
    if label and notice and FALLBACK_NOTICE in notice:
        # The model failed and the offline engine answered: said once, in the label, on
        # every such reply (the next one may come from the model again).
        label = fallback_label(label)
        notice = notice.replace(FALLBACK_NOTICE, "").strip() or None
    elements = ["\n".join(lines)]
    if label:
        elements.append(f":robot_face: {escape_mrkdwn(_shorten(label, 200))}")
    if notice:
        elements.append(f":information_source: {escape_mrkdwn(_shorten(notice, 300))}")
    return [context_block(*elements)]


# --- the auto-mode offer ------------------------------------------------------------------


def offer_payload(url: str, value: str) -> Payload:
    """The ephemeral "Want a summary of <link>?" with its Summarize button (add channel, user)."""
    question = f"Want a summary of {url_link(url)}?"
    return {
        "text": f"Want a summary of {escape_mrkdwn(url)}?",
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": question},
                "accessory": {
                    "type": "button",
                    "action_id": "summarize_offer",
                    "text": {"type": "plain_text", "text": "Summarize"},
                    "value": value,
                },
            }
        ],
    }


# --- errors ---------------------------------------------------------------------------------

# What the person can do about each kind of failure (first match wins, most specific first).
# Slack users don't run the bot: who does can allow an intranet site (FETCH_ALLOWLIST).
INTRANET_HINT = "If it's an intranet page you need, ask whoever runs me to allow its site."
PAGE_HINT = "If you can see the article in your browser, paste its text here instead."
# Each hint, and whether it is for a link only (a paste's, a file's or a lost article's
# message says what to do itself).
_HINTS: list[tuple[type[ArticlebotError], str, bool]] = [
    (Forbidden, "", False),  # its message says what to do (the CLI shows it too)
    (FetchTimeout, "The site was slow. Try again, or paste the article text here instead.", False),
    (NotFound, "Check the link for typos.", False),
    (UnknownHost, "Check the link for typos.", False),
    (TooLarge, "Try a shorter page, or paste the part you care about.", False),
    (UnsupportedType, "I can read web pages, PDFs and plain text.", True),
    (BlockedAddress, "I only read public web pages.", False),  # an intranet one: INTRANET_HINT
    (InvalidURL, "Send a full link starting with https://.", False),
    (NotArticlePage, "", False),  # its message says what the page is and what to do instead
    (
        SlackLink,
        "For the link a message shares, use *Summarize article* in that message's ⋯ menu; "
        "for a thread's discussion, *Recap thread*.",
        False,
    ),
    (NotAnArticle, PAGE_HINT, True),
    (LLMError, "Try again in a minute.", False),
    (ConfigError, "An admin needs to fix the bot's settings.", False),
]


def error_text(exc: BaseException) -> str:
    """A friendly mrkdwn line for a failure; nothing internal leaks from unexpected errors."""
    if not isinstance(exc, ArticlebotError):
        return f":warning: {UNEXPECTED}"
    message = escape_mrkdwn(_shorten(str(exc), 1_000))
    hint, link_only = next(
        ((h, only) for kind, h, only in _HINTS if isinstance(exc, kind)), ("", False)
    )
    if isinstance(exc, BlockedAddress) and exc.intranet:
        hint = INTRANET_HINT
    if link_only and not exc.url:
        hint = ""
    return f":warning: {message}" + (f"\n{hint}" if hint else "")
