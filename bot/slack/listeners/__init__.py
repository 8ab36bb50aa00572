"""Listeners grouped by surface; each module registers its own on the app."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.context import Services
from bot.slack.listeners import actions, assistant, commands, events, shortcuts


def register(app: App, services: Services) -> None:
    for surface in (commands, events, shortcuts, actions, assistant):
        surface.register(app, services)
