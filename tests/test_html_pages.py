"""Pages where extraction used to fail, rebuilt in small (tests/fixtures/pages/).

Each `name.html` is an invented page reproducing one failure seen on pages the extractor
was never tuned on; `name.txt` is its article text, one paragraph per blank-line block.
Every paragraph must come out whole (not cut into line fragments, not missing) and the
page's junk must stay out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.ingest import from_html

PAGES = Path(__file__).parent / "fixtures" / "pages"
_SPACE = re.compile(r"\s+")

# Text from each page that is not its article: sidebars, teasers, pitches, bylines.
JUNK: dict[str, tuple[str, ...]] = {
    # A labels sidebar (and archive) before a short post written with <br>s.
    "de_labels_sidebar": ("Weihnachten", "Blog-Archiv", "Glutenfrei", "Oktober 2023"),
    # A sidebar teaser card marked up as <article> before the story.
    "es_sidebar_teaser": ("La feria del libro", "cuarenta editoriales"),
    # A subscription pitch in an "article-content" box beside a long-form piece in <div>s.
    "fr_subscription_pitch": ("abonnez-vous", "journal indépendant", "Cet article vous a plu"),
    # An essay in <div class=entry> with <br><br> paragraphs and source line-wraps.
    "ru_essay_entry": ("Метки", "комментариев"),
    # A forum thread whose posts are each an <article>: every post is content.
    "pt_forum_thread": ("Membro desde", "regras do fórum", "cadastre-se"),
    # A long essay in <div>/<p> blocks, an author card as the page's only <article>.
    "it_essay_author_card": ("Giorgio Mancini è urbanista", "L'autore"),
    # A Japanese blog with a <br> at each line, mid-sentence.
    "ja_soft_wrap": ("最近の記事", "プロフィール", "雨の日の低山ハイク"),
    # Script, noscript and template text inside a table-layout article.
    "zh_script_text": ("广告加载中", "优惠券", "JavaScript", "模板内容", "首页"),
    # Paragraphs hard-wrapped with <br> inside each <p>.
    "es_br_lines": ("Entradas recientes", "Zapatillas para principiantes"),
}


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _expected(name: str) -> list[str]:
    text = (PAGES / f"{name}.txt").read_text(encoding="utf-8")
    return [_norm(block) for block in text.split("\n\n") if block.strip()]


def test_every_fixture_page_is_covered() -> None:
    assert sorted(JUNK) == sorted(p.stem for p in PAGES.glob("*.html"))


@pytest.mark.parametrize("name", sorted(JUNK))
def test_article_comes_out_whole_and_junk_stays_out(name: str) -> None:
    article = from_html((PAGES / f"{name}.html").read_text(encoding="utf-8"))
    paragraphs = [_norm(p) for p in article.paragraphs]
    text = _norm(article.text)
    for block in _expected(name):
        assert block in text, f"missing: {block[:60]}"
        # Whole: inside one paragraph, not spread over fragments.
        assert any(block in p for p in paragraphs), f"fragmented: {block[:60]}"
    for junk in JUNK[name]:
        assert junk not in text, f"junk kept: {junk}"


def _marked(html: str) -> str:
    from lxml import etree
    from trafilatura.utils import load_html

    from bot.ingest.html.body import strip_non_text
    from bot.ingest.html.breaks import mark_breaks

    tree = load_html(html)
    strip_non_text(tree)
    mark_breaks(tree)
    return etree.tostring(tree.find("body"), encoding=str)


def test_lone_br_is_a_line_break_and_wrapped_lines_are_joined() -> None:
    from bot.ingest.html.breaks import BREAK, rebuild

    body = _marked(
        "<html><body><p>Ich backe jeden Tag\nein Brot.<br>Am Morgen falte ich<br>"
        "den Teig.<br><br>Neuer Absatz.</p><pre>a\nb</pre></body></html>"
    )
    assert "Tag ein Brot." in body  # a source line-wrap is a space
    assert "<br/><br/>" in body  # a double <br> stays a paragraph break
    assert "<pre>a\nb</pre>" in body  # newlines in <pre> are the author's
    line = f"Ein Brot.{BREAK}Am Morgen falte ich{BREAK}den Teig."
    assert rebuild(line) == "Ein Brot.\nAm Morgen falte ich den Teig."
    assert rebuild(f"駅前はにぎわっていて、{BREAK}みんな準備運動をした。") == (
        "駅前はにぎわっていて、みんな準備運動をした。"
    )
    assert rebuild(f"Zutaten:{BREAK}200 g Mehl") == "Zutaten:\n200 g Mehl"


def test_script_style_and_template_text_never_reach_the_text() -> None:
    article = from_html(
        "<html><body><div class='text'><p>Erster Satz des Artikels über den Garten, der lang "
        "genug ist, um ein Absatz zu sein.</p><script>var junk = 'Skripttext';</script>"
        "<style>.x{content:'Stiltext'}</style><noscript>Bitte JavaScript aktivieren</noscript>"
        "<template><p>Vorlagentext im Template</p></template><p>Zweiter Satz des Artikels, "
        "ebenfalls lang genug, um als Absatz zu gelten und gelesen zu werden.</p></div>"
        "</body></html>"
    )
    for junk in ("Skripttext", "Stiltext", "JavaScript", "Vorlagentext"):
        assert junk not in article.text
    assert "Zweiter Satz" in article.text
