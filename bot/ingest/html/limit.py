"""Cut an oversized page to its first part, before the costly steps read it.

lxml parses megabytes in milliseconds; what costs is everything after it: the metadata
search, trafilatura (its fallbacks grow faster than the page) and our cleaner, all walking
every element and line. A page with 200,000 paragraphs took minutes. An article comes
first on its page, so the first elements are the ones worth reading.
"""

from __future__ import annotations

from collections.abc import Collection

from lxml import etree
from lxml.html import HtmlElement

# Structured metadata (author, date) that some sites put at the very end of the page: kept
# when the part it sits in is cut off. A few are enough; a hostile page may hold thousands.
_JSON_LD = '//script[@type="application/ld+json"]'
_MAX_JSON_LD = 10
# Upper bounds on what the walk below counts, computed in C: every element, and every
# character of text. Most pages are far under both limits.
_ALL_ELEMENTS = etree.XPath("count(descendant-or-self::*)")
_ALL_CHARS = etree.XPath("string-length(.)")


def cut_tree(
    tree: HtmlElement, *, max_elements: int, max_chars: int, skip: Collection[str]
) -> bool:
    """Keep the page up to its `max_elements`-th element or `max_chars`-th character of text,
    in document order, and delete the rest (in place). True if anything was cut.

    Elements in `skip` (scripts, styles, SVG: never article text) count for neither, nor
    does anything inside them.
    """
    # The walk calls into Python for every element (~1.4 ms a page); when even the totals
    # are within the limits, it can't cut anything.
    if _ALL_ELEMENTS(tree) <= max_elements and _text_bound(tree, skip, max_chars) <= max_chars:
        return False
    elements = chars = 0
    walker = etree.iterwalk(tree, events=("start",))
    for _event, el in walker:
        chars += len(el.tail or "")
        if el.tag in skip:
            walker.skip_subtree()
        else:
            elements += 1
            chars += len(el.text or "")
        if elements > max_elements or chars > max_chars:
            if el is tree:
                return False  # nothing but the root: there is no first part to keep
            _cut_from(tree, el)
            return True
    return False


def _text_bound(tree: HtmlElement, skip: Collection[str], max_chars: int) -> float:
    """At least the characters the walk counts: all text, less the skipped elements' own
    text (a script's or style's code, often most of a page's characters)."""
    total = _ALL_CHARS(tree) + len(tree.tail or "")
    if total <= max_chars:
        return total  # the usual page: spare visiting its scripts
    for el in tree.iter(*skip):
        if el.tag in skip:
            total -= len(el.text or "")
    return total


def _cut_from(tree: HtmlElement, first: HtmlElement) -> None:
    """Delete `first` and everything after it in document order."""
    metadata = tree.xpath(_JSON_LD)[:_MAX_JSON_LD]
    node, parent = first, first.getparent()
    keep_node = False  # `first` itself goes; of its ancestors, only what follows them
    while parent is not None:
        del parent[parent.index(node) + keep_node :]
        node, parent, keep_node = parent, parent.getparent(), True
    head = tree.find("head")
    home = head if head is not None else tree
    for script in metadata:
        if not _inside(script, tree):  # it was in the part cut off
            script.tail = None
            home.append(script)


def _inside(el: HtmlElement, root: HtmlElement) -> bool:
    # A deleted element still belongs to the parsed document (getroottree() can't tell).
    top = next(reversed(list(el.iterancestors())), el)
    return top is root
