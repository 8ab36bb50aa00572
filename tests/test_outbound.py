"""The one way out (bot.slack.outbound): the safe Web API and response_url clients against
the fake Slack Web API, over real HTTP, the way the app drives them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.slack import outbound
from bot.slack.outbound import SafeWebClient, SafeWebhookClient
from bot.slack.safe_links import sanitize
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import USER
from tests.test_safe_links import deceptive_links

pytestmark = pytest.mark.timeout(60)

SPOOF = "[bank.com](https://evil.example/x)"
SAFE = "bank.com ([evil.example](https://evil.example/x))"
FOOTER = [{"type": "context", "elements": [{"type": "mrkdwn", "text": "<https://a.test|a.test>"}]}]


@pytest.fixture
def client(slack: FakeSlack) -> SafeWebClient:
    return SafeWebClient(token=slack.token, base_url=slack.api_url)


def _start(client: SafeWebClient, text: str) -> str:
    response = client.chat_startStream(channel="C1", thread_ts="1.0", markdown_text=text)
    return str(response["ts"])


def test_a_link_split_across_appends_never_shows_until_it_is_whole(client, slack):
    ts = _start(client, "Log in at [bank.com](https://ev")
    client.chat_appendStream(channel="C1", ts=ts, markdown_text="il.example/x) now")
    client.chat_stopStream(channel="C1", ts=ts)
    (start,) = slack.calls("chat.startStream")
    assert start.params["markdown_text"] == "Log in at "  # the unfinished link held back
    assert slack.streamed_text(ts) == sanitize("Log in at " + SPOOF + " now")


def test_an_append_that_is_all_held_back_costs_no_call(client, slack):
    ts = _start(client, "Intro. ")
    for piece in ["[bank", ".com](", "https://evil", ".example/x)"]:
        assert client.chat_appendStream(channel="C1", ts=ts, markdown_text=piece)["ok"]
    assert len(slack.calls("chat.appendStream")) == 1  # only when the link was whole
    client.chat_stopStream(channel="C1", ts=ts)
    assert slack.streamed_text(ts) == "Intro. " + SAFE


def test_held_back_text_goes_out_before_a_stop_that_carries_blocks(client, slack):
    # Slack refuses markdown_text beside blocks: the tail is appended, then the stream stops.
    ts = _start(client, "Ends with a half link [bank.com](https://evil.exa")
    client.chat_stopStream(channel="C1", ts=ts, blocks=FOOTER)
    assert [c.method for c in slack.calls()][-2:] == ["chat.appendStream", "chat.stopStream"]
    assert all(call.ok for call in slack.calls())
    streamed = slack.streamed_text(ts)
    assert streamed.startswith("Ends with a half link ") and deceptive_links(streamed) == []
    assert slack.message("C1", ts)["blocks"] == FOOTER  # the bot's own link, kept


def test_a_stream_this_process_did_not_start_is_still_sanitized(client, slack):
    other = SafeWebClient(token=slack.token, base_url=slack.api_url)  # e.g. before a restart
    ts = _start(other, "Start. ")
    client.chat_appendStream(channel="C1", ts=ts, markdown_text=SPOOF + " and [bank.com](")
    client.chat_stopStream(channel="C1", ts=ts)
    assert deceptive_links(slack.streamed_text(ts)) == []
    assert SAFE in slack.streamed_text(ts)


@pytest.mark.parametrize(
    ("method", "extra"),
    [
        ("chat_postMessage", {}),
        ("chat_postEphemeral", {"user": USER}),
    ],
)
def test_every_message_method_is_sanitized(client, slack, method, extra):
    payload: dict[str, Any] = {
        "channel": "C1",
        "text": "<https://evil.example/x|bank.com>",
        "blocks": [{"type": "markdown", "text": SPOOF}],
        **extra,
    }
    getattr(client, method)(**payload)
    (call,) = slack.calls(method.replace("_", ".", 1))
    assert call.params["blocks"][0]["text"] == SAFE
    assert call.params["text"] == "bank.com (<https://evil.example/x|evil.example>)"


def test_views_are_sanitized(client, slack):
    view = {"type": "home", "blocks": [{"type": "markdown", "text": SPOOF}]}
    client.views_publish(user_id=USER, view=view)
    (call,) = slack.calls("views.publish")
    assert call.params["view"]["blocks"][0]["text"] == SAFE


def test_canvases_are_sanitized_and_keep_their_mentions(client, slack):
    """A canvas (the long digest) leaves through the same door: its markdown made safe,
    Slack's canvas mentions of people and channels kept."""
    markdown = f"In ![](#C1): ![](@U1) shared {SPOOF} ![x](https://evil.example/p.png)"
    created = client.canvases_create(
        title="Links", document_content={"type": "markdown", "markdown": markdown}
    )
    shown = slack.canvas(created["canvas_id"])["markdown"]
    assert shown == (
        f"In ![](#C1): ![](@U1) shared {SAFE} x ([evil.example](https://evil.example/p.png))"
    )
    assert outbound.sanitize_canvas(shown) == shown  # already safe: unchanged


def test_chat_update_is_sanitized_and_post_message_never_unfurls_media(client, slack):
    posted = client.chat_postMessage(channel="C1", text="hi")
    assert slack.calls("chat.postMessage")[0].params["unfurl_media"] is False
    client.chat_update(channel="C1", ts=posted["ts"], markdown_text="![x](https://evil.example/p)")
    (update,) = slack.calls("chat.update")
    assert update.params["markdown_text"] == "x ([evil.example](https://evil.example/p))"


def test_form_encoded_calls_are_sanitized_too(client, slack):
    blocks = json.dumps([{"type": "markdown", "text": SPOOF}])
    client.api_call("chat.postMessage", params={"channel": "C1", "text": SPOOF, "blocks": blocks})
    (call,) = slack.calls("chat.postMessage")
    assert call.params["blocks"][0]["text"] == SAFE


def test_response_url_posts_are_sanitized(slack):
    url = slack.response_url()
    SafeWebhookClient(url).send(
        text=SPOOF, blocks=[{"type": "markdown", "text": SPOOF}], response_type="ephemeral"
    )
    (call,) = slack.calls("response_url")
    assert call.params["blocks"][0]["text"] == SAFE
    assert deceptive_links(call.params["text"]) == []


def test_listeners_get_the_safe_client(bot, monkeypatch):
    seen: list[object] = []

    @bot.app.event("reaction_added")
    def _spy(client: Any) -> None:
        seen.append(client)

    bot.event({"type": "reaction_added", "user": USER, "reaction": "eyes", "item": {}})
    assert len(seen) == 1 and isinstance(seen[0], SafeWebClient)
    assert seen[0].token == bot.slack.token


def test_forgotten_streams_are_bounded(client, slack, monkeypatch):
    monkeypatch.setattr(outbound, "MAX_OPEN_STREAMS", 3)
    for _ in range(5):
        _start(client, "never stopped")
    assert len(client._streams) == 3


def test_listeners_get_one_safe_client_per_token_and_workspace(slack):
    """Bolt's per-request client becomes a SafeWebClient made once per token and workspace
    (not per ack); another workspace's token (OAuth) gets its own."""
    from slack_bolt import BoltContext
    from slack_sdk import WebClient

    def request_client(token: str, team: str) -> SafeWebClient:
        context = BoltContext()
        context["client"] = WebClient(token=token, base_url=slack.api_url, team_id=team)
        outbound.use_safe_client(context, lambda: None)
        assert isinstance(context.client, SafeWebClient)
        return context.client

    first = request_client("xoxb-one", "T1")
    assert request_client("xoxb-one", "T1") is first
    other = request_client(slack.token, "T2")
    assert other is not first and other.token == slack.token
    assert other.default_params["team_id"] == "T2"
    assert request_client("xoxb-one", "T2") is not first  # same token, other workspace
    other.chat_postMessage(channel="C1", text="hello")  # still the safe client's defaults
    (call,) = slack.calls("chat.postMessage")
    assert call.params["unfurl_media"] is False
