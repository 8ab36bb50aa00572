"""from_url end to end: a real local HTTP server, the real fetcher, sniffing and extraction.

HTML extraction is still being tuned, so these assert robust facts (a distinctive sentence
is there, the menu is not), not the exact text.
"""

from __future__ import annotations

import pytest

from bot.errors import BlockedAddress, Forbidden, NotAnArticle, NotFound, UnsupportedType
from bot.ingest import from_url
from bot.settings import Settings
from tests.servers.articles import ArticleServer


def test_article_page(article_server: ArticleServer, fetch_settings: Settings) -> None:
    url = article_server.url("/article")
    article = from_url(url, fetch_settings)
    assert article.source_kind == "html"
    assert article.url == url
    assert article.title and "River cleanup" in article.title
    assert "Volunteers pulled two tonnes of rubbish from the river" in article.text
    assert "repeat the event every spring" in article.text
    assert "Weather" not in article.text  # the nav menu
    assert "All rights reserved" not in article.text  # the footer


def test_redirect_chain_gives_the_final_url(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    article = from_url(article_server.url("/r?n=3"), fetch_settings)
    assert article.url == article_server.url("/article")
    assert "Volunteers pulled two tonnes" in article.text


def test_pdf(article_server: ArticleServer, fetch_settings: Settings) -> None:
    article = from_url(article_server.url("/paper.pdf"), fetch_settings)
    assert article.source_kind == "pdf"
    assert article.title == "Harbour report"
    assert "Container volumes grew by four percent" in article.text


def test_pdf_served_as_a_generic_download(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    url = article_server.url("/paper.pdf?type=application/octet-stream")
    assert from_url(url, fetch_settings).source_kind == "pdf"


def test_bad_utf8_decodes_and_keeps_the_text(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    article = from_url(article_server.url("/bad-utf8"), fetch_settings)
    assert "The new café on the corner serves a naïve but charming menu." in article.text
    assert "résumé of their chef" in article.text
    assert "Ã" not in article.text  # not misread as latin-1


def test_latin1_page_with_charset_only_in_meta(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    article = from_url(article_server.url("/latin1-meta"), fetch_settings)
    assert "Le marché de Noël ouvre ses portes vendredi" in article.text
    assert "vin chaud à 3 € et des crêpes à « prix doux »" in article.text
    assert article.title == "Marché de Noël"


def test_utf8_page_mislabelled_as_latin1(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    article = from_url(article_server.url("/mislabelled"), fetch_settings)
    assert "The tram line through Zürich reopens on Monday" in article.text
    assert "Commuters — many of them cyclists — called the closure “endless”." in article.text
    assert "Ã" not in article.text


@pytest.mark.parametrize("served_as", ["image/png", "application/octet-stream", "text/html"])
def test_png_is_refused_by_name(
    served_as: str, article_server: ArticleServer, fetch_settings: Settings
) -> None:
    with pytest.raises(UnsupportedType, match=r"an image \(image/png\), not an article"):
        from_url(article_server.url(f"/image.png?type={served_as}"), fetch_settings)


def test_empty_page_is_not_an_article(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    with pytest.raises(NotAnArticle):
        from_url(article_server.url("/empty"), fetch_settings)


def test_missing_page(article_server: ArticleServer, fetch_settings: Settings) -> None:
    with pytest.raises(NotFound, match="doesn't exist"):
        from_url(article_server.url("/missing"), fetch_settings)


def test_paywalled_page(article_server: ArticleServer, fetch_settings: Settings) -> None:
    with pytest.raises(Forbidden) as err:
        from_url(article_server.url("/paywall"), fetch_settings)
    assert "paywalled or needs a login" in str(err.value)
    assert "paste the article text" in str(err.value)  # what to do instead


def test_default_settings_refuse_loopback_without_connecting(
    article_server: ArticleServer,
) -> None:
    with pytest.raises(BlockedAddress, match="private or internal"):
        from_url(article_server.url("/article"), Settings(_env_file=None))
    assert article_server.connections == 0
    assert article_server.requests == []
