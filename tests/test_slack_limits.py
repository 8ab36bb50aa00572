"""Small limits: auto-mode button values, retried response_url posts, Slack's file hosts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.slack.files import FileHosts
from tests.servers.slack_app import USER, SlackAppHarness, harness_settings

pytestmark = pytest.mark.timeout(60)


def test_auto_mode_makes_no_offer_slack_would_refuse(slack, articles, tmp_path: Path):
    settings = harness_settings(slack, tmp_path, slack_auto_channels=["C0AUTO"])
    long_link = articles.url("/story?q=" + "x" * 2_100)
    with SlackAppHarness(slack, settings) as bot:
        for i, link in enumerate([long_link, articles.url("/story")]):
            bot.message(f"<{link}>", ts=f"1800000000.00010{i}", channel="C0AUTO")
        bot.idle()
    (offer,) = slack.calls("chat.postEphemeral")  # the short link's only
    assert offer.ok and offer.params["user"] == USER
    assert len(offer.params["blocks"][0]["accessory"]["value"]) <= 2_000


def test_rate_limited_response_url_post_is_retried(slack, articles, tmp_path: Path):
    slack.fail_next("response_url", "rate_limited", status=429, headers={"Retry-After": "1"})
    with SlackAppHarness(slack, harness_settings(slack, tmp_path)) as bot:
        bot.command("/summarize", f"--private {articles.url('/story')}")
        bot.idle()
    posts = slack.calls("response_url")
    assert [c.status for c in posts] == [429, 200]
    assert "bridge" in str(posts[1].params).lower()


@pytest.mark.parametrize(
    ("api_url", "host", "allowed"),
    [
        ("https://slack.com/api/", "files.slack.com", True),
        ("https://slack.com/api/", "files.slack-gov.com", False),
        ("https://slack-gov.com/api/", "files.slack-gov.com", True),
        ("https://api.slack-gov.com/api/", "files.slack-gov.com", True),
        ("https://slack-gov.com/api/", "files.slack.com", True),
        ("http://127.0.0.1:8080/api/", "127.0.0.1", True),
        ("https://slack.com/api/", "evil.example", False),
    ],
)
def test_file_hosts_follow_the_api_url(api_url, host, allowed):
    assert (host in FileHosts.for_api(api_url).token_hosts) is allowed
