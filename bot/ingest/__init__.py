"""Ingest: any article link, file or paste becomes a clean `Article`.

Public API (the other layers and the benchmarks call only these):

    from_url(url) -> Article
    from_html(html, url=None) -> Article
    from_text(text) -> Article
    from_pdf(data) -> Article
"""

from __future__ import annotations

from bot.errors import NotAnArticle
from bot.ingest.article import Article
from bot.ingest.clean import clean_text
from bot.ingest.html import extract_html

__all__ = ["Article", "from_html", "from_text"]


def from_html(html: str, url: str | None = None) -> Article:
    """Extract the article from an HTML page."""
    return extract_html(html, url)


def from_text(text: str) -> Article:
    """Clean a pasted article (drop paywall blocks, menus, share blurbs...)."""
    paragraphs = clean_text(text)
    if not paragraphs:
        raise NotAnArticle("There's no article text left after cleaning that paste.")
    return Article.from_paragraphs(paragraphs, source_kind="text")
