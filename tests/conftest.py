"""Shared fixtures: a local article server and fetch settings that allow only loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.settings import Settings
from tests.servers.articles import ArticleServer


@pytest.fixture
def article_server() -> Iterator[ArticleServer]:
    with ArticleServer() as server:
        yield server


@pytest.fixture
def fetch_settings() -> Settings:
    """Loopback allow-listed on purpose (the test server lives there), small timeouts."""
    return Settings(
        _env_file=None,
        fetch_allowlist=["127.0.0.1"],
        fetch_connect_timeout=2,
        fetch_read_timeout=2,
        fetch_total_timeout=10,
    )
