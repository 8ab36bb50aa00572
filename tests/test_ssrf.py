"""The SSRF guard: every forbidden address form is refused, and no connection is made."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence

import httpcore
import pytest

from bot.errors import BlockedAddress, FetchError, InvalidURL
from bot.ingest.fetch import fetch
from bot.ingest.ssrf import (
    Allowlist,
    blocked_reason,
    check_url,
    embedded_ipv4,
    parse_ip_host,
    parse_url,
)
from bot.ingest.transport import PinnedBackend
from bot.settings import Settings
from tests.servers.articles import ARTICLE_HTML, ArticleServer

PUBLIC_IP = "93.184.215.14"


def default_settings() -> Settings:
    return Settings(_env_file=None)


def fake_dns(table: dict[str, Sequence[str]]):
    """A resolver hook over a fixed table that records every lookup."""
    calls: list[str] = []

    def resolve(host: str) -> Sequence[str]:
        calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


# Hosts that all reach a forbidden address; PORT is the live counting server's port.
FORBIDDEN_HOSTS = [
    "127.0.0.1",
    "2130706433",  # decimal
    "0177.0.0.1",  # octal
    "0x7f.1",  # hex, short
    "0x7f000001",
    "127.1",  # short
    "127.0.0.1.",  # trailing dot
    "%31%32%37.0.0.1",  # percent-encoded
    "[::1]",
    "[0:0:0:0:0:0:0:1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::127.0.0.1]",  # IPv4-compatible
    "[64:ff9b::7f00:1]",  # NAT64
    "[2002:7f00:1::]",  # 6to4
    "10.1",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "0",
    "224.0.0.1",
    "255.255.255.255",
    "240.0.0.1",
    "192.0.2.1",
    "198.18.0.1",
    "[::]",
    "[fd00::1]",
    "[fe80::1]",
    "[fe80::1%25eth0]",
    "[ff02::1]",
    "[2001:db8::1]",
    "localhost",
    "LOCALHOST.",
    "api.localhost",
]


@pytest.mark.parametrize("host", FORBIDDEN_HOSTS)
def test_forbidden_hosts_are_refused_without_connecting(
    host: str, article_server: ArticleServer
) -> None:
    url = f"http://{host}:{article_server.port}/article"
    with pytest.raises(BlockedAddress) as err:
        fetch(url, default_settings(), resolver=fake_dns({}))
    assert "private or internal" in str(err.value)
    assert article_server.connections == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://user:pass@example.com/",
        "http://user@example.com/",
        "http://example.com\\@127.0.0.1/",
        "ftp://example.com/file",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "gopher://127.0.0.1:25/",
        "example.com/article",
        "http:///nohost",
        "http://1.2.3.256/",
        "http://0x1.0x2.0x3.0x4.0x5/",
        "http://08.0.0.1/",
        "http://example.com:99999/",
    ],
)
def test_unusable_urls_are_invalid(url: str) -> None:
    with pytest.raises(InvalidURL):
        check_url(url, resolver=fake_dns({"example.com": [PUBLIC_IP]}))


def test_a_link_longer_than_a_server_accepts_is_refused_by_its_length() -> None:
    long = "https://example.com/" + "a" * 100_000  # httpx said "site name isn't valid"
    with pytest.raises(InvalidURL, match="too long to open"):
        parse_url(long)
    assert parse_url("https://example.com/" + "a" * 4_000).host == "example.com"


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("0xA9.0xFE.0xA9.0xFE", "169.254.169.254"),
        ("8.8.8.8.", "8.8.8.8"),
        ("[::FFFF:7f00:1]", "::ffff:127.0.0.1"),
        ("example.com", None),
        ("cafe.bad", None),
    ],
)
def test_ip_spellings_are_normalised(spelling: str, address: str | None) -> None:
    expected = None if address is None else ipaddress.ip_address(address)
    assert parse_ip_host(spelling) == expected


@pytest.mark.parametrize(
    ("ip", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.255.255.255", "private"),
        ("100.127.0.1", "carrier-grade NAT"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("255.255.255.255", "broadcast"),
        ("203.0.113.9", "documentation"),
        ("198.19.1.1", "benchmarking"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:0:a9fe:a9fe", "link-local"),  # IPv4-translated
        ("64:ff9b::a9fe:a9fe", "link-local"),
        ("2002:a9fe:a9fe::1", "link-local"),
        ("2001:0:4136:e378::1", "reserved"),  # Teredo
        ("fc00::1", "private"),
        ("fe80::abcd", "link-local"),
        ("ff05::2", "multicast"),
        ("4000::1", "reserved"),  # outside global unicast 2000::/3
        ("8.8.8.8", None),
        (PUBLIC_IP, None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
        ("2002:808:808::1", None),
    ],
)
def test_blocked_reason(ip: str, reason: str | None) -> None:
    assert blocked_reason(ipaddress.ip_address(ip)) == reason


def test_embedded_ipv4_is_found_in_every_form() -> None:
    for v6 in (
        "::ffff:1.2.3.4",
        "::1.2.3.4",
        "64:ff9b::102:304",
        "2002:102:304::",
        "::ffff:0:1.2.3.4",
    ):
        assert embedded_ipv4(ipaddress.IPv6Address(v6)) == ipaddress.IPv4Address("1.2.3.4")
    assert embedded_ipv4(ipaddress.IPv6Address("2606:4700::1")) is None


def test_every_resolved_address_is_checked(article_server: ArticleServer) -> None:
    resolver = fake_dns({"mixed.test": [PUBLIC_IP, "10.0.0.7"], "sneaky.test": ["127.0.0.1"]})
    for name in ("mixed.test", "sneaky.test"):
        with pytest.raises(BlockedAddress):
            fetch(
                f"http://{name}:{article_server.port}/article",
                default_settings(),
                resolver=resolver,
            )
    assert article_server.connections == 0


def test_public_name_passes_and_is_pinned_to_its_addresses() -> None:
    checked = check_url(
        "https://News.Example.com/a?b=1#top",
        resolver=fake_dns({"news.example.com": [PUBLIC_IP, "2606:4700::1"]}),
    )
    assert checked.url == "https://news.example.com/a?b=1"
    assert (checked.host, checked.port) == ("news.example.com", 443)
    assert checked.addresses == (PUBLIC_IP, "2606:4700::1")


def test_unresolvable_name_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match="doesn't resolve"):
        check_url("http://nowhere.test/", resolver=fake_dns({}))


def test_allowlist_hosts_networks_and_wildcards() -> None:
    allow = Allowlist(["wiki.corp.example", "*.intra.example", "10.20.0.0/16", "::1"])
    assert allow.allows_host("WIKI.corp.example.")
    assert allow.allows_host("a.b.intra.example")
    assert not allow.allows_host("intra.example.evil.test")
    assert allow.allows_ip(ipaddress.ip_address("10.20.3.4"))
    assert allow.allows_ip(ipaddress.ip_address("::ffff:10.20.3.4"))  # judged by embedded v4
    assert not allow.allows_ip(ipaddress.ip_address("10.21.0.1"))
    resolver = fake_dns({"wiki.corp.example": ["10.9.9.9"], "db.corp.example": ["10.20.1.1"]})
    assert check_url("http://wiki.corp.example/", allow, resolver).addresses == ("10.9.9.9",)
    assert check_url("http://db.corp.example/", allow, resolver).addresses == ("10.20.1.1",)
    with pytest.raises(BlockedAddress):
        check_url("http://10.9.9.9/", allow, resolver)


def test_allowlisted_address_passes_in_any_spelling(
    article_server: ArticleServer, fetch_settings: Settings
) -> None:
    fetched = fetch(f"http://2130706433:{article_server.port}/article", fetch_settings)
    assert fetched.body == ARTICLE_HTML
    assert fetched.final_url == article_server.url("/article")


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{victim}/article",
        "http://0x7f.1:{victim}/article",
        "http://10.0.0.1/",
    ],
)
def test_redirect_to_forbidden_address_is_refused(target: str) -> None:
    """The origin is allow-listed by name; its redirect to a raw internal address is not."""
    settings = Settings(_env_file=None, fetch_allowlist=["news.test"])
    resolver = fake_dns({"news.test": ["127.0.0.1"]})
    with ArticleServer() as origin, ArticleServer() as victim:
        location = target.format(victim=victim.port)
        url = f"http://news.test:{origin.port}/redirect-to?url={location}"
        with pytest.raises(BlockedAddress, match="redirects to a private") as err:
            fetch(url, settings, resolver=resolver)
        assert err.value.url == url
        assert str(victim.port) not in str(err.value)
        assert victim.connections == 0
        assert origin.connections == 1


def test_redirect_to_allowed_name_is_followed() -> None:
    """Control for the test above: the same victim server is reachable when allowed."""
    settings = Settings(_env_file=None, fetch_allowlist=["news.test"])
    resolver = fake_dns({"news.test": ["127.0.0.1"]})
    with ArticleServer() as origin, ArticleServer() as victim:
        target = f"http://news.test:{victim.port}/article"
        fetched = fetch(
            f"http://news.test:{origin.port}/redirect-to?url={target}", settings, resolver=resolver
        )
        assert fetched.final_url == target
        assert victim.connections == 1


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://example.com/", "http://u:p@x.test/"]
)
def test_redirect_to_other_scheme_is_refused(
    target: str, article_server: ArticleServer, fetch_settings: Settings
) -> None:
    with pytest.raises(InvalidURL, match="redirects"):
        fetch(article_server.url(f"/redirect-to?url={target}"), fetch_settings)


def test_dns_is_asked_once_and_the_connection_uses_that_answer(
    article_server: ArticleServer,
) -> None:
    """DNS rebinding: a second lookup would say 10.0.0.1, but nothing looks again."""
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])
    calls: list[str] = []

    def rebinding(host: str) -> list[str]:
        calls.append(host)
        return next(answers)

    settings = Settings(_env_file=None, fetch_allowlist=["127.0.0.1"])
    fetched = fetch(
        f"http://rebind.test:{article_server.port}/article", settings, resolver=rebinding
    )
    assert fetched.body == ARTICLE_HTML
    assert calls == ["rebind.test"]
    # The name was kept for the Host header while the socket went to the checked address.
    assert article_server.requests[0][1]["Host"] == f"rebind.test:{article_server.port}"


def test_pinned_backend_never_connects_to_an_unchecked_host() -> None:
    backend = PinnedBackend(deadline=float("inf"))
    with pytest.raises(httpcore.ConnectError):
        backend.connect_tcp("unchecked.test", 80)


def test_parse_url_is_pure_and_normalises() -> None:
    parsed = parse_url("HTTP://0x7f.1:80/path?q=1#frag")
    assert parsed.url == "http://127.0.0.1/path?q=1"
    assert parsed.ip == ipaddress.ip_address("127.0.0.1")
    assert parse_url("https://[::ffff:7f00:1]:8443").url == "https://[::ffff:7f00:1]:8443/"


def test_a_blocked_link_logs_why_and_offers_the_allowlist_only_for_a_private_network(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Cloud metadata (link-local) or loopback is never an intranet site to allow; a private
    network's address may be. The message names no setting: each surface says who can."""
    with caplog.at_level("INFO", logger="bot.ingest.ssrf"), pytest.raises(BlockedAddress) as err:
        fetch("http://169.254.169.254/latest/meta-data/", default_settings())
    assert "link-local" in caplog.text and "169.254" not in str(err.value)
    assert not err.value.intranet and "FETCH_ALLOWLIST" not in str(err.value)
    for link, intranet in (
        ("http://10.1.2.3/wiki", True),
        ("http://100.64.0.9/", True),
        ("http://localhost/", False),
        ("http://[::1]/", False),
    ):
        with pytest.raises(BlockedAddress) as err:
            check_url(link)
        assert err.value.intranet is intranet, link
