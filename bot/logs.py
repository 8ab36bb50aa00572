"""Logging for every process (the CLI, `articlebot serve`, gunicorn workers, the job process).

    setup_logging("INFO", "json")         # once per process, after reading the settings
    with bind_request_id(body["event_id"]):
        ...                               # every line logged in here carries request_id

`text` lines read "LEVEL logger: message"; `json` lines are one object each with timestamp
(ISO 8601, UTC), level, logger, message, request_id (when one is bound), exc_info (a string)
and any `extra=` fields. Slack tokens, `sk-` API keys and `Bearer` values are masked in every
line, whatever logged them.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal, TextIO

# python-json-logger rather than our own formatter: it already turns `extra=` fields,
# exc_info/stack_info and values JSON can't hold (datetimes, objects) into JSON.
from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["text", "json"]

_request_id: ContextVar[str | None] = ContextVar("articlebot_request_id", default=None)

# Slack bot/user/app tokens (rotating ones start xoxe.), OpenAI-style keys, Authorization values.
_SECRETS = re.compile(
    r"\b((?:xoxe\.)?xox[abposre]-|xapp-)[A-Za-z0-9-]+"
    r"|\b(sk-)[A-Za-z0-9_-]{8,}"
    r"|\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}",  # "bearer of news" is no credential
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """`text` with every secret's value replaced; the prefix stays, to tell which kind it was."""
    return _SECRETS.sub(lambda m: f"{m[m.lastindex or 0]}***", text)


@contextmanager
def bind_request_id(request_id: str | None) -> Iterator[None]:
    """Tag every line logged in this block (in this thread or task) with `request_id`."""
    token = _request_id.set(request_id or None)
    try:
        yield
    finally:
        _request_id.reset(token)


def set_request_id(request_id: str | None) -> None:
    """Tag every line logged from here on in this thread with `request_id`, until the next
    call: Bolt runs a request's listener after its middleware has returned, on the same
    thread, so a block (`bind_request_id`) would end too soon."""
    _request_id.set(request_id or None)


def current_request_id() -> str | None:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Adds `record.request_id` when one is bound (so JSON lines without one don't carry null)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _request_id.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


class RedactFilter(logging.Filter):
    """Masks secrets in the message and its args, once, before any formatter sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


class _TextFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        tag = f" [{request_id}]" if request_id else ""
        return f"{record.levelname} {record.name}{tag}: {record.message}"

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))  # tracebacks too


class _JsonFormatter(JsonFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))  # tracebacks and extra fields too


def formatter(fmt: LogFormat) -> logging.Formatter:
    if fmt == "json":
        return _JsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,
        )
    return _TextFormatter()


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (click's test runner swaps it)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def setup_logging(level: str | int, fmt: LogFormat = "text") -> logging.Handler:
    """Our handler on the root logger (replacing one set up before, e.g. in a parent process
    before a fork; other handlers are left alone), and the root level."""
    handler = _StderrHandler()
    handler.setFormatter(formatter(fmt))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    for old in root.handlers[:]:
        if isinstance(old, _StderrHandler):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    return handler
