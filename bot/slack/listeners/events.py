"""Events: @mentions, thread follow-ups, DMs, and the optional per-channel auto offer.

Which messages get an answer, and which, is decided in bot.slack.routing; these listeners
only turn Slack's event into an `Incoming` and hand it on (bot.slack.listeners.dispatch).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.context import Services
from bot.slack.listeners.dispatch import dispatch
from bot.slack.middleware import dedupe_events
from bot.slack.routing import Incoming


def handle_app_mention(
    event: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    services: Services,
) -> None:
    dispatch(services, client, Incoming.from_event("mention", event, body, context.bot_user_id))


def handle_message(
    event: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    services: Services,
) -> None:
    dispatch(services, client, Incoming.from_event("message", event, body, context.bot_user_id))


def register(app: App, services: Services) -> None:
    app.middleware(dedupe_events(services.store))
    app.event("app_mention")(handle_app_mention)
    app.event("message")(handle_message)
