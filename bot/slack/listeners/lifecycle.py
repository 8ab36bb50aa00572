"""The app's life in a workspace: uninstalled, or its bot token revoked. Everything kept for
that workspace is then deleted (its installation, memory and caches), by a job: a big
Redis is searched for the workspace's keys, which is no work for an ack."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext

from bot.slack import tasks
from bot.slack.context import Services
from bot.slack.worker import Busy
from bot.store import Tenant

log = logging.getLogger(__name__)


def leaving(context: BoltContext) -> Tenant | None:
    """Who is leaving: the workspace, or (an org-wide install) the whole org."""
    if context.is_enterprise_install and context.enterprise_id:
        return Tenant(None, context.enterprise_id, enterprise_install=True)
    if context.team_id:
        return Tenant(context.team_id, context.enterprise_id)
    return None


def _forget(services: Services, context: BoltContext, why: str) -> None:
    who = leaving(context)
    if who is None:
        log.warning("%s names no workspace; nothing to forget", why)
        return
    log.info("%s for %s: forgetting it", why, who.scope)
    try:
        services.submit(tasks.ForgetWorkspace(who=who, tenant=who, name=why))
    except Busy:  # not acked with an error: Slack doesn't retry these; log it loudly
        log.error("couldn't queue forgetting %s (busy); its data stays", who.scope)


def handle_app_uninstalled(context: BoltContext, services: Services) -> None:
    _forget(services, context, "app_uninstalled")


def handle_tokens_revoked(event: dict[str, Any], context: BoltContext, services: Services) -> None:
    # Only the bot's token matters (the app asks for no user tokens).
    if (event.get("tokens") or {}).get("bot"):
        _forget(services, context, "tokens_revoked")


def register(app: App, services: Services) -> None:
    app.event("app_uninstalled")(handle_app_uninstalled)
    app.event("tokens_revoked")(handle_tokens_revoked)
