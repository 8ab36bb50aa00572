"""The trust loop against the fake Slack API: 👍/👎 buttons under every summary and answer
(streamed, placeholder, private), a click stored against its request (one changeable vote
per person) and thanked privately, and each finished reply in the request log."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot.slack import feedback
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import CHANNEL, TEAM, USER, SlackAppHarness

pytestmark = pytest.mark.timeout(60)


def _feedback_of(blocks: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """The feedback_buttons element of a message's blocks (None when there is none)."""
    for block in blocks or []:
        if block.get("type") == "context_actions":
            for element in block.get("elements", []):
                if element.get("type") == "feedback_buttons":
                    return element
    return None


def _request_id(buttons: dict[str, Any]) -> str:
    up = buttons["positive_button"]["value"]
    down = buttons["negative_button"]["value"]
    assert up.startswith("up ") and down.startswith("down ")
    assert up[3:] == down[5:]
    return str(up[3:])


def _click(bot: SlackAppHarness, buttons: dict[str, Any], which: str, user: str = USER) -> str:
    """A block_actions payload as Slack sends it for a feedback_buttons click; returns its
    response_url."""
    button = buttons["positive_button" if which == "up" else "negative_button"]
    response_url = bot.slack.response_url()
    status, _ = bot.interactive(
        {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": user, "team_id": TEAM},
            "channel": {"id": CHANNEL},
            "container": {"type": "message", "channel_id": CHANNEL, "is_ephemeral": False},
            "response_url": response_url,
            "trigger_id": f"trig-{response_url.rsplit('/', 1)[-1]}",  # one per click
            "actions": [
                {
                    "type": "feedback_buttons",
                    "action_id": buttons["action_id"],
                    "block_id": "fb",
                    "value": button["value"],
                    "text": button["text"],
                    "action_ts": str(time.time()),
                }
            ],
        }
    )
    assert status == 200
    return response_url


def _thanks(slack: FakeSlack, response_url: str) -> dict[str, Any]:
    path = response_url.removeprefix(slack.url)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [c for c in slack.calls("response_url") if c.params["url"] == path]
        if found:
            return found[0].params
        time.sleep(0.05)
    raise AssertionError("no thanks posted")


def test_a_summary_carries_feedback_buttons_and_a_click_is_counted(bot, articles):
    bot.command("/summarize", articles.url("/story"))
    (final,) = bot.wait_for_update()  # the placeholder, edited into the summary
    buttons = _feedback_of(final.params["blocks"])
    assert buttons is not None and buttons["action_id"] == feedback.ACTION_ID
    assert [buttons[b]["text"]["text"] for b in ("positive_button", "negative_button")] == [
        "👍",
        "👎",
    ]
    request_id = _request_id(buttons)
    # ...under the source line, which stays where it was.
    kinds = [block["type"] for block in final.params["blocks"]]
    assert kinds[-2:] == ["context", "context_actions"]
    bot.idle()

    (logged,) = bot.services.store.requests_since(0)
    assert logged.request_id == request_id
    assert (logged.team, logged.channel, logged.user) == (TEAM, CHANNEL, USER)
    assert (logged.kind, logged.style, logged.engine, logged.cached) == (
        "summary",
        "bullets",
        "offline",
        False,
    )
    assert (logged.up, logged.down) == (0, 0)

    thanks = _thanks(bot.slack, _click(bot, buttons, "up"))
    assert thanks["response_type"] == "ephemeral" and "Thanks" in thanks["text"]
    assert thanks.get("replace_original") in (False, "false")  # the reply itself stays
    (counted,) = bot.services.store.requests_since(0)
    assert (counted.up, counted.down) == (1, 0)


def test_changing_a_vote_replaces_it_and_other_people_count_apart(bot, articles):
    bot.command("/summarize", articles.url("/story"))
    (final,) = bot.wait_for_update()
    buttons = _feedback_of(final.params["blocks"])
    assert buttons is not None
    bot.idle()
    _thanks(bot.slack, _click(bot, buttons, "up"))
    _thanks(bot.slack, _click(bot, buttons, "up", user="U0BOB"))
    _thanks(bot.slack, _click(bot, buttons, "down"))  # Alice changes her mind
    (counted,) = bot.services.store.requests_since(0)
    assert (counted.up, counted.down) == (1, 1)


def test_a_streamed_summary_and_answer_both_carry_buttons(bot, articles):
    bot.mention(f"<{articles.url('/story')}>", ts="1700000500.000100")
    (stop,) = bot.slack.wait_for("chat.stopStream", timeout=20)
    summary_buttons = _feedback_of(stop.params["blocks"])
    assert summary_buttons is not None
    bot.message("who cut the ribbon?", ts="1700000500.000200", thread_ts="1700000500.000100")
    stops = bot.slack.wait_for("chat.stopStream", count=2, timeout=20)
    answer_buttons = _feedback_of(stops[1].params["blocks"])
    assert answer_buttons is not None
    assert _request_id(answer_buttons) != _request_id(summary_buttons)
    bot.idle()
    logged = bot.services.store.requests_since(0)
    assert [r.kind for r in logged] == ["summary", "answer"]
    assert logged[1].style is None
    # The message as Slack shows it keeps them after the stream stopped.
    shown = bot.slack.message(CHANNEL, stops[1].params["ts"])
    assert shown is not None and _feedback_of(shown.get("blocks")) is not None


def test_a_private_summary_carries_buttons_too(bot, articles):
    bot.command("/summarize", f"--private {articles.url('/story')}")
    (call,) = bot.slack.wait_for("response_url", timeout=20)
    assert _feedback_of(call.params["blocks"]) is not None


def test_the_same_link_again_is_logged_as_a_cache_hit(bot, articles):
    link = articles.url("/story")
    bot.command("/summarize", link)
    bot.wait_for_update()
    bot.command("/summarize", link, channel="C0OTHER")
    bot.wait_for_update(count=2)
    bot.idle()
    logged = bot.services.store.requests_since(0)
    assert [(r.channel, r.cached) for r in logged] == [(CHANNEL, False), ("C0OTHER", True)]


def test_errors_and_help_carry_no_buttons_and_log_nothing(bot, articles):
    status, body = bot.command("/summarize", "")
    assert status == 200 and "feedback" not in body
    bot.command("/summarize", articles.url("/paywall"))
    (error,) = bot.slack.wait_for("response_url", timeout=20)
    bot.idle()
    assert _feedback_of(error.params.get("blocks")) is None
    assert all(_feedback_of(c.params.get("blocks")) is None for c in bot.slack.calls())
    assert bot.services.store.requests_since(0) == []


def test_a_click_on_something_else_is_ignored(bot):
    buttons = feedback.block("x")["elements"][0]
    forged = {
        **buttons,
        "positive_button": {**buttons["positive_button"], "value": "sideways job.r0"},
    }
    _click(bot, forged, "up")
    time.sleep(0.3)
    assert bot.slack.calls("response_url") == []


def test_the_assistant_view_carries_buttons_and_its_help_does_not(bot, articles):
    dm, thread = "D0ASSIST", "1800000700.000100"
    bot.message(
        "What can you do?", ts="1800000700.000200", thread_ts=thread, channel=dm, channel_type="im"
    )
    bot.message(
        f"<{articles.url('/story')}>",
        ts="1800000700.000300",
        thread_ts=thread,
        channel=dm,
        channel_type="im",
    )
    (stop,) = bot.slack.wait_for("chat.stopStream", timeout=20)
    bot.idle()
    assert _feedback_of(stop.params["blocks"]) is not None
    help_posts = [c for c in bot.slack.calls("chat.postMessage") if c.params["channel"] == dm]
    assert help_posts and all(_feedback_of(c.params.get("blocks")) is None for c in help_posts)
    (logged,) = bot.services.store.requests_since(0)
    assert (logged.channel, logged.kind) == (dm, "summary")


def test_a_vote_is_stored_before_the_click_is_acked(tmp_path):
    # Slack never sends a click again: a process that died between the ack and the write
    # would lose the vote. A corner test: the listener alone, with a recording ack.
    from types import SimpleNamespace

    from bot.slack.listeners.feedback import handle_feedback
    from bot.store import RequestRecord, SQLiteStore

    store = SQLiteStore(str(tmp_path / "store.sqlite3"))
    seen_at_ack: list[int] = []

    def ack(**_: Any) -> None:
        seen_at_ack.append(sum(r.up for r in store.requests_since(0.0, TEAM)))

    store.log_request(RequestRecord(request_id="r1", team=TEAM, channel=CHANNEL, at=time.time()))
    body = {"user": {"id": USER}, "team": {"id": TEAM}}
    action = {"value": "up r1"}
    handle_feedback(ack, body, action, SimpleNamespace(store=store))
    assert seen_at_ack == [1]
