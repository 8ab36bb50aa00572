"""Admins only where the workspace says so: App Home shows who may change channel settings,
with a switch only a workspace admin or owner (users.info) may flip; the choice is kept per
workspace in the store, defaults to SETTINGS_ADMINS_ONLY, and decides who gets the settings
modal in that workspace only. Signed requests over real HTTP into the app, against the
fake Slack Web API."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.slack import settings_jobs
from bot.slack.settings_view import ADMINS_ONLY, CALLBACK_ID, EDIT_CHANNEL
from bot.store import WorkspaceSettings
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import CHANNEL, TEAM, USER, SlackAppHarness, harness_settings

pytestmark = pytest.mark.timeout(90)

ADMIN = "U0ADMIN"
OTHER_TEAM = "T0OTHER"


def _click(
    bot: SlackAppHarness, action_id: str, value: str, *, user: str = USER, team: str = TEAM
) -> None:
    """An App Home button, as Slack sends its block_actions (one trigger per click)."""
    status, _ = bot.interactive(
        {
            "type": "block_actions",
            "team": {"id": team},
            "user": {"id": user, "team_id": team},
            "api_app_id": "A0APP",
            "trigger_id": f"trigger-{time.monotonic_ns()}",
            "container": {"type": "view", "view_id": "VHOME"},
            "view": {"id": "VHOME", "type": "home", "hash": "1.hash"},
            "actions": [{"action_id": action_id, "type": "button", "value": value}],
        }
    )
    assert status == 200


def _home_opened(bot: SlackAppHarness, user: str = USER) -> dict[str, Any]:
    count = len(bot.slack.calls("views.publish")) + 1
    status, _ = bot.event(
        {"type": "app_home_opened", "user": user, "channel": "D0H", "tab": "home"}
    )
    assert status == 200
    return bot.slack.wait_for("views.publish", count=count, timeout=20)[-1].params["view"]


def _switch(view: dict[str, Any]) -> dict[str, Any]:
    """App Home's "who can change settings" button."""
    (button,) = [
        b["accessory"]
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == ADMINS_ONLY
    ]
    return button


def _store(bot: SlackAppHarness) -> Any:
    assert bot.services is not None
    return bot.services.store


@pytest.fixture
def people(slack: FakeSlack) -> None:
    slack.add_user(ADMIN, is_admin=True)
    slack.add_user(USER)  # a member, not an admin


@pytest.fixture
def admins_only_bot(slack: FakeSlack, tmp_path: Any) -> Iterator[SlackAppHarness]:
    settings = harness_settings(slack, tmp_path, settings_admins_only=True)
    with SlackAppHarness(slack, settings) as harness:
        yield harness


def test_app_home_shows_the_default_and_a_member_cannot_flip_the_switch(bot, people):
    view = _home_opened(bot)
    shown = json.dumps(view)
    assert "anyone in the workspace" in shown and "the bot's default" in shown.lower()
    button = _switch(view)
    assert button["value"] == "on" and "confirm" in button

    _click(bot, ADMINS_ONLY, "on")  # Alice isn't an admin
    (told,) = bot.slack.wait_for("views.open", timeout=20)
    assert settings_jobs.NOT_ADMIN_SWITCH in json.dumps(told.params["view"])
    bot.idle()
    assert _store(bot).workspace_settings(TEAM) is None
    (checked,) = bot.slack.calls("users.info")
    assert checked.params["user"] == USER
    # ...and settings stay open to everyone: the modal opens, nobody is looked up again.
    bot.command("/articlebot", "settings")
    (opened,) = bot.slack.wait_for("views.open", count=2, timeout=20)[1:]
    assert opened.params["view"]["callback_id"] == CALLBACK_ID
    assert len(bot.slack.calls("users.info")) == 1


def test_an_admin_keeps_settings_to_admins_in_their_workspace_only(bot, people):
    _click(bot, ADMINS_ONLY, "on", user=ADMIN)
    (home,) = bot.slack.wait_for("views.publish", timeout=20)
    assert home.params["user_id"] == ADMIN
    shown = json.dumps(home.params["view"])
    assert "only workspace admins and owners" in shown and f"Set by <@{ADMIN}>" in shown
    assert _switch(home.params["view"])["value"] == "off"
    saved = _store(bot).workspace_settings(TEAM)
    assert (saved.admins_only, saved.updated_by) == (True, ADMIN)

    bot.command("/articlebot", "settings")  # Alice, a member: refused now
    (told,) = bot.slack.wait_for("response_url", timeout=20)
    assert told.params["text"] == settings_jobs.NOT_ADMIN
    bot.idle()
    assert bot.slack.calls("views.open") == []

    # Another workspace on the same deployment keeps the default: anyone gets the form.
    bot.slack.add_channel(CHANNEL)
    _click(bot, EDIT_CHANNEL, CHANNEL, user="U0ELSE", team=OTHER_TEAM)
    (opened,) = bot.slack.wait_for("views.open", timeout=20)
    assert opened.params["view"]["callback_id"] == CALLBACK_ID
    assert [c.params["user"] for c in bot.slack.calls("users.info")] == [ADMIN, USER]


def test_an_admin_opens_settings_to_everyone_where_the_deployment_keeps_them_to_admins(
    admins_only_bot, people
):
    bot = admins_only_bot
    assert _switch(_home_opened(bot))["value"] == "off"  # the default here: admins only
    _click(bot, ADMINS_ONLY, "off", user=ADMIN)
    bot.slack.wait_for("views.publish", count=2, timeout=20)
    assert _store(bot).workspace_settings(TEAM).admins_only is False

    bot.command("/articlebot", "settings")  # Alice, a member, gets the form now
    (opened,) = bot.slack.wait_for("views.open", timeout=20)
    assert opened.params["view"]["callback_id"] == CALLBACK_ID
    assert [c.params["user"] for c in bot.slack.calls("users.info")] == [ADMIN]


def test_when_slack_cant_say_who_is_admin_the_switch_stays_as_it_was(bot):
    _click(bot, ADMINS_ONLY, "on", user="U0NOBODY")  # users.info: user_not_found
    (told,) = bot.slack.wait_for("views.open", timeout=20)
    assert "user_not_found" in json.dumps(told.params["view"])
    bot.idle()
    assert _store(bot).workspace_settings(TEAM) is None
    assert bot.slack.calls("views.publish") == []


def test_a_forged_value_is_ignored(bot, people):
    _click(bot, ADMINS_ONLY, "maybe", user=ADMIN)
    bot.idle()
    assert bot.slack.calls("users.info") == [] and _store(bot).workspace_settings(TEAM) is None


def test_the_workspaces_choice_goes_with_the_workspace(bot):
    store = _store(bot)
    store.put_workspace_settings(TEAM, WorkspaceSettings(admins_only=True, updated_by=ADMIN))
    store.put_workspace_settings(OTHER_TEAM, WorkspaceSettings(admins_only=True))
    status, _ = bot.event({"type": "app_uninstalled"})
    assert status == 200
    deadline = time.monotonic() + 20
    while store.workspace_settings(TEAM) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store.workspace_settings(TEAM) is None
    assert store.workspace_settings(OTHER_TEAM) == WorkspaceSettings(admins_only=True)
