"""`load_page` builds the tree trafilatura's `load_html` builds, on pages of every shape."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from trafilatura.utils import INVALID_XML_CHARS, load_html

from bot.ingest.html import parse
from bot.ingest.html.parse import INVALID_CHARS, load_page

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted(FIXTURES.glob("*.html")) + sorted(FIXTURES.glob("*/*.html"))

ODD_PAGES = [
    "<html><body><p>plain</p><p>page</p></body></html>",
    # Control characters and non-characters, which load_html deletes.
    "<html><body><p>a\x00b\x08c\x0bd\x1fe</p><p>f\ufffeg\uffffh</p></body></html>",
    "<html><body><p>tab\tnew\nline\rreturn</p><p>x</p></body></html>",
    # A DOCTYPE with a slash on the first line (an lxml bug), and on a later line.
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http://www.w3.org/TR/x.dtd">\n'
    "<html><body><p>one</p><p>two</p></body></html>",
    '<!doctype html/>\n<html lang="de"><body><p>eins</p></body></html>',
    "\n\n<!DOCTYPE html>\n<html><body><p>late doctype</p></body></html>",
    # A self-closing <html/> in the first lines.
    "<!DOCTYPE html>\n<html lang='en'/>\n<body><p>self-closing</p><p>html</p></body>",
    # An XML declaration with an encoding: lxml refuses it as text; read as bytes.
    '<?xml version="1.0" encoding="iso-8859-1"?>\n<html><body><p>caf\u00e9</p></body></html>',
    '<?xml version="1.0" encoding="utf-8"?><html><body><p>\x01ctrl</p></body></html>',
    # Fragments and things that aren't HTML.
    "<p>just a fragment</p>",
    "<div><p>one</p><p>two</p></div>",
    "no markup at all, only words",
    '{"json": true}',
    "<html></html>",
    "<html><head><title>t</title></head></html>",
    "   \n<html><body>\u00a0</body></html>",
    "<html><body><p>\ud800 lone surrogate</p></body></html>",
    "\u65e5\u672c\u8a9e<html><body><p>\u65e5\u672c\u8a9e\u306e\u8a18\u4e8b</p></body></html>",
]


def _same(html: str) -> None:
    want, got = load_html(html), load_page(html)
    if want is None:
        assert got is None
        return
    assert got is not None
    assert etree.tostring(got, encoding="unicode") == etree.tostring(want, encoding="unicode")


def test_the_characters_tested_are_those_load_html_deletes() -> None:
    every = "".join(chr(code) for code in range(0x10000) if not 0xD800 <= code <= 0xDFFF)
    assert "".join(INVALID_CHARS) == "".join(INVALID_XML_CHARS.findall(every))
    assert INVALID_XML_CHARS.pattern == r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"


@pytest.mark.parametrize("html", ODD_PAGES, ids=range(len(ODD_PAGES)))
def test_odd_pages_parse_as_load_html_parses_them(html: str) -> None:
    _same(html)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_fixture_pages_parse_as_load_html_parses_them(path: Path) -> None:
    html = path.read_text(encoding="utf-8")
    _same(html)
    # And with a stray control character, which takes load_html's own path.
    _same(re.sub("</p>", "\x07</p>", html, count=1))


def test_a_page_without_invalid_characters_is_not_scanned_by_the_regex(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("load_html's whole-page regex ran")

    monkeypatch.setattr(parse, "load_html", refuse)
    assert load_page("<html><body><p>clean</p><p>page</p></body></html>") is not None


def test_another_trafilatura_version_parses_with_its_own_load_html(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import trafilatura

    asked: list[str] = []

    def recorded(html: str) -> object:
        asked.append(html)
        return load_html(html)

    monkeypatch.setattr(trafilatura, "__version__", "9.9.9")
    monkeypatch.setattr(parse, "load_html", recorded)
    page = "<html><body><p>clean</p><p>page</p></body></html>"
    assert load_page(page) is not None
    assert asked == [page]  # these steps were read from another version: not repeated
