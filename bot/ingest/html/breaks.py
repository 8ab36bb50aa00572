"""Paragraphs as the author wrote them: source line-wraps and `<br>`s are not paragraphs.

Before extraction, `mark_breaks` turns newlines inside text into spaces (in HTML they are
spaces, except in `<pre>`) and each lone `<br>` into a private-use mark, so the extractor
sees one block where the author wrote one. `<br><br>` stays: that is a paragraph break.
After extraction, `rebuild` turns each mark back into a line break, or into a space where
the line was only wrapped (it doesn't end a sentence and the next one starts in lower
case, or in a script without case, like Japanese).
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from bot.ingest.cleaning.wraps import continues, join

# A printable symbol pages hardly use (REVERSED PILCROW): the extractor drops unprintable
# ones and its own line mark (U+2424). `rebuild` turns every one into a space or line break.
BREAK = "\u204b"
_NEWLINES = re.compile(r"[\r\n]+")
# Whitespace-only nodes (indentation) are left alone: they become one space anyway.
_WRAPPED_TEXT = etree.XPath('//text()[contains(., "\n") or contains(., "\r")][normalize-space()]')
_KEEP_NEWLINES = ("pre", "textarea", "code", "listing", "plaintext", "xmp")
_INLINE = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "font",
        "i",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
    ]
)


def _is_br(el: object) -> bool:
    return isinstance(el, HtmlElement) and el.tag == "br"


def _blank(text: str | None) -> bool:
    return not text or text.isspace()


def _doubled(br: HtmlElement) -> bool:
    """Whether `br` is one of two or more in a row (only whitespace between them)."""
    nxt, prev = br.getnext(), br.getprevious()
    return (_is_br(nxt) and _blank(br.tail)) or (_is_br(prev) and _blank(prev.tail))


def _between_text(br: HtmlElement) -> bool:
    """Whether `br` breaks a run of text: text (or an inline tag) before it, text after.

    A `<br>` next to a block (an image, a <center>) is left alone: the extractor reads
    the text after a block differently, and keeping it there keeps that text.
    """
    if _blank(br.tail):
        return False
    prev = br.getprevious()
    if prev is None:
        parent = br.getparent()
        return parent is not None and not _blank(parent.text)
    return not _blank(prev.tail) or (isinstance(prev.tag, str) and prev.tag in _INLINE)


def mark_breaks(tree: HtmlElement) -> None:
    """Newlines in text become spaces, lone `<br>`s become BREAK (in place)."""
    keep: set[HtmlElement] = set()
    for pre in tree.iter(*_KEEP_NEWLINES):
        keep.update(pre.iter())
    # The text nodes with a newline, found in C: most of a page's nodes have none.
    for node in _WRAPPED_TEXT(tree):
        el = node.getparent()
        if el is None or (keep and (el.getparent() if node.is_tail else el) in keep):
            continue
        if node.is_tail:
            el.tail = _NEWLINES.sub(" ", el.tail)
        else:
            el.text = _NEWLINES.sub(" ", el.text)
    lone = [
        br for br in tree.iter("br") if br not in keep and not _doubled(br) and _between_text(br)
    ]
    for br in lone:
        if br.getparent() is None:
            continue
        br.tail = BREAK + (br.tail or "")
        br.drop_tree()  # keeps the tail, now led by the mark


def rebuild(line: str) -> str:
    """`line` with each BREAK made a space (a wrapped line) or a line break."""
    if BREAK not in line:
        return line
    parts = [part.strip() for part in line.split(BREAK)]
    parts = [part for part in parts if part]
    if not parts:
        return ""
    out = parts[0]
    for part in parts[1:]:
        out = join(out, part) if continues(out, part) else out + "\n" + part
    return out
