"""bot/logs.py: the one logging set-up of every process — JSON fields, request ids, secrets
masked — and the LOG_LEVEL / LOG_FORMAT settings."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.logs import (
    bind_request_id,
    current_request_id,
    mask_values,
    redact,
    safe_url,
    setup_logging,
)
from bot.settings import Settings, get_settings
from bot.slack.middleware import begin_requests

ROOT = Path(__file__).resolve().parents[1]
TOKENS = {
    "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp": "xoxb-***",
    "xoxp-11-22-33-abcdef": "xoxp-***",
    "xoxe.xoxb-1-abcDEF": "xoxe.xoxb-***",
    "xapp-1-A012345-6789-abcdef0123": "xapp-***",
    "sk-proj-AbCdEf0123456789_xyz": "sk-***",
    "Bearer eyJhbGciOi.JIUzI1NiJ9/x+y=": "Bearer ***",
}


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _json_lines(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_json_lines_carry_timestamp_level_logger_message(capsys: pytest.CaptureFixture) -> None:
    setup_logging("INFO", "json")
    logging.getLogger("bot.example").info("fetched %s in %d ms", "https://example.com/a", 42)
    (line,) = _json_lines(capsys.readouterr().err)
    assert line["level"] == "INFO"
    assert line["logger"] == "bot.example"
    assert line["message"] == "fetched https://example.com/a in 42 ms"
    when = datetime.fromisoformat(line["timestamp"])
    assert when.utcoffset() == timedelta(0)  # ISO 8601, in UTC
    assert abs(datetime.now(UTC) - when) < timedelta(minutes=1)
    assert "request_id" not in line  # none bound


def test_json_exc_info_is_a_string_and_extras_are_fields(capsys: pytest.CaptureFixture) -> None:
    setup_logging("INFO", "json")
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        logging.getLogger("bot.job").exception("job failed", extra={"job": "summarize"})
    (line,) = _json_lines(capsys.readouterr().err)
    assert isinstance(line["exc_info"], str) and "ZeroDivisionError" in line["exc_info"]
    assert line["job"] == "summarize" and line["level"] == "ERROR"


def test_the_bound_request_id_is_on_every_line_inside_the_block(
    capsys: pytest.CaptureFixture,
) -> None:
    setup_logging("INFO", "json")
    log = logging.getLogger("bot.slack")
    with bind_request_id("Ev0123ABC"):
        log.info("inside")
        assert current_request_id() == "Ev0123ABC"
    log.info("after")
    inside, after = _json_lines(capsys.readouterr().err)
    assert inside["request_id"] == "Ev0123ABC"
    assert "request_id" not in after and current_request_id() is None


def test_text_lines_show_the_request_id(capsys: pytest.CaptureFixture) -> None:
    setup_logging("INFO", "text")
    with bind_request_id("Ev9"):
        logging.getLogger("bot.slack.jobs").warning("slow reply")
    logging.getLogger("bot.slack.jobs").warning("no id")
    assert capsys.readouterr().err.splitlines() == [
        "WARNING bot.slack.jobs [Ev9]: slow reply",
        "WARNING bot.slack.jobs: no id",
    ]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_secrets_are_masked_in_messages_args_and_tracebacks(
    fmt: str, capsys: pytest.CaptureFixture
) -> None:
    setup_logging("INFO", fmt)  # type: ignore[arg-type]
    log = logging.getLogger("bot.leaky")
    for secret in TOKENS:
        log.info("calling with %s", secret)
        log.info(f"inline {secret} too")
    try:
        raise RuntimeError(f"auth failed for {next(iter(TOKENS))}")
    except RuntimeError:
        log.exception("boom")
    err = capsys.readouterr().err
    for secret, masked in TOKENS.items():
        assert secret not in err
        assert masked in err
    assert "RuntimeError: auth failed for xoxb-***" in err.replace("\\n", "\n")


def test_redact_leaves_ordinary_words_alone() -> None:
    text = "task-force sk-short xoxb bearer of news, skeleton-key"
    assert redact(text) == text


def test_log_level_filters(capsys: pytest.CaptureFixture) -> None:
    setup_logging("warning", "text")
    log = logging.getLogger("bot.levels")
    log.info("hidden")
    log.warning("shown")
    assert capsys.readouterr().err == "WARNING bot.levels: shown\n"


def test_setting_up_twice_keeps_one_handler(capsys: pytest.CaptureFixture) -> None:
    setup_logging("INFO", "text")
    setup_logging("INFO", "json")  # e.g. a forked worker re-configuring
    logging.getLogger("bot.once").info("one line")
    assert len(_json_lines(capsys.readouterr().err)) == 1


def test_slack_middleware_tags_the_listeners_lines_with_the_request_id(slack: Any) -> None:
    """In Bolt's real order: the listener runs after every middleware has returned."""
    from slack_bolt import App
    from slack_bolt.request import BoltRequest
    from slack_sdk import WebClient

    class Claims:
        def claim_event(self, event_id: str, lease_seconds: float) -> bool:
            return True

        def finish_event(self, event_id: str, ttl_seconds: float) -> None:
            pass

    app = App(
        client=WebClient(token=slack.token, base_url=slack.api_url),
        token_verification_enabled=False,
        request_verification_enabled=False,
        process_before_response=True,
    )
    app.middleware(begin_requests(Claims()))
    seen: list[str | None] = []

    @app.event("app_mention")
    def mention(ack: Any) -> None:
        seen.append(current_request_id())

    @app.command("/summarize")
    def summarize(ack: Any) -> None:
        ack()
        seen.append(current_request_id())

    def dispatch(body: dict[str, Any]) -> None:
        app.dispatch(BoltRequest(body=body, mode="socket_mode"))

    event = {
        "type": "event_callback",
        "event_id": "Ev42",
        "team_id": "T1",
        "event": {"type": "app_mention", "user": "U1", "text": "hi", "ts": "1.0", "channel": "C1"},
    }
    dispatch(event)
    dispatch(
        {
            "command": "/summarize",
            "trigger_id": "123.456.abc",
            "team_id": "T1",
            "user_id": "U1",
            "channel_id": "C1",
            "text": "",
        }
    )
    assert seen == ["Ev42", "123.456.abc"]


# --- settings and the CLI ---------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.chdir(tmp_path)
    for name in ("LOG_LEVEL", "LOG_FORMAT", "OPENAI_API_KEY", "OPENAI_BASE_URL", "ENGINE"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_an_invalid_log_format_is_one_settings_line(cli_env: pytest.MonkeyPatch) -> None:
    cli_env.setenv("LOG_FORMAT", "xml")
    result = CliRunner().invoke(cli, ["clean", "-"], input="Some text.")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: bad setting LOG_FORMAT: Input should be 'text' or 'json' (got 'xml'). "
        "Check your environment or .env file."
    ]


def test_the_cli_logs_json_lines_when_asked(cli_env: pytest.MonkeyPatch) -> None:
    cli_env.setenv("LOG_FORMAT", "json")
    result = CliRunner().invoke(cli, ["clean", "http://127.0.0.1:9/story", "-v"])
    assert result.exit_code == 1  # the SSRF guard refuses loopback (and logs it at INFO)
    (line,) = _json_lines(result.stderr)
    assert line["logger"] == "bot.ingest.ssrf" and line["level"] == "INFO"
    assert line["message"].startswith("blocked a link")


def test_the_cli_is_quiet_unless_asked(cli_env: pytest.MonkeyPatch) -> None:
    assert CliRunner().invoke(cli, ["prompts"]).exit_code == 0
    assert logging.getLogger().level == logging.ERROR
    assert CliRunner().invoke(cli, ["prompts", "-v"]).exit_code == 0
    assert logging.getLogger().level == logging.INFO


def test_gunicorns_own_lines_use_our_format(capsys: pytest.CaptureFixture) -> None:
    from gunicorn.config import Config

    from bot.slack.server import gunicorn_logger_class

    setup_logging("INFO", "json")
    gunicorn_logger_class()(Config()).info("Booting worker with pid: %s", 4242)
    (line,) = _json_lines(capsys.readouterr().err)
    assert line["logger"] == "gunicorn.error"
    assert line["message"] == "Booting worker with pid: 4242"


# --- every record, every handler, the configured secrets ----------------------------------------

CONFIGURED = {
    "slack_signing_secret": "plain-signing-value-0123",  # looks like nothing in particular
    "openai_api_key": "plainkey-for-a-local-model",
    "redis_url": "redis://articlebot:redis-pass-0123@cache.internal:6379/0",
}
PLAIN_SECRETS = ("plain-signing-value-0123", "plainkey-for-a-local-model", "redis-pass-0123")


@pytest.fixture
def configured() -> None:
    """Settings read with secrets that look like nothing: reading them registers them."""
    Settings(_env_file=None, **CONFIGURED)  # type: ignore[arg-type]


@pytest.fixture
def library_logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A library's logger with its own handler and plain formatter, not propagating (as
    uvicorn's or a library's own logging config sets up): none of our filters on it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("somelib.http")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield logger, stream
    logger.removeHandler(handler)
    logger.propagate = True


def test_a_library_logger_with_its_own_handler_is_masked_too(
    configured: None, library_logger: tuple[logging.Logger, io.StringIO]
) -> None:
    setup_logging("DEBUG", "text")
    logger, stream = library_logger
    logger.debug("headers: %s", {"Authorization": "Bearer xoxb-1-2-abcdefgh"})
    logger.debug("signing with %s", "plain-signing-value-0123")
    logger.info("POST %s", "http://user:urlpass-0123@model.internal/v1/chat")
    try:
        raise ConnectionError("redis://:redis-pass-0123@cache.internal:6379/0 refused")
    except ConnectionError:
        logger.exception("connect failed")
    out = stream.getvalue()
    for secret in (*PLAIN_SECRETS, "xoxb-1-2-abcdefgh", "urlpass-0123", "user:"):
        assert secret not in out
    assert "POST http://model.internal/v1/chat" in out
    assert "Bearer ***" in out and "ConnectionError: redis://cache.internal:6379/0" in out


def test_args_keep_their_shape_for_formatters_that_read_them(
    library_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    """An access-log formatter reads record.args as a tuple: masking must not flatten it."""
    setup_logging("DEBUG", "text")
    logger, _ = library_logger
    seen: list[object] = []

    class TupleReader(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            seen.append(record.args)
            return True

    logger.handlers[0].addFilter(TupleReader())
    logger.info('%s - "%s %s" %d', "127.0.0.1:5000", "GET", "/cb?token=xoxb-9-9-abcdefgh", 200)
    (args,) = seen
    assert args == ("127.0.0.1:5000", "GET", "/cb?token=***", 200)


def test_configured_secrets_are_masked_even_when_they_look_like_nothing(
    configured: None, capsys: pytest.CaptureFixture
) -> None:
    setup_logging("INFO", "json")
    log = logging.getLogger("bot.leaky")
    for secret in PLAIN_SECRETS:
        log.info("value %s", secret)
        log.info(f"inline {secret}")
    err = capsys.readouterr().err
    assert err.count("***") == 2 * len(PLAIN_SECRETS)
    for secret in PLAIN_SECRETS:
        assert secret not in err


def test_short_configured_values_are_not_masked_everywhere() -> None:
    mask_values("abc", "", None)
    assert redact("abc abcdef") == "abc abcdef"


def test_a_value_with_a_line_break_is_masked_whole_and_in_its_parts() -> None:
    mask_values("first-half-0123\nsecond-half-4567")
    assert redact("b'Bearer first-half-0123\\nsecond-half-4567'") == "b'Bearer ***\\n***'"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:PASS@host/api/", "http://host/api/"),
        ("redis://:p%40ss@cache:6379/0", "redis://cache:6379/0"),
        ("https://a@b@host:8443/x?q=1#f", "https://host:8443/x?q=1#f"),
        ("https://example.com/story?id=7", "https://example.com/story?id=7"),
        ("https://example.com/cb?token=abc123", "https://example.com/cb?token=***"),
        ("http://[::1", "http://[::1"),  # unparsable: left as it was, masked
    ],
)
def test_safe_url_drops_user_and_password(url: str, shown: str) -> None:
    assert safe_url(url) == shown


def test_uncaught_exceptions_are_logged_masked(tmp_path: Path) -> None:
    """In the main thread and in other threads: through logging, not straight to stderr."""
    script = (
        "import threading\n"
        "from bot.logs import setup_logging\n"
        "from bot.settings import Settings\n"
        "Settings(_env_file=None, slack_signing_secret='plain-signing-value-0123')\n"
        "setup_logging('INFO', 'text')\n"
        "def boom():\n"
        "    raise ValueError('thread saw plain-signing-value-0123')\n"
        "t = threading.Thread(target=boom, name='worker-1'); t.start(); t.join()\n"
        "raise RuntimeError(\"Invalid header value b'Bearer xoxb-1-2-abcdefgh\\\\nx'\")\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    err = proc.stderr
    assert "plain-signing-value-0123" not in err and "abcdefgh" not in err
    assert "ERROR bot.unhandled: unhandled ValueError in thread worker-1" in err
    assert "ValueError: thread saw ***" in err
    assert "CRITICAL bot.unhandled: unhandled RuntimeError" in err
    assert "Bearer ***" in err
