"""No secret in any line a process writes: `articlebot` runs as a real process, at DEBUG,
with recognisable fake secrets, through every error path we can drive (a rejected token, an
unreachable Slack, Redis and model, a token with a line break, a model that echoes its key,
a job that fails, file downloads refused), and every line of its output is searched.

The secrets are chosen so that most of them don't look like tokens: only masking the
configured values themselves keeps them out."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from hashlib import sha256
from hmac import new as hmac_new
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.servers.articles import ArticleServer
from tests.servers.fake_openai import Failure, FakeOpenAI
from tests.servers.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[1]
ARTICLEBOT = Path(sys.executable).with_name("articlebot")

BOT_TOKEN = "xoxb-4242-FAKEBOTSECRET-abcdef"
APP_TOKEN = "xapp-1-A0-FAKEAPPSECRET-0123"
SIGNING_SECRET = "FAKESIGNINGSECRET-0123456789abcdef"
OPENAI_KEY = "FAKEOPENAIKEY-0123456789-notsk"
REDIS_PASSWORD = "FAKEREDISPASSWORD-9876"
URL_PASSWORD = "FAKEURLPASSWORD-5555"
# What must appear nowhere: a recognisable part of each secret.
MARKERS = (
    "FAKEBOTSECRET",
    "FAKEAPPSECRET",
    "FAKESIGNINGSECRET",
    "FAKEOPENAIKEY",
    "FAKEREDISPASSWORD",
    "FAKEURLPASSWORD",
)
STORY = (
    "The regional airline will stop flying to the island in April, ending a route that has "
    "run for forty years.\n\nThe company blamed rising fuel costs and a shortage of pilots "
    "for the decision.\n"
)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """This worktree's code, DEBUG logs, every secret set; nothing from the outside."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "OPENAI_", "AZURE_", "REDIS_", "LOG_", "ENGINE"))
    }
    env.update(
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="DEBUG",
        STORE_PATH=str(tmp_path / "store.sqlite3"),
        FETCH_ALLOWLIST="127.0.0.1",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        OPENAI_API_KEY=OPENAI_KEY,
        LLM_MAX_RETRIES="0",
        SLACK_HTTP_WORKERS="1",
    )
    env.update(settings)
    return env


def assert_no_secret(output: str) -> None:
    leaks = [line for line in output.splitlines() if any(m in line for m in MARKERS)]
    assert not leaks, "secrets in the output:\n" + "\n".join(leaks[:10])


def _run(tmp_path: Path, *args: str, **settings: str) -> str:
    """Run `articlebot ARGS`, expect it to fail; all it wrote (stdout and stderr)."""
    proc = subprocess.run(
        [str(ARTICLEBOT), *args],
        cwd=tmp_path,
        env=_env(tmp_path, **settings),
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert_no_secret(output)
    return output


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(token=BOT_TOKEN) as server:
        yield server


# --- start-up --------------------------------------------------------------------------------


@pytest.mark.timeout(90)
@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("mode", [[], ["--http"]], ids=["socket", "http"])
def test_a_rejected_token(tmp_path, mode, fmt):
    with FakeSlack(token="xoxb-the-right-one") as slack:
        output = _run(
            tmp_path,
            "serve",
            *mode,
            "--port",
            str(_closed_port()),
            SLACK_API_URL=slack.api_url,
            LOG_FORMAT=fmt,
        )
    assert "Slack rejected SLACK_BOT_TOKEN (invalid_auth)" in _last_line(output)


@pytest.mark.timeout(90)
def test_an_unreachable_slack_with_a_password_in_its_url(tmp_path):
    port = _closed_port()
    output = _run(
        tmp_path, "serve", SLACK_API_URL=f"http://articlebot:{URL_PASSWORD}@127.0.0.1:{port}/api/"
    )
    assert _last_line(output).startswith(f"error: can't reach Slack at http://127.0.0.1:{port}/")


@pytest.mark.timeout(90)
@pytest.mark.parametrize("mode", [[], ["--http"]], ids=["socket", "http"])
def test_a_token_with_a_line_break(tmp_path, mode):
    """It used to end in a traceback quoting the token (`Invalid header value b'Bearer …'`)."""
    output = _run(
        tmp_path,
        "serve",
        *mode,
        SLACK_BOT_TOKEN="xoxb-4242-FAKEBOTSECRET\nabcdef",
        SLACK_API_URL=f"http://127.0.0.1:{_closed_port()}/api/",
    )
    assert "Traceback" not in output
    assert _last_line(output) == (
        "error: SLACK_BOT_TOKEN contains a line break, which no Slack credential has: copy it "
        "again (the Bot User OAuth Token, xoxb-…, from OAuth & Permissions)."
    )


@pytest.mark.timeout(90)
def test_a_worker_with_a_token_with_a_line_break(tmp_path):
    output = _run(
        tmp_path,
        "worker",
        SLACK_BOT_TOKEN="xoxb-4242-FAKEBOTSECRET\tabcdef",
        REDIS_URL=f"redis://:{REDIS_PASSWORD}@127.0.0.1:{_closed_port()}/0",
    )
    assert "SLACK_BOT_TOKEN contains a space or tab" in _last_line(output)


@pytest.mark.timeout(90)
@pytest.mark.parametrize("command", [["serve"], ["worker"]])
def test_an_unreachable_redis_with_a_password(slack, tmp_path, command):
    port = _closed_port()
    output = _run(
        tmp_path,
        *command,
        SLACK_API_URL=slack.api_url,
        REDIS_URL=f"redis://articlebot:{REDIS_PASSWORD}@127.0.0.1:{port}/0?password={REDIS_PASSWORD}",
    )
    assert "Can't reach Redis at REDIS_URL (redis://127.0.0.1:" in _last_line(output)


# --- the model -------------------------------------------------------------------------------


@pytest.mark.timeout(90)
def test_an_unreachable_model_with_a_key_and_a_password_in_its_url(tmp_path):
    (tmp_path / "story.txt").write_text(STORY)
    port = _closed_port()
    output = _run(
        tmp_path,
        "summarize",
        "story.txt",
        "--engine",
        "openai",
        "-v",
        OPENAI_BASE_URL=f"http://articlebot:{URL_PASSWORD}@127.0.0.1:{port}/v1",
    )
    assert "error: Could not reach the language model" in output


@pytest.mark.timeout(90)
def test_a_model_that_rejects_the_key_and_echoes_it(tmp_path):
    (tmp_path / "story.txt").write_text(STORY)
    with FakeOpenAI() as model:
        model.default = Failure(401, f"Incorrect API key provided: {OPENAI_KEY}.")
        output = _run(
            tmp_path,
            "summarize",
            "story.txt",
            "--engine",
            "openai",
            "-v",
            OPENAI_BASE_URL=model.base_url,
            OPENAI_MODEL=model.model,
        )
        assert model.headers[0]["authorization"] == f"Bearer {OPENAI_KEY}"  # it was sent
    assert "error: The language model service rejected the API key." in output


# --- a running server ------------------------------------------------------------------------


def _signed_post(base: str, body: str, content_type: str) -> int:
    ts = str(int(time.time()))
    digest = hmac_new(SIGNING_SECRET.encode(), f"v0:{ts}:{body}".encode(), sha256).hexdigest()
    request = urllib.request.Request(
        base + "/slack/events",
        data=body.encode(),
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": f"v0={digest}",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def _file_share(event_id: str, ts: str, file: dict[str, object]) -> str:
    event = {
        "type": "message",
        "subtype": "file_share",
        "channel": "D0DM",
        "channel_type": "im",
        "user": "U0USER",
        "text": "",
        "ts": ts,
        "files": [file],
    }
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T0TEST",
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": "T0TEST", "user_id": "U0BOT", "is_bot": True}],
        }
    )


def _wait_healthy(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server never became healthy")


def _wait_for(log: Path, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text():
        assert time.monotonic() < deadline, f"{text!r} never logged:\n{log.read_text()}"
        time.sleep(0.1)


@pytest.mark.timeout(180)
def test_a_running_server_through_its_error_paths(slack, tmp_path):
    """HTTP mode at DEBUG: a model that rejects (and echoes) the key, file downloads refused,
    a job that fails on Slack's side; then SIGTERM. Every line of the log is searched."""
    log = tmp_path / "server.log"
    port = _closed_port()
    base = f"http://127.0.0.1:{port}"
    with ArticleServer() as articles, FakeOpenAI() as model:
        model.default = Failure(401, f"Incorrect API key provided: {OPENAI_KEY}.")
        env = _env(
            tmp_path,
            SLACK_API_URL=slack.api_url,
            OPENAI_BASE_URL=model.base_url,
            OPENAI_MODEL=model.model,
            ENGINE="auto",  # the model fails: the offline engine answers
            SLACK_JOB_PROCESS="true",  # the job process gets its settings pickled
        )
        with log.open("w") as out:
            proc = subprocess.Popen(
                [str(ARTICLEBOT), "serve", "--http", "--host", "127.0.0.1", "--port", str(port)],
                cwd=tmp_path,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_healthy(base, proc, log)
            # 1. A summary: the model rejects the key, echoing it; the offline engine answers.
            slash = {
                "team_id": "T0TEST",
                "channel_id": "C0CHAN",
                "user_id": "U0USER",
                "command": "/summarize",
                "text": articles.url("/story"),
                "response_url": slack.response_url(),
                "trigger_id": "t",
                "api_app_id": "A0APP",
            }
            assert _signed_post(base, urlencode(slash), "application/x-www-form-urlencoded") == 200
            _wait_for(log, "model failed")
            # 2. A file on another host, and one whose download redirects inside the network.
            evil = {"id": "F0EVIL", "name": "a.txt", "url_private": articles.url("/article")}
            assert _signed_post(base, _file_share("Ev1", "1700000001.1", evil), "application/json")
            _wait_for(log, "refused a file URL")
            moved = slack.add_file("a.txt", b"x", redirect_to="http://127.0.0.2:9/x")
            assert _signed_post(base, _file_share("Ev2", "1700000002.1", moved), "application/json")
            _wait_for(log, "refused a file download redirected")
            # 3. A job that fails: Slack errors on every post, with a traceback logged.
            for method in ("chat.postMessage", "chat.startStream", "chat.postEphemeral"):
                slack.fail_next(method, "fatal_error", status=500, times=20)
            story = slack.add_file("story.txt", STORY.encode(), mimetype="text/plain")
            assert _signed_post(base, _file_share("Ev3", "1700000003.1", story), "application/json")
            _wait_for(log, "Traceback")
            os.kill(proc.pid, signal.SIGTERM)
            assert proc.wait(timeout=60) == 0
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    output = log.read_text()
    assert "DEBUG" in output
    assert articles.connections == 1  # the story; never the file "hosted" there
    assert_no_secret(output)
