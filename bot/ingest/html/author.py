"""The article's byline when the page's meta tags and JSON-LD don't name the author.

trafilatura's own search copies the whole tree and runs regex XPaths that call back into
Python for every element (~15 ms a page). Here one native XPath finds the few candidates and
Python only looks at those.
"""

from __future__ import annotations

import re

from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.json_metadata import normalize_authors

_SPACE = re.compile(r"\s+")
# Elements whose rel/itemprop/class/id/data-component marks an author or byline (ranked
# below). Tested attribute by attribute: libxml2 reads the few elements that carry each
# attribute, ~3x faster than testing every element for ten absent attributes. The union
# is in document order, as `//*[...]` was.
_CANDIDATES = XPath(
    """//@class[contains(., 'writer') or contains(., 'author') or contains(., 'Author')
        or contains(., 'byline') or contains(., 'Byline')]/..
    | //@id[contains(., 'author') or contains(., 'byline')]/..
    | //@rel[. = 'author']/.. | //@itemprop[contains(., 'author')]/..
    | //@data-component[contains(., 'Byline')]/.. | //author"""
)
_SPECIFIC = re.compile(r"author-?name|authorname|^author$|^byline$", re.IGNORECASE)
# Bylines inside comments, sidebars, teasers or captions name other people.
_ELSEWHERE = re.compile(
    r"comment|sidebar|related|recommend|teaser|footer|caption|quote|newsletter",
    re.IGNORECASE,
)
_ELSEWHERE_TAGS = frozenset({"aside", "footer", "figure", "nav", "time", "blockquote"})
_MAX_CHARS = 120
_MAX_CHILDREN = 8
_NOT_BYLINE = frozenset({"meta", "script", "style", "body", "html", "head", "link"})
# Dates printed inside the byline ("By A. Writer, Nov 18") are not part of the name.
_DATE_CLASS = re.compile(r"date|time", re.IGNORECASE)
_ANCESTOR_LEVELS = 6


def _rank(el: HtmlElement) -> int:
    if el.get("rel") == "author" or "author" in (el.get("itemprop") or ""):
        return 0
    if _SPECIFIC.search(el.get("class") or "") or _SPECIFIC.search(el.get("id") or ""):
        return 1
    return 2


def _elsewhere(el: HtmlElement) -> bool:
    node: HtmlElement | None = el
    for _ in range(_ANCESTOR_LEVELS):
        if node is None:
            break
        if node.tag in _ELSEWHERE_TAGS:
            return True
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if _ELSEWHERE.search(marks):
            return True
        node = node.getparent()
    return False


def _own_text(el: HtmlElement, parts: list[str]) -> None:
    if el.tag == "time" or _DATE_CLASS.search(el.get("class") or ""):
        return
    if el.text:
        parts.append(el.text)
    for child in el:
        if isinstance(child.tag, str):
            _own_text(child, parts)
        if child.tail:
            parts.append(child.tail)


def _byline_text(el: HtmlElement) -> str:
    parts: list[str] = []
    _own_text(el, parts)
    return _SPACE.sub(" ", " ".join(parts)).strip()


def find_author(tree: HtmlElement) -> str | None:
    """The byline's name(s) ("A; B"), or None."""
    candidates = [
        el
        for el in _CANDIDATES(tree)
        # A big block whose class mentions "author" is a wrapper (or a bio), not a byline.
        if isinstance(el.tag, str) and el.tag not in _NOT_BYLINE and len(el) <= _MAX_CHILDREN
    ]
    # sorted() is stable: within a rank, page order decides.
    for el in sorted(candidates, key=_rank):
        text = _byline_text(el)
        if 2 < len(text) < _MAX_CHARS and not _elsewhere(el):
            author = normalize_authors(None, text)
            if author:
                return author
    return None


# What a byline carries beside the names: a label ("By", "Text:", "Текст"), and a date the
# page printed next to it ("Malcolm Owen Monday; November").
_LABEL = re.compile(
    r"^(?:by|von|par|por|di|door|av|af|text|texte|texto|testo|текст|автор|written by)"
    r"\s*[:：]?\s+",
    re.IGNORECASE,
)
_WEEKDAY = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_MONTH = (
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec"
)
_DATE_WORD = re.compile(rf"(?:{_WEEKDAY}|{_MONTH}|\d[\d:/.,-]*)\.?,?", re.IGNORECASE)
_NOT_A_NAME = re.compile(rf"(?:{_WEEKDAY}|\d[\d:/.,-]*)\.?,?", re.IGNORECASE)
_LETTERS = re.compile(r"[^\W\d_]{2}")


def _without_date(part: str) -> str:
    """ "Malcolm Owen Monday" → "Malcolm Owen", "May Lee, 12 May 2019" → "May Lee"; a month
    alone at the end is a name ("Brian May") unless a weekday or a number comes with it."""
    words = part.split()
    cut = len(words)
    while cut > 0 and _DATE_WORD.fullmatch(words[cut - 1]):
        cut -= 1
    if cut == 0:
        return ""  # nothing but a date
    if not any(_NOT_A_NAME.fullmatch(word) for word in words[cut:]):
        return part
    return " ".join(words[:cut])


def tidy_author(author: str | None) -> str | None:
    """The names in a byline, without its label and the date printed beside them;
    None when nothing like a name is left ("Wday_", "November")."""
    if not author:
        return None
    names: list[str] = []
    for part in re.split(r"\s*[;|]\s*", author):
        part = _SPACE.sub(" ", part).strip(" ,.-–·")
        for _ in range(2):  # "By Text: …"
            part = _LABEL.sub("", part)
        part = _without_date(part).strip(" ,.-–·")
        if not _LETTERS.search(part) or "_" in part:
            continue
        if part not in names:
            names.append(part)
    return "; ".join(names) or None
