"""The Dockerfile and compose.yaml say what README's Deploy section promises (Docker can't run
here, so their text is checked: users, health checks, services, replicas, commands)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from bot.cli import cli
from bot.llm.tokens import _ENCODING_HASHES
from bot.slack.http_front import HEALTH_PATH

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]


def _instructions(name: str) -> list[str]:
    """Every `NAME ...` instruction of the Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [m.group(1) for m in re.finditer(rf"^{name}\s+(.*)$", joined, flags=re.MULTILINE)]


def _check_command(argv: list[str]) -> None:
    """`articlebot SUB --options` parses against the real click CLI."""
    assert argv[0] == "articlebot"
    sub = cli.commands.get(argv[1])
    if sub is None and argv[1] == "worker":
        pytest.skip("`articlebot worker` is not on this branch yet")
    assert sub is not None, f"no `articlebot {argv[1]}` command"
    sub.make_context(argv[1], argv[2:])  # raises on an unknown option


def test_the_image_runs_as_a_non_root_user() -> None:
    users = _instructions("USER")
    assert users and users[-1] not in ("root", "0")
    assert DOCKERFILE.count("FROM python:3.11-slim") >= 1


def test_the_image_installs_the_wheel_not_editable_with_constraints() -> None:
    runs = " ".join(_instructions("RUN"))
    assert "pip wheel" in runs
    assert re.search(r"pip install --constraint \S*constraints\.txt \S*articlebot-\*\.whl", runs)
    assert " -e " not in runs and "--editable" not in runs


def test_the_image_keeps_state_in_the_volume_and_bakes_tiktoken() -> None:
    env = " ".join(_instructions("ENV"))
    assert "STORE_PATH=/data/articlebot.sqlite3" in env
    assert "TIKTOKEN_CACHE_DIR=/opt/tiktoken" in env
    assert _instructions("VOLUME") == ["/data"]
    runs = " ".join(_instructions("RUN"))
    for encoding in ("o200k_base", "cl100k_base"):
        assert encoding in _ENCODING_HASHES and f"'{encoding}'" in runs


def test_the_image_checks_its_health_and_serves_http_by_default() -> None:
    (health,) = _instructions("HEALTHCHECK")
    assert f"http://127.0.0.1:3000{HEALTH_PATH}" in health and "urllib" in health
    (cmd,) = _instructions("CMD")
    argv = shlex.split(cmd.strip("[]").replace(",", " "))
    assert argv == ["articlebot", "serve", "--http", "--port", "3000"]
    _check_command(argv)


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".git", ".env", ".venv*", "data", "dist", "build", "bench"):
        assert entry in ignored


def test_compose_runs_redis_two_web_two_workers_behind_one_port() -> None:
    assert set(SERVICES) >= {"redis", "web", "worker", "proxy"}
    redis = SERVICES["redis"]
    assert redis["image"].startswith("redis:7") and "--appendonly" in redis["command"]
    assert "healthcheck" in redis
    for name in ("web", "worker"):
        service = SERVICES[name]
        assert service["deploy"]["replicas"] == 2
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert service["env_file"] == ".env"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert SERVICES["worker"]["healthcheck"] == {"disable": True}  # no HTTP server in it
    published = [p for s in SERVICES.values() for p in s.get("ports", [])]
    assert published == ["3000:80"]  # the proxy, and nothing else
    assert "ports" not in SERVICES["web"]
    nginx = COMPOSE["configs"]["nginx"]["content"]
    assert "server web:3000" in nginx and "proxy_pass http://web;" in nginx


@pytest.mark.parametrize("service", ["web", "worker"])
def test_compose_commands_exist_in_the_cli(service: str) -> None:
    _check_command(SERVICES[service]["command"])


def test_an_unknown_option_would_be_caught() -> None:
    with pytest.raises(click.UsageError):
        _check_command(["articlebot", "serve", "--no-such-option"])
