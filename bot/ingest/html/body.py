"""The article's own text blocks, found by trafilatura on a parsed tree.

trafilatura runs in its fast mode (no readability/jusText fallbacks): on news pages the
fallbacks cost a third of the time and lose as often as they win. They are still worth it
when the fast pass returns a wall of menu entries, so only then do we run them.
"""

from __future__ import annotations

from collections.abc import Callable

import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from bot.ingest.html.fast_pass import fast_text

# A "prose" line: long enough to be a sentence in any script (CJK has no spaces).
_PROSE_CHARS = 50
# Below this share of characters in prose lines, with this many lines, it's a menu dump.
_MENU_PROSE_SHARE = 0.3
_MENU_MIN_LINES = 40


# Elements trafilatura deletes anyway. Deleting them once up front spares the copies and
# XPath passes it makes of the tree (about a quarter of the extraction time, same output).
NEVER_TEXT = (
    "head",
    "script",
    "style",
    "svg",
    "noscript",
    "iframe",
    "template",
    "canvas",
    "object",
    "embed",
    "math",
    "select",
    "button",
    "input",
    "picture",
    "video",
    "audio",
    "map",
    "label",
    "option",
    "optgroup",
    "datalist",
    "legend",
    "applet",
    "area",
    "marquee",
    "blink",
    "output",
    "progress",
    "param",
    "source",
    "menuitem",
    "link",
    "frameset",
    "frame",
)
# Page furniture trafilatura also deletes, unless that would delete every paragraph (then
# its recall retry keeps them): we mirror that rule.
_FURNITURE = ("nav", "footer", "aside", "menu", "dialog", "fieldset", "noindex")


def strip_non_text(tree: HtmlElement) -> None:
    """Delete elements that never hold article text (in place; read metadata first)."""
    etree.strip_elements(tree, *NEVER_TEXT, with_tail=False)
    if any(next(p.iterancestors(*_FURNITURE), None) is None for p in tree.iter("p")):
        etree.strip_elements(tree, *_FURNITURE, with_tail=False)


def _lines(tree: HtmlElement, url: str | None, *, fast: bool) -> list[str]:
    if fast:
        text = fast_text(tree, url, _CONFIG)
    else:
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            fast=False,
            include_comments=False,
            with_metadata=False,
            config=_CONFIG,
        )
        text = getattr(doc, "text", None) or ""
    return [line.strip() for line in text.split("\n") if line.strip()]


def prose_share(lines: list[str]) -> float:
    """Share of characters that sit in sentence-length lines."""
    total = sum(len(line) for line in lines)
    if not total:
        return 0.0
    return sum(len(line) for line in lines if len(line) >= _PROSE_CHARS) / total


def looks_like_menu(lines: list[str]) -> bool:
    return len(lines) >= _MENU_MIN_LINES and prose_share(lines) < _MENU_PROSE_SHARE


def _always() -> bool:
    return True


def main_lines(
    tree: HtmlElement, url: str | None = None, *, may_retry: Callable[[], bool] = _always
) -> list[str]:
    """The main text's lines (paragraphs, headings, list items) in reading order.

    `may_retry` is asked before the fallbacks run (they repeat the fast pass, then add
    readability and jusText, whose cost grows faster than the page): False skips them.
    """
    lines = _lines(tree, url, fast=True)
    if looks_like_menu(lines) and may_retry():
        retry = _lines(tree, url, fast=False)
        if retry and prose_share(retry) > prose_share(lines):
            return retry
    return lines


_CONFIG = trafilatura.settings.use_config()
