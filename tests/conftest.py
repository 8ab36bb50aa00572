"""Shared fixtures: a local article server, fetch settings that allow only loopback, the
Slack app on the mock Web API (`slack`, `articles`, `bot`), and a real Redis server
(`redis_url`, `redis_prefix`; see tests/redis_server.py) with the app's settings and an
`articlebot worker` on it (`redis_settings`, `worker`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import set_request_id
from bot.settings import Settings
from bot.slack import tasks
from tests import redis_server
from tests.cli_env import MODEL_ENV
from tests.servers.articles import ArticleServer
from tests.servers.fake_openai import FakeOpenAI
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import SlackAppHarness, harness_settings


@pytest.fixture(autouse=True)
def _no_request_left_over() -> Iterator[None]:
    """Bolt's middleware sets the request a thread handles (its id for log lines, the seed
    for job ids) rather than scoping it: a test that dispatches on this thread must not
    leave its request to the next one."""
    yield
    set_request_id(None)
    tasks.forget_request()


@pytest.fixture
def offline_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The CLI as a new user runs it: in an empty folder (no .env), no key from the
    developer's shell, fresh settings for every test: the offline engine answers."""
    from bot.settings import get_settings

    monkeypatch.chdir(tmp_path)
    for name in MODEL_ENV:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


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


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """The mock Slack Web API, recording every call."""
    with FakeSlack() as server:
        yield server


@pytest.fixture
def articles() -> Iterator[ArticleServer]:
    with ArticleServer() as server:
        yield server


@pytest.fixture
def bot(slack: FakeSlack, tmp_path: Path) -> Iterator[SlackAppHarness]:
    """The app served over real HTTP, its Web API calls going to `slack`, offline engine."""
    with SlackAppHarness(slack, harness_settings(slack, tmp_path)) as harness:
        yield harness


@pytest.fixture
def model() -> Iterator[FakeOpenAI]:
    """The fake OpenAI-compatible server, for tests that give the bot a model."""
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis server's URL for the whole session (REDIS_URL, or our own redis-server,
    stopped at the end); the test is skipped without one, and fails under CI."""
    url = redis_server.redis_url_or_skip()
    yield url
    redis_server.stop_own_server()


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = redis_server.unique_prefix()
    yield prefix
    redis_server.delete_prefix(redis_url, prefix)


@pytest.fixture
def redis_settings(slack, tmp_path, redis_url, redis_prefix) -> Settings:
    return harness_settings(
        slack,
        tmp_path,
        slack_stream=False,
        slack_job_process=True,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
    )


@pytest.fixture
def worker(redis_settings: Settings) -> Iterator[None]:
    """An `articlebot worker` (Dramatiq, 2 threads) on this test's Redis prefix."""
    from bot.slack.redis_jobs import run_worker

    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker, args=(redis_settings, 2), kwargs={"stop": stop}, daemon=True
    )
    yield thread.start()
    stop.set()
    thread.join(40)
