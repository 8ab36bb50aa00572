"""What a web page shows, for `bot.ingest.page_kind`: its visible lines, title, headings,
links and password fields. Pure: HTML in, a `PageText` out.

One lxml parse and one walk of the tree, apart from the extractor's own (whose tree it
changes as it works). Capped: a hostile page's millionth element says nothing more.
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from bot.ingest.page_kind import PageText, text_key

# Never visible text.
_SKIP = frozenset(
    {"script", "style", "noscript", "template", "svg", "head", "select", "iframe", "object"}
)
# Elements that start a new line of text.
_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "button", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "label", "li", "main", "nav", "ol", "p", "pre", "section",
        "summary", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2"})
# What a page is shows in its first part; a hostile page's rest is not parsed twice.
_MAX_HTML_CHARS = 1_000_000
_MAX_ELEMENTS = 50_000
_MAX_LINES = 2_000
_MAX_LINK_CHARS = 300  # longer "links" are whole teasers wrapped in <a>: keep their start
_MAX_HEADINGS = 10


def html_page(html: str, title: str | None = None) -> PageText:
    """What `html` shows; `title` if the extractor found a better one than <title>."""
    root = _parse(html[:_MAX_HTML_CHARS])
    if root is None:
        return PageText(title=title)
    if title is None:
        found = root.find(".//title")
        title = found.text_content().strip() if found is not None else None
    walk = _Walk()
    walk.run(root)
    return PageText(
        lines=tuple(walk.lines),
        title=title or None,
        headings=tuple(walk.headings),
        link_texts=frozenset(walk.links),
        password_fields=walk.passwords,
    )


def _parse(html: str) -> etree._Element | None:
    """The tree of a decoded page. As text, so a <meta charset> can't make lxml decode it
    again; as UTF-8 bytes when lxml refuses text with an XML encoding declaration."""
    for source in (html, html.encode("utf-8", "replace")):
        try:
            return lxml_html.document_fromstring(source)
        except ValueError:  # lxml's "Unicode strings with encoding declaration"
            continue
        except etree.ParserError:  # nothing to parse
            return None
    return None


class _Walk:
    """One pass over the tree: lines of visible text, links, headings, password fields."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.headings: list[str] = []
        self.links: set[str] = set()
        self.passwords = 0
        self._line: list[str] = []
        self._link: list[str] | None = None  # text of the link being read
        self._heading: list[str] | None = None

    def run(self, root: etree._Element) -> None:
        # iterwalk doesn't visit comments: strip them, keeping the text after each.
        etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)
        walker = etree.iterwalk(root, events=("start", "end"))
        seen = 0
        for event, element in walker:
            tag = element.tag if isinstance(element.tag, str) else ""
            if event == "start":
                seen += 1
                if seen > _MAX_ELEMENTS or len(self.lines) >= _MAX_LINES:
                    break
                if tag in _SKIP or not tag:
                    walker.skip_subtree()  # its "end" still comes, for the text after it
                    continue
                self._start(tag, element)
            else:
                if tag not in _SKIP and tag:
                    self._end(tag)
                self._text(element.tail)
        self._flush()

    def _start(self, tag: str, element: etree._Element) -> None:
        if tag in _BLOCK:
            self._flush()
        if tag == "input" and (element.get("type") or "").lower() == "password":
            self.passwords += 1
        elif tag == "a" and self._link is None:
            self._link = []
        elif tag in _HEADINGS and self._heading is None:
            self._heading = []
        self._text(element.text)

    def _end(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            text = text_key(" ".join(self._link))
            if text:
                self.links.add(text[:_MAX_LINK_CHARS])
            self._link = None
        elif tag in _HEADINGS and self._heading is not None:
            text = " ".join(" ".join(self._heading).split())
            if text and len(self.headings) < _MAX_HEADINGS:
                self.headings.append(text)
            self._heading = None
        if tag in _BLOCK:
            self._flush()

    def _text(self, text: str | None) -> None:
        if not text or not text.strip():
            return
        self._line.append(text)
        if self._link is not None:
            self._link.append(text)
        if self._heading is not None:
            self._heading.append(text)

    def _flush(self) -> None:
        if self._line:
            line = " ".join(" ".join(self._line).split())
            if line:
                self.lines.append(line)
            self._line = []
