"""The extraction's shortcuts (cheap checks that skip work) change no output.

Each shortcut skips a step only when the step can't change the result: these tests run the
pages both ways, and pin the walk's reading of a page that the faster code must keep.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from bot.ingest import from_html
from bot.ingest.html import pick as html_pick
from bot.ingest.html.blocks import page_units
from bot.settings import Settings

PAGES = Path(__file__).parent / "fixtures" / "pages"


def test_skipping_the_block_search_picks_the_same_text(monkeypatch: pytest.MonkeyPatch) -> None:
    pages = sorted(PAGES.glob("*.html"))
    kept: list[bool] = []
    real = html_pick.first_stands

    def spy(*args: object) -> bool:
        kept.append(real(*args))  # type: ignore[arg-type]
        return kept[-1]

    monkeypatch.setattr(html_pick, "first_stands", spy)
    fast = [from_html(p.read_text(encoding="utf-8")).text for p in pages]
    assert any(kept) and not all(kept)  # both paths are exercised
    monkeypatch.setattr(html_pick, "first_stands", lambda *args: False)
    full = [from_html(p.read_text(encoding="utf-8")).text for p in pages]
    assert fast == full


def test_units_are_each_blocks_own_text_without_comment_sections() -> None:
    body = lxml_html.fromstring(
        "<html><body>Lead <div><p>One <a href=x>link <b>text</b></a> here.</p>"
        "Div text<div class='comments'>A reader <a href=y>says</a></div> after"
        "<ul><li><a href=z>Item</a></li></ul></div>tail</body></html>"
    ).find("body")
    units = [(u.text, u.owner.tag, u.link_chars) for u in page_units(body)]
    assert units == [
        ("Lead", "body", 0),
        ("One link text here.", "p", 8),  # "link" and "text", each stripped
        ("Div text after", "div", 0),
        ("Item", "li", 4),
        ("tail", "body", 0),
    ]


def test_elements_inside_skipped_tags_do_not_count_toward_the_cap() -> None:
    icon = "<svg>" + "<path d='M0 0'/>" * 300 + "</svg>"
    sentence = "The council voted on the new budget after a long debate about the schools."
    body = "".join(f"<p>Paragraph {i}. {sentence}</p>" for i in range(20))
    page = f"<html><body>{icon}<article>{body}</article></body></html>"
    article = from_html(page, settings=Settings(_env_file=None, ingest_max_html_elements=200))
    assert article.notice is None and "Paragraph 19." in article.text
