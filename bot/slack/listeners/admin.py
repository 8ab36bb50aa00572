"""Channel settings: `/articlebot settings`, the settings modal's submission and channel
picker, App Home (its tab opened, its buttons, the switch of who may change settings).
Acked at once; Slack calls run as jobs (bot.slack.settings_jobs). A submission is checked
and stored here, within Slack's 3 s: its errors must come back in the ack (response_action
"errors")."""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack import limits, tasks
from bot.slack.context import Services
from bot.slack.settings_jobs import choices, refusal_on_submit
from bot.slack.settings_view import (
    ADMINS_ONLY,
    CALLBACK_ID,
    CONFIGURE,
    EDIT_CHANNEL,
    PICK_CHANNEL,
    first_input,
    metadata,
    opened_in_channel,
    read_submission,
    saved_note,
)
from bot.slack.worker import Busy

log = logging.getLogger(__name__)

COMMAND = "/articlebot"
HELP = (
    "*How to use /articlebot*\n"
    "• `/articlebot settings` sets this channel's summary style, reply language, "
    "“Summarize?” offer, AI model and daily token budget\n"
    "• my App Home tab shows the settings of every channel you can see\n"
    "• `/summarize <link>` and `/ask <question>` summarize and answer"
)
# Subcommands of /articlebot, by first word: each takes (ack, command, services).
SUBCOMMANDS: dict[str, Any] = {}


def _team(body: dict[str, Any]) -> str:
    team = body.get("team")
    team_id = team.get("id") if isinstance(team, dict) else body.get("team_id")
    return str(team_id or (body.get("view") or {}).get("team_id") or "-")


def handle_articlebot_command(ack: Ack, command: dict[str, Any], services: Services) -> None:
    words = (command.get("text") or "").split()
    handler = SUBCOMMANDS.get(words[0].lower()) if words else None
    if handler is None:
        ack(text=HELP)
        return
    handler(ack, command, services)


def settings_command(ack: Ack, command: dict[str, Any], services: Services) -> None:
    """`/articlebot settings`: the modal for the channel it was run in."""
    job = tasks.OpenSettings(
        team=command.get("team_id") or "-",
        user=command.get("user_id") or "",
        trigger_id=command.get("trigger_id") or "",
        channel=command.get("channel_id"),
        response_url=command.get("response_url"),
        in_channel=bool(command.get("channel_id")),  # Slack checked they can see it
        name=COMMAND,
    )
    limits.submit_and_ack(services, job, ack)


SUBCOMMANDS["settings"] = settings_command


def handle_settings_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Check the modal and who sent it; errors go back beside their fields (one about the
    sender on the first), else the settings are stored."""
    offered = choices(services)
    channel, chosen, errors = read_submission(view, offered)
    if errors or channel is None:
        ack(response_action="errors", errors=errors)
        return
    team, user = _team(body), (body.get("user") or {}).get("id")
    # A form the command opened in its channel needs no check of who can see the channel;
    # one opened from App Home (Edit, or the picker: any channel ID) does.
    checked = None if opened_in_channel(view) else channel
    why_not = refusal_on_submit(services, client, user or "", team, checked)
    if why_not is not None:
        log.info("settings of %s/%s refused to %s on submit", team, channel, user)
        ack(response_action="errors", errors={first_input(view): why_not})
        return
    stamped = replace(chosen, updated_by=user, updated_at=time.time())
    services.store.put_channel_settings(team, channel, stamped)
    ack()
    log.info("settings of %s/%s changed by %s", team, channel, user)
    response_url = metadata(view).get("response_url")
    with contextlib.suppress(Busy):  # saved either way; the note and Home can wait
        if response_url:
            note = {"text": saved_note(channel, chosen, offered), "response_type": "ephemeral"}
            services.submit(tasks.Respond(response_url=response_url, payload=note, name="note"))
        if user:
            services.submit(tasks.PublishHome(team=team, user=user, name="settings"))


def handle_channel_picked(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Services
) -> None:
    ack()
    view = body.get("view") or {}
    channel = action.get("selected_conversation")
    if not channel or not view.get("id"):
        return
    with contextlib.suppress(Busy):
        services.submit(
            tasks.ReloadSettings(
                team=_team(body),
                user=(body.get("user") or {}).get("id") or "",
                view_id=view["id"],
                view_hash=view.get("hash") or "",
                channel=channel,
                name="settings",
            )
        )


def handle_home_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Services
) -> None:
    """App Home's "Edit" (one channel) and "Configure a channel" (with a picker)."""
    ack()
    channel = action.get("value") if action.get("action_id") == EDIT_CHANNEL else None
    with contextlib.suppress(Busy):
        services.submit(
            tasks.OpenSettings(
                team=_team(body),
                user=(body.get("user") or {}).get("id") or "",
                trigger_id=body.get("trigger_id") or "",
                channel=channel,
                name="home",
            )
        )


def handle_admins_only_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Services
) -> None:
    """App Home's "Only admins" / "Let everyone": whether the clicker is a workspace admin
    is Slack's to say (users.info), in the job."""
    ack()
    user = (body.get("user") or {}).get("id")
    if action.get("value") not in ("on", "off") or not user:
        return
    with contextlib.suppress(Busy):
        services.submit(
            tasks.SetAdminsOnly(
                team=_team(body),
                user=user,
                trigger_id=body.get("trigger_id") or "",
                on=action["value"] == "on",
                name="home",
            )
        )


def handle_home_opened(event: dict[str, Any], body: dict[str, Any], services: Services) -> None:
    if event.get("tab") != "home" or not event.get("user"):
        return  # the Messages tab is the DM: nothing to publish
    with contextlib.suppress(Busy):
        services.submit(
            tasks.PublishHome(team=_team(body), user=event["user"], name="app_home_opened")
        )


def register(app: App, services: Services) -> None:
    app.command(COMMAND)(handle_articlebot_command)
    app.view(CALLBACK_ID)(handle_settings_submission)
    app.action(PICK_CHANNEL)(handle_channel_picked)
    app.action(EDIT_CHANNEL)(handle_home_button)
    app.action(CONFIGURE)(handle_home_button)
    app.action(ADMINS_ONLY)(handle_admins_only_button)
    app.event("app_home_opened")(handle_home_opened)
