"""fetch() against a real local HTTP(S) server: each page gives the right Fetched or error."""

from __future__ import annotations

import ssl
import threading
from pathlib import Path

import pytest
import trustme
from pydantic import ValidationError

from bot.errors import (
    FetchError,
    FetchTimeout,
    Forbidden,
    NotFound,
    TooLarge,
    TooManyRedirects,
    UnsupportedType,
)
from bot.ingest.fetch import fetch
from bot.settings import Settings
from tests.servers.articles import (
    ARTICLE_HTML,
    BAD_UTF8_HTML,
    BOMB_INFLATED_BYTES,
    HUGE_BYTES,
    TINY_PDF,
    ArticleServer,
)


def with_(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update=changes)


def test_article_page(article_server: ArticleServer, fetch_settings: Settings) -> None:
    url = article_server.url("/article")
    fetched = fetch(url, fetch_settings)
    assert (fetched.url, fetched.final_url, fetched.status) == (url, url, 200)
    assert (fetched.content_type, fetched.charset) == ("text/html", "utf-8")
    assert fetched.body == ARTICLE_HTML
    assert fetched.headers["content-type"] == "text/html; charset=utf-8"
    sent = article_server.requests[0][1]
    assert sent["User-Agent"] == fetch_settings.fetch_user_agent
    assert sent["Accept"].startswith("text/html,")
    assert sent["Accept-Encoding"] == "gzip, deflate"


def test_redirect_chain_ends_at_the_article(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    url = article_server.url("/r?n=3")
    fetched = fetch(url, fetch_settings)
    assert fetched.url == url
    assert fetched.final_url == article_server.url("/article")
    assert fetched.body == ARTICLE_HTML
    assert [path for path, _ in article_server.requests] == ["/r", "/r", "/r", "/article"]


def test_redirects_beyond_the_limit(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    with pytest.raises(TooManyRedirects):
        fetch(article_server.url("/r?n=3"), with_(fetch_settings, fetch_max_redirects=2))


def test_redirect_loop_stops(article_server: ArticleServer, fetch_settings: Settings) -> None:
    with pytest.raises(TooManyRedirects, match="redirects too many times"):
        fetch(article_server.url("/loop"), fetch_settings)
    assert len(article_server.requests) == fetch_settings.fetch_max_redirects + 1


@pytest.mark.parametrize(
    ("path", "error", "words"),
    [
        ("/missing", NotFound, "doesn't exist"),
        ("/paywall", Forbidden, "paywalled or needs a login"),
        ("/error", FetchError, "503"),
    ],
)
def test_error_statuses(
    path: str,
    error: type[Exception],
    words: str,
    article_server: ArticleServer,
    fetch_settings: Settings,
) -> None:
    with pytest.raises(error, match=words) as err:
        fetch(article_server.url(path), fetch_settings)
    assert type(err.value) is error


def test_slow_response_times_out(article_server: ArticleServer, fetch_settings: Settings) -> None:
    with pytest.raises(FetchTimeout):
        fetch(article_server.url("/slow?delay=3"), with_(fetch_settings, fetch_read_timeout=0.2))


def test_total_deadline_stops_a_trickling_body(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    """Each byte arrives well within the read timeout; only the overall deadline ends it."""
    settings = with_(fetch_settings, fetch_read_timeout=2, fetch_total_timeout=0.4)
    with pytest.raises(FetchTimeout):
        fetch(article_server.url("/drip"), settings)


def test_huge_streamed_body_stops_at_the_cap(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    with pytest.raises(TooLarge, match=r"too large for me to read \(over 1 MB\)"):
        fetch(article_server.url("/huge"), with_(fetch_settings, fetch_max_bytes=1_000_000))
    assert article_server.huge_sent < HUGE_BYTES // 5
    # The message names the limit in force, whatever it is.
    with pytest.raises(TooLarge, match=r"over 1.5 MB"):
        fetch(article_server.url("/huge"), with_(fetch_settings, fetch_max_bytes=1_500_000))
    with pytest.raises(TooLarge, match=r"over 500 bytes"):
        fetch(article_server.url("/huge"), with_(fetch_settings, fetch_max_bytes=500))


def test_declared_length_over_the_cap_is_refused_up_front(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    with pytest.raises(TooLarge):
        fetch(article_server.url("/huge?declared=1"), fetch_settings)


def test_gzip_bomb_stops_at_the_cap(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    with pytest.raises(TooLarge):
        fetch(article_server.url("/bomb"), with_(fetch_settings, fetch_max_bytes=1_000_000))
    # The server makes the bomb lazily: it never got far because the client hung up.
    assert article_server.bomb_inflated_sent < BOMB_INFLATED_BYTES // 10


@pytest.mark.parametrize("path", ["/article", "/gzipped"])
def test_cap_counts_decompressed_bytes_exactly(
    path: str, article_server: ArticleServer, fetch_settings: Settings
) -> None:
    exact = with_(fetch_settings, fetch_max_bytes=len(ARTICLE_HTML))
    assert fetch(article_server.url(path), exact).body == ARTICLE_HTML
    with pytest.raises(TooLarge):
        fetch(article_server.url(path), with_(exact, fetch_max_bytes=len(ARTICLE_HTML) - 1))


@pytest.mark.parametrize("path", ["/gzipped", "/deflated", "/deflated?raw=1"])
def test_compressed_bodies_are_decompressed(
    path: str, article_server: ArticleServer, fetch_settings: Settings
) -> None:
    assert fetch(article_server.url(path), fetch_settings).body == ARTICLE_HTML


@pytest.mark.parametrize("served_as", ["application/pdf", "application/octet-stream"])
def test_pdf(served_as: str, article_server: ArticleServer, fetch_settings: Settings) -> None:
    fetched = fetch(article_server.url(f"/paper.pdf?type={served_as}"), fetch_settings)
    assert (fetched.content_type, fetched.body) == ("application/pdf", TINY_PDF)


@pytest.mark.parametrize("served_as", ["image/png", "application/octet-stream"])
def test_png_is_not_an_article(
    served_as: str, article_server: ArticleServer, fetch_settings: Settings
) -> None:
    with pytest.raises(UnsupportedType) as err:
        fetch(article_server.url(f"/image.png?type={served_as}"), fetch_settings)
    assert str(err.value) == "That link points to an image (image/png), not an article."


def test_missing_content_type_is_sniffed(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    fetched = fetch(article_server.url("/untyped"), fetch_settings)
    assert (fetched.content_type, fetched.charset) == ("text/html", None)


def test_plain_text_keeps_its_charset(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    fetched = fetch(article_server.url("/plain.txt"), fetch_settings)
    assert (fetched.content_type, fetched.charset) == ("text/plain", "iso-8859-1")


def test_bad_utf8_is_returned_undecoded(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    fetched = fetch(article_server.url("/bad-utf8"), fetch_settings)
    assert fetched.body == BAD_UTF8_HTML
    assert fetched.charset == "utf-8"


def test_empty_page(article_server: ArticleServer, fetch_settings: Settings) -> None:
    fetched = fetch(article_server.url("/empty"), fetch_settings)
    assert (fetched.status, fetched.body) == (200, b"")


def test_connection_refused_is_a_fetch_error(fetch_settings: Settings) -> None:
    with ArticleServer() as server:
        url = server.url("/article")
    with pytest.raises(FetchError, match="couldn't connect") as err:
        fetch(url, fetch_settings)
    assert type(err.value) is FetchError


# --- TLS: the socket goes to the pinned IP, but SNI and certificate checks use the name ------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def trust_ca(ca: trustme.CA, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))


def tls_server(ca: trustme.CA, name: str) -> ArticleServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    return ArticleServer(tls=context)


def test_https_through_pinned_ip_verifies_the_hostname(
    ca: trustme.CA, trust_ca: None, fetch_settings: Settings
) -> None:
    with tls_server(ca, "news.test") as server:
        url = server.url("/article", host="news.test")
        fetched = fetch(url, fetch_settings, resolver=lambda host: ["127.0.0.1"])
        assert fetched.body == ARTICLE_HTML
        assert fetched.final_url == url


def test_https_certificate_for_another_name_is_refused(
    ca: trustme.CA, trust_ca: None, fetch_settings: Settings
) -> None:
    with tls_server(ca, "other.test") as server, pytest.raises(FetchError, match="certificate"):
        fetch(
            server.url("/article", host="news.test"),
            fetch_settings,
            resolver=lambda host: ["127.0.0.1"],
        )


def test_hanging_dns_lookup_times_out(fetch_settings: Settings) -> None:
    release = threading.Event()

    def hanging(host: str) -> list[str]:
        release.wait(5)
        return ["127.0.0.1"]

    try:
        with pytest.raises(FetchTimeout, match="address took too long"):
            fetch(
                "http://slow-dns.test/",
                with_(fetch_settings, fetch_connect_timeout=0.2),
                resolver=hanging,
            )
    finally:
        release.set()


# --- FETCH_ALLOWLIST parsing (a JSON list was read as one host name) ---------------------------


@pytest.mark.parametrize(
    ("raw", "entries"),
    [
        ('["a.example", "10.0.0.0/8"]', ["a.example", "10.0.0.0/8"]),
        ("a.example, 10.0.0.0/8", ["a.example", "10.0.0.0/8"]),
        (" 127.0.0.1 ", ["127.0.0.1"]),
        ("*.corp.example,.lan,intranet", ["*.corp.example", ".lan", "intranet"]),
        ("[::1], fd00::/8", ["[::1]", "fd00::/8"]),
        ("[]", []),
        ("", []),
    ],
)
def test_allowlist_from_the_environment(
    raw: str, entries: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FETCH_ALLOWLIST", raw)
    assert Settings(_env_file=None).fetch_allowlist == entries


@pytest.mark.parametrize(
    "raw",
    [
        "https://intranet.example",
        "a.example/path",
        '["a.example", 3]',
        "[a.example",
        '{"hosts": ["a.example"]}',
        "'a.example'",
        "a example",
        "10.0.0.0/33",
    ],
)
def test_allowlist_garbage_is_refused_with_the_setting_named(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FETCH_ALLOWLIST", raw)
    with pytest.raises(ValidationError) as err:
        Settings(_env_file=None)
    assert err.value.errors()[0]["loc"] == ("fetch_allowlist",)


def test_json_allowlist_lets_the_fetch_through(
    article_server: ArticleServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FETCH_ALLOWLIST", '["127.0.0.1"]')
    settings = Settings(_env_file=None, fetch_connect_timeout=2, fetch_read_timeout=2)
    assert fetch(article_server.url("/article"), settings).body == ARTICLE_HTML
