"""Run the Slack app: Socket Mode, or HTTP mode (uvicorn workers under gunicorn) with /healthz.

Both drain on SIGTERM (a deploy, a restart): no new work is taken, and the replies being
written finish (bounded by DRAIN_SECONDS) before the process exits.
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from pydantic import SecretStr
from slack_bolt import App
from slack_sdk.errors import SlackApiError, SlackClientError
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.errors import ConfigError
from bot.logs import redact, safe_url
from bot.settings import Settings
from bot.slack import runtime
from bot.slack.http_front import EVENTS_PATH, SlackFront
from bot.slack.worker import DRAIN_SECONDS

log = logging.getLogger(__name__)

GRACEFUL_TIMEOUT = int(DRAIN_SECONDS) + 5  # gunicorn kills a worker still busy after this
HEADER_SECONDS = 10.0  # a client still sending its request headers after this is dropped


BOT_TOKEN_HINT = "Copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions."
APP_TOKEN_HINT = (
    "Create an app-level token (xapp-…) with the connections:write scope under Basic "
    "Information → App-Level Tokens."
)
_NEEDS = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token, xoxb-…, from OAuth & Permissions",
    "SLACK_APP_TOKEN": (
        "an app-level token, xapp-…, with connections:write, from Basic Information → "
        "App-Level Tokens"
    ),
    "SLACK_SIGNING_SECRET": "from Basic Information → App Credentials",
}
# Slack's answers to auth.test that mean "this token is no good" (not "try again later").
_REJECTED = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
    }
)
# auth.test's start-up call logs its own error before raising; the one line we print says it.
_quiet = logging.getLogger("bot.slack.server.token_check")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False
# The Socket Mode client's lines, for the life of the connection; muted only while it first
# connects (`_muted`): a refused app token logged an ERROR of its own before our one line.
_socket_log = logging.getLogger("bot.slack.socket_mode")


@contextmanager
def _muted(logger: logging.Logger) -> Iterator[None]:
    """No line from `logger` in this block (the caller says what went wrong, once)."""
    logger.addFilter(_drop)
    try:
        yield
    finally:
        logger.removeFilter(_drop)


def _drop(_record: logging.LogRecord) -> bool:
    return False


def _value(secret: SecretStr | None) -> str:
    return secret.get_secret_value().strip() if secret is not None else ""


def _kind(token: str) -> str:
    """What a Slack token is, by its prefix (rotating tokens start xoxe.xoxb-, xoxe.xoxp-)."""
    token = token.removeprefix("xoxe.")
    for prefix, kind in (("xoxb-", "bot"), ("xapp-", "app"), ("xoxp-", "user")):
        if token.startswith(prefix):
            return kind
    return "other"


def _odd_character(value: str) -> str | None:
    """What, in a token or secret, no Slack credential has (and no HTTP header may carry):
    a line break, a space, a control or non-ASCII character. None when there is none."""
    for char in value:
        if char in "\r\n":
            return "a line break"
        if char.isspace():
            return "a space or tab"
        if not "\x21" <= char <= "\x7e":
            return "a control character" if char.isascii() else "a non-ASCII character"
    return None


def _character_problems(values: dict[str, str]) -> list[str]:
    """One sentence per setting with a character that can't be in it; never the value."""
    problems = []
    for name, value in values.items():
        odd = _odd_character(value)
        if odd:
            problems.append(
                f"{name} contains {odd}, which no Slack credential has: copy it again "
                f"({_NEEDS[name]})."
            )
    return problems


def check_settings(settings: Settings, *, http: bool) -> None:
    """Every missing setting named at once, and tokens that are in the wrong variable, in one
    ConfigError. Token values are never shown; only what kind of token their prefix says."""
    bot, app_token = _value(settings.slack_bot_token), _value(settings.slack_app_token)
    if settings.slack_client_id or settings.slack_client_secret:
        _check_oauth(settings, http=http)
    needed = ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET" if http else "SLACK_APP_TOKEN"]
    if settings.oauth_enabled:  # each workspace's token comes from its installation
        needed = ["SLACK_SIGNING_SECRET"]
    values = {
        "SLACK_BOT_TOKEN": bot,
        "SLACK_APP_TOKEN": app_token,
        "SLACK_SIGNING_SECRET": _value(settings.slack_signing_secret),
    }
    missing = [name for name in needed if not values[name]]
    # Checked first: a line break in a token would make the first request fail with a
    # traceback that quotes the token.
    problems = _character_problems({name: values[name] for name in needed})
    if missing:
        mode = "HTTP mode" if http else "Socket Mode"
        named = "; ".join(f"{name} ({_NEEDS[name]})" for name in missing)
        problems.append(f"{mode} needs {' and '.join(needed)}. Not set: {named}.")
        if not http and "SLACK_APP_TOKEN" in missing:
            problems.append("Or run `articlebot serve --http` (SLACK_SIGNING_SECRET instead).")
    bot_kind = _kind(bot) if bot else None
    app_kind = _kind(app_token) if app_token else None
    if bot_kind == "app" and app_kind == "bot":
        problems.append(
            "SLACK_BOT_TOKEN and SLACK_APP_TOKEN are swapped: the xoxb- token goes in "
            "SLACK_BOT_TOKEN, the xapp- one in SLACK_APP_TOKEN."
        )
        raise ConfigError(" ".join(problems))
    if bot_kind == "app":
        problems.append(
            "SLACK_BOT_TOKEN holds an app-level token (xapp-…), which belongs in "
            f"SLACK_APP_TOKEN. {BOT_TOKEN_HINT}"
        )
    elif bot_kind == "user":
        problems.append(
            f"SLACK_BOT_TOKEN holds a user token (xoxp-…), not the bot's. {BOT_TOKEN_HINT}"
        )
    elif bot_kind == "other":
        problems.append(f"SLACK_BOT_TOKEN should start with xoxb-. {BOT_TOKEN_HINT}")
    if app_kind == "bot" and (not http or not bot):
        problems.append(
            "SLACK_APP_TOKEN holds a bot token (xoxb-…), which belongs in SLACK_BOT_TOKEN."
            + ("" if http else f" {APP_TOKEN_HINT}")
        )
    elif not http and app_kind not in (None, "app", "bot"):
        problems.append(f"SLACK_APP_TOKEN should start with xapp-. {APP_TOKEN_HINT}")
    if problems:
        raise ConfigError(" ".join(problems))


def _check_oauth(settings: Settings, *, http: bool) -> None:
    """OAuth installs: both credentials, no bot token beside them, and HTTP mode (the
    install pages need a public URL)."""
    if not (settings.slack_client_id and settings.slack_client_secret):
        missing = "SLACK_CLIENT_SECRET" if settings.slack_client_id else "SLACK_CLIENT_ID"
        raise ConfigError(
            f"OAuth installs need SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (Basic Information "
            f"→ App Credentials). Not set: {missing}."
        )
    if settings.slack_bot_token:
        raise ConfigError(
            "Set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET (OAuth installs in any workspace), not both."
        )
    if not http:
        raise ConfigError(
            "OAuth installs (SLACK_CLIENT_ID) need `articlebot serve --http`: Slack sends "
            "installers to its /slack/install and /slack/oauth_redirect pages."
        )


def _reason(exc: BaseException) -> str:
    """'Connection refused', 'timed out', 'Name or service not known': why a request failed."""
    reason = getattr(exc, "reason", None) or exc  # URLError wraps the OSError
    if isinstance(reason, OSError) and reason.strerror:
        return str(reason.strerror)
    return redact(str(reason)) or type(reason).__name__  # it may quote the URL


def _api_url(settings: Settings) -> str:
    """SLACK_API_URL as it may be shown: without a user name or password."""
    from bot.slack.app import api_base_url

    return safe_url(api_base_url(settings))


def unreachable(settings: Settings, exc: BaseException) -> ConfigError:
    return ConfigError(f"can't reach Slack at {_api_url(settings)} ({_reason(exc)})")


def check_token(settings: Settings) -> None:
    """auth.test, once: a rejected token or an unreachable Slack fails here, in one line.
    (OAuth installs have no token of their own to check: each workspace brings one.)"""
    from bot.slack.app import web_client

    if settings.oauth_enabled:
        return

    # `articlebot worker` comes here without check_settings: the characters first, still.
    problems = _character_problems({"SLACK_BOT_TOKEN": _value(settings.slack_bot_token)})
    if problems:
        raise ConfigError(problems[0])
    client = web_client(settings, logger=_quiet, timeout=15)
    try:
        client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        if error in _REJECTED:
            message = f"Slack rejected SLACK_BOT_TOKEN ({error}). {BOT_TOKEN_HINT}"
            raise ConfigError(message) from None
        if not error or " " in error:  # not JSON: not the Slack API at that address
            raise ConfigError(
                f"{_api_url(settings)} didn't answer like the Slack API (HTTP "
                f"{exc.response.status_code} to auth.test): check SLACK_API_URL."
            ) from None
        raise ConfigError(
            f"Slack's auth.test failed ({error}) at {_api_url(settings)}; try again."
        ) from None
    except (OSError, SlackClientError) as exc:
        raise unreachable(settings, exc) from None


def preflight(settings: Settings, *, http: bool) -> None:
    """What `articlebot serve` checks before it starts anything: the settings, then the token."""
    check_settings(settings, http=http)
    runtime.check_start(settings)
    check_token(settings)


def _app_with_pool(settings: Settings, *, http: bool) -> App:
    """The app for this process; the token was checked by `preflight`, so Bolt needn't. In
    HTTP mode its only way in is `slack_front`, which checks each request's signature."""
    from bot.slack.app import create_app

    return create_app(
        settings,
        services=runtime.server_services(settings),
        verify_token=False,
        signatures_checked=http,
    )


def _settle_heap() -> None:
    """Everything built at start-up (modules, the app, its clients) lives as long as the
    process: move it out of the cyclic GC's way, so a full collection during requests scans
    only what requests made — not the ~1M start-up objects, a stall of ~0.2 s on every ack
    in flight."""
    gc.collect()
    gc.freeze()


def slack_front(app: App, settings: Settings) -> SlackFront:
    """The ASGI app for this process: Bolt at /slack/events, a health check at /healthz."""
    assert settings.slack_signing_secret is not None  # check_settings said so
    return SlackFront(
        app,
        signing_secret=settings.slack_signing_secret.get_secret_value().strip(),
        threads=settings.slack_http_threads,
        on_shutdown=runtime.drain,
    )


class HeaderDeadline(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, minus its patience: it waits as long as a client likes for
    a request's headers, so a client that trickles them (slowloris) holds a connection for
    ever. Here a connection that is waiting for a request and made none since the last check
    is closed (after HEADER_SECONDS to twice that)."""

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._seen: object = object()
        self._check = self.loop.call_later(HEADER_SECONDS, self._drop_if_stalled)

    def connection_lost(self, exc: Exception | None) -> None:
        self._check.cancel()
        super().connection_lost(exc)

    def _drop_if_stalled(self) -> None:
        waiting = self.cycle is None or self.cycle.response_complete
        if waiting and self.cycle is self._seen:
            if not self.transport.is_closing():
                self.transport.close()
            return
        self._seen = self.cycle
        self._check = self.loop.call_later(HEADER_SECONDS, self._drop_if_stalled)


class OneAcceptAtATime:
    """A listening socket shared by the worker processes, as one worker's uvicorn sees it.

    asyncio accepts up to `backlog` waiting connections each time the socket turns readable,
    so the first process to wake takes a whole burst: of 50 requests arriving together, one
    worker got 41-44 and the other 6-9, and the busy one's queue was the ack p99. uvicorn's
    backlog is set to 1 (one accept per wake-up, nginx's `multi_accept off`) and this
    wrapper keeps that 1 from reaching listen(), where it would shrink the kernel's queue."""

    def __init__(self, sock: Any, backlog: int) -> None:
        self._sock = sock
        self._backlog = backlog

    def listen(self, _backlog: int = 0) -> None:
        self._sock.listen(self._backlog)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def gunicorn_logger_class() -> type:
    """gunicorn's own lines (booting, worker exits) through our root handler, so they share
    LOG_FORMAT (a JSON log stays JSON) and the secret masking."""
    from gunicorn.glogging import Logger

    class _ViaRoot(Logger):
        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for handler in self.error_log.handlers[:]:
                self.error_log.removeHandler(handler)
            self.error_log.propagate = True

    return _ViaRoot


def uvicorn_worker_class() -> type:
    """gunicorn runs the processes (pre-fork, restarts, graceful stop); uvicorn serves HTTP in
    each, on an event loop, with the slowloris deadline above."""
    from uvicorn_worker import UvicornWorker

    class _Worker(UvicornWorker):
        CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
            "loop": "asyncio",
            "http": HeaderDeadline,
            "lifespan": "on",
            "access_log": False,
            "backlog": 1,  # connections accepted per wake-up: see OneAcceptAtATime
        }

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # UvicornWorker hands uvicorn gunicorn's handlers, which gunicorn_logger_class
            # emptied: uvicorn's lines go through the root handler like everyone's. (Its
            # access log stays off: uvicorn logs access whenever that logger has handlers.)
            logger = logging.getLogger("uvicorn.error")
            logger.handlers = []
            logger.propagate = True

        async def _serve(self) -> None:
            # UvicornWorker._serve, with each socket's kernel queue kept at gunicorn's size.
            from gunicorn.arbiter import Arbiter
            from uvicorn.server import Server

            self.config.app = self.wsgi
            server = Server(config=self.config)
            self._install_sigquit_handler()
            backlog = self.cfg.settings["backlog"].value or 2048
            sockets = [OneAcceptAtATime(s, backlog) for s in self.sockets]
            await server.serve(sockets=sockets)  # type: ignore[arg-type]  # duck-typed sockets
            if not server.started:
                sys.exit(Arbiter.WORKER_BOOT_ERROR)

        def init_signals(self) -> None:
            super().init_signals()
            # uvicorn re-raises the signal that stopped it once it has shut down; with the
            # default handler that kills the process before Python cleans up (multiprocessing
            # warns of leaked semaphores, gunicorn logs a worker killed). Exit normally.
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
                signal.signal(signum, _stop)

    return _Worker


def serve_http(settings: Settings, host: str, port: int) -> None:
    """Gunicorn with uvicorn workers: each process builds its own app, pool and store handle.
    The settings and the token are checked here, in the master, before any worker forks: a
    bad token is one clear line, not every worker failing to boot."""
    preflight(settings, http=True)
    from gunicorn.app.base import BaseApplication

    workers = settings.slack_http_workers
    if settings.store_path == ":memory:" and not settings.redis_url and workers > 1:
        # Each worker would have its own empty store: duplicate replies, lost threads.
        log.warning(
            "STORE_PATH=:memory: can't be shared between processes: running 1 HTTP worker "
            "instead of %d (set STORE_PATH to a file for more)",
            workers,
        )
        workers = 1

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", uvicorn_worker_class())
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", GRACEFUL_TIMEOUT)
            self.cfg.set("accesslog", None)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 27
                # One fixed socket path per user: replicas on one machine would fight over it.
                self.cfg.set("control_socket_disable", True)
            self.cfg.set("loglevel", settings.log_level.lower())
            self.cfg.set("logger_class", gunicorn_logger_class())

        def load(self) -> SlackFront:  # in each worker, after the fork
            runtime.configure_logging(settings)
            front = slack_front(_app_with_pool(settings, http=True), settings)
            _settle_heap()
            return front

    log.info("HTTP mode on %s:%s%s", host, port, EVENTS_PATH)
    _Server().run()


def serve_socket(settings: Settings) -> None:
    """Socket Mode: no public URL needed; Slack connects out over a websocket."""
    preflight(settings, http=False)
    assert settings.slack_app_token is not None  # preflight said so
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    app = _app_with_pool(settings, http=False)
    _settle_heap()
    handler = SocketModeHandler(
        app,
        app_token=settings.slack_app_token.get_secret_value().strip(),
        web_client=app.client,
        concurrency=settings.slack_http_threads,
        logger=_socket_log,
    )
    log.debug("Socket Mode: connecting to Slack")
    try:
        with _muted(_socket_log):
            handler.connect()
    except SlackApiError as exc:
        runtime.drain()
        error = exc.response.get("error", "error")
        raise ConfigError(
            f"Slack refused SLACK_APP_TOKEN ({error}): it must be an app-level token "
            "(xapp-…) with the connections:write scope, from Basic Information → App-Level "
            "Tokens."
        ) from None
    except (OSError, SlackClientError) as exc:
        runtime.drain()
        raise unreachable(settings, exc) from None
    log.info("Socket Mode: connected; Ctrl-C or SIGTERM to stop")
    signal.signal(signal.SIGTERM, _stop)
    try:
        signal.pause()  # events arrive on the handler's threads
    except (KeyboardInterrupt, SystemExit):
        log.info("stopping: finishing the replies in progress")
    finally:
        handler.close()  # no new events...
        runtime.drain()  # ...and the ones taken are answered


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit(0)
