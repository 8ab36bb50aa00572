"""Listeners grouped by surface; each module registers its own on the app."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.context import Services
from bot.slack.listeners import actions, assistant, commands, events, shortcuts
from bot.slack.middleware import only_team


def register(app: App, services: Services) -> None:
    if services.settings.slack_team_id:
        app.middleware(only_team(services.settings.slack_team_id))  # before anything else
    for surface in (commands, events, shortcuts, actions, assistant):
        surface.register(app, services)
