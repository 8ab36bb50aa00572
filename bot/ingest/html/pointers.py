"""Lines that only point to another page: a paragraph that is one link's text.

Inside a story, a paragraph made entirely (or all but a short label) of link text is a
pointer to another story ("Read more: …", "Leia também: …", a headline in capitals between
paragraphs), not the article's own text: the author's paragraphs carry links inside
sentences, not as the whole paragraph. Told by the page's markup, so it holds in any
language. A block inside a link (`<a><h3>…</h3><p>…</p></a>`) is a teaser card, whatever
it says. Otherwise headings and list items are left alone (a product name linked to its
shop in a buying guide is the guide's subheading), and so are sentences, addresses, short
credits ("[Wired]") and anything the page also prints without the link.
"""

from __future__ import annotations

import re

from bot.ingest.html.blocks import HEADINGS, Unit
from bot.ingest.html.breaks import BREAK

_KEY_CHARS = 60
# Link text this share of the paragraph's: all of it but a short label ("Related:").
_MIN_LINK_SHARE = 0.7
# Shorter than a headline (non-space characters): a source credit ("[Engadget]"), a label.
_MIN_CHARS = 15
_NOT_POINTERS = HEADINGS | {"li", "dd", "dt", "td", "th", "pre"}
# A sentence's end: at the line's end, or inside it before the next word ("… end.' Next").
# A question may end a headline; a full stop or an exclamation doesn't.
_SENTENCE = re.compile(r"[.!…]['\"”’»)\]]*$|[.!?…]['\"”’»)\]]*\s*[^\W\d_]")
_ADDRESS = re.compile(r"https?://|www\.|@", re.IGNORECASE)
# A list whose every item (two or more) is a headline in a link: other stories.
_MIN_ITEMS = 2
_ITEM_LINK_SHARE = 0.9


def _key(text: str) -> str:
    """The first non-space characters, case-folded: a rebuilt line matches its unit's text.

    Read from the text's start only: a long paragraph is not scanned to its end.
    """
    head = text[: 4 * _KEY_CHARS]
    key = "".join(head.replace(BREAK, "").split()).casefold()[:_KEY_CHARS]
    if len(key) < _KEY_CHARS and len(head) < len(text):
        key = "".join(text.replace(BREAK, "").split()).casefold()[:_KEY_CHARS]
    return key


def _headline(text: str) -> bool:
    return (
        not _SENTENCE.search(text) and not _ADDRESS.search(text) and len(_key(text)) >= _MIN_CHARS
    )


def _points(unit: Unit) -> bool:
    """Whether a unit of (mostly) link text points elsewhere rather than says something."""
    if next(unit.owner.iterancestors("a"), None) is not None:
        return True  # a block inside a link: a teaser card, whatever it holds
    return unit.tag not in _NOT_POINTERS and _headline(unit.text)


def pointer_keys(lines: list[str], units: list[Unit]) -> tuple[set[str], set[str]]:
    """Keys of `lines` that are paragraphs of link text (none printed also without links),
    and of those that are items of lists of links (matched against list items only: a table
    of contents goes, the subheadings it names stay)."""
    wanted = {_key(line) for line in lines}
    wanted.update(_key(line[2:]) for line in lines if line.startswith("- "))
    lowest: dict[str, float] = {}
    linked: list[tuple[str, Unit]] = []
    lists: dict[object, list[tuple[str, Unit]]] = {}
    for unit in units:
        key = _key(unit.text)
        if unit.tag == "li":
            lists.setdefault(unit.owner.getparent(), []).append((key, unit))
        if key in wanted:
            share = unit.link_share
            lowest[key] = min(share, lowest.get(key, share))
            if share >= _MIN_LINK_SHARE:
                linked.append((key, unit))
    # The same text elsewhere without its link (the article's own subheading) stays.
    keys = {key for key, unit in linked if lowest[key] >= _MIN_LINK_SHARE and _points(unit)}
    items = {
        key
        for members in lists.values()
        if len(members) >= _MIN_ITEMS
        and any(key in wanted for key, _ in members)
        and all(u.link_share >= _ITEM_LINK_SHARE and _headline(u.text) for _, u in members)
        for key, _ in members
    }
    return keys, items


def drop_pointers(lines: list[str], units: list[Unit]) -> list[str]:
    """`lines` without the paragraphs and list items that only link to another page."""
    keys, items = pointer_keys(lines, units)
    if not keys and not items:
        return lines
    gone = [
        _key(line) in keys or (line.startswith("- ") and _key(line[2:]) in items) for line in lines
    ]
    for i in range(len(lines) - _MIN_ITEMS):
        # The heading of a box of pointers ("Don't miss", "Lesen Sie auch") goes with it.
        if not gone[i] and all(gone[i + 1 : i + 1 + _MIN_ITEMS]) and _box_heading(lines[i]):
            gone[i] = True
    kept = [line for line, out in zip(lines, gone, strict=True) if not out]
    return kept or lines


# A heading: a few words, no sentence (a colon may end it: "More:").
_HEADING_WORDS = 6
_ENDS_SENTENCE = re.compile(r"[.!?…。！？]['\"”’»)\]]*$")


def _box_heading(line: str) -> bool:
    return len(line.split()) <= _HEADING_WORDS and not _ENDS_SENTENCE.search(line)
