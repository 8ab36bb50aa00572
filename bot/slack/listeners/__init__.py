"""Listeners grouped by surface; each module registers its own named functions on the app.

Listeners take the shared `Services` as an argument named `services`: Bolt passes a
listener any value of the request's context by its name, and `_with_services` puts it there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext

from bot.slack.context import Services
from bot.slack.lean import Direct
from bot.slack.listeners import (
    actions,
    admin,
    assistant,
    commands,
    events,
    feedback,
    lifecycle,
    recap,
    shortcuts,
)
from bot.slack.middleware import begin_requests, only_team


def register(app: App, services: Services) -> None:
    if services.settings.slack_team_id:
        app.middleware(Direct(only_team(services.settings.slack_team_id)))  # before the rest
    app.middleware(Direct(_with_services(services)))
    # Every surface's listener relies on it (the request's job ids and workspace), not only
    # the events': registered here, not by one surface.
    app.middleware(Direct(begin_requests(services.store)))
    for surface in (
        commands,
        events,
        shortcuts,
        recap,
        actions,
        assistant,
        feedback,
        admin,
        lifecycle,
    ):
        surface.register(app, services)


def _with_services(services: Services) -> Callable[..., Any]:
    def middleware(context: BoltContext, next: Callable[[], Any]) -> Any:
        context["services"] = services
        return next()

    return middleware
