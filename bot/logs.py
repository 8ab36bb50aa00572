"""Logging for every process (the CLI, `articlebot serve`, gunicorn workers, the job process).

    setup_logging("INFO", "json")         # once per process, after reading the settings
    with bind_request_id(body["event_id"]):
        ...                               # every line logged in here carries request_id

`text` lines read "LEVEL logger: message"; `json` lines are one object each with timestamp
(`iso_timestamp`: ISO 8601, UTC, milliseconds, "Z"), level, logger, message, request_id (when
one is bound), exc_info (a string) and any `extra=` fields; never ANSI colour codes (uvicorn's
`color_message` is dropped). `base_fields` are the keys every JSON line on stderr starts with,
whoever writes it (the audit log's lines too).

Secrets are masked in every record of the process, whatever logged it (slack_sdk, httpx,
gunicorn...) and whichever handler writes it: Slack tokens, `sk-` API keys, `Bearer` values,
the user name and password of any URL, and the configured secrets' own values (registered by
`bot.settings.Settings` through `mask_values`), in the message, its args, tracebacks and
stack traces. `safe_url` is the form of a URL to show anyone.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TextIO
from urllib.parse import urlsplit, urlunsplit

from bot.once import once

if TYPE_CHECKING:
    from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["text", "json"]

_request_id: ContextVar[str | None] = ContextVar("articlebot_request_id", default=None)

# Slack bot/user/app tokens (rotating ones start xoxe.), OpenAI-style keys, Authorization values,
# credentials in a query string.
_SECRETS = re.compile(
    r"\b((?:xoxe\.)?xox[abposre]-|xapp-)[A-Za-z0-9-]+"
    r"|\b(sk-)[A-Za-z0-9_-]{8,}"
    r"|\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}"  # "bearer of news" is no credential
    r"|\b((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?token)=)[^&\s'\"]+",
    re.IGNORECASE,
)
# The user name and password of a URL (scheme://user:pass@host): everything from :// to the
# last @ before the path. Quotes and brackets never occur in one, so a match can't run on
# into the next field of a JSON line.
_USERINFO = re.compile(r"\b([a-z][a-z0-9+.-]*://)[^/?#\s\"'<>\\]*@", re.IGNORECASE)
_MASK = "***"
# Shorter configured values are not masked: "abc" would be masked inside every word.
MIN_MASKED_LENGTH = 8

# Terminal colour codes (CSI sequences): uvicorn colours its messages for a terminal.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

_masked_lock = threading.Lock()
_masked: frozenset[str] = frozenset()
_masked_pattern: re.Pattern[str] | None = None


def mask_values(*values: str | None) -> None:
    """Mask these exact values in every log line from now on, even when they don't look like
    a token (a signing secret, a Redis password). Runs of visible characters inside a value
    are masked on their own too: a key with a stray line break shows up split, or escaped."""
    global _masked, _masked_pattern
    found: set[str] = set()
    for value in values:
        if not value:
            continue
        found.add(value)
        found.update(re.findall(r"[\x21-\x7e]+", value))
    found = {value for value in found if len(value) >= MIN_MASKED_LENGTH}
    with _masked_lock:
        if found <= _masked:
            return
        _masked = _masked | found
        longest_first = sorted(_masked, key=len, reverse=True)
        _masked_pattern = re.compile("|".join(re.escape(value) for value in longest_first))


def redact(text: str) -> str:
    """`text` with every secret's value replaced; a token's prefix stays, to tell which kind it
    was; a URL loses its user name and password."""
    text = _SECRETS.sub(lambda m: f"{m[m.lastindex or 0]}{_MASK}", text)
    text = _USERINFO.sub(r"\1", text)
    pattern = _masked_pattern
    return pattern.sub(_MASK, text) if pattern is not None else text


def safe_url(url: str) -> str:
    """`url` without its user name and password (and any secret `redact` knows): what to put
    in a message or a log line. Everything else, the query included, stays as it was."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url)
    if "@" in parts.netloc:
        url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    return redact(url)


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


def _clean(value: Any) -> Any:
    """A log call's argument with its secrets masked; itself (type and all) when it has none,
    so formatters that read args (e.g. an access log's) still get what they expect."""
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, int | float):
        return value
    try:
        shown = str(value)
    except Exception:  # an object that can't print itself: logging reports it
        return value
    cleaned = redact(shown)
    return value if cleaned == shown else cleaned


_TRACEBACKS = logging.Formatter()


def redact_record(record: logging.LogRecord) -> None:
    """Mask the secrets in a record, in place: its message and args, its traceback (formatted
    now into exc_text, which every standard formatter prints instead) and its stack."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it when the record is written
        message = None
    if message is not None and redact(message) != message:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(arg) for arg in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {key: _clean(arg) for key, arg in record.args.items()}
        with suppress(Exception):  # else the message as it was, masked whole below
            message = record.getMessage()
        if redact(message) != message:  # a secret only formatting put together
            record.msg, record.args = redact(message), None
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = redact(record.exc_text or _TRACEBACKS.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactFilter(logging.Filter):
    """Masks secrets in a record before any formatter sees it (records made without the
    record factory, e.g. by `logging.makeLogRecord`, are masked here too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def _install_record_factory() -> None:
    """Every record of the process is masked as it is made, whichever logger and handler it
    goes to: third-party handlers (uvicorn's, a library's own) have no RedactFilter."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts", False):
        return

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        redact_record(record)
        return record

    make_record.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)


_unhandled = logging.getLogger("bot.unhandled")


def _log_uncaught(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    _unhandled.critical("unhandled %s", exc_type.__name__, exc_info=(exc_type, exc, tb))


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else "?"
    _unhandled.error(
        "unhandled %s in thread %s",
        args.exc_type.__name__,
        name,
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )


def _install_exception_hooks() -> None:
    """Uncaught exceptions print their traceback through logging (so, masked), not straight
    to stderr; hooks someone else installed (a debugger, pytest) are left alone."""
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = _log_uncaught
    if threading.excepthook is threading.__excepthook__:
        threading.excepthook = _log_thread_exception


def iso_timestamp(created: float) -> str:
    """The one timestamp format of every JSON line (the audit file's too): ISO 8601 in UTC,
    to the millisecond, with "Z" (`2025-01-31T09:15:25.899Z`)."""
    stamp = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def base_fields(record: logging.LogRecord) -> dict[str, Any]:
    """timestamp, level, logger, message: what a collector filters and sorts every line on."""
    return {
        "timestamp": iso_timestamp(record.created),
        "level": record.levelname,
        "logger": record.name,
        "message": _ANSI.sub("", record.getMessage()),
    }


class _TextFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        tag = f" [{request_id}]" if request_id else ""
        return f"{record.levelname} {record.name}{tag}: {record.message}"

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))  # tracebacks too


@once
def _json_formatter_class() -> type[JsonFormatter]:
    # python-json-logger rather than our own formatter: it already turns `extra=` fields,
    # exc_info/stack_info and values JSON can't hold (datetimes, objects) into JSON. Loaded
    # only for LOG_FORMAT=json: the CLI's text lines don't need it.
    from pythonjsonlogger.json import JsonFormatter

    class _JsonFormatter(JsonFormatter):
        def add_fields(
            self, log_data: dict[str, Any], record: logging.LogRecord, message: dict[str, Any]
        ) -> None:
            base = base_fields(record)
            if isinstance(record.msg, dict):  # logger.info({...}): its keys are the fields
                base["message"] = ""
            log_data.update(base)  # first, and the same as the audit's lines
            super().add_fields(log_data, record, message)
            log_data.update(base)  # over the record's own `message`, copied as an extra
            # uvicorn's copy of its message with terminal colours: noise (escaped ANSI) here.
            log_data.pop("color_message", None)

        def format(self, record: logging.LogRecord) -> str:
            return redact(super().format(record))  # tracebacks and extra fields too

    return _JsonFormatter


def formatter(fmt: LogFormat) -> logging.Formatter:
    if fmt == "json":
        # The base fields come from `base_fields`; the rest (extras, exc_info) from the library.
        return _json_formatter_class()("", style="{")
    return _TextFormatter()


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (click's test runner swaps it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def setup_logging(level: str | int, fmt: LogFormat = "text") -> logging.Handler:
    """Our handler on the root logger (replacing one set up before, e.g. in a parent process
    before a fork; other handlers are left alone), the root level, and secret masking for
    every record and uncaught exception of the process."""
    _install_record_factory()
    _install_exception_hooks()
    handler = StderrHandler()
    handler.setFormatter(formatter(fmt))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    for old in root.handlers[:]:
        if isinstance(old, StderrHandler):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    return handler
