"""The slow part of channel settings, run as jobs (bot.slack.tasks): who may change them
(users.info, when the workspace keeps them to admins), opening and reloading the modal
(views.open, views.update), the App Home tab (views.publish), and a workspace admin's
switch of who may change them."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import ArticlebotError
from bot.slack import journal
from bot.slack.channel_prefs import today
from bot.slack.context import Services
from bot.slack.outbound import SafeWebClient
from bot.slack.retry import webhook
from bot.slack.settings_view import Choices, home_view, notice_modal, settings_modal
from bot.store import WorkspaceSettings

log = logging.getLogger(__name__)

NOT_ADMIN = (
    "Only workspace admins and owners can change channel settings in this workspace. "
    "Ask one of them, or see the current settings in my App Home tab."
)
NOT_ADMIN_SWITCH = (
    "Only workspace admins and owners can choose who may change channel settings in this workspace."
)
CANT_CHECK = (
    "I couldn't check whether you're a workspace admin (Slack said `{error}`), so I can't "
    "open the settings. Please try again in a minute."
)
CANT_CHECK_SWITCH = (
    "I couldn't check whether you're a workspace admin (Slack said `{error}`), so I left "
    "who may change settings as it was. Please try again in a minute."
)
# Checking a submission happens in its ack, which Slack waits 3 s for: users.info gets 2 s.
SUBMIT_CHECK_SECONDS = 2
TOO_SLOW = (
    "That took me too long and Slack closed the window; please run `/articlebot settings` again."
)


def choices(services: Services) -> Choices:
    """What the modal offers: the template's styles, ALLOWED_MODELS (or the configured
    model; none when the offline engine answers), and the defaults."""
    from bot.llm.providers import model_label

    settings = services.settings
    try:
        online = services.pipeline.engine_for() != "offline"
    except ArticlebotError:  # ENGINE=openai without a model: nothing answers, nothing to pick
        online = False
    default_model = model_label(settings) if online else None
    models: tuple[str, ...] = ()
    if online:
        models = tuple(dict.fromkeys(settings.allowed_models or [default_model or ""]))
    return Choices(
        styles=tuple(services.pipeline.templates.styles()),
        models=tuple(m for m in models if m),
        default_style=settings.summary_style,
        default_model=default_model,
        auto_channels=tuple(settings.slack_auto_channels),
        admins_only=settings.settings_admins_only,
    )


def admins_only(services: Services, team: str) -> bool:
    """Whether only admins and owners may change settings in `team`: what a workspace
    admin saved (App Home), else SETTINGS_ADMINS_ONLY."""
    saved = services.store.workspace_settings(team)
    if saved is not None and saved.admins_only is not None:
        return saved.admins_only
    return services.settings.settings_admins_only


def refusal(services: Services, client: WebClient, user: str, team: str) -> str | None:
    """Why `user` may not change settings (None: they may). Asks Slack only when the
    workspace keeps settings to admins; fails closed when Slack can't say."""
    if not admins_only(services, team):
        return None
    return _not_an_admin(client, user, NOT_ADMIN, CANT_CHECK)


def refusal_on_submit(services: Services, client: WebClient, user: str, team: str) -> str | None:
    """`refusal`, again when the form is saved: the rule, or the person's role, may have
    changed since it was opened. Within the ack, so one quick users.info, no retries."""
    if not admins_only(services, team):
        return None
    quick = SafeWebClient.like(client)  # its token, URL, proxy and team_id (org installs)
    quick.timeout = SUBMIT_CHECK_SECONDS
    quick.retry_handlers = []  # one try: a retry would run past Slack's 3 s
    try:
        return _not_an_admin(quick, user, NOT_ADMIN, CANT_CHECK)
    except OSError as exc:  # no answer in time: fail closed, as when Slack can't say
        log.warning("users.info for the settings check: %s", type(exc).__name__)
        return CANT_CHECK.format(error="timeout")


def _not_an_admin(client: WebClient, user: str, refused: str, cant_check: str) -> str | None:
    """`refused` unless users.info says `user` is a workspace admin or owner; `cant_check`
    (with Slack's error) when it can't say."""
    try:
        found = client.users_info(user=user).get("user") or {}
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "unknown_error")
        log.warning("users.info failed for the settings check: %s", error)
        return cant_check.format(error=error)
    if found.get("is_admin") or found.get("is_owner") or found.get("is_primary_owner"):
        return None
    return refused


def _tell(client: WebClient, trigger_id: str, response_url: str | None, text: str) -> None:
    """Say `text` to the person: under their command, else in a small modal."""
    if not journal.once("told"):
        return
    try:
        if response_url:
            webhook(response_url).send_dict({"text": text, "response_type": "ephemeral"})
        else:
            client.views_open(trigger_id=trigger_id, view=notice_modal(text))
    except SlackApiError as exc:
        log.info("couldn't tell the user about the settings: %s", exc.response.get("error"))


def open_settings(
    services: Services,
    client: WebClient,
    *,
    team: str,
    user: str,
    trigger_id: str,
    channel: str | None,
    response_url: str | None,
) -> None:
    """Open the settings modal for `channel` (None: with a channel picker), or say why not."""
    why_not = refusal(services, client, user, team)
    if why_not is not None:
        _tell(client, trigger_id, response_url, why_not)
        return
    current = services.store.channel_settings(team, channel) if channel else None
    view = settings_modal(
        choices(services),
        channel=channel,
        current=current,
        pick=channel is None,
        response_url=response_url,
    )
    if not journal.once("views.open"):
        return
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.warning("views.open failed: %s", error)
        if error in ("expired_trigger_id", "invalid_trigger_id") and response_url:
            webhook(response_url).send_dict({"text": TOO_SLOW, "response_type": "ephemeral"})


def reload_settings(
    services: Services, client: WebClient, *, team: str, view_id: str, view_hash: str, channel: str
) -> None:
    """The picker in the modal chose `channel`: show that channel's settings."""
    current = services.store.channel_settings(team, channel)
    view = settings_modal(choices(services), channel=channel, current=current, pick=True)
    try:
        client.views_update(view_id=view_id, hash=view_hash, view=view)
    except SlackApiError as exc:  # hash_conflict: the modal changed (or closed) meanwhile
        log.info("views.update of the settings modal: %s", exc.response.get("error"))


def publish_home(services: Services, client: WebClient, *, team: str, user: str) -> None:
    """App Home for `user`: who may change settings, and every configured channel of the
    workspace with today's tokens."""
    configured = services.store.team_channel_settings(team)
    day = today()
    used = {channel: services.store.channel_tokens(team, channel, day) for channel in configured}
    offered = replace(choices(services), admins_only=admins_only(services, team))
    saved = services.store.workspace_settings(team)
    client.views_publish(user_id=user, view=home_view(offered, configured, used, saved))


def set_admins_only(
    services: Services, client: WebClient, *, team: str, user: str, trigger_id: str, on: bool
) -> None:
    """App Home's switch: only admins and owners (`on`) or anyone may change settings in
    the workspace. Only a workspace admin or owner may flip it, whatever it is now."""
    why_not = _not_an_admin(client, user, NOT_ADMIN_SWITCH, CANT_CHECK_SWITCH)
    if why_not is not None:
        _tell(client, trigger_id, None, why_not)
        return
    chosen = WorkspaceSettings(admins_only=on, updated_by=user, updated_at=time.time())
    services.store.put_workspace_settings(team, chosen)
    log.info("settings of %s: admins only %s, set by %s", team, on, user)
    publish_home(services, client, team=team, user=user)
