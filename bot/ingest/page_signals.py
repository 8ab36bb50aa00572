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
    titles = _titles(root)
    lines, headings, links, passwords = _walk(root)
    return PageText(
        lines=tuple(lines),
        title=title or (titles[0] if titles else None),
        titles=titles,
        headings=tuple(headings),
        link_texts=frozenset(links),
        password_fields=passwords,
    )


def _titles(root: etree._Element) -> tuple[str, ...]:
    """What the page calls itself: its <title>, then its og:title (either may say "404")."""
    found = root.find(".//title")
    named = [found.text_content() if found is not None else ""]
    named += root.xpath("//meta[@property='og:title']/@content")[:1]
    return tuple(t for t in dict.fromkeys(" ".join(str(n).split()) for n in named) if t)


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


def _walk(root: etree._Element) -> tuple[list[str], list[str], set[str], int]:
    """One pass over the tree: lines of visible text, headings, link texts, password fields.

    A block element starts and ends a line; text goes to the line, and to the link and the
    heading being read, if any (the outermost: a nested one's end closes it). One loop
    with its state in locals: it runs over every element of a page (~4 ms a page as
    methods called per element).
    """
    # iterwalk doesn't visit comments: strip them, keeping the text after each.
    etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)
    lines: list[str] = []
    headings: list[str] = []
    links: set[str] = set()
    passwords = 0
    line: list[str] = []
    link: list[str] | None = None  # text of the link being read
    heading: list[str] | None = None
    seen = 0
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if not isinstance(tag, str):
            tag = ""
        if event == "start":
            seen += 1
            if seen > _MAX_ELEMENTS or len(lines) >= _MAX_LINES:
                break
            if tag in _SKIP or not tag:
                walker.skip_subtree()  # its "end" still comes, for the text after it
                continue
            if tag in _BLOCK and line:
                _flush(line, lines)
                line = []
            if tag == "input":
                if (element.get("type") or "").lower() == "password":
                    passwords += 1
            elif tag == "a":
                if link is None:
                    link = []
            elif tag in _HEADINGS and heading is None:
                heading = []
            text = element.text
        else:
            if tag and tag not in _SKIP:
                if tag == "a":
                    if link is not None:
                        key = text_key(" ".join(link))
                        if key:
                            links.add(key[:_MAX_LINK_CHARS])
                        link = None
                elif tag in _HEADINGS and heading is not None:
                    words = " ".join(" ".join(heading).split())
                    if words and len(headings) < _MAX_HEADINGS:
                        headings.append(words)
                    heading = None
                if tag in _BLOCK and line:
                    _flush(line, lines)
                    line = []
            text = element.tail
        # `text.isspace()` is `not text.strip()` for a non-empty text (the same whitespace).
        if text and not text.isspace():
            line.append(text)
            if link is not None:
                link.append(text)
            if heading is not None:
                heading.append(text)
    if line:
        _flush(line, lines)
    return lines, headings, links, passwords


def _flush(parts: list[str], lines: list[str]) -> None:
    line = " ".join(" ".join(parts).split())
    if line:
        lines.append(line)
