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

from bot.ingest.html_breaks import BREAK

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

    @property
    def link_share(self) -> float:
        return self.link_chars / max(len(self.text), 1)


# Candidates found in C by XPath ("omment" and "oment" cover comment, Kommentare,
# comentarios), then checked by the pattern: one Python test per candidate, not per element.
_COMMENT_CANDIDATES = etree.XPath(
    './/*[contains(@class, "omment") or contains(@id, "omment")'
    ' or contains(@class, "oment") or contains(@id, "oment")]'
)


def _comment_sections(root: HtmlElement) -> set[HtmlElement]:
    found = set()
    for el in _COMMENT_CANDIDATES(root):
        if _COMMENTS.search(f"{el.get('class', '')} {el.get('id', '')}".casefold()):
            found.add(el)
    return found


def page_units(root: HtmlElement) -> list[Unit]:
    """Every block element's own text, in document order (reader comments left out)."""
    units: list[Unit] = []
    comments = _comment_sections(root)
    # One open block per level: (element, text parts, characters inside links).
    stack: list[tuple[HtmlElement, list[str], list[int]]] = []
    owner, parts, link = root, [], [0]
    links = 0
    skipping: HtmlElement | None = None

    def flush() -> None:
        text = _SPACE.sub(" ", "".join(parts)).strip()
        if text and text.replace(BREAK, "").strip():
            units.append(Unit(text, owner, link[0]))
        parts.clear()
        link[0] = 0

    for event, el in etree.iterwalk(root, events=("start", "end")):
        if skipping is not None:
            if event == "end" and el is skipping:
                skipping = None
                if el.tail:
                    parts.append(el.tail)
            continue
        tag = el.tag
        if event == "start":
            if not isinstance(tag, str) or el is root:
                if el is root and el.text:
                    parts.append(el.text)
                continue
            if el in comments:
                skipping = el
                continue
            if tag in _BLOCK_TAGS:
                if parts:
                    flush()
                stack.append((owner, parts, link))
                owner, parts, link = el, [], [0]
            if tag == "a":
                links += 1
            text = el.text
            if text:
                parts.append(text)
                if links:
                    link[0] += len(text.strip())
        elif el is not root:
            if tag == "a":
                links -= 1
            if tag in _BLOCK_TAGS:
                if parts:
                    flush()
                owner, parts, link = stack.pop()
            tail = el.tail
            if tail:
                parts.append(tail)
                if links:
                    link[0] += len(tail.strip())
    flush()
    return units


def _unspaced(text: str) -> bool:
    return len(_UNSPACED.findall(text[:200])) * 2 > len(text[:200])


def is_prose(text: str, link_share: float = 0.0) -> bool:
    if link_share > _MAX_LINK_SHARE:
        return False
    need = _UNSPACED_PROSE_CHARS if _unspaced(text) else _PROSE_CHARS
    # A blurb cut short ("… may soon...") is a teaser for another page.
    return len(text) >= need and bool(_SENTENCE_END.search(text)) and not _CUT_SHORT.search(text)


def prose_chars(lines: list[str]) -> int:
    return sum(len(line) for line in lines if is_prose(line))


def prose_block(units: list[Unit], root: HtmlElement) -> tuple[HtmlElement, int]:
    """The element holding the page's largest coherent run of prose, and its prose chars."""
    weight: Counter[HtmlElement] = Counter()
    for unit in units:
        if is_prose(unit.text, unit.link_share):
            size = len(unit.text)
            weight[unit.owner] += size
            for parent in unit.owner.iterancestors():
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
        text, tag = unit.text, unit.owner.tag
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
