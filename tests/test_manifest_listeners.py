"""The manifest and the app agree: every command, shortcut and event it declares is handled."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import CHANNEL, USER, SlackAppHarness, harness_settings

MANIFEST = json.loads((Path(__file__).resolve().parent.parent / "manifest.json").read_text())


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackAppHarness]:
    with FakeSlack() as slack:
        settings = harness_settings(slack, tmp_path_factory.mktemp("store"))
        with SlackAppHarness(slack, settings) as harness:
            yield harness


@pytest.mark.parametrize("command", [c["command"] for c in MANIFEST["features"]["slash_commands"]])
def test_every_declared_command_is_handled(bot, command):
    status, body = bot.command(command, "")
    assert status == 200  # Bolt answers 404 for a request no listener takes
    assert command in body  # the usage help names the command


@pytest.mark.parametrize("shortcut", MANIFEST["features"]["shortcuts"])
def test_every_declared_shortcut_is_handled(bot, shortcut):
    status, _ = bot.interactive(
        {
            "type": "message_action" if shortcut["type"] == "message" else "shortcut",
            "callback_id": shortcut["callback_id"],
            "trigger_id": "trig",
            "team": {"id": "T0TEST"},
            "user": {"id": USER},
            "channel": {"id": CHANNEL},
            "response_url": bot.slack.response_url(),
            "message": {"type": "message", "text": "no link here", "ts": "1.1"},
        }
    )
    assert status == 200


def _event_for(name: str) -> dict:
    if name.startswith("message."):
        kind = name.split(".", 1)[1]
        channel_type = {"channels": "channel", "groups": "group"}.get(kind, kind)
        return {
            "type": "message",
            "channel_type": channel_type,
            "channel": "C0X",
            "user": USER,
            "text": "hello",
            "ts": "1.2",
        }
    if name.startswith("assistant_thread"):
        return {
            "type": name,
            "assistant_thread": {
                "user_id": USER,
                "channel_id": "D0A",
                "thread_ts": "1.3",
                "context": {},
            },
        }
    return {"type": name, "user": USER, "channel": CHANNEL, "text": "<@U0BOT> hi", "ts": "1.4"}


@pytest.mark.parametrize("event", MANIFEST["settings"]["event_subscriptions"]["bot_events"])
def test_every_declared_event_is_handled(bot, event):
    status, _ = bot.event(_event_for(event))
    assert status == 200


def test_an_undeclared_event_is_not_handled(bot):
    # The checks above mean something only if an unhandled request doesn't also get a 200.
    status, _ = bot.event({"type": "reaction_added", "user": USER, "reaction": "tada"})
    assert status == 404
