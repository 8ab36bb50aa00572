"""Install in any workspace: Bolt's OAuth flow, its installations and states in our store.

With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set (and no SLACK_BOT_TOKEN), the HTTP front
serves /slack/install and /slack/oauth_redirect (Bolt's OAuthFlow); each workspace that
installs the app gets its own bot token, kept by `StoreInstallations` in the same store as
everything else (the SQLite file, or Redis with REDIS_URL), so every server replica and job
worker sees it. Bolt picks the token of each request's workspace; jobs pick theirs through
`Workspaces.client_for` (refreshing a rotating token that is about to expire).

Why not slack_sdk's SQLite3InstallationStore: it opens a connection per call without
closing it, creates its tables without IF NOT EXISTS (two workers starting at once race),
can't use ":memory:", and has no Redis twin. Ours is a few JSON records on the store both
backends already share (bot.store.base.Tenants), in the file-store layout slack_sdk uses.
"""

from __future__ import annotations

import logging
import secrets
import time
from logging import Logger
from typing import TYPE_CHECKING, Any, cast

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.errors import ConfigError
from bot.settings import Settings
from bot.store.base import Store, Tenants
from bot.store.tenants import Tenant

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.slack.outbound import SafeWebClient

log = logging.getLogger(__name__)

STATE_SECONDS = 600  # an install link is good this long (Bolt's default)
REFRESH_LOCK_SECONDS = 30.0  # a refresh (one oauth.v2.access call) holds the lock at most this
REFRESH_WAIT_SECONDS = 5.0  # others wait this long for it, then use the old token meanwhile


def _base(enterprise_id: str | None, team_id: str | None, org_wide: bool | None = False) -> str:
    """Where a workspace's (or, org-wide, an org's) records live: "E1-T1/", "-T1/", "E1--/"."""
    team = None if org_wide else team_id
    return f"{enterprise_id or '-'}-{team or '-'}/"


class StoreInstallations(InstallationStore):
    """slack_sdk's InstallationStore over the bot's store: the latest bot, and the latest
    installation (per installer too), as JSON records.

    With a `rotator`, find_bot hands out only fresh tokens: one about to expire is refreshed
    first, by one process at a time across the deployment (a lock in the store), so Bolt's
    per-request lookup and the job workers never spend the same refresh token twice."""

    def __init__(
        self,
        store: Store,
        rotator: TokenRotator | None = None,
        minutes_before_expiration: int = 120,
    ) -> None:
        self.store = store
        self._rotator = rotator
        self._minutes = minutes_before_expiration
        self._logger = log

    @property
    def logger(self) -> Logger:
        return self._logger

    def save(self, installation: Installation) -> None:
        base = _base(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        self.save_bot(installation.to_bot())
        record = dict(vars(installation))
        self.store.put_installation(base + "installer", record)
        if installation.user_id:
            self.store.put_installation(f"{base}installer:{installation.user_id}", record)

    def save_bot(self, bot: Bot) -> None:
        if bot.bot_token is None:
            return
        base = _base(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        self.store.put_installation(base + "bot", dict(vars(bot)))

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        base = _base(enterprise_id, team_id, is_enterprise_install)
        bot = self._load_bot(base)
        if bot is None or self._rotator is None or not self._expiring(bot):
            return bot
        return self._refreshed(base, bot, self._rotator)

    def _load_bot(self, base: str) -> Bot | None:
        record = self.store.get_installation(base + "bot")
        # JSON of the Bot's own fields (save_bot): its constructor's keywords.
        return None if record is None else Bot(**cast(dict[str, Any], record))

    def _expiring(self, bot: Bot) -> bool:
        expires = bot.bot_token_expires_at
        return expires is not None and expires <= time.time() + self._minutes * 60

    def _refreshed(self, base: str, bot: Bot, rotator: TokenRotator) -> Bot:
        """`bot` with a fresh token: refreshed here, or by whoever held the lock meanwhile."""
        lock, holder = f"oauth-refresh:{base}", secrets.token_hex(8)
        deadline = time.monotonic() + REFRESH_WAIT_SECONDS
        while not self.store.acquire_slot(lock, holder, 1, REFRESH_LOCK_SECONDS):
            time.sleep(0.1)
            latest = self._load_bot(base) or bot
            if not self._expiring(latest):
                return latest  # another process refreshed it
            if time.monotonic() > deadline:
                return latest  # still valid until it expires; the holder will refresh it
        try:
            latest = self._load_bot(base) or bot  # the lock's last holder may have done it
            refreshed = rotator.perform_bot_token_rotation(
                bot=latest, minutes_before_expiration=self._minutes
            )
            if refreshed is None:
                return latest
            self.save_bot(refreshed)
            log.info("refreshed the bot token of %s", base.rstrip("/"))
            return refreshed
        finally:
            self.store.release_slot(lock, holder)

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        base = _base(enterprise_id, team_id, is_enterprise_install)
        key = base + (f"installer:{user_id}" if user_id else "installer")
        record = self.store.get_installation(key)
        if record is None:
            return None
        installation = Installation(**cast(dict[str, Any], record))
        bot = self.find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        if bot is not None and bot.bot_token != installation.bot_token:
            # The bot's token was rotated since this installation was saved: the latest wins.
            installation.bot_token = bot.bot_token
            installation.bot_refresh_token = bot.bot_refresh_token
            installation.bot_token_expires_at = bot.bot_token_expires_at
        return installation

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.store.delete_installations(_base(enterprise_id, team_id) + "bot")

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        suffix = f"installer:{user_id}" if user_id else "installer"
        self.store.delete_installations(_base(enterprise_id, team_id) + suffix)

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.store.delete_installations(_base(enterprise_id, team_id))


class StoreStates(OAuthStateStore):
    """The one-time `state` of each install link, in the store (any replica may get the
    browser's callback)."""

    def __init__(self, store: Tenants, expiration_seconds: int = STATE_SECONDS) -> None:
        self.store = store
        self.expiration_seconds = expiration_seconds

    @property
    def logger(self) -> Logger:
        return log

    def issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(24)
        self.store.issue_state(state, self.expiration_seconds)
        return state

    def consume(self, state: str) -> bool:
        return self.store.consume_state(state)


def authorization_url(settings: Settings) -> str:
    """Slack's authorize page beside SLACK_API_URL (slack.com, GovSlack, a test server)."""
    base = settings.slack_api_url.rstrip("/").removesuffix("/api")
    return f"{base}/oauth/v2/authorize"


def oauth_settings(settings: Settings, installations: StoreInstallations) -> OAuthSettings:
    if not settings.oauth_enabled or settings.slack_client_secret is None:
        raise ConfigError("Set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth installs.")
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value().strip(),
        scopes=list(settings.slack_oauth_scopes),
        redirect_uri=settings.slack_oauth_redirect_uri,
        authorization_url=authorization_url(settings),
        installation_store=installations,
        installation_store_bot_only=True,  # the bot has no user scopes
        token_rotation_expiration_minutes=settings.slack_token_rotation_minutes,
        state_store=StoreStates(installations.store),
        state_expiration_seconds=STATE_SECONDS,
    )


class NotInstalled(LookupError):
    """No bot token for a workspace: it never installed the app, or uninstalled it."""


class Workspaces:
    """The bot's Web API client in each workspace that installed it (for jobs: Bolt does the
    same for each request's listeners), a rotating token refreshed before it expires."""

    def __init__(self, settings: Settings, store: Store) -> None:
        from bot.slack.app import token_less_client

        rotator = None
        if settings.slack_client_id and settings.slack_client_secret is not None:
            rotator = TokenRotator(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret.get_secret_value().strip(),
                client=token_less_client(settings),  # SLACK_API_URL, not slack.com
            )
        self.installations = StoreInstallations(
            store, rotator, settings.slack_token_rotation_minutes
        )

    def client_for(self, tenant: Tenant, like: WebClient) -> SafeWebClient:
        """A client with `tenant`'s bot token, otherwise like `like`; NotInstalled when the
        workspace has none."""
        from bot.slack.outbound import SafeWebClient

        bot = self.installations.find_bot(
            enterprise_id=tenant.enterprise,
            team_id=tenant.team,
            is_enterprise_install=tenant.enterprise_install,
        )
        if bot is None and tenant.enterprise and not tenant.enterprise_install:
            # A job made outside any request (a scheduled digest) knows the workspace and
            # its org, not how the app was installed: an org-wide install serves them all.
            bot = self.installations.find_bot(
                enterprise_id=tenant.enterprise, team_id=None, is_enterprise_install=True
            )
        if bot is None or not bot.bot_token:
            raise NotInstalled(f"no installation for {tenant.scope}")
        client = SafeWebClient.like(like)
        client.token = bot.bot_token
        return client


def forget_workspace(store: Tenants, workspaces: Workspaces | None, tenant: Tenant) -> None:
    """A workspace (or an org) left: its bot token, then everything kept for it."""
    if workspaces is not None:
        org_wide = tenant.whole_org
        workspaces.installations.delete_all(
            enterprise_id=tenant.enterprise, team_id=None if org_wide else tenant.team
        )
    store.forget_team(tenant)
    log.info("forgot workspace %s: its installation and data are deleted", tenant.scope)
