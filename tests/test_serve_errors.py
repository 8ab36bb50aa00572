"""`articlebot serve` with a wrong token, an unreachable Slack or missing settings: one clear
line on stderr and a non-zero exit, never a traceback, never a token's value. The real
console script against the fake Slack Web API (or a closed port)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.slack.server import _muted, _socket_log
from tests.servers.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[1]
ARTICLEBOT = Path(sys.executable).with_name("articlebot")
BOT_TOKEN = "xoxb-1111-secret-bot-value"
APP_TOKEN = "xapp-1-secret-app-value"
SECRET = "secret-signing-value"
SECRETS = (BOT_TOKEN, APP_TOKEN, SECRET, "secret-bot-value", "secret-app-value")


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(token=BOT_TOKEN) as server:
        yield server


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """No SLACK_* from the outside; the run's cwd is tmp_path, so no .env is read either."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_", "AZURE_"))}
    # PYTHONPATH: this checkout's code (the console script's install may point elsewhere).
    env.update(
        STORE_PATH=str(tmp_path / "store.sqlite3"), SLACK_HTTP_WORKERS="2", PYTHONPATH=str(ROOT)
    )
    env.update(settings)
    return env


def _serve(tmp_path: Path, *args: str, **settings: str) -> str:
    """Run `articlebot serve`, expect it to fail; return its one line of error."""
    proc = subprocess.run(
        [str(ARTICLEBOT), "serve", *args, "--host", "127.0.0.1", "--port", str(_closed_port())],
        cwd=tmp_path,
        env=_env(tmp_path, **settings),
        capture_output=True,
        text=True,
        timeout=40,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Traceback" not in output
    for secret in SECRETS:
        assert secret not in output
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("error: ")
    return lines[0]


# --- Slack says no, or can't be reached ------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("mode", [[], ["--http"]], ids=["socket", "http"])
def test_a_rejected_bot_token_is_one_clear_line(slack, tmp_path, mode):
    slack.fail_next("auth.test", "invalid_auth", times=5)
    line = _serve(
        tmp_path,
        *mode,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
    )
    assert line == (
        "error: Slack rejected SLACK_BOT_TOKEN (invalid_auth). Copy the Bot User OAuth Token "
        "(xoxb-…) from OAuth & Permissions."
    )
    # Checked once, before anything starts: no worker booted to fail one by one.
    assert len(slack.calls("auth.test")) == 1
    assert [c.method for c in slack.calls()] == ["auth.test"]


@pytest.mark.timeout(60)
def test_an_unknown_token_is_rejected_too(slack, tmp_path):
    """Not scripted: the fake answers invalid_auth to a token it doesn't know, as Slack does."""
    line = _serve(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-2222-secret-bot-value",
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=slack.api_url,
    )
    assert "Slack rejected SLACK_BOT_TOKEN (invalid_auth)" in line


@pytest.mark.timeout(60)
def test_a_rejected_app_token_is_one_clear_line(slack, tmp_path):
    """apps.connections.open says no: slack_sdk and Bolt each logged an ERROR line first."""
    slack.fail_next("apps.connections.open", "invalid_auth")
    line = _serve(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=slack.api_url,
    )
    assert line.startswith("error: Slack refused SLACK_APP_TOKEN (invalid_auth): ")
    assert "connections:write" in line
    assert [c.method for c in slack.calls()] == ["auth.test", "apps.connections.open"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("mode", [[], ["--http"]], ids=["socket", "http"])
def test_slack_unreachable_is_one_clear_line(tmp_path, mode):
    api_url = f"http://127.0.0.1:{_closed_port()}/api/"
    line = _serve(
        tmp_path,
        *mode,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
    )
    assert line == f"error: can't reach Slack at {api_url} (Connection refused)"


# --- settings missing or in the wrong place --------------------------------------------------


@pytest.mark.timeout(30)
def test_socket_mode_names_every_missing_setting(tmp_path):
    line = _serve(tmp_path)
    assert "Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN" in line
    assert "Not set: SLACK_BOT_TOKEN (" in line and "; SLACK_APP_TOKEN (" in line
    assert "connections:write" in line and "--http" in line
    assert "SLACK_SIGNING_SECRET (" not in line  # named only as the --http alternative


@pytest.mark.timeout(30)
def test_http_mode_names_every_missing_setting(tmp_path):
    line = _serve(tmp_path, "--http")
    assert "HTTP mode needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in line
    assert "Not set: SLACK_BOT_TOKEN (" in line and "; SLACK_SIGNING_SECRET (" in line
    assert "SLACK_APP_TOKEN" not in line


@pytest.mark.timeout(30)
def test_only_what_is_missing_is_named(tmp_path):
    line = _serve(tmp_path, SLACK_APP_TOKEN=APP_TOKEN)
    assert "Not set: SLACK_BOT_TOKEN (" in line
    assert "SLACK_APP_TOKEN (" not in line and "--http" not in line
    line = _serve(tmp_path, "--http", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET="  ")
    assert "Not set: SLACK_SIGNING_SECRET (" in line  # blank counts as missing
    assert "SLACK_BOT_TOKEN (" not in line


@pytest.mark.timeout(30)
@pytest.mark.parametrize("mode", [[], ["--http"]], ids=["socket", "http"])
def test_swapped_tokens_are_named_as_swapped(tmp_path, mode):
    line = _serve(
        tmp_path,
        *mode,
        SLACK_BOT_TOKEN=APP_TOKEN,
        SLACK_APP_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        # Never asked: the prefixes say it all before any request.
        SLACK_API_URL=f"http://127.0.0.1:{_closed_port()}/api/",
    )
    assert line == (
        "error: SLACK_BOT_TOKEN and SLACK_APP_TOKEN are swapped: the xoxb- token goes in "
        "SLACK_BOT_TOKEN, the xapp- one in SLACK_APP_TOKEN."
    )


@pytest.mark.timeout(30)
def test_tokens_of_the_wrong_kind_are_named(tmp_path):
    line = _serve(tmp_path, SLACK_BOT_TOKEN="xoxp-1-secret-bot-value", SLACK_APP_TOKEN=BOT_TOKEN)
    assert "SLACK_BOT_TOKEN holds a user token (xoxp-…)" in line
    assert "SLACK_APP_TOKEN holds a bot token (xoxb-…)" in line
    line = _serve(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN="secret-app-value")
    assert "SLACK_APP_TOKEN should start with xapp-" in line
    # HTTP mode doesn't use SLACK_APP_TOKEN: a bot token with a missing secret is named as such.
    line = _serve(tmp_path, "--http", SLACK_APP_TOKEN=BOT_TOKEN)
    assert "Not set: SLACK_BOT_TOKEN (" in line
    assert "SLACK_APP_TOKEN holds a bot token (xoxb-…), which belongs in SLACK_BOT_TOKEN" in line


# --- what every worker would fail on after it started ----------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("mode", [[], ["--http"]], ids=["socket", "http"])
@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("STORE_PATH", "{tmp}", "Can't open the store at STORE_PATH ({tmp})"),
        ("STORE_PATH", "{tmp}/a-file/store.sqlite3", "Can't open the store at STORE_PATH"),
        ("PROMPTS_DIR", "{tmp}/no-such-folder", "Prompt folder {tmp}/no-such-folder"),
        ("SUMMARY_STYLE", "nosuch", "SUMMARY_STYLE: Unknown summary style 'nosuch'"),
        ("AUDIT_LOG_PATH", "{tmp}/a-file/audit.jsonl", "Can't write the audit log at"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must start with redis://"),
        ("ENGINE", "openai", "ENGINE=openai needs a model: set OPENAI_API_KEY"),
        ("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com/", "Azure OpenAI is partly"),
    ],
)
def test_a_store_or_template_that_cant_be_used_is_one_line_before_anything_starts(
    slack, tmp_path, mode, setting, value, said
):
    # Each HTTP worker failed on its own after the fork: ~130 lines of gunicorn tracebacks.
    (tmp_path / "a-file").write_text("in the way")
    line = _serve(
        tmp_path,
        *mode,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        **{setting: value.format(tmp=tmp_path)},
    )
    assert said.format(tmp=tmp_path) in line
    assert slack.calls() == []  # refused before Slack is asked anything


@pytest.mark.timeout(60)
def test_a_worker_checks_the_same_settings_before_it_takes_a_job(slack, tmp_path):
    proc = subprocess.run(
        [str(ARTICLEBOT), "worker"],
        cwd=tmp_path,
        env=_env(
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_API_URL=slack.api_url,
            REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0",
            ENGINE="openai",
        ),
        capture_output=True,
        text=True,
        timeout=40,
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "error: ENGINE=openai needs a model: set OPENAI_API_KEY, OPENAI_BASE_URL or the "
        "AZURE_OPENAI_* settings (or ENGINE=auto to let the offline engine answer)."
    ]


def test_serve_refuses_impossible_ports_and_worker_counts(tmp_path):
    for args in (["--workers", "0"], ["--port", "99999"]):
        proc = subprocess.run(
            [str(ARTICLEBOT), "serve", "--http", *args],
            cwd=tmp_path,
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert "is not in the range" in proc.stderr


def test_the_socket_mode_client_is_muted_only_while_it_first_connects(caplog):
    """After the first connect (or its failure) its lines show again: reconnects, errors."""
    caplog.set_level(logging.INFO, logger=_socket_log.name)
    with pytest.raises(RuntimeError), _muted(_socket_log):
        _socket_log.error("Failed to retrieve WSS URL")
        raise RuntimeError
    _socket_log.error("Failed to reconnect")
    assert [r.getMessage() for r in caplog.records] == ["Failed to reconnect"]
