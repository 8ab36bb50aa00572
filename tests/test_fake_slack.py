"""The fake Slack Web API, driven by the real slack_sdk WebClient (as the app will drive it)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.webhook import WebhookClient

from bot.slack import format as fmt
from tests import slack_payloads
from tests.servers.fake_slack import FakeSlack


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


def client_for(server: FakeSlack, retry_handlers: list[RetryHandler] | None = None) -> WebClient:
    return WebClient(
        token=server.token, base_url=server.api_url, timeout=5, retry_handlers=retry_handlers
    )


def error_of(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(excinfo.value.response["error"])


def test_auth_and_post_message_record_params_and_headers(slack: FakeSlack) -> None:
    client = client_for(slack)
    assert client.auth_test()["user_id"] == slack.bot_user_id
    first = client.chat_postMessage(
        channel="C1", text="hello", blocks=[fmt.markdown_block("**hello**")], unfurl_links=False
    )
    second = client.chat_postMessage(channel="C1", text="again", thread_ts=first["ts"])
    assert first["channel"] == "C1"
    assert float(second["ts"]) > float(first["ts"])
    assert second["message"]["thread_ts"] == first["ts"]

    (call, _) = slack.wait_for("chat.postMessage", count=2)
    assert call.params["blocks"] == [{"type": "markdown", "text": "**hello**"}]  # JSON decoded
    assert call.params["unfurl_links"] in ("0", "false", False)
    assert call.headers["authorization"] == f"Bearer {slack.token}"
    assert [m["text"] for m in slack.messages("C1")] == ["hello", "again"]


def test_wrong_or_missing_token_is_refused(slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        WebClient(token="xoxb-wrong", base_url=slack.api_url).auth_test()
    assert error_of(excinfo) == "invalid_auth"
    with pytest.raises(SlackApiError) as excinfo:
        WebClient(base_url=slack.api_url).api_call("auth.test")
    assert error_of(excinfo) == "not_authed"


def test_update_ephemeral_and_replies(slack: FakeSlack) -> None:
    client = client_for(slack)
    parent = slack.add_message("C1", "<https://x.test/a> please", user="U1")
    placeholder = client.chat_postMessage(channel="C1", thread_ts=parent, text="_Reading…_")
    client.chat_update(channel="C1", ts=placeholder["ts"], text="Done", blocks=[])
    updated = slack.message("C1", placeholder["ts"])
    assert updated is not None and updated["text"] == "Done"
    ephemeral = client.chat_postEphemeral(
        channel="C1", user="U1", **slack_payloads.error_payload(ValueError())
    )
    assert ephemeral["message_ts"]
    replies = client.conversations_replies(channel="C1", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["<https://x.test/a> please", "Done"]
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_update(channel="C1", ts="1.000000", text="x")
    assert error_of(excinfo) == "message_not_found"


def test_chat_stream_helper_reaches_the_server(slack: FakeSlack) -> None:
    client = client_for(slack)
    parent = slack.add_message("D1", "summarize https://x.test/a", user="U1")
    stream = client.chat_stream(
        channel="D1",
        thread_ts=parent,
        recipient_team_id=slack.team_id,
        recipient_user_id="U1",
        buffer_size=10,
    )
    pieces = ["**Summary**\n\n", "The council ", "approved the budget.", " More."]
    for piece in pieces:
        stream.append(markdown_text=piece)
    footer = [fmt.context_block("source")]
    stream.stop(blocks=footer)

    assert stream.ts is not None
    assert slack.streamed_text(stream.ts) == "".join(pieces)
    assert len(slack.calls("chat.startStream")) == 1
    assert slack.calls("chat.appendStream")  # the buffer flushed more than once
    (stop,) = slack.wait_for("chat.stopStream")
    assert stop.params["blocks"] == footer
    final = slack.message("D1", stream.ts)
    assert final is not None and final["text"] == "".join(pieces)
    with pytest.raises(SlackApiError) as excinfo:  # the stream is over
        client.chat_appendStream(channel="D1", ts=stream.ts, markdown_text="late")
    assert error_of(excinfo) == "message_not_in_streaming_state"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_limits_are_enforced_like_slack(slack: FakeSlack) -> None:
    client = client_for(slack)
    cases: list[tuple[str, dict[str, Any]]] = [
        ("msg_too_long", {"text": "x" * 40_001}),
        ("invalid_blocks", {"text": "x", "blocks": [fmt.markdown_block("m")] * 51}),
        (
            "invalid_blocks",
            {
                "text": "x",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "s" * 3001}}],
            },
        ),
        ("invalid_blocks", {"text": "x", "blocks": [fmt.markdown_block("m" * 6_001)] * 2}),
        ("invalid_arguments", {"text": "x", "markdown_text": "**x**"}),
        ("no_text", {}),
    ]
    for error, params in cases:
        with pytest.raises(SlackApiError) as excinfo:
            client.chat_postMessage(channel="C1", **params)
        assert error_of(excinfo) == error, params
    posted = client.chat_postMessage(channel="C1", text="short")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_update(channel="C1", ts=posted["ts"], text="y" * 4_001)
    assert error_of(excinfo) == "msg_too_long"
    # What bot.slack.format builds for a long reply passes every check.
    for payload in slack_payloads.reply_payloads("word " * 5_000, [fmt.context_block("src")]):
        client.chat_update(channel="C1", ts=posted["ts"], **payload)


def test_scripted_rate_limit_is_retried_after_retry_after(slack: FakeSlack) -> None:
    slack.rate_limit_next("chat.postMessage", retry_after=0)
    client = client_for(slack, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    first, second = slack.wait_for("chat.postMessage", count=2)
    assert (first.status, first.response["error"]) == (429, "ratelimited")
    assert second.ok

    slack.rate_limit_next("chat.update", retry_after=7)
    with pytest.raises(SlackApiError) as excinfo:  # without a retry handler the app sees it
        client_for(slack).chat_update(channel="C1", ts="1", text="x")
    assert excinfo.value.response.status_code == 429
    assert excinfo.value.response.headers["Retry-After"] == "7"


def test_scripted_errors_fire_once_each(slack: FakeSlack) -> None:
    client = client_for(slack)
    slack.fail_next("assistant.threads.setStatus", "not_allowed_token_type", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError):
            client.assistant_threads_setStatus(channel_id="D1", thread_ts="1.0", status="Reading…")
    assert client.assistant_threads_setStatus(channel_id="D1", thread_ts="1.0", status="")["ok"]
    prompts = [{"title": "Summarize", "message": "Summarize this"}]
    assert client.assistant_threads_setSuggestedPrompts(
        channel_id="D1", thread_ts="1.0", prompts=prompts
    )["ok"]
    assert client.assistant_threads_setTitle(channel_id="D1", thread_ts="1.0", title="News")["ok"]
    (call,) = slack.calls("assistant.threads.setSuggestedPrompts")
    assert call.params["prompts"] == prompts
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": []}
    assert client.views_open(trigger_id="123.456", view=view)["view"]["type"] == "modal"
    assert client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["ok"]


def test_shared_files_download_only_with_the_token(slack: FakeSlack) -> None:
    client = client_for(slack)
    shared = slack.add_file("report.pdf", b"%PDF-1.4 fake")
    info = client.files_info(file=shared["id"])["file"]
    assert info["size"] == len(b"%PDF-1.4 fake")
    with_token = httpx.get(info["url_private"], headers={"Authorization": f"Bearer {slack.token}"})
    assert with_token.content == b"%PDF-1.4 fake"
    assert with_token.headers["content-type"] == "application/pdf"
    without = httpx.get(info["url_private"])
    assert without.headers["content-type"].startswith("text/html")  # Slack's sign-in page
    assert [c.status for c in slack.calls("file.download")] == [200, 200]
    with pytest.raises(SlackApiError) as excinfo:
        client.files_info(file="F404")
    assert error_of(excinfo) == "file_not_found"


def test_calls_from_many_threads_are_all_recorded(slack: FakeSlack) -> None:
    client = client_for(slack)

    def post(number: int) -> None:
        client.chat_postMessage(channel="C1", text=f"message {number}")

    threads = [threading.Thread(target=post, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    calls = slack.wait_for("chat.postMessage", count=20)
    for thread in threads:
        thread.join()
    assert sorted(c.params["text"] for c in calls) == sorted(f"message {n}" for n in range(20))
    timestamps = [m["ts"] for m in slack.messages("C1")]
    assert len(set(timestamps)) == 20


def test_wait_for_fails_clearly_when_nothing_comes(slack: FakeSlack) -> None:
    started = time.monotonic()
    with pytest.raises(AssertionError, match=r"chat\.postMessage"):
        slack.wait_for("chat.postMessage", timeout=0.2)
    assert time.monotonic() - started < 2


def test_response_urls_take_five_posts_within_limits(slack: FakeSlack) -> None:
    url = slack.response_url()
    assert url != slack.response_url()
    webhook = WebhookClient(url, timeout=5)
    first = webhook.send(text="Working on it…", response_type="ephemeral")
    assert (first.status_code, first.body) == (200, "ok")
    too_long = webhook.send(text="x", blocks=[fmt.markdown_block("m" * 12_001)])
    assert (too_long.status_code, too_long.body) == (400, "invalid_blocks")
    for _ in range(3):
        assert webhook.send(text="more").status_code == 200
    assert webhook.send(text="sixth").status_code == 404
    calls = slack.wait_for("response_url", count=6)
    assert calls[0].params["response_type"] == "ephemeral"
    assert [call.ok for call in calls] == [True, False, True, True, True, False]


def test_views_are_checked_kept_and_updated_only_with_their_hash(slack: FakeSlack) -> None:
    client = client_for(slack)
    title = {"type": "plain_text", "text": "Settings"}
    field = {"type": "input", "block_id": "b", "label": title, "element": {"type": "x"}}
    with pytest.raises(SlackApiError, match="invalid_arguments"):  # input without submit
        client.views_open(
            trigger_id="1.2", view={"type": "modal", "title": title, "blocks": [field]}
        )
    with pytest.raises(SlackApiError, match="invalid_blocks"):  # block_ids must be unique
        client.views_publish(user_id="U1", view={"type": "home", "blocks": [field, field]})
    modal = {"type": "modal", "title": title, "submit": title, "blocks": [field]}
    opened = client.views_open(trigger_id="1.2", view=modal)["view"]
    with pytest.raises(SlackApiError, match="hash_conflict"):
        client.views_update(view_id=opened["id"], hash="stale", view=modal)
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    with pytest.raises(SlackApiError, match="not_found"):
        client.views_update(view_id="V0NONE", view=modal)
    client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    assert slack.home("U1") is not None and slack.home("U2") is None


def test_users_info_describes_the_users_added(slack: FakeSlack) -> None:
    client = client_for(slack)
    slack.add_user("U0ADMIN", is_admin=True)
    assert client.users_info(user="U0ADMIN")["user"]["is_admin"] is True
    with pytest.raises(SlackApiError, match="user_not_found"):
        client.users_info(user="U0NOBODY")


def test_conversations_are_described_and_their_members_paged(slack: FakeSlack) -> None:
    client = client_for(slack)
    slack.add_channel("C1")
    slack.add_channel("G1", kind="private", members=[f"U{n}" for n in range(5)])
    slack.add_channel("G2", kind="private", members=["U1"], bot_member=False)
    slack.add_channel("D1", kind="im", members=["U1"])
    public = client.conversations_info(channel="C1")["channel"]
    assert (public["is_channel"], public["is_private"]) == (True, False)
    assert client.conversations_info(channel="G1")["channel"]["is_private"] is True
    assert client.conversations_info(channel="D1")["channel"]["user"] == "U1"
    members, cursor = [], ""
    while True:
        page = client.conversations_members(channel="G1", limit=2, cursor=cursor)
        members += page["members"]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert members == [f"U{n}" for n in range(5)] + [slack.bot_user_id]
    for missing in ("G2", "C404"):  # the bot isn't in it, or it isn't there
        with pytest.raises(SlackApiError, match="channel_not_found"):
            client.conversations_info(channel=missing)
    slack.drop_scope("groups:read")
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_members(channel="G1")
    assert excinfo.value.response["needed"] == "groups:read"
    assert error_of(excinfo) == "missing_scope"
    assert client.conversations_info(channel="C1")["ok"]  # channels:read still granted
