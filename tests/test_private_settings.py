"""A private channel's settings are its members' only: App Home lists them, Edit opens
them, the picker shows them and a submission saves them only for people in the channel
(conversations.info, conversations.members); public channels as before; when Slack can't
say (missing_scope, an error), nobody outside gets them, and `/articlebot settings` typed
in the channel still works with no check. Signed requests over real HTTP into the app,
against the fake Slack Web API."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from bot.slack import settings_jobs
from bot.slack.channel_access import ChannelKinds
from bot.slack.settings_view import (
    CALLBACK_ID,
    CONFIGURE,
    EDIT_CHANNEL,
    MAX_HOME_CHANNELS,
    PICK_CHANNEL,
)
from bot.store import ChannelSettings, DigestSchedule
from tests.servers.slack_app import CHANNEL, TEAM, USER, SlackAppHarness
from tests.test_channel_settings import _state

pytestmark = pytest.mark.timeout(90)

SECRET = "G0SECRET"  # a private channel Bob is in and Alice (USER) isn't
BOB = "U0BOB"
OLD_INSTALL = ("channels:read", "groups:read", "mpim:read")  # installed before they were asked


def _store(bot: SlackAppHarness) -> Any:
    assert bot.services is not None
    return bot.services.store


def _click(
    bot: SlackAppHarness, action_id: str, value: str | None = None, *, user: str = USER
) -> None:
    action: dict[str, Any] = {"action_id": action_id, "type": "button"}
    if value is not None:
        action["value"] = value
    status, _ = bot.interactive(
        {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0APP",
            "trigger_id": f"trigger-{time.monotonic_ns()}",
            "container": {"type": "view", "view_id": "VHOME"},
            "view": {"id": "VHOME", "type": "home", "hash": "1.hash"},
            "actions": [action],
        }
    )
    assert status == 200


def _submit(
    bot: SlackAppHarness, view: dict[str, Any], *, user: str = USER, **values: Any
) -> tuple[int, str]:
    return bot.interactive(
        {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "fake"},
            "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0APP",
            "trigger_id": "trigger-submit",
            "view": {**view, "state": _state(view, **values)},
        }
    )


def _opened(bot: SlackAppHarness, count: int = 1) -> dict[str, Any]:
    call = bot.slack.wait_for("views.open", count=count, timeout=20)[count - 1]
    assert call.ok, call.response
    return call.response["view"]


def _errors(body: str) -> dict[str, str]:
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    return answer["errors"]


def _home(bot: SlackAppHarness, user: str = USER) -> str:
    count = len(bot.slack.calls("views.publish")) + 1
    status, _ = bot.event(
        {"type": "app_home_opened", "user": user, "channel": "D0H", "tab": "home"}
    )
    assert status == 200
    call = bot.slack.wait_for("views.publish", count=count, timeout=20)[-1]
    assert call.ok, call.response
    return json.dumps(call.params["view"])


@pytest.fixture
def channels(bot: SlackAppHarness) -> SlackAppHarness:
    """#news (public) and a private channel, each with settings of its own."""
    bot.slack.add_channel(CHANNEL)
    bot.slack.add_channel(SECRET, kind="private", members=[BOB])
    _store(bot).put_channel_settings(TEAM, CHANNEL, ChannelSettings(language="French"))
    _store(bot).put_channel_settings(
        TEAM, SECRET, ChannelSettings(language="Klingon", style="detailed", updated_by=BOB)
    )
    return bot


# --- the audit's reproduction ---------------------------------------------------------------


def test_edit_of_a_private_channel_by_a_non_member_opens_no_form(channels):
    bot = channels
    _click(bot, EDIT_CHANNEL, SECRET)  # forged: Alice never saw this button
    told = _opened(bot)
    assert "callback_id" not in told and "submit" not in told  # a notice, not the form
    shown = json.dumps(told)
    assert settings_jobs.NOT_A_MEMBER in shown and "Klingon" not in shown
    bot.idle()
    assert [c.params.get("view", {}).get("callback_id") for c in bot.slack.calls("views.open")] == [
        None
    ]
    (members,) = bot.slack.calls("conversations.members")
    assert members.params["channel"] == SECRET


def test_a_non_members_submission_for_a_private_channel_saves_nothing(channels):
    """A form for the private channel (opened while Alice was a member, or any channel
    forged into the picker) is checked again on saving: refused beside the form."""
    bot = channels
    bot.slack.set_members(SECRET, [BOB, USER])
    _click(bot, EDIT_CHANNEL, SECRET)
    view = _opened(bot)
    assert view["callback_id"] == CALLBACK_ID
    bot.slack.set_members(SECRET, [BOB])  # Alice left the channel
    status, body = _submit(bot, view, style="tldr", daily_tokens="0")
    assert status == 200
    assert settings_jobs.NOT_A_MEMBER in _errors(body).values()
    assert _store(bot).channel_settings(TEAM, SECRET).language == "Klingon"  # unchanged
    assert _store(bot).channel_settings(TEAM, SECRET).daily_tokens is None

    # The picker's form, with the private channel put in its state: refused the same way.
    _click(bot, CONFIGURE)
    picker = _opened(bot, count=2)
    status, body = _submit(bot, picker, channel=SECRET, style="tldr")
    assert settings_jobs.NOT_A_MEMBER in _errors(body).values()
    assert _store(bot).channel_settings(TEAM, SECRET).style == "detailed"


def test_picking_a_private_channel_one_isnt_in_shows_why_not_its_settings(channels):
    bot = channels
    _click(bot, CONFIGURE)
    view = _opened(bot)
    bot.interactive(
        {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": USER},
            "api_app_id": "A0APP",
            "trigger_id": "trigger-pick",
            "container": {"type": "view", "view_id": view["id"]},
            "view": {**view, "state": _state(view, channel=SECRET)},
            "actions": [
                {
                    "action_id": PICK_CHANNEL,
                    "block_id": "channel",
                    "type": "conversations_select",
                    "selected_conversation": SECRET,
                }
            ],
        }
    )
    (update,) = bot.slack.wait_for("views.update", timeout=20)
    assert update.ok, update.response
    shown = json.dumps(update.params["view"])
    assert settings_jobs.NOT_A_MEMBER in shown
    assert "Klingon" not in shown and "detailed" not in shown


# --- App Home -------------------------------------------------------------------------------


def test_app_home_lists_a_private_channel_only_for_its_members(channels):
    bot = channels
    alice = _home(bot)
    assert f"<#{CHANNEL}>" in alice and "French" in alice  # public: as before
    assert SECRET not in alice and "Klingon" not in alice and BOB not in alice
    bob = _home(bot, user=BOB)
    assert f"<#{SECRET}>" in bob and "Klingon" in bob and f"<@{BOB}>" in bob
    # One conversations.info per channel (kept for the second Home), members of the private
    # one only, on each opening (people leave).
    assert sorted(c.params["channel"] for c in bot.slack.calls("conversations.info")) == [
        CHANNEL,
        SECRET,
    ]
    assert [c.params["channel"] for c in bot.slack.calls("conversations.members")] == [SECRET] * 2


def test_app_home_lists_the_link_digests_of_channels_the_person_can_see(channels):
    """Which channels get a digest, how often, and who turned it on: an admin can't tell
    otherwise. A private channel's digest only for its members, as its settings."""
    bot = channels
    store = _store(bot)
    store.set_digest(DigestSchedule(TEAM, CHANNEL, "daily", time.time(), user=BOB))
    store.set_digest(DigestSchedule(TEAM, SECRET, "weekly", time.time(), user=BOB))
    store.set_digest(DigestSchedule("T0ELSE", "C0ELSE", "daily", time.time()))
    alice = _home(bot)
    assert "Link digests" in alice and f"<#{CHANNEL}>: daily, turned on by <@{BOB}>" in alice
    assert SECRET not in alice and "C0ELSE" not in alice
    bob = _home(bot, user=BOB)
    assert f"<#{SECRET}>: weekly" in bob and f"<#{CHANNEL}>: daily" in bob


def test_app_home_without_digests_says_nothing_of_them(channels):
    assert "Link digests" not in _home(channels)


def test_a_member_edits_and_saves_a_private_channels_settings(channels):
    bot = channels
    _click(bot, EDIT_CHANNEL, SECRET, user=BOB)
    view = _opened(bot)
    language = next(b for b in view["blocks"] if b.get("block_id") == "language")
    assert language["element"]["initial_value"] == "Klingon"
    status, body = _submit(bot, view, user=BOB, language="Spanish")
    assert (status, body) == (200, "")
    saved = _store(bot).channel_settings(TEAM, SECRET)
    assert (saved.language, saved.updated_by) == ("Spanish", BOB)


def test_a_private_channels_members_are_paged(bot):
    """Alice is on the third page of a big private channel's members: she's found."""
    people = [f"U{n:06d}" for n in range(1200)]
    bot.slack.add_channel(SECRET, kind="private", members=[*people, USER])
    _click(bot, EDIT_CHANNEL, SECRET)
    assert _opened(bot)["callback_id"] == CALLBACK_ID
    pages = bot.slack.calls("conversations.members")
    assert len(pages) == 3 and all(p.ok for p in pages)
    assert pages[1].params["cursor"] == pages[0].response["response_metadata"]["next_cursor"]


def test_a_dm_is_only_for_the_person_in_it(bot):
    bot.slack.add_channel("D0BOB", kind="im", members=[BOB])
    _click(bot, EDIT_CHANNEL, "D0BOB")
    assert settings_jobs.NOT_A_MEMBER in json.dumps(_opened(bot))
    _click(bot, EDIT_CHANNEL, "D0BOB", user=BOB)
    assert _opened(bot, count=2)["callback_id"] == CALLBACK_ID
    assert bot.slack.calls("conversations.members") == []  # the DM says who is in it


def test_a_public_channel_is_asked_about_once_and_needs_no_members(bot):
    bot.slack.add_channel(CHANNEL)
    _click(bot, EDIT_CHANNEL, CHANNEL)
    view = _opened(bot)
    assert view["callback_id"] == CALLBACK_ID
    assert _submit(bot, view, style="tldr") == (200, "")
    assert _store(bot).channel_settings(TEAM, CHANNEL).style == "tldr"
    assert "tldr" in json.dumps(bot.slack.wait_for("views.publish", timeout=20)[0].params)
    bot.idle()
    # Opening asked; the ack and App Home used what Slack said (kept a minute).
    assert len(bot.slack.calls("conversations.info")) == 1
    assert bot.slack.calls("conversations.members") == []


def test_app_home_asks_once_per_channel_it_can_show(bot):
    """More channels than App Home holds: each shown one is asked about once, the rest
    not at all, and a second opening uses what Slack said."""
    for n in range(MAX_HOME_CHANNELS + 5):
        bot.slack.add_channel(f"C{n:04d}")
        _store(bot).put_channel_settings(TEAM, f"C{n:04d}", ChannelSettings(style="tldr"))
    shown = _home(bot)
    assert shown.count('"action_id": "settings_edit"') == MAX_HOME_CHANNELS
    assert "and more channels" in shown
    _home(bot)
    assert len(bot.slack.calls("conversations.info")) == MAX_HOME_CHANNELS
    assert bot.slack.calls("conversations.members") == []


# --- when Slack can't say -------------------------------------------------------------------


def test_without_the_read_scopes_home_and_edit_fail_closed_with_the_way_in(channels):
    bot = channels
    for scope in OLD_INSTALL:
        bot.slack.drop_scope(scope)
    shown = _home(bot, user=BOB)
    assert "Klingon" not in shown and "French" not in shown  # not even the public one
    assert "2 channels with settings of their own" in shown
    assert "missing_scope" in shown and "reinstall" in shown
    assert len(bot.slack.calls("conversations.info")) == 1  # the rest would say the same

    _click(bot, EDIT_CHANNEL, SECRET, user=BOB)
    told = json.dumps(_opened(bot))
    assert "missing_scope" in told and settings_jobs.IN_THE_CHANNEL in told
    assert "Klingon" not in told


def test_a_form_saved_after_slack_stops_answering_saves_nothing(channels):
    bot = channels
    _click(bot, EDIT_CHANNEL, SECRET, user=BOB)
    view = _opened(bot)
    bot.slack.drop_scope("groups:read")
    status, body = _submit(bot, view, user=BOB, language="Spanish")
    assert status == 200
    (error,) = _errors(body).values()
    assert "missing_scope" in error and settings_jobs.IN_THE_CHANNEL in error
    assert _store(bot).channel_settings(TEAM, SECRET).language == "Klingon"


def test_the_submit_check_of_a_channel_tries_slack_once_within_the_ack(channels):
    bot = channels
    _click(bot, EDIT_CHANNEL, SECRET, user=BOB)
    view = _opened(bot)
    bot.slack.rate_limit_next("conversations.members", retry_after=3)
    started = time.monotonic()
    status, body = _submit(bot, view, user=BOB, language="Spanish")
    assert status == 200 and time.monotonic() - started < 2
    assert "ratelimited" in next(iter(_errors(body).values()))
    assert len(bot.slack.calls("conversations.members")) == 2  # on opening, once on saving
    assert _store(bot).channel_settings(TEAM, SECRET).language == "Klingon"


def test_the_command_typed_in_a_private_channel_needs_no_check(bot):
    """Slack only lets Bob use a command in a channel he can see: the form opens and saves
    with no conversations.* call, even for an install without the read scopes."""
    bot.slack.add_channel(SECRET, kind="private", members=[BOB])
    for scope in OLD_INSTALL:
        bot.slack.drop_scope(scope)
    bot.command("/articlebot", "settings", user=BOB, channel=SECRET)
    view = _opened(bot)
    assert json.loads(view["private_metadata"])["channel"] == SECRET
    bot.idle()
    assert not [c for c in bot.slack.calls() if c.method.startswith("conversations.")]
    assert _submit(bot, view, user=BOB, style="tldr") == (200, "")
    assert _store(bot).channel_settings(TEAM, SECRET).style == "tldr"
    note = bot.slack.wait_for("response_url", timeout=20)[0]
    assert "Saved" in note.params["text"]
    # Only App Home, refreshed after saving, asks Slack (and says it couldn't check).
    (home,) = bot.slack.wait_for("views.publish", timeout=20)
    assert "1 channel with settings of its own isn't listed" in json.dumps(home.params["view"])
    (asked,) = [c for c in bot.slack.calls() if c.method.startswith("conversations.")]
    assert asked.method == "conversations.info" and asked.response["error"] == "missing_scope"


# --- pieces ---------------------------------------------------------------------------------


def test_channel_kinds_are_kept_briefly_and_per_workspace():
    kinds = ChannelKinds(ttl=0.2, size=2)
    kinds.put("T1", "C1", "public")
    assert kinds.get("T1", "C1") == "public" and kinds.get("T2", "C1") is None
    kinds.put("T1", "C2", "private")
    kinds.put("T1", "C3", "private")  # over the size: the oldest goes
    assert kinds.get("T1", "C1") is None and kinds.get("T1", "C3") == "private"
    time.sleep(0.25)
    assert kinds.get("T1", "C3") is None
