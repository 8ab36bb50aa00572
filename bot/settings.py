"""All settings in one object, read from the environment and a `.env` file.

Every field here is documented in README.md and `.env.example`; keep the three in step.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from urllib.parse import parse_qsl, urlsplit

from pydantic import BeforeValidator, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.logs import mask_values
from bot.quick_settings import lower as _lower
from bot.quick_settings import upper as _upper


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


# A list given in the environment as "a, b, c" (not JSON).
CsvList = Annotated[list[str], NoDecode, BeforeValidator(_split_csv)]

# The bot scopes of manifest.json (tests/test_oauth.py checks they agree): what an OAuth
# install asks each workspace for.
BOT_SCOPES = (
    "app_mentions:read",
    "assistant:write",
    "canvases:write",
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "files:read",
    "groups:history",
    "groups:read",
    "im:history",
    "im:read",
    "im:write",
    "mpim:history",
    "mpim:read",
    "users:read",
)

# A channel's ID: C… (public), G… (private, older ones); names and "#news" are not IDs.
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")

# A host name ("intranet", "wiki.example.com", IDN allowed), "*.example.com" or ".example.com".
_HOST_ENTRY = re.compile(r"^(?:\*?\.)?[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*\.?$")


def _allowlist_entry(entry: str) -> str:
    try:
        ipaddress.ip_network(entry.strip("[]"), strict=False)
        return entry
    except ValueError:
        pass
    if not _HOST_ENTRY.match(entry):  # a URL, a path, quotes, spaces...
        raise ValueError(f"{entry!r} is not a host name, IP address or CIDR network")
    return entry


def _is_entry(entry: str) -> bool:
    try:
        _allowlist_entry(entry)
    except ValueError:
        return False
    return True


def _parse_allowlist(value: object) -> list[str]:
    """Hosts / CIDRs as a JSON list ('["a.example", "10.0.0.0/8"]') or comma separated.

    Anything else is refused with a message, rather than read as one odd host name that
    silently matches nothing.
    """
    if isinstance(value, str):
        text = value.strip()
        try:
            value = json.loads(text) if text.startswith("[") else text.split(",")
        except ValueError:
            value = text.split(",")  # "[::1], 10.0.0.0/8": bracketed IPv6, not JSON
            if not all(_is_entry(item.strip()) for item in value if item.strip()):
                raise ValueError(
                    "looks like a JSON list but isn't valid JSON; write "
                    '["host", "10.0.0.0/8"] or host, 10.0.0.0/8'
                ) from None
    if not isinstance(value, list | tuple | set | frozenset) or not all(
        isinstance(item, str) for item in value
    ):
        raise ValueError("must be a list of host names, IP addresses or CIDR networks")
    return [_allowlist_entry(item.strip()) for item in value if item.strip()]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    # --- fetching ---
    fetch_connect_timeout: float = Field(5.0, gt=0, description="Seconds to open a connection.")
    fetch_read_timeout: float = Field(10.0, gt=0, description="Seconds to wait for each read.")
    fetch_total_timeout: float = Field(20.0, gt=0, description="Seconds for the whole fetch.")
    fetch_max_bytes: int = Field(10_000_000, gt=0, description="Largest body, after decompression.")
    fetch_max_redirects: int = Field(5, ge=0, description="Redirect hops followed.")
    fetch_allowlist: Annotated[list[str], NoDecode, BeforeValidator(_parse_allowlist)] = Field(
        default_factory=list,
        description="Hosts or CIDRs the SSRF guard lets through (comma separated or a JSON "
        "list), for intranets.",
    )
    fetch_user_agent: str = Field(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0 Safari/537.36 articlebot/0.1",
        description="User-Agent sent with every fetch.",
    )

    # --- input budgets: no single link, file or paste can hold a worker for long ---
    ingest_max_pdf_pages: int = Field(
        100,
        ge=1,
        description="PDF pages read; a longer PDF is read this far and the reply says so.",
    )
    ingest_max_chars: int = Field(
        200_000,
        ge=1_000,
        description="Characters of text read from one PDF, page or paste; the rest is left "
        "unread and the reply says so.",
    )
    ingest_max_html_elements: int = Field(
        5_000,
        ge=100,
        description="HTML elements of a page that are read (scripts and styles don't count); "
        "a bigger page is read up to here and the reply says so.",
    )
    ingest_timeout: float = Field(
        8.0,
        gt=0,
        description="Seconds reading one input may take: a PDF's further pages are left unread, "
        "a page not yet read by then is refused.",
    )

    # --- Slack ---
    slack_bot_token: SecretStr | None = Field(None, description="Bot token (xoxb-...).")
    slack_app_token: SecretStr | None = Field(
        None, description="App-level token (xapp-...) with connections:write, for Socket Mode."
    )
    slack_signing_secret: SecretStr | None = Field(
        None, description="Signing secret; every HTTP-mode request is checked against it."
    )
    slack_api_url: str = Field(
        "https://slack.com/api/",
        description="Base URL of Slack's Web API (GovSlack, a proxy, or a test server).",
    )
    slack_team_id: str | None = Field(
        None,
        description="Handle only this workspace's requests (team ID T…, or an Enterprise org's "
        "E…); others are acked and dropped. Unset: every workspace the app is in.",
    )
    slack_auto_channels: CsvList = Field(
        default_factory=list,
        description="Channel IDs where a posted link gets an ephemeral 'Summarize' offer.",
    )
    slack_worker_threads: int = Field(
        16, ge=1, description="Threads for slow work (fetching, the model), per process."
    )
    slack_job_process: bool = Field(
        True,
        description="Run summaries in a separate, lower-priority process so acks stay fast "
        "(off: threads in the server process).",
    )
    slack_http_workers: int = Field(2, ge=1, description="HTTP mode: server worker processes.")
    slack_http_threads: int = Field(
        32, ge=1, description="HTTP mode: request threads per worker process."
    )
    slack_stream: bool = Field(
        True, description="Stream replies (chat.startStream); off: placeholder plus chat.update."
    )

    # --- link digests (per channel: `/summarize digest daily|weekly|off`) ---
    digest_timezone: str = Field(
        "UTC", description="IANA time zone of the digest hour, weekday and `since:` days."
    )
    digest_hour: int = Field(9, ge=0, le=23, description="Hour scheduled digests are posted at.")
    digest_weekday: Annotated[
        Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
        BeforeValidator(_lower),  # "Monday" as people write it
    ] = Field("monday", description="Day weekly digests are posted on.")
    digest_max_articles: int = Field(
        20, ge=1, le=100, description="Articles one digest lists; the rest are counted in a note."
    )

    @field_validator("slack_auto_channels")
    @classmethod
    def _channel_ids(cls, value: list[str]) -> list[str]:
        # A name ("#news") would match no channel, and the offer would silently never show.
        for entry in value:
            if not _CHANNEL_ID.fullmatch(entry):
                raise ValueError(
                    f"{entry!r} isn't a channel ID: write IDs such as C0123ABCD (at the bottom "
                    "of a channel's About tab in Slack), not names"
                )
        return value

    @field_validator("digest_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            message = f"unknown time zone {value!r} (an IANA name, e.g. Europe/Berlin)"
            raise ValueError(message) from None
        return value

    # --- Slack OAuth: install in any workspace (HTTP mode; SLACK_BOT_TOKEN then unset) ---
    slack_client_id: str | None = Field(
        None, description="App's Client ID (Basic Information): turns on /slack/install."
    )
    slack_client_secret: SecretStr | None = Field(
        None, description="App's Client Secret (Basic Information), for the OAuth flow."
    )
    slack_oauth_scopes: CsvList = Field(
        default_factory=lambda: list(BOT_SCOPES),
        description="Bot scopes asked for at install (those of manifest.json).",
    )
    slack_oauth_redirect_uri: str | None = Field(
        None,
        description="The Redirect URL, e.g. https://HOST/slack/oauth_redirect (unset: the "
        "app's only one).",
    )
    slack_token_rotation_minutes: int = Field(
        120,
        ge=1,
        description="With token rotation on: a bot token this close to expiring is refreshed.",
    )

    @property
    def oauth_enabled(self) -> bool:
        """Many workspaces (OAuth installs), not one bot token (which wins when set too:
        `serve` refuses that mix)."""
        return bool(self.slack_client_id and self.slack_client_secret) and not self.slack_bot_token

    # --- language model ---
    openai_api_key: SecretStr | None = Field(
        None, description="OpenAI (or compatible server) API key; none and no base URL: offline."
    )
    openai_model: str = Field("gpt-4o-mini", description="Chat model name.")
    openai_base_url: str | None = Field(
        None,
        description="Any OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio, LiteLLM), "
        "e.g. http://localhost:11434/v1; works without a key.",
    )
    azure_openai_endpoint: str | None = Field(
        None, description="Azure OpenAI endpoint, e.g. https://NAME.openai.azure.com/."
    )
    azure_openai_api_key: SecretStr | None = Field(None, description="Azure OpenAI API key.")
    azure_openai_deployment: str | None = Field(None, description="Azure OpenAI deployment name.")
    openai_api_version: str = Field("2024-10-21", description="Azure OpenAI API version.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds to wait for one model request.")
    llm_max_retries: int = Field(
        2, ge=0, description="Retries (with backoff, honouring Retry-After) on 429/5xx/timeouts."
    )
    llm_temperature: float = Field(0.2, ge=0, le=2, description="Sampling temperature.")
    llm_max_output_tokens: int = Field(
        2_000,
        ge=16,
        description="Most tokens the model may write in one reply (summaries, answers, notes).",
    )
    llm_structured_output: Literal["auto", "json_schema", "function_calling", "off"] = Field(
        "auto",
        description="How grounded answers ask for JSON: auto = json_schema on OpenAI/Azure, "
        "function_calling on other servers; off = plain text with '> ' quote lines.",
    )
    llm_prices: dict[str, tuple[float, float]] = Field(
        default_factory=dict,
        description="USD per 1M tokens (input, output) by model, as JSON, e.g. "
        '{"my-model": [0.5, 1.5]}; extends/overrides the built-in price table.',
    )
    prompts_dir: Path | None = Field(
        None, description="Folder of your own prompt templates (*.yaml); same name wins."
    )
    engine: Literal["auto", "openai", "offline"] = Field(
        "auto",
        description="auto: the model when a key is set, else the offline engine; or force one.",
    )
    summary_style: str = Field(
        "bullets",
        description="Default summary style (a summary_<style>.yaml, built in or in PROMPTS_DIR).",
    )
    llm_context_tokens: int = Field(
        12_000,
        ge=500,
        description="Article tokens sent in one request; longer articles are map-reduced "
        "(summaries) or searched for the best parts (answers).",
    )
    llm_map_concurrency: int = Field(
        4, ge=1, description="Parallel model calls in the map step of long summaries."
    )

    # --- channel settings (the /articlebot settings modal and App Home) ---
    allowed_models: CsvList = Field(
        default_factory=list,
        description="Models a channel's settings may pick (comma separated); empty: only "
        "OPENAI_MODEL (or the Azure deployment).",
    )
    settings_admins_only: bool = Field(
        False,
        description="Only workspace admins and owners may change a channel's settings: the "
        "default for each workspace, whose admins can switch it in App Home.",
    )

    # --- logging ---
    log_level: Annotated[
        Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], BeforeValidator(_upper)
    ] = Field(
        "INFO",
        description="Servers' log level; the CLI logs only errors unless this is set or -v.",
    )
    log_format: Annotated[Literal["text", "json"], BeforeValidator(_lower)] = Field(
        "text",
        description="text: 'LEVEL logger: message' lines; json: one JSON object per line "
        "(timestamp, level, logger, message, request_id).",
    )

    # --- store (event claims, conversation memory, caches) ---
    store_path: str = Field(
        "./data/articlebot.sqlite3",
        description="SQLite file for event claims, thread memory and caches (':memory:' allowed).",
    )
    store_max_turns: int = Field(
        20, ge=1, description="Question/answer turns kept per thread or DM (oldest dropped)."
    )
    store_article_ttl_seconds: float = Field(
        86_400, gt=0, description="Seconds a fetched article stays cached by URL."
    )
    store_answer_ttl_seconds: float = Field(
        604_800, gt=0, description="Seconds a summary or answer stays cached."
    )
    store_memory_ttl_seconds: float = Field(
        2_592_000, gt=0, description="Seconds an idle thread's memory is kept."
    )
    # A URL that may carry a password: kept out of repr (logs, tracebacks) and error messages.
    redis_url: str | None = Field(
        None,
        repr=False,
        description="Redis server for the store and the job queue when scaled out; unset: "
        "SQLite and in-process jobs.",
    )
    redis_prefix: str = Field(
        "articlebot:",
        min_length=1,
        description="Prefix of every Redis key, so several apps can share one server.",
    )

    # --- abuse controls (summaries and answers; help texts and "thanks" never count) ---
    rate_limit_window_seconds: float = Field(
        600, gt=0, description="The window the request limits below are counted over."
    )
    rate_limit_user_requests: int = Field(
        20, ge=0, description="Requests one person may make per window, on average; 0: no limit."
    )
    rate_limit_user_burst: int = Field(
        5, ge=1, description="Requests one person may make at once, before the average applies."
    )
    rate_limit_channel_requests: int = Field(
        60, ge=0, description="Requests from one channel or DM per window, on average; 0: no limit."
    )
    rate_limit_channel_burst: int = Field(
        20, ge=1, description="Requests from one channel at once, before the average applies."
    )
    max_jobs_per_user: int = Field(
        3, ge=0, description="Requests one person may have in progress at once; 0: no limit."
    )
    audit_log: bool = Field(
        True,
        description="One JSON line per request on the 'articlebot.audit' logger (who, where, "
        "which source, refused and why, engine, tokens, cost; never the article or question).",
    )
    audit_log_path: str | None = Field(
        None, description="Write the audit lines to this file instead of the log stream."
    )

    # --- feedback and usage stats (`articlebot stats`) ---
    stats_retention_days: float = Field(
        90, gt=0, description="Days each reply's cost and 👍/👎 are kept for `articlebot stats`."
    )

    # --- secrets kept out of every log line ---

    def secret_values(self) -> list[str]:
        """The configured secrets: tokens, keys, and the passwords inside URLs."""
        secrets = [
            self.slack_bot_token,
            self.slack_app_token,
            self.slack_signing_secret,
            self.slack_client_secret,
            self.openai_api_key,
            self.azure_openai_api_key,
        ]
        values = [secret.get_secret_value() for secret in secrets if secret is not None]
        for url in (self.redis_url, self.slack_api_url, self.openai_base_url):
            values += _url_secrets(url)
        values += _url_secrets(self.azure_openai_endpoint)
        return values

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        # Registered as soon as they are read, in every process that reads them: a log line
        # written before (or without) any set-up still masks them.
        mask_values(*self.secret_values())

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        mask_values(*self.secret_values())  # the job process gets its settings pickled

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        copy = super().model_copy(update=update, deep=deep)
        mask_values(*copy.secret_values())
        return copy


def _url_secrets(url: str | None) -> list[str]:
    """The password in a URL, and `?password=` as Redis URLs may carry it. (Not the user
    name: no secret, and masking "articlebot" everywhere would garble the logs.)"""
    if not url:
        return []
    try:
        parts = urlsplit(url)
        found = [parts.password or ""]
    except ValueError:
        return []
    found += [value for name, value in parse_qsl(parts.query) if name.lower() == "password"]
    return [value for value in found if value]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own `Settings(...)` instead)."""
    return Settings()
