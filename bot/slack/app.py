"""Build the Bolt app: a Web API client pointed at SLACK_API_URL, the services, the listeners."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.errors import ConfigError
from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.slack.context import Services
from bot.slack.lean import Direct, match_on_body
from bot.slack.listeners import register
from bot.slack.outbound import SafeWebClient, use_safe_client
from bot.slack.retry import retry_handlers
from bot.slack.worker import ThreadWorkerPool

log = logging.getLogger(__name__)


class _ClientGiven(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment even when given a client, then warns
    in every worker that the token is unused: it is the same token, so say nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_ClientGiven())


def api_base_url(settings: Settings) -> str:
    return settings.slack_api_url.rstrip("/") + "/"


def web_client(
    settings: Settings, *, logger: logging.Logger | None = None, timeout: int = 30
) -> SafeWebClient:
    """The bot's Web API client; rate-limited and failed calls are retried, not dropped,
    and every message it sends is sanitized (bot.slack.outbound). With OAuth installs and
    no SLACK_BOT_TOKEN it has no token: each request and job uses its workspace's."""
    if settings.slack_bot_token is None:
        if settings.oauth_enabled:
            return token_less_client(settings, logger=logger, timeout=timeout)
        raise ConfigError("Set SLACK_BOT_TOKEN (the xoxb- token from OAuth & Permissions).")
    return SafeWebClient(
        token=settings.slack_bot_token.get_secret_value().strip(),
        base_url=api_base_url(settings),
        retry_handlers=retry_handlers(),
        logger=logger,
        timeout=timeout,
    )


def token_less_client(
    settings: Settings, *, logger: logging.Logger | None = None, timeout: int = 30
) -> SafeWebClient:
    """A client for SLACK_API_URL with no token (OAuth: oauth.v2.access takes the app's
    client ID and secret instead)."""
    return SafeWebClient(
        base_url=api_base_url(settings),
        retry_handlers=retry_handlers(),
        logger=logger,
        timeout=timeout,
    )


def create_app(
    settings: Settings,
    *,
    pipeline: Pipeline | None = None,
    services: Services | None = None,
    verify_token: bool = True,
    signatures_checked: bool = False,
) -> App:
    """`verify_token=False` when the token was checked already (`articlebot serve` does, once,
    before any worker starts): Bolt then calls auth.test on the first request instead.

    `signatures_checked=True` when every request reaches the app through SlackFront
    (bot.slack.http_front), which checks the signature on the raw bytes and refuses a bad one
    with 401 before Bolt sees it: Bolt's own check of the same signature is then skipped (CPU
    on every ack). Its OAuth pages carry no signature either way, and Socket Mode has none.

    With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (and no SLACK_BOT_TOKEN) the app serves
    OAuth installs and each request is answered with its workspace's token (bot.slack.oauth)."""
    client = web_client(settings)
    if services is None:
        from bot.slack.runtime import build_services, job_pool  # it imports this module

        services = build_services(settings, pipeline=pipeline, pool=job_pool(settings))
    multi: dict[str, Any] = {}
    if services.workspaces is not None:
        from bot.slack.oauth import oauth_settings

        installations = services.workspaces.installations
        multi = {
            "oauth_settings": oauth_settings(settings, installations),
            # Given to the app too, so token rotation calls SLACK_API_URL with our client.
            "installation_store": installations,
            "installation_store_bot_only": True,
        }
    app = App(
        client=client,
        signing_secret=(
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else None
        ),
        # Socket Mode has no signing secret (requests come over our own websocket).
        request_verification_enabled=(
            settings.slack_signing_secret is not None and not signatures_checked
        ),
        # Listeners only parse, read the store and enqueue a job (no Web API calls), so
        # running them before answering costs a few ms and spares Bolt's ack executor and
        # its 10 ms polling; the slow work is on the job pool either way.
        process_before_response=True,
        token_verification_enabled=verify_token,
        **multi,
    )
    if isinstance(services.pool, ThreadWorkerPool):
        services.pool.bind(services, client)
    app.use(Direct(use_safe_client))  # first: listeners, and what they build, get the safe client
    register(app, services)
    match_on_body(app)
    return app
