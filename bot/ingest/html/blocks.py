"""The page as text blocks in reading order, and its largest coherent block of prose.

A second opinion on the extractor's choice that knows nothing of any site: every block
element's own text is a unit (inline tags, links included, are read into it); a unit of
prose adds its length to its element and every ancestor. Starting from the root we go
down into the child holding most of the prose as long as it holds nearly all of it: we
stop at the element whose prose is spread over several children (a story's paragraphs, a
thread's posts). Sidebars, teaser cards and pitch boxes are siblings of that element.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from bot.ingest.html.breaks import BREAK

_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_ITEMS = frozenset({"li", "dd", "dt"})
# Reader comments are prose too, but not the article (trafilatura drops them the same way).
_COMMENTS = re.compile(r"(?:^|[\s_-])(?:comments?|kommentare|commentaires|comentarios)(?:$|[\s_-])")
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?…]['\"”’»)\]]*(?:\s|$)|[。！？]")
_CUT_SHORT = re.compile(r"(?:\.\.\.|…|\[…\]|\[\.\.\.\])\W{0,3}$")
_TERMINAL = re.compile(r"[.!?…。！？:]['\"”’»)\]」』]*$")
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# A prose unit: this long (scripts without spaces pack more in a character), with a
# sentence end in it, and not mostly link text.
_PROSE_CHARS = 80
_UNSPACED_PROSE_CHARS = 30
_MAX_LINK_SHARE = 0.3
# Descend into a child holding at least this share of its parent's prose.
_DESCEND_SHARE = 0.7
# A short unit kept in the block: a sentence of this many characters.
_MIN_SENTENCE_CHARS = 25
_MAX_HEADING_CHARS = 200


@dataclass(slots=True)
class Unit:
    text: str
    owner: HtmlElement
    link_chars: int
    tag: str  # the owner's (read once: lxml builds a new string on every `.tag`)

    @property
    def link_share(self) -> float:
        return self.link_chars / max(len(self.text), 1)


# Candidates found in C by XPath ("omment" and "oment" cover comment, Kommentare,
# comentarios), then checked by the pattern: one Python test per candidate, not per element.
# Testing the class and id attributes themselves is ~3x faster in libxml2 than testing
# every element's (mostly absent) attributes; the root's own are included, and harmless:
# `page_units` never skips the root.
_COMMENT_CANDIDATES = etree.XPath(
    './/@class[contains(., "omment") or contains(., "oment")]/..'
    ' | .//@id[contains(., "omment") or contains(., "oment")]/..'
)


def _comment_sections(root: HtmlElement) -> set[HtmlElement]:
    found = set()
    for el in _COMMENT_CANDIDATES(root):
        if _COMMENTS.search(f"{el.get('class', '')} {el.get('id', '')}".casefold()):
            found.add(el)
    return found


def page_units(root: HtmlElement) -> list[Unit]:
    """Every block element's own text, in document order (reader comments left out).

    Only elements are walked (`iterwalk` passes over comments and processing instructions,
    their tails included). One loop over ~350 elements a page: each step is kept lean.
    """
    units: list[Unit] = []
    comments = _comment_sections(root)
    # The open blocks' owners; a block's text parts are emitted when a nested block starts,
    # so only the innermost open block has any: one list of parts, one link count.
    stack: list[tuple[HtmlElement, str]] = []
    owner, owner_tag = root, root.tag
    parts: list[str] = []
    link = 0
    links = 0
    skipped: HtmlElement | None = None
    blocks = _BLOCK_TAGS

    def emit(parts: list[str], owner: HtmlElement, tag: str, link: int) -> None:
        # str.split() and `\s` agree on what whitespace is: the same as sub(" ").strip().
        text = " ".join("".join(parts).split())
        if text and (BREAK not in text or text.replace(BREAK, "").strip()):
            units.append(Unit(text, owner, link, tag))

    walker = etree.iterwalk(root, events=("start", "end"))
    next(walker)  # the root's start
    if root.text:
        parts.append(root.text)
    for event, el in walker:
        if event == "start":
            tag = el.tag
            if not isinstance(tag, str):
                continue
            if comments and el in comments:
                walker.skip_subtree()  # its end still comes, next
                skipped = el
                continue
            if tag in blocks:
                if parts:
                    emit(parts, owner, owner_tag, link)
                    parts = []
                    link = 0
                stack.append((owner, owner_tag))
                owner, owner_tag = el, tag
            elif tag == "a":
                links += 1
            text = el.text
            if text:
                parts.append(text)
                if links:
                    link += len(text.strip())
        elif skipped is not None and el is skipped:
            skipped = None
            if el.tail:
                parts.append(el.tail)  # not counted as link text, even inside a link
        elif el is not root:
            tag = el.tag
            if tag in blocks:
                if parts:
                    emit(parts, owner, owner_tag, link)
                    parts = []
                    link = 0
                owner, owner_tag = stack.pop()
            elif tag == "a":
                links -= 1
            tail = el.tail
            if tail:
                parts.append(tail)
                if links:
                    link += len(tail.strip())
    if parts:
        emit(parts, owner, owner_tag, link)
    return units


def _unspaced(text: str) -> bool:
    head = text[:200]
    # isascii() is a flag lookup: most pages need no scan at all.
    return not head.isascii() and len(_UNSPACED.findall(head)) * 2 > len(head)


# A cut-short ending is at most 9 characters ("[...]", 3 non-word ones, a final newline):
# searching the last 16 finds the same matches without scanning a long paragraph.
_CUT_SHORT_TAIL = 16


def is_prose(text: str, link_share: float = 0.0) -> bool:
    if link_share > _MAX_LINK_SHARE:
        return False
    # Long enough in any script, too short in all, or in between: only then ask which.
    size = len(text)
    if size < _PROSE_CHARS and (size < _UNSPACED_PROSE_CHARS or not _unspaced(text)):
        return False
    # A blurb cut short ("… may soon...") is a teaser for another page.
    return bool(_SENTENCE_END.search(text)) and not _CUT_SHORT.search(text[-_CUT_SHORT_TAIL:])


def prose_block(units: list[Unit], root: HtmlElement) -> tuple[HtmlElement, int]:
    """The element holding the page's largest coherent run of prose, and its prose chars."""
    # Each owner's prose first, then up its ancestors once (a <div> often owns many units).
    own: dict[HtmlElement, int] = {}
    for unit in units:
        if is_prose(unit.text, unit.link_share):
            own[unit.owner] = own.get(unit.owner, 0) + len(unit.text)
    weight: Counter[HtmlElement] = Counter()
    for owner, size in own.items():
        weight[owner] += size
        for parent in owner.iterancestors():
            weight[parent] += size
    node = root
    while True:
        children = [child for child in node if weight[child]]
        if not children:
            break
        best = max(children, key=lambda child: weight[child])
        if weight[best] < _DESCEND_SHARE * weight[node]:
            break
        node = best
    return node, weight[node]


def block_lines(units: list[Unit], inside: set[HtmlElement]) -> list[str]:
    """The text of the block (`inside`: its elements): prose, sentences, subheadings and
    list items, not link lists."""
    lines: list[str] = []
    for unit in units:
        if unit.owner not in inside or unit.link_share > 0.5:
            continue
        text, tag = unit.text, unit.tag
        if tag == "h1":
            continue  # the headline: not part of the article's text
        keep = (
            is_prose(text, unit.link_share)
            or (tag in HEADINGS and len(text) <= _MAX_HEADING_CHARS)
            or (tag in _ITEMS and unit.link_share <= _MAX_LINK_SHARE)
            or (len(text) >= _MIN_SENTENCE_CHARS and bool(_TERMINAL.search(text)))
        )
        if keep:
            lines.append(text)
    return lines
