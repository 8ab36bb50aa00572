"""Ingest: any article link, file or paste becomes a clean `Article`.

Public API (the other layers and the benchmarks call only these):

    from_url(url) -> Article
    from_html(html, url=None) -> Article
    from_text(text) -> Article
    from_pdf(data) -> Article
    from_bytes(data, content_type=None, url=None) -> Article   # a file or a download
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.errors import NotAnArticle, NotArticlePage
from bot.ingest.article import Article
from bot.ingest.budget import Budget, Limits, cut_text
from bot.ingest.clean import clean_text, paste_title
from bot.ingest.language import article_language
from bot.ingest.page_kind import (
    Kind,
    PageSource,
    Verdict,
    code_or_data,
    page_kind,
    text_page,
)
from bot.ingest.sniff import body_type, decode_text, kind_of, parse_content_type, unsupported

if TYPE_CHECKING:  # pydantic loads only for a link (fetching reads every fetch_* setting)
    from bot.settings import Settings

__all__ = ["Article", "from_bytes", "from_html", "from_pdf", "from_text", "from_url"]

log = logging.getLogger(__name__)


def from_html(html: str, url: str | None = None, *, settings: Limits | None = None) -> Article:
    """Extract the article from an HTML page, and judge whether it is one (`page_kind`)."""
    # trafilatura and lxml (and pypdf below) load on first use: cleaning a paste needs neither.
    from bot.ingest.html.extract import extract_html
    from bot.ingest.page_signals import html_page

    try:
        article = extract_html(html, url, Budget.from_settings(settings))
    except NotAnArticle as exc:
        # No text at all: the page may still say what it is instead ("Seite nicht gefunden").
        _refuse_as(page_kind((), lambda: html_page(html)), url, exc)
        raise
    verdict = page_kind(article.paragraphs, lambda: html_page(html, article.title))
    return _judged(article, verdict)


def from_text(text: str, url: str | None = None, *, settings: Limits | None = None) -> Article:
    """Clean a pasted article (drop paywall blocks, menus, share blurbs...)."""
    if not text.strip():
        raise NotAnArticle("That text is empty.", url=url)
    limit = Budget.from_settings(settings).max_chars
    notice = None
    if len(text) > limit:
        text = cut_text(text, limit)
        notice = f"That text is very long, so I read only its first {len(text):,} characters."
    coded = code_or_data(text)
    if coded is not None:
        # Kept as it is (cleaning would leave only its comments): refused unless forced.
        blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
        plain = Article.from_paragraphs(blocks, source_kind="text", url=url, notice=notice)
        return _judged(plain, coded)
    paragraphs = clean_text(text)
    page: PageSource = lambda: text_page(text)  # noqa: E731 - read only if needed
    if not paragraphs:
        exc = NotAnArticle("There's no article text left after cleaning that.", url=url)
        _refuse_as(page_kind((), page), url, exc)
        raise exc
    language = article_language(None, "\n".join(paragraphs))
    article = Article.from_paragraphs(
        paragraphs,
        source_kind="text",
        url=url,
        language=language,
        title=paste_title(text),
        notice=notice,
    )
    return _judged(article, page_kind(paragraphs, page))


def _judged(article: Article, verdict: Verdict) -> Article:
    """`article`, marked with what it is; the pipeline refuses what isn't an article."""
    if not verdict.is_article:
        log.info("not an article: %s (%s)", verdict.kind.value, "; ".join(verdict.reasons))
    return replace(article, page_kind=verdict.kind.value)


def _refuse_as(verdict: Verdict, url: str | None, cause: NotAnArticle) -> None:
    """For an input with no article text: say what it is instead, when that is known."""
    if verdict.kind is not Kind.ARTICLE:
        log.info("not an article: %s (%s)", verdict.kind.value, "; ".join(verdict.reasons))
        raise NotArticlePage(verdict.kind.value, url=url) from cause


def from_pdf(data: bytes, url: str | None = None, *, settings: Limits | None = None) -> Article:
    """Read the text of a PDF (as many pages as the settings' budget allows)."""
    from bot.ingest.pdf import extract_pdf

    return extract_pdf(data, url, Budget.from_settings(settings))


def from_bytes(
    data: bytes,
    content_type: str | None = None,
    url: str | None = None,
    charset: str | None = None,
    *,
    settings: Limits | None = None,
) -> Article:
    """Read a body whose kind is known only by its label and its content."""
    if not data.strip():
        raise NotAnArticle("That page is empty." if url else "That file is empty.", url=url)
    read_as = body_type(content_type, data)
    kind = kind_of(read_as)
    if kind == "pdf":
        return from_pdf(data, url, settings=settings)
    charset = charset or parse_content_type(content_type)[1]
    if kind == "html":
        return from_html(decode_text(data, charset), url, settings=settings)
    if kind == "text":
        return from_text(decode_text(data, charset), url, settings=settings)
    raise unsupported(read_as, url)


def from_url(url: str, settings: Settings | None = None) -> Article:
    """Fetch a link (SSRF-checked) and read the article behind it."""
    from bot import progress
    from bot.ingest.fetch import fetch

    fetched = fetch(url, settings)
    progress.step("clean", fetched.final_url)
    return from_bytes(
        fetched.body, fetched.content_type, fetched.final_url, fetched.charset, settings=settings
    )
