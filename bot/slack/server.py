"""Run the Slack app: Socket Mode, or HTTP mode on gunicorn with a /healthz endpoint.

Both drain on SIGTERM (a deploy, a restart): no new work is taken, and the replies being
written finish (bounded by DRAIN_SECONDS) before the process exits.
"""

from __future__ import annotations

import json
import logging
import signal
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.errors import ConfigError
from bot.settings import Settings
from bot.slack.worker import DRAIN_SECONDS, WorkerPool

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
GRACEFUL_TIMEOUT = int(DRAIN_SECONDS) + 5  # gunicorn kills a worker still busy after this

_pools: list[WorkerPool] = []  # this process's job pools, drained when it exits


def _drain() -> None:
    """Finish the jobs in progress in this process (bounded by DRAIN_SECONDS)."""
    while _pools:
        _pools.pop().shutdown(DRAIN_SECONDS)


def _worker_exit(server: Any, worker: Any) -> None:
    """gunicorn's worker_exit hook, run in the worker process as it stops."""
    _drain()


def _app_with_pool(settings: Settings) -> App:
    from bot.slack.app import build_services, create_app, job_pool

    services = build_services(settings, pool=job_pool(settings))
    if services.pool is not None:
        _pools.append(services.pool)
    return create_app(settings, services=services)


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

    workers = settings.slack_http_workers
    if settings.store_path == ":memory:" and workers > 1:
        # Each worker would have its own empty store: duplicate replies, lost threads.
        log.warning(
            "STORE_PATH=:memory: can't be shared between processes: running 1 HTTP worker "
            "instead of %d (set STORE_PATH to a file for more)",
            workers,
        )
        workers = 1

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", settings.slack_http_threads)
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", GRACEFUL_TIMEOUT)
            self.cfg.set("worker_exit", _worker_exit)
            self.cfg.set("accesslog", None)

        def load(self) -> WsgiApp:
            return wsgi_app(_app_with_pool(settings))

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
    from slack_sdk.errors import SlackApiError

    app = _app_with_pool(settings)
    handler = SocketModeHandler(
        app,
        app_token=settings.slack_app_token.get_secret_value(),
        web_client=app.client,
        concurrency=settings.slack_http_threads,
    )
    log.info("Socket Mode: connecting to Slack")
    try:
        handler.connect()
    except SlackApiError as exc:
        _drain()
        error = exc.response.get("error", "error")
        raise ConfigError(
            f"Slack refused SLACK_APP_TOKEN ({error}): it must be an app-level token "
            "(xapp-…) with the connections:write scope, from Basic Information → App-Level "
            "Tokens."
        ) from None
    log.info("Socket Mode: connected; Ctrl-C or SIGTERM to stop")
    signal.signal(signal.SIGTERM, _stop)
    try:
        signal.pause()  # events arrive on the handler's threads
    except (KeyboardInterrupt, SystemExit):
        log.info("stopping: finishing the replies in progress")
    finally:
        handler.close()  # no new events...
        _drain()  # ...and the ones taken are answered


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit(0)
