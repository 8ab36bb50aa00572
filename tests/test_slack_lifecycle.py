"""`articlebot serve` as a process: SIGTERM drains the work in progress, bad settings fail
with one clear line. The real console script, the fake Slack Web API, the fake model."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.ingest.links import parse_input
from bot.slack.context import Destination
from bot.slack.journal import LEASE_SECONDS
from bot.slack.tasks import Summarize
from bot.slack.worker import ProcessWorkerPool, ThreadWorkerPool
from bot.store.sqlite_jobs import SQLiteJobQueue
from tests import crash_hook
from tests.servers.articles import ArticleServer
from tests.servers.fake_openai import FakeOpenAI, Reply
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import CHANNEL, TEAM, USER, harness_settings, mention_body, text_of

SECRET = "lifecycle-secret"
ARTICLEBOT = Path(sys.executable).with_name("articlebot")
ROOT = Path(__file__).resolve().parents[1]
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(slack: FakeSlack, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_", "AZURE_"))}
    env.update(
        SLACK_BOT_TOKEN=slack.token,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        STORE_PATH=str(tmp_path / "store.sqlite3"),
        FETCH_ALLOWLIST="127.0.0.1",
        ENGINE="auto",
        SLACK_HTTP_WORKERS="1",
        # This checkout's code, not wherever the editable install points (another worktree).
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    )
    env.update(extra)
    return env


def _http_address() -> tuple[str, list[str]]:
    """A free local port: its base URL, and `serve`'s arguments to listen on it over HTTP."""
    port = _free_port()
    return f"http://127.0.0.1:{port}", ["--http", "--host", "127.0.0.1", "--port", str(port)]


def _serve(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.Popen:
    log = (tmp_path / "server.log").open("w")
    return subprocess.Popen(
        [str(ARTICLEBOT), "serve", *args],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server never became healthy")


def _slash(base: str, slack: FakeSlack, text: str, channel: str = CHANNEL) -> int:
    body = urlencode(
        {
            "team_id": TEAM,
            "channel_id": channel,
            "user_id": USER,
            "command": "/summarize",
            "text": text,
            "response_url": slack.response_url(),
            "trigger_id": "t",
            "api_app_id": "A0APP",
        }
    )
    return signed_post(base, body, "application/x-www-form-urlencoded")


def signed_post(
    base: str, body: str, content_type: str, headers: dict[str, str] | None = None
) -> int:
    """POST `body` to the app's /slack/events, signed as Slack signs it; the HTTP status."""
    ts = str(int(time.time()))
    request = urllib.request.Request(
        base + "/slack/events",
        data=body.encode(),
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(
                timestamp=ts, body=body
            ),
            **(headers or {}),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


@pytest.mark.timeout(120)
def test_sigterm_lets_the_reply_being_written_finish(slack, tmp_path):
    with ArticleServer() as articles, FakeOpenAI() as model:
        model.default = Reply("- The bridge reopened.", first_token_delay=4)
        env = _env(slack, tmp_path, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=model.base_url)
        port = _free_port()
        proc = _serve(["--http", "--host", "127.0.0.1", "--port", str(port)], env, tmp_path)
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", proc)
            assert _slash(f"http://127.0.0.1:{port}", slack, articles.url("/story")) == 200
            slack.wait_for("chat.postMessage", timeout=30)  # the placeholder: work under way
            os.kill(proc.pid, signal.SIGTERM)  # a deploy
            assert proc.wait(timeout=60) == 0
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    finals = [c for c in slack.calls("chat.update") if c.params.get("blocks")]
    assert len(finals) == 1, (tmp_path / "server.log").read_text()
    assert "The bridge reopened." in str(finals[0].params["blocks"])
    log = (tmp_path / "server.log").read_text()
    assert "token` will be unused" not in log  # no warning noise per worker
    # Each server process exits normally (not killed by the signal), cleaning up after itself.
    for noise in ("was sent SIGTERM", "leaked semaphore", "Traceback"):
        assert noise not in log, log


@pytest.mark.timeout(60)
def test_memory_store_runs_one_http_worker_and_says_why(slack, tmp_path):
    env = _env(slack, tmp_path, STORE_PATH=":memory:", SLACK_HTTP_WORKERS="3")
    port = _free_port()
    proc = _serve(["--http", "--host", "127.0.0.1", "--port", str(port)], env, tmp_path)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", proc)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    log = (tmp_path / "server.log").read_text()
    assert "running 1 HTTP worker instead of 3" in log
    assert log.count("Booting worker") == 1


@pytest.mark.timeout(60)
def test_http_mode_checks_the_token_once_in_the_master(slack, tmp_path):
    """auth.test once before gunicorn forks; the workers don't each verify it at start-up."""
    env = _env(slack, tmp_path, SLACK_HTTP_WORKERS="2", SLACK_JOB_PROCESS="false")
    port = _free_port()
    proc = _serve(["--http", "--host", "127.0.0.1", "--port", str(port)], env, tmp_path)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", proc)
        deadline = time.monotonic() + 20
        while (tmp_path / "server.log").read_text().count("Booting worker") < 2:
            assert time.monotonic() < deadline, "the second worker never booted"
            time.sleep(0.1)
        time.sleep(0.5)  # a worker that verified the token would have done it by now
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    assert len(slack.calls("auth.test")) == 1, (tmp_path / "server.log").read_text()


@pytest.mark.timeout(60)
def test_socket_mode_with_a_bad_app_token_is_one_clear_line(slack, tmp_path):
    env = _env(slack, tmp_path, SLACK_APP_TOKEN="xapp-not-valid", SLACK_JOB_PROCESS="false")
    proc = subprocess.run(
        [str(ARTICLEBOT), "serve"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert proc.returncode != 0
    assert "SLACK_APP_TOKEN" in proc.stderr and "invalid_auth" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "xapp-not-valid" not in proc.stderr + proc.stdout  # never the token itself


# --- the pools drain on shutdown -----------------------------------------------------------


def slow_job(channel: str, articles: ArticleServer) -> Summarize:
    """A real job that takes a few seconds: a summary of a page that is slow to answer."""
    return Summarize(
        dest=Destination(channel=channel, user=USER, team=TEAM, thread_ts="1700000000.000100"),
        parsed=parse_input(articles.url("/slow?delay=2")),
        name="slow",
    )


def _replies(slack: FakeSlack) -> list[str]:
    """The channels of the finished replies (the placeholders are posted at once)."""
    return [c.params["channel"] for c in slack.calls("chat.update") if c.params.get("blocks")]


@pytest.mark.timeout(60)
def test_thread_pool_shutdown_waits_for_running_jobs(slack, tmp_path):
    from bot.slack.app import web_client
    from bot.slack.runtime import build_services

    settings = harness_settings(slack, tmp_path, slack_stream=False)
    pool = ThreadWorkerPool(2)
    pool.bind(build_services(settings, pool=pool), web_client(settings))
    with ArticleServer() as articles:
        pool.submit(slow_job("C0A", articles))
        pool.shutdown(timeout=20)
    assert _replies(slack) == ["C0A"]


@pytest.mark.timeout(90)
@pytest.mark.parametrize("how", ["shutdown", "sigterm"])
def test_job_process_finishes_its_jobs_before_exiting(slack, tmp_path, how):
    settings = harness_settings(slack, tmp_path, slack_job_process=True, slack_stream=False)
    pool = ProcessWorkerPool(settings, 2)
    queue = SQLiteJobQueue.beside(settings.store_path)
    try:
        with ArticleServer() as articles:
            pool.submit(slow_job("C0B", articles))
            if how == "shutdown":
                pool.shutdown(timeout=40)
            else:  # what multiprocessing does to a daemon child when its parent exits
                deadline = time.monotonic() + 40
                while not _leased(queue):
                    assert time.monotonic() < deadline, "the job never started"
                    time.sleep(0.05)
                pool._process.terminate()
                pool._process.join(40)
        assert not pool._process.is_alive()
        assert _replies(slack) == ["C0B"]
        assert queue.pending() == 0  # done, so no process will run it again
    finally:
        if pool._process.is_alive():
            pool._process.kill()


def _leased(queue: SQLiteJobQueue) -> bool:
    """Whether the job process has taken a job (its row has an owner)."""
    with queue._lock:
        return bool(queue._db.execute("SELECT 1 FROM jobs WHERE owner IS NOT NULL").fetchone())


# --- a killed server loses nothing ---------------------------------------------------------


def _kill_mid_answer_and_restart(
    proc: subprocess.Popen,
    model: FakeOpenAI,
    args: list[str],
    env: dict[str, str],
    tmp_path: Path,
    then: Reply | None = None,
) -> tuple[subprocess.Popen, float]:
    """Once the model is writing an answer, SIGKILL the whole server (its process group)
    and start it again (the model answering `then` from now on, if given): the new server,
    healthy, and when the old one died."""
    deadline = time.monotonic() + 30
    while not model.requests:
        assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
        time.sleep(0.05)
    if then is not None:
        model.default = then
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    killed_at = time.monotonic()
    proc = _serve(args, env, tmp_path)
    _wait_healthy(f"http://127.0.0.1:{args[-1]}", proc)
    return proc, killed_at


@pytest.mark.timeout(150)
def test_kill_9_mid_answer_then_restart_answers_exactly_once(slack, tmp_path):
    """SQLite mode: the whole `serve --http` (gunicorn, its worker, the job process) is
    SIGKILLed while the model is writing; the restarted server finishes the reply in the
    placeholder it had posted, once."""
    with ArticleServer() as articles, FakeOpenAI() as model:
        model.default = Reply("- The bridge reopened.", first_token_delay=10)
        env = _env(slack, tmp_path, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=model.base_url)
        base, args = _http_address()
        proc = _serve(args, env, tmp_path)
        try:
            _wait_healthy(base, proc)
            assert _slash(base, slack, articles.url("/story")) == 200
            slack.wait_for("chat.postMessage", timeout=30)  # the placeholder: work under way
            proc, killed_at = _kill_mid_answer_and_restart(proc, model, args, env, tmp_path)
            deadline = killed_at + 60
            while not [c for c in slack.calls("chat.update") if c.params.get("blocks")]:
                assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.2)
            time.sleep(2)  # a duplicate would show up now
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    finals = [c for c in slack.calls("chat.update") if c.params.get("blocks")]
    assert len(finals) == 1
    assert "The bridge reopened." in str(finals[0].params["blocks"])
    placeholders = slack.calls("chat.postMessage")
    assert len(placeholders) == 1  # no second reply: the first one was finished
    assert finals[0].params["ts"] == placeholders[0].response["ts"]


@pytest.mark.timeout(150)
def test_kill_9_between_queuing_a_job_and_finishing_its_event_then_one_reply(slack, tmp_path):
    """SQLite mode: the whole server is SIGKILLed right after an event's job was written to
    the queue, before the event was marked handled. Restarted, it gets Slack's retry of the
    event (its lease ran out): the retry's job is the queued one, answered once; no second
    job turns up when the first one's grace runs out either."""
    with ArticleServer() as articles:
        env = _env(
            slack,
            tmp_path,
            SLACK_STREAM="false",
            **crash_hook.env(tmp_path, "bot.store.sqlite:SQLiteStore"),
        )
        base, args = _http_address()
        body = mention_body(slack, "Ev0KILLWINDOW", "C0KILLWIN", articles.url("/story"))
        proc = _serve(args, env, tmp_path)
        try:
            _wait_healthy(base, proc)
            with pytest.raises(OSError):  # killed mid-request: no ack reaches Slack
                signed_post(base, body, "application/json")
            proc.wait(timeout=10)
            killed_at = time.monotonic()
            assert crash_hook.crashed(tmp_path) == "Ev0KILLWINDOW"
            queue = SQLiteJobQueue.beside(tmp_path / "store.sqlite3")
            assert queue.pending() == 1  # the job was written down before the kill
            proc = _serve(args, env, tmp_path)
            _wait_healthy(base, proc)
            time.sleep(max(0.0, killed_at + 2.5 - time.monotonic()))  # the lease ran out
            assert signed_post(base, body, "application/json", RETRY) == 200
            deadline = time.monotonic() + 60
            while not [c for c in slack.calls("chat.update") if c.params.get("blocks")]:
                assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.2)
            # A second job would be run once the first one's grace (a job lease) runs out.
            time.sleep(max(0.0, killed_at + LEASE_SECONDS + 8 - time.monotonic()))
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    finals = [c for c in slack.calls("chat.update") if c.params.get("blocks")]
    placeholders = slack.calls("chat.postMessage")
    assert len(placeholders) == 1 and len(finals) == 1, (tmp_path / "server.log").read_text()
    assert finals[0].params["ts"] == placeholders[0].response["ts"]
    assert queue.pending() == 0


@pytest.mark.timeout(150)
def test_kill_9_while_answering_a_link_s_question_then_restart_answers_it_once(slack, tmp_path):
    """SQLite mode, a mention that brings a link and a question (an AskAboutMessage job):
    the whole server is SIGKILLed while the model writes the answer; restarted, it answers
    the question once, from that article, and no reply is left unfinished."""
    with ArticleServer() as articles, FakeOpenAI() as model:
        model.default = Reply("The city paid: 14 million euros.", first_token_delay=10)
        env = _env(slack, tmp_path, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=model.base_url)
        base, args = _http_address()
        text = f"<{articles.url('/story')}> Who paid for the repairs?"
        body = mention_body(slack, "Ev0KILLASK", "C0KILLASK", text)
        proc = _serve(args, env, tmp_path)
        try:
            _wait_healthy(base, proc)
            assert signed_post(base, body, "application/json") == 200
            second = Reply("The city paid: 14 million euros.")  # no delay this time
            proc, killed_at = _kill_mid_answer_and_restart(
                proc, model, args, env, tmp_path, then=second
            )
            deadline = killed_at + 60
            while "14 million" not in "".join(_messages(slack).values()):
                assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.2)
            time.sleep(2)  # a duplicate would show up now
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert (
        "<question>" in model.user_prompt() and "Who paid for the repairs?" in model.user_prompt()
    )
    answered = [text for text in _messages(slack).values() if "The city paid" in text]
    assert len(answered) == 1  # one message carries the answer (its text and its blocks)
    for start in slack.calls("chat.startStream"):
        assert slack.calls("chat.stopStream") and start.response["ts"] in {
            stop.params["ts"] for stop in slack.calls("chat.stopStream")
        }, "a stream was left open"


def _messages(slack: FakeSlack) -> dict[str, str]:
    """What each message the bot posted or streamed shows now, by its ts: its last update,
    else its streamed or posted text."""
    shown = {c.response["ts"]: text_of(c) for c in slack.calls("chat.postMessage") if c.ok}
    for call in slack.calls("chat.startStream"):
        shown[call.response["ts"]] = slack.streamed_text(call.response["ts"])
    for call in slack.calls("chat.update"):
        shown[call.params["ts"]] = text_of(call)
    return shown
