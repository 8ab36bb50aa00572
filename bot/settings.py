"""All settings in one object, read from the environment and a `.env` file.

Every field here is documented in README.md and `.env.example`; keep the three in step.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import BeforeValidator, Field, SecretStr
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


# A list given in the environment as "a, b, c" (not JSON).
CsvList = Annotated[list[str], NoDecode, BeforeValidator(_split_csv)]


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
    fetch_allowlist: CsvList = Field(
        default_factory=list,
        description="Hosts or CIDRs the SSRF guard lets through (comma separated), for intranets.",
    )
    fetch_user_agent: str = Field(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0 Safari/537.36 articlebot/0.1",
        description="User-Agent sent with every fetch.",
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
    slack_auto_channels: CsvList = Field(
        default_factory=list,
        description="Channel IDs where a posted link gets an ephemeral 'Summarize' offer.",
    )
    slack_worker_threads: int = Field(
        16, ge=1, description="Threads for slow work (fetching, the model), per process."
    )
    slack_http_workers: int = Field(2, ge=1, description="HTTP mode: server worker processes.")
    slack_http_threads: int = Field(
        32, ge=1, description="HTTP mode: request threads per worker process."
    )
    slack_stream: bool = Field(
        True, description="Stream replies (chat.startStream); off: placeholder plus chat.update."
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own `Settings(...)` instead)."""
    return Settings()
