"""Markdown as plain text, for the notification fallback (`text`) of a message with blocks.

Notifications, the sidebar and screen readers show `text` as it is: `## Summary **Bridge**`
would be read out with its marks. The markdown is parsed (markdown-it, as CommonMark reads
it) and only its words are kept: headings end with a colon, list items start with "•",
code keeps its content, and a link shows its label followed by its real domain, as the
link policy (bot.slack.safe_links) shows it in blocks. Pure: text in, text out.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from bot.slack.safe_links import label_shows_target, link_target

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
_BLOCK_ENDS = frozenset(
    {"paragraph_close", "list_item_close", "blockquote_close", "th_close", "td_close"}
)


@cache
def _parser() -> MarkdownIt:
    # Loaded on first use: processes that never post a reply don't pay for the import.
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    # Every link parses as a link: one the policy won't keep live loses its URL here anyway.
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


def plain_text(markdown: str) -> str:
    """The words of `markdown`, block after block on one line each."""
    out: list[str] = []
    ordered: list[int | None] = []  # per open list: the next item's number (None: bullets)
    for token in _parser().parse(markdown):
        kind = token.type
        if kind == "inline":
            out.append(_inline(token.children or ()))
        elif kind in ("code_block", "fence"):
            out.append(token.content.strip() + "\n")
        elif kind == "heading_close":
            if out and out[-1] and out[-1][-1].isalnum():
                out[-1] += ":"
            out.append("\n")
        elif kind == "bullet_list_open":
            ordered.append(None)
        elif kind == "ordered_list_open":
            ordered.append(int(token.attrGet("start") or 1))
        elif kind in ("bullet_list_close", "ordered_list_close") and ordered:
            ordered.pop()
        elif kind == "list_item_open":
            number = ordered[-1] if ordered else None
            out.append("• " if number is None else f"{number}. ")
            if number is not None:
                ordered[-1] = number + 1
        elif kind in _BLOCK_ENDS:
            out.append("\n")
    lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)


def _inline(children: Sequence[Token]) -> str:
    words: list[str] = []
    href: str | None = None
    label_start = 0
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            words.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            words.append(" ")
        elif kind == "image":
            words.append(child.content)  # its alt text; an image is never shown here
        elif kind == "link_open":
            href, label_start = str(child.attrGet("href") or ""), len(words)
        elif kind == "link_close" and href is not None:
            label = "".join(words[label_start:])
            words[label_start:] = [_link(label, href)]
            href = None
    return "".join(words)


def _link(label: str, href: str) -> str:
    """A link's label and, unless the label already shows it, the domain it goes to."""
    target = link_target(href)
    if target is None:
        return label
    if not label.strip() or label_shows_target(label, href, target):
        return label.strip() or target.shown
    return f"{label} ({target.shown})"
