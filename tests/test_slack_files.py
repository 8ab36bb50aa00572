"""Files shared in Slack are downloaded with the bot token through the article fetcher's
pinned, per-hop-checked client: from Slack's file hosts only, https only, never redirected
to an internal address or another host, and the token never leaves the file's own origin.

The fake Slack serves files over http on 127.0.0.1; SLACK_API_URL points at it, so its own
origin is the one place files may come from and the real checks run."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.errors import BlockedAddress, IngestError
from bot.ingest.fetch import open_url
from bot.ingest.ssrf import Allowlist, parse_url
from bot.settings import Settings
from bot.slack.files import (
    LEFT_SLACK,
    NOT_SLACKS,
    PRIVATE,
    FileHosts,
    FileRefused,
    download,
)
from tests.servers.articles import ArticleServer
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import USER, SlackAppHarness, harness_settings

pytestmark = pytest.mark.timeout(60)

STORY = (
    b"The regional airline will stop flying to the island in April, ending a route that has "
    b"run for forty years. The company blamed rising fuel costs and a shortage of pilots."
)


def _settings(slack: FakeSlack, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "slack_api_url": slack.api_url,
        "fetch_connect_timeout": 2,
        "fetch_read_timeout": 2,
        "fetch_total_timeout": 10,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


class Listener:
    """A TCP port nobody should connect to: `connected()` says whether someone did."""

    def __init__(self, host: str, family: socket.AddressFamily = socket.AF_INET) -> None:
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]

    def connected(self) -> bool:
        self.sock.settimeout(0.2)
        try:
            conn, _ = self.sock.accept()
        except TimeoutError:
            return False
        conn.close()
        return True

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def loopback_2() -> Iterator[Listener]:
    listener = Listener("127.0.0.2")
    yield listener
    listener.close()


@pytest.fixture
def loopback_v6() -> Iterator[Listener]:
    try:
        listener = Listener("::1", socket.AF_INET6)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    yield listener
    listener.close()


# --- redirects ---------------------------------------------------------------------------------


def test_a_redirect_to_another_loopback_address_is_refused(slack, loopback_2):
    """The audit's case: the download followed a redirect to 127.0.0.2 and connected."""
    file = slack.add_file("a.pdf", b"%PDF", redirect_to=f"http://127.0.0.2:{loopback_2.port}/x")
    with pytest.raises(FileRefused) as err:
        download(file["url_private"], slack.token, _settings(slack))
    assert str(err.value) == LEFT_SLACK
    assert not loopback_2.connected()
    (call,) = slack.calls("file.download")
    assert call.status == 302  # the first hop went to Slack; the second never left


def test_a_redirect_to_ipv6_loopback_is_refused(slack, loopback_v6):
    file = slack.add_file("a.pdf", b"%PDF", redirect_to=f"http://[::1]:{loopback_v6.port}/x")
    with pytest.raises(FileRefused, match="led away from Slack"):
        download(file["url_private"], slack.token, _settings(slack))
    assert not loopback_v6.connected()


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{other}/article",  # another origin on the same address
        "http://localhost:{slack}/files-pri/x",  # Slack's port, by another name
        "https://127.0.0.1:{slack}/files-pri/x",  # another scheme
        "https://files.slack.com/files-pri/T1-F1/a.pdf",  # Slack's, but not the API's origin
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_a_redirect_to_another_host_is_refused_and_gets_no_token(slack, target):
    with ArticleServer() as other:
        location = target.format(other=other.port, slack=slack.url.rsplit(":", 1)[1])
        file = slack.add_file("a.pdf", b"%PDF", redirect_to=location)
        with pytest.raises(FileRefused, match="led away from Slack"):
            download(file["url_private"], slack.token, _settings(slack))
        assert other.connections == 0


def test_a_redirect_within_slacks_origin_is_followed_with_the_token(slack):
    target = slack.add_file("story.txt", STORY, mimetype="text/plain")
    moved = slack.add_file("moved.txt", b"", redirect_to=target["url_private_download"])
    data = download(moved["url_private"], slack.token, _settings(slack))
    assert data == STORY
    first, second = slack.calls("file.download")
    assert first.status == 302 and second.status == 200
    assert second.headers["authorization"] == f"Bearer {slack.token}"


def test_the_token_does_not_follow_a_redirect_to_another_origin():
    """The shared client: credentials go to the first URL's origin only, even when a
    redirect elsewhere is allowed."""
    settings = Settings(_env_file=None, fetch_total_timeout=10)
    with ArticleServer() as first, ArticleServer() as second:
        url = first.url(f"/redirect-to?url={second.url('/article')}")
        with open_url(
            url,
            settings,
            allow=Allowlist(["127.0.0.1"]),
            headers={},
            origin_headers={"Authorization": "Bearer xoxb-only-for-the-first"},
        ) as opened:
            assert opened.response.status_code == 200
            assert opened.url == second.url("/article")
    ((_, sent_first),) = first.requests
    ((_, sent_second),) = second.requests
    assert sent_first["Authorization"] == "Bearer xoxb-only-for-the-first"
    assert "Authorization" not in sent_second


# --- the file's own URL ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{other}/files-pri/T0TEST-F1/a.pdf",
        "https://evil.example/files-pri/T0TEST-F1/a.pdf",
        "https://files.slack.com.evil.example/files-pri/a.pdf",
        "ftp://127.0.0.1/a.pdf",
        "not a url",
    ],
)
def test_a_file_url_off_slack_is_refused_before_any_connection(slack, url):
    with ArticleServer() as other:
        with pytest.raises(FileRefused) as err:
            download(url.format(other=other.port), slack.token, _settings(slack))
        assert str(err.value) == NOT_SLACKS
        assert other.connections == 0
    assert slack.calls("file.download") == []


def test_a_file_off_slack_is_refused_in_slack_too(slack, tmp_path: Path):
    """Through the app: the person who shared it is told why; the token went nowhere."""
    with ArticleServer() as other, SlackAppHarness(slack, harness_settings(slack, tmp_path)) as bot:
        file = {
            "id": "F0EVIL",
            "name": "story.txt",
            "mimetype": "text/plain",
            "url_private": other.url("/article"),
        }
        bot.event(
            {
                "type": "message",
                "subtype": "file_share",
                "channel": "D0DM",
                "channel_type": "im",
                "user": USER,
                "text": "",
                "ts": "1700000050.1",
                "files": [file],
            }
        )
        bot.idle()
        assert other.connections == 0
    shown = " ".join(str(call.params) for call in slack.calls())
    assert "isn't hosted by Slack" in shown
    assert slack.calls("file.download") == []


def test_a_shared_file_redirecting_inside_the_network_is_refused_in_slack(
    slack, loopback_2, tmp_path: Path
):
    """Through the app, as the audit found it: nothing connects to 127.0.0.2."""
    location = f"http://127.0.0.2:{loopback_2.port}/x"
    file = slack.add_file("story.txt", STORY, mimetype="text/plain", redirect_to=location)
    with SlackAppHarness(slack, harness_settings(slack, tmp_path)) as bot:
        bot.event(
            {
                "type": "message",
                "subtype": "file_share",
                "channel": "D0DM",
                "channel_type": "im",
                "user": USER,
                "text": "",
                "ts": "1700000051.1",
                "files": [file],
            }
        )
        bot.idle()
    assert not loopback_2.connected()
    assert "led away from Slack" in " ".join(str(call.params) for call in slack.calls())


# --- Slack's own hosts (no network: the checks refuse before connecting) ------------------------


@pytest.mark.parametrize(
    ("api_url", "url", "allowed"),
    [
        ("https://slack.com/api/", "https://files.slack.com/files-pri/T1-F1/a.pdf", True),
        ("https://slack.com/api/", "https://files-edu.slack.com/files-pri/T1-F1/a.pdf", True),
        ("https://slack.com/api/", "http://files.slack.com/files-pri/T1-F1/a.pdf", False),
        ("https://slack.com/api/", "https://files.slack.com:8443/files-pri/a.pdf", False),
        ("https://slack.com/api/", "https://a.slack-edge.com/a.pdf", False),  # not for the token
        ("https://slack.com/api/", "https://files.slack-gov.com/files-pri/a.pdf", False),
        ("https://slack-gov.com/api/", "https://files.slack-gov.com/files-pri/a.pdf", True),
        ("http://127.0.0.1:8080/api/", "http://127.0.0.1:8080/files-pri/a.pdf", True),
        ("http://127.0.0.1:8080/api/", "http://127.0.0.1:8081/files-pri/a.pdf", False),
        ("http://127.0.0.1:8080/api/", "https://files.slack.com/files-pri/a.pdf", False),
    ],
)
def test_where_a_file_url_may_point(api_url, url, allowed):
    hosts = FileHosts.for_api(api_url)
    if allowed:
        hosts.check_file_url(parse_url(url))
    else:
        with pytest.raises(FileRefused, match="isn't hosted by Slack"):
            hosts.check_file_url(parse_url(url))


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://files.slack.com/files-pri/T1-F1/a.pdf", True),
        ("https://a.slack-edge.com/files/a.pdf", True),  # Slack's CDN
        ("https://files-origin.slack.com/a.pdf", True),
        ("http://a.slack-edge.com/files/a.pdf", False),  # https only
        ("https://slack-edge.com.evil.example/a.pdf", False),
        ("https://evilslack.com/a.pdf", False),
        ("https://127.0.0.2/a.pdf", False),
    ],
)
def test_where_a_slack_download_may_be_redirected(url, allowed):
    hosts = FileHosts.for_api("https://slack.com/api/")
    if allowed:
        hosts.check_redirect(parse_url(url))
    else:
        with pytest.raises(FileRefused, match="led away from Slack"):
            hosts.check_redirect(parse_url(url))


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.1.2.3", "169.254.169.254"])
def test_slacks_file_host_resolving_to_an_internal_address_is_refused(address):
    """With the real SLACK_API_URL, files.slack.com still goes through the SSRF guard."""
    settings = Settings(_env_file=None, fetch_allowlist=["127.0.0.1", "10.0.0.0/8"])
    with pytest.raises(BlockedAddress) as err:
        download(
            "https://files.slack.com/files-pri/T1-F1/a.pdf",
            "xoxb-1-2-3",
            settings,
            resolver=lambda host: [address],
        )
    assert str(err.value) == PRIVATE  # and FETCH_ALLOWLIST doesn't open Slack files to it


def test_slack_denying_the_download_is_a_permission_message(slack):
    file = slack.add_file("a.pdf", b"%PDF")
    url = file["url_private"].replace(file["id"], "F99999999")  # no such file: 404
    with pytest.raises(IngestError, match="permission"):
        download(url, slack.token, _settings(slack))
