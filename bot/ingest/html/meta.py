"""Page metadata (title, author, date, site, language) from a parsed HTML tree.

trafilatura's `extract_metadata` also hunts categories, tags and licences and runs htmldate's
extensive search; we need neither, so we call its field extractors one by one and keep the
cheap date search. Language comes from the page's own declarations first.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)

from bot.ingest.html.author import find_author, tidy_author

# "en", "en-US", "pt_BR", "zh-Hant-TW" -> the two- or three-letter primary subtag.
_LANG_TAG = re.compile(r"^\s*([a-zA-Z]{2,3})(?:[-_][\w-]*)?\s*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANG_XPATHS = (
    "/html/@lang",
    "/html/@xml:lang",
    '//meta[translate(@http-equiv, "CONTENT-LANGUAGE", "content-language")'
    '="content-language"]/@content',
    '//meta[@property="og:locale"]/@content',
    '//meta[@name="language" or @name="dc.language" or @name="DC.language"]/@content',
)


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str | None = None
    author: str | None = None
    published: str | None = None  # YYYY-MM-DD
    site_name: str | None = None
    language: str | None = None  # ISO 639-1 when declared
    url: str | None = None


def language_code(value: str | None) -> str | None:
    """The primary language subtag of an HTML/BCP 47 tag ("pt-BR" -> "pt"), else None."""
    if not value:
        return None
    # Some pages list several ("en, fr"): the first is the main one.
    match = _LANG_TAG.match(value.split(",")[0])
    if not match:
        return None
    code = match.group(1).lower()
    return code if len(code) == 2 else None


def declared_language(tree: HtmlElement) -> str | None:
    """The language the page declares: <html lang>, Content-Language, og:locale, JSON-LD."""
    for xpath in _LANG_XPATHS:
        for value in tree.xpath(xpath):
            code = language_code(str(value))
            if code:
                return code
    return _json_ld_language(tree)


def _json_ld_language(tree: HtmlElement) -> str | None:
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        if "inLanguage" not in script:
            continue
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and isinstance(item.get("inLanguage"), str):
                code = language_code(item["inLanguage"])
                if code:
                    return code
    return None


def _published(tree: HtmlElement, url: str | None) -> str | None:
    # original_date: the publication date, not the last update; no extensive search (slow).
    found = find_date(tree, url=url, original_date=True, extensive_search=False)
    return found if isinstance(found, str) and _ISO_DATE.match(found) else None


def page_meta(tree: HtmlElement, url: str | None = None) -> PageMeta:
    """Read the metadata of a page. `tree` is left unchanged."""
    doc = examine_meta(tree)
    # trafilatura's rule: a one-word "author" in meta tags is usually a handle or site name.
    if doc.author and " " not in doc.author:
        doc.author = None
    # Malformed JSON-LD (common) must not sink the article.
    with contextlib.suppress(Exception):
        doc = extract_meta_json(tree, doc)
    title = doc.title or extract_title(tree)
    author = tidy_author(doc.author or find_author(tree))
    page_url = url or doc.url or extract_url(tree)
    site = doc.sitename or extract_sitename(tree)
    if site:
        site = site.lstrip("@").strip("_ ")  # "@wday_": a handle, shown as "wday"
    return PageMeta(
        title=title or None,
        author=author or None,
        published=_published(tree, page_url),
        site_name=site or None,
        language=declared_language(tree),
        url=page_url,
    )
