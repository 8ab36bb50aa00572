"""The slow part of channel settings, run as jobs (bot.slack.tasks): who may change them
(users.info, when the workspace keeps them to admins; for a channel not named by the
command typed in it, whether the person can see it: bot.slack.channel_access), opening and
reloading the modal (views.open, views.update), the App Home tab (views.publish), and a
workspace admin's switch of who may change them."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import ArticlebotError
from bot.slack import channel_access, journal
from bot.slack.channel_prefs import today
from bot.slack.context import Services
from bot.slack.outbound import SafeWebClient
from bot.slack.retry import webhook
from bot.slack.settings_view import (
    MAX_HOME_CHANNELS,
    Choices,
    Unlisted,
    digest_blocks,
    home_view,
    notice_modal,
    settings_modal,
)
from bot.store import ChannelSettings, DigestSchedule, WorkspaceSettings

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
IN_THE_CHANNEL = "Open `/articlebot settings` in that channel to change it."
NOT_A_MEMBER = (
    "Only the members of a private channel can see or change its settings. " + IN_THE_CHANNEL
)
CANT_CHECK_CHANNEL = (
    "I couldn't check who can see that channel (Slack said `{error}`), so I can't show or "
    "change its settings from here. " + IN_THE_CHANNEL
)
# Checking a submission happens in its ack, which Slack waits 3 s for: users.info and the
# channel's check (conversations.info, .members) get 2 s in all.
SUBMIT_CHECK_SECONDS = 2
# Anywhere else (a job): each channel's check gets this long, and may retry a rate limit.
CHECK_SECONDS = 10
# App Home checks at most this many channels (most may be private ones the person isn't in).
MAX_HOME_CHECKS = 3 * MAX_HOME_CHANNELS
# Slack errors about one channel only; after any other, App Home stops checking the rest.
_CHANNEL_ERRORS = frozenset({"channel_not_found", "unknown_channel_type", "too_many_members"})
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


def refusal(
    services: Services,
    client: WebClient,
    user: str,
    team: str,
    refused: str = NOT_ADMIN,
    cant_check: str = CANT_CHECK,
) -> str | None:
    """Why `user` may not change settings (None: they may). Asks Slack only when the
    workspace keeps settings to admins; fails closed when Slack can't say."""
    if not admins_only(services, team):
        return None
    return _not_an_admin(client, user, refused, cant_check)


def channel_refusal(
    services: Services,
    client: WebClient,
    *,
    team: str,
    channel: str,
    user: str,
    deadline: float | None = None,
) -> str | None:
    """Why `user` may not see `channel`'s settings (None: they may): a private channel,
    DM or group DM they aren't in, or one Slack can't say anything about (fail closed).
    `deadline` (time.monotonic()): none, a job's CHECK_SECONDS from now."""
    own = SafeWebClient.like(client)  # its timeout is set per call from the deadline
    if deadline is None:
        deadline = time.monotonic() + CHECK_SECONDS
    else:
        own.retry_handlers = []  # within an ack: one try, a retry would run past 3 s
    found = channel_access.can_see(
        own, services.channel_kinds, team=team, channel=channel, user=user, deadline=deadline
    )
    if found.allowed:
        return None
    if found.error is None:
        return NOT_A_MEMBER
    return CANT_CHECK_CHANNEL.format(error=found.error)


def refusal_on_submit(
    services: Services, client: WebClient, user: str, team: str, channel: str | None = None
) -> str | None:
    """`refusal`, again when the form is saved: the rule, or the person's role, may have
    changed since it was opened; and, for `channel` (None: the form was opened by the
    command typed in its channel, which Slack only lets people who see it do), whether the
    person can see it. Within the ack, so quick calls, no retries, 2 s in all."""
    deadline = time.monotonic() + SUBMIT_CHECK_SECONDS
    if admins_only(services, team):
        quick = SafeWebClient.like(client)  # its token, URL, proxy and team_id (org installs)
        quick.timeout = SUBMIT_CHECK_SECONDS
        quick.retry_handlers = []  # one try: a retry would run past Slack's 3 s
        try:
            why_not = _not_an_admin(quick, user, NOT_ADMIN, CANT_CHECK)
        except OSError as exc:  # no answer in time: fail closed, as when Slack can't say
            log.warning("users.info for the settings check: %s", type(exc).__name__)
            return CANT_CHECK.format(error="timeout")
        if why_not is not None:
            return why_not
    if channel is None:
        return None
    return channel_refusal(
        services, client, team=team, channel=channel, user=user, deadline=deadline
    )


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
    in_channel: bool = False,
) -> None:
    """Open the settings modal for `channel` (None: with a channel picker), or say why not.
    `in_channel`: `/articlebot settings` typed in `channel`: Slack only lets people use a
    command where they can see it, so it isn't checked (nor, on saving, is that form)."""
    why_not = refusal(services, client, user, team)
    if why_not is None and channel and not in_channel:
        why_not = channel_refusal(services, client, team=team, channel=channel, user=user)
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
        in_channel=in_channel and channel is not None,
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
    services: Services,
    client: WebClient,
    *,
    team: str,
    user: str,
    view_id: str,
    view_hash: str,
    channel: str,
) -> None:
    """The picker in the modal chose `channel`: show that channel's settings, if `user`
    may see them (else the picker and why not)."""
    why_not = channel_refusal(services, client, team=team, channel=channel, user=user)
    if why_not is not None:
        view = settings_modal(choices(services), channel=channel, pick=True, notice=why_not)
    else:
        current = services.store.channel_settings(team, channel)
        view = settings_modal(choices(services), channel=channel, current=current, pick=True)
    try:
        client.views_update(view_id=view_id, hash=view_hash, view=view)
    except SlackApiError as exc:  # hash_conflict: the modal changed (or closed) meanwhile
        log.info("views.update of the settings modal: %s", exc.response.get("error"))


def publish_home(services: Services, client: WebClient, *, team: str, user: str) -> None:
    """App Home for `user`: who may change settings, and every configured channel of the
    workspace that `user` can see, with today's tokens."""
    configured = services.store.team_channel_settings(team)
    shown, unlisted = visible_channels(
        services, client, team=team, user=user, configured=configured
    )
    day = today()
    used = {channel: services.store.channel_tokens(team, channel, day) for channel in shown}
    offered = replace(choices(services), admins_only=admins_only(services, team))
    saved = services.store.workspace_settings(team)
    view = home_view(offered, shown, used, saved, unlisted=unlisted)
    view["blocks"] += digest_blocks(_visible_digests(services, client, team=team, user=user))
    client.views_publish(user_id=user, view=view)


def _visible_digests(
    services: Services, client: WebClient, *, team: str, user: str
) -> list[DigestSchedule]:
    """The workspace's link digests in channels `user` can see (a private channel's only
    for its members; where Slack can't say, left out), in channel order."""
    digests = {d.channel: d for d in services.store.digests() if d.team == team}
    seen, _ = visible(services, client, team=team, user=user, channels=sorted(digests))
    return [digests[channel] for channel in seen]


def visible_channels(
    services: Services,
    client: WebClient,
    *,
    team: str,
    user: str,
    configured: dict[str, ChannelSettings],
) -> tuple[dict[str, ChannelSettings], Unlisted]:
    """The channels with settings of their own that `user` can see, and what is left out
    and why (`visible`)."""
    own = [c for c, s in configured.items() if not s.is_default]
    seen, unlisted = visible(services, client, team=team, user=user, channels=own)
    return {channel: configured[channel] for channel in seen}, unlisted


def visible(
    services: Services, client: WebClient, *, team: str, user: str, channels: Sequence[str]
) -> tuple[list[str], Unlisted]:
    """Those of `channels` that `user` can see (at most App Home's MAX_HOME_CHANNELS, each
    checked once; at most MAX_HOME_CHECKS checked), and what is left out and why: private
    ones they aren't in silently; those Slack couldn't say anything about counted, with its
    error. An error about the workspace (missing_scope, a timeout) stops the checking."""
    quick = SafeWebClient.like(client)  # its timeout is set per call from the deadline
    shown: list[str] = []
    unchecked, error, more = 0, None, False
    for index, channel in enumerate(channels):
        if len(shown) == MAX_HOME_CHANNELS or index == MAX_HOME_CHECKS:
            more = True
            break
        if error is not None and error not in _CHANNEL_ERRORS:
            unchecked += len(channels) - index  # Slack will say the same of the rest
            break
        found = channel_access.can_see(
            quick,
            services.channel_kinds,
            team=team,
            channel=channel,
            user=user,
            deadline=time.monotonic() + CHECK_SECONDS,
        )
        if found.allowed:
            shown.append(channel)
        elif found.error is not None:
            unchecked, error = unchecked + 1, found.error
    return shown, Unlisted(unchecked=unchecked, error=error, more=more)


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
