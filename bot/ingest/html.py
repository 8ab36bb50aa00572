"""HTML -> Article: trafilatura finds the main text and metadata, then our cleaner runs."""

from __future__ import annotations

import trafilatura

from bot.errors import NotAnArticle
from bot.ingest.article import Article
from bot.ingest.clean import clean_paragraphs


def extract_html(html: str, url: str | None = None) -> Article:
    doc = trafilatura.bare_extraction(
        html, url=url, include_comments=False, with_metadata=True, as_dict=True
    )
    text = (doc or {}).get("text") or ""
    paragraphs = clean_paragraphs([line for line in text.split("\n") if line.strip()])
    if not paragraphs:
        raise NotAnArticle("I couldn't find any article text on that page.", url=url)
    meta = doc or {}
    return Article.from_paragraphs(
        paragraphs,
        source_kind="html",
        url=url or meta.get("url"),
        title=meta.get("title"),
        author=meta.get("author"),
        published=meta.get("date"),
        site_name=meta.get("sitename") or meta.get("hostname"),
        language=meta.get("language"),
    )
