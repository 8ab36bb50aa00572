"""Put back article chunks the extractor left behind.

Many sites cut the article body into several containers of the same kind (ads or embeds
between them: `<div class="body">…</div><aside/>…<div class="body">…</div>`). trafilatura keeps
the first and drops the rest. We find the container the extracted paragraphs came from and
bring back the text of its look-alike neighbours, in document order.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml.html import HtmlElement

_SPACE = re.compile(r"\s+")
_KEY_CHARS = 60
# Extracted lines shorter than this are too generic to locate ("Advertisement", "Photo").
_MIN_MATCH_CHARS = 30
# A neighbour must sit close to the container: share an ancestor at most this many levels up.
_MAX_LEVELS_UP = 3
# A restored chunk must be prose (not a quote box, a link list or key-point bullets).
_MIN_PROSE_CHARS = 80
_MIN_PROSE_PARAGRAPHS = 2
_MAX_LINK_SHARE = 0.35
_TEXT_TAGS = ("p", "h2", "h3", "h4", "li")
_SKIP_INSIDE = frozenset({"aside", "figure", "figcaption", "nav", "footer", "form", "noscript"})


def _key(text: str) -> str:
    # The first _KEY_CHARS non-space characters; a long paragraph is not scanned to its end.
    head = "".join(text[: 4 * _KEY_CHARS].split())
    if len(head) < _KEY_CHARS:
        head = "".join(text.split())
    return head.casefold()[:_KEY_CHARS]


def _text(el: HtmlElement) -> str:
    return _SPACE.sub(" ", el.text_content()).strip()


def _line_keys(lines: list[str]) -> dict[str, int]:
    keys: dict[str, int] = {}
    for i, line in enumerate(lines):
        body = line[2:] if line.startswith("- ") else line
        if len(body) >= _MIN_MATCH_CHARS:
            keys.setdefault(_key(body), i)
    return keys


def _ancestors(el: HtmlElement, levels: int) -> list[HtmlElement]:
    found: list[HtmlElement] = []
    parent = el.getparent()
    while parent is not None and len(found) < levels:
        found.append(parent)
        parent = parent.getparent()
    return found


def _source_container(paras: list[HtmlElement]) -> HtmlElement | None:
    """The element whose paragraphs the extractor returned (the parent of most of them)."""
    parents = Counter(p.getparent() for p in paras if p.getparent() is not None)
    if not parents:
        return None
    container, hits = parents.most_common(1)[0]
    return container if hits >= 2 and container.get("class") else None


def _link_share(el: HtmlElement, text: str) -> float:
    return sum(len(_text(a)) for a in el.iter("a")) / max(len(text), 1)


def _chunk_paragraphs(chunk: HtmlElement) -> list[str]:
    """The chunk's text blocks, or nothing unless it holds real prose (2+ long paragraphs)."""
    texts: list[str] = []
    prose = 0
    for el in chunk.iter(*_TEXT_TAGS):
        if any(a.tag in _SKIP_INSIDE for a in _ancestors(el, 8) if a is not chunk):
            continue
        # The innermost text block only: a <li> holding <p>s is read through its <p>s.
        if any(child.tag in _TEXT_TAGS for child in el.iterdescendants()):
            continue
        text = _text(el)
        if not text or _link_share(el, text) > _MAX_LINK_SHARE:
            continue
        texts.append(f"- {text}" if el.tag == "li" else text)
        if el.tag == "p" and len(text) >= _MIN_PROSE_CHARS:
            prose += 1
    return texts if prose >= _MIN_PROSE_PARAGRAPHS else []


def _neighbours(container: HtmlElement) -> list[HtmlElement]:
    """Elements of the same tag and class as `container`, near it, not nested in it."""
    near = _ancestors(container, _MAX_LEVELS_UP)
    if not near:
        return []
    scope = near[-1]
    cls = container.get("class")
    above = set(near)
    # Nested in it: tested for the few look-alikes only, not by collecting all it holds.
    return [
        el
        for el in scope.iter(container.tag)
        if el.get("class") == cls
        and el not in above
        and el is not container
        and not any(a is container for a in el.iterancestors(container.tag))
    ]


def restore_chunks(tree: HtmlElement, lines: list[str]) -> list[str]:
    """`lines` with the paragraphs of the container's missing look-alike chunks inserted."""
    keys = _line_keys(lines)
    if len(keys) < 2:
        return lines
    line_of: dict[HtmlElement, int] = {}
    for el in tree.iter("p"):
        index = keys.get(_key(el.text_content()))
        if index is not None:
            line_of[el] = index
    container = _source_container(list(line_of))
    if container is None:
        return lines
    chunks = _neighbours(container)
    if not chunks:
        return lines
    chunk_set = set(chunks)
    # Walk the page in order; a chunk goes after the last extracted line seen before it.
    inserts: dict[int, list[str]] = {}
    last_line = -1
    skipped: set[HtmlElement] = set()
    # Only <p>s (the extracted lines) and the chunks' tag matter: lxml picks them out.
    tags = ("p", container.tag)
    for el in tree.iter(*tags):
        if el in skipped:
            continue
        if el in line_of:
            last_line = max(last_line, line_of[el])
        elif el in chunk_set:
            if not any(p in line_of for p in el.iter("p")):
                inserts.setdefault(last_line, []).extend(_chunk_paragraphs(el))
            skipped.update(el.iterdescendants(*tags))
    if not any(inserts.values()):
        return lines
    out = list(inserts.get(-1, []))
    for i, line in enumerate(lines):
        out.append(line)
        out.extend(inserts.get(i, []))
    return out


# A trailing list item led by a link (a headline, maybe with a blurb) points to another page.
_RELATED_LINK_SHARE = 0.25
_MIN_RELATED_ITEMS = 2
# "You may also like…", "Related": the short heading above such a list.
_MAX_HEADING_WORDS = 6


def drop_trailing_link_list(tree: HtmlElement, lines: list[str]) -> list[str]:
    """Remove a list of links to other pages that ends the text, with its short heading."""
    end = len(lines)
    while end > 0 and lines[end - 1].startswith("- "):
        end -= 1
    tail = {_key(line[2:]): i for i, line in enumerate(lines[end:], start=end)}
    if len(tail) < _MIN_RELATED_ITEMS:
        return lines
    linked: set[int] = set()
    for li in tree.iter("li"):
        text = _text(li)
        index = tail.get(_key(text))
        if index is not None and _link_share(li, text) >= _RELATED_LINK_SHARE:
            linked.add(index)
    # Drop the list items from the bottom up while they are links.
    cut = len(lines)
    while cut > end and cut - 1 in linked:
        cut -= 1
    if len(lines) - cut < _MIN_RELATED_ITEMS:
        return lines
    if cut == end and end > 0:
        heading = lines[end - 1]
        if len(heading.split()) <= _MAX_HEADING_WORDS and not heading.endswith((".", "!", "?")):
            cut -= 1
    return lines[:cut]
