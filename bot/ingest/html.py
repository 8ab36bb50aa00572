"""HTML -> Article: trafilatura finds the main text, we fix its edges, then our cleaner runs."""

from __future__ import annotations

from trafilatura.utils import load_html

from bot.errors import NotAnArticle
from bot.ingest.article import Article
from bot.ingest.clean import clean_paragraphs
from bot.ingest.html_body import main_lines, strip_non_text
from bot.ingest.html_chunks import drop_trailing_link_list, restore_chunks
from bot.ingest.html_lang import article_language
from bot.ingest.html_meta import page_meta
from bot.ingest.html_trim import drop_edge_stamps, drop_headline

# Shorter than this, a lone block can't be a sentence (CJK sentences included).
_MIN_SENTENCE_CHARS = 25


def extract_html(html: str, url: str | None = None) -> Article:
    tree = load_html(html) if html.strip() else None
    if tree is None:
        raise NotAnArticle("I couldn't find any article text on that page.", url=url)
    meta = page_meta(tree, url)  # first: it reads <head> and JSON-LD scripts
    strip_non_text(tree)
    lines = drop_trailing_link_list(tree, restore_chunks(tree, main_lines(tree, url)))
    lines = drop_edge_stamps(drop_headline(lines, meta.title))
    paragraphs = clean_paragraphs(lines)
    # A few menu words ("Home") are what's left of pages with no article at all.
    if not any(len(p) >= _MIN_SENTENCE_CHARS for p in paragraphs):
        raise NotAnArticle("I couldn't find any article text on that page.", url=url)
    return Article.from_paragraphs(
        paragraphs,
        source_kind="html",
        url=meta.url,
        title=meta.title,
        author=meta.author,
        published=meta.published,
        site_name=meta.site_name,
        language=article_language(meta.language, "\n".join(paragraphs)),
    )
