"""Run the Slack app: Socket Mode, or HTTP mode on gunicorn with a /healthz endpoint."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.errors import ConfigError
from bot.settings import Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(app: App) -> WsgiApp:
    """Bolt's WSGI handler at /slack/events, plus a health check that touches nothing slow."""
    handler = SlackRequestHandler(app, path=EVENTS_PATH)
    health = json.dumps({"ok": True, "app": "articlebot"}).encode()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            start_response("200 OK", [("Content-Type", "application/json")])
            return [health]
        return handler(environ, start_response)

    return application


def serve_http(settings: Settings, host: str, port: int) -> None:
    """Gunicorn, threaded workers: each process builds its own app, pool and store handle."""
    if settings.slack_signing_secret is None:
        raise ConfigError("HTTP mode needs SLACK_SIGNING_SECRET (Basic Information in your app).")
    from gunicorn.app.base import BaseApplication

    from bot.slack.app import create_app

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", settings.slack_http_workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", settings.slack_http_threads)
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 30)
            self.cfg.set("accesslog", None)

        def load(self) -> WsgiApp:
            return wsgi_app(create_app(settings))

    log.info("HTTP mode on %s:%s%s", host, port, EVENTS_PATH)
    _Server().run()


def serve_socket(settings: Settings) -> None:
    """Socket Mode: no public URL needed; Slack connects out over a websocket."""
    if settings.slack_app_token is None:
        raise ConfigError(
            "Socket Mode needs SLACK_APP_TOKEN (an xapp- token with connections:write); "
            "or run `articlebot serve --http`."
        )
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.app import create_app

    app = create_app(settings)
    handler = SocketModeHandler(
        app,
        app_token=settings.slack_app_token.get_secret_value(),
        web_client=app.client,
        concurrency=settings.slack_http_threads,
    )
    log.info("Socket Mode: connecting to Slack")
    handler.start()
