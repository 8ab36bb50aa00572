"""`fast_text` gives `bare_extraction`'s text on every page, rendering the page as text
only when its length can decide the recall retry."""

from __future__ import annotations

from pathlib import Path

import pytest
import trafilatura
from lxml.html import HtmlElement
from trafilatura.baseline import html2txt

from bot.ingest.html import fast_pass
from bot.ingest.html.body import _CONFIG, strip_non_text
from bot.ingest.html.breaks import mark_breaks
from bot.ingest.html.fast_pass import CHECKED_VERSION, fast_text, options_for, page_text_bound
from bot.ingest.html.parse import load_page

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted(FIXTURES.glob("*.html")) + sorted(FIXTURES.glob("*/*.html"))

SENTENCE = "The council voted on Tuesday to extend the river path by another two miles. "
MENU = "".join(f"<li><a href='/s/{i}'>Section number {i} of the site</a></li>" for i in range(60))
FOOTER = "".join(f"<div class='card'><p>{SENTENCE * 2}</p></div>" for i in range(12))

SYNTHETIC = {
    # Long enough: no recall retry to weigh.
    "long": (
        "<html><body><article>"
        + "".join(f"<p>Part {i}. {SENTENCE * 4}</p>" for i in range(12))
        + "</article></body></html>"
    ),
    # A short story on a page of other text: the retry is weighed, and may run.
    "short_on_big_page": (
        f"<html><body><nav><ul>{MENU}</ul></nav><main><article><h1>River path</h1>"
        f"<p>{SENTENCE * 3}</p></article></main><section>{FOOTER}</section></body></html>"
    ),
    # Shorter than trafilatura's minimum: its baseline is tried.
    "tiny": f"<html><body><div><p>{SENTENCE}</p></div></body></html>",
    # Blocks written with no space between them, and spaces that are not ASCII.
    "minified": (
        "<html><body><div>"
        + "".join(f"<p>word{i}\u00a0and\u2009more</p><span>x{i}</span>" for i in range(400))
        + f"</div><article><p>{SENTENCE * 2}</p></article></body></html>"
    ),
    # A thread: the posts are the content (trafilatura keeps its comment sections).
    "forum": (
        '<html><head><script type="application/ld+json">'
        '{"@type": "DiscussionForumPosting", "headline": "Paths"}</script></head><body>'
        f"<div class='comments'><p>{SENTENCE * 3}</p><p>{SENTENCE * 2}</p></div>"
        f"<div><p>{SENTENCE}</p></div></body></html>"
    ),
    "no_text": "<html><body><div><img src='a.png'></div></body></html>",
}


def _trees(html: str) -> list[HtmlElement]:
    """The page as parsed, and as the extraction hands it to trafilatura."""
    trees = []
    for prepared in (False, True):
        tree = load_page(html)
        if tree is None:
            continue
        if prepared:
            strip_non_text(tree)
            mark_breaks(tree)
        trees.append(tree)
    return trees


def _bare_text(tree: HtmlElement, url: str | None = None) -> str:
    doc = trafilatura.bare_extraction(
        tree, url=url, fast=True, include_comments=False, with_metadata=False, config=_CONFIG
    )
    return getattr(doc, "text", None) or ""


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_fixture_pages_give_bare_extractions_text(path: Path) -> None:
    for tree in _trees(path.read_text(encoding="utf-8")):
        assert fast_text(tree, None, _CONFIG) == _bare_text(tree)
        assert fast_text(tree, "https://example.org/a", _CONFIG) == _bare_text(
            tree, "https://example.org/a"
        )


@pytest.mark.parametrize("name", SYNTHETIC)
def test_synthetic_pages_give_bare_extractions_text(name: str) -> None:
    for tree in _trees(SYNTHETIC[name]):
        assert fast_text(tree, None, _CONFIG) == _bare_text(tree)


@pytest.mark.parametrize("html", [*SYNTHETIC.values(), *(p.read_text("utf-8") for p in PAGES)])
def test_the_bound_is_never_under_the_page_texts_length(html: str) -> None:
    for tree in _trees(html):
        rendered = len(html2txt(tree))
        assert page_text_bound(tree, every_element=True) >= page_text_bound(tree) >= rendered


def test_the_page_is_rendered_as_text_only_when_the_bound_leaves_the_retry_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rendered: list[int] = []

    def spy(tree: HtmlElement) -> str:
        text = html2txt(tree)
        rendered.append(len(text))
        return text

    monkeypatch.setattr(fast_pass, "html2txt", spy)
    (long_tree, *_) = _trees(SYNTHETIC["long"])
    assert fast_text(long_tree, None, _CONFIG)
    assert rendered == []  # over ESCALATION_MAX_LENGTH: not weighed at all
    (tiny_tree, *_) = _trees(SYNTHETIC["tiny"])
    assert fast_text(tiny_tree, None, _CONFIG) == _bare_text(tiny_tree)
    assert rendered == []  # short, but most of its page: the bound decides
    (short_tree, *_) = _trees(SYNTHETIC["short_on_big_page"])
    assert fast_text(short_tree, None, _CONFIG) == _bare_text(short_tree)
    assert len(rendered) == 1  # a short story on a big page: the bound can't decide


def test_another_trafilatura_runs_bare_extraction_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    (tree, *_) = _trees(SYNTHETIC["long"])
    calls: list[object] = []
    real = trafilatura.bare_extraction

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(trafilatura, "bare_extraction", spy)
    monkeypatch.setattr(trafilatura, "__version__", "9.9.9")
    assert fast_text(tree, None, _CONFIG) == _bare_text(tree)
    assert len(calls) == 2  # fast_text's, then the comparison's


def test_the_pinned_trafilatura_is_the_one_whose_steps_are_followed() -> None:
    # fast_pass repeats trafilatura_sequence's steps for CHECKED_VERSION only (any other
    # installed version runs bare_extraction: the test above). Moving the pin in
    # constraints.txt means comparing the steps again (and these tests) first.
    constraints = Path(__file__).resolve().parents[1] / "constraints.txt"
    pins = dict(
        line.split("==", 1) for line in constraints.read_text().splitlines() if "==" in line
    )
    assert pins["trafilatura"] == CHECKED_VERSION


@pytest.mark.parametrize("url", [None, "", "https://example.org/a-story", "https://ex.org/\udcff"])
def test_the_reused_options_are_those_bare_extraction_builds(url: str | None) -> None:
    from trafilatura.settings import Extractor

    built = Extractor(config=_CONFIG, output_format="python", fast=True, comments=False, url=url)
    reused = options_for(_CONFIG, url)
    for name in Extractor.__slots__:
        assert getattr(reused, name) == getattr(built, name), name
