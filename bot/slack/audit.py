"""The audit log: one JSON line per request (a summary or an answer asked for), on the
`articlebot.audit` logger.

Each line says who asked (team, channel, user), from which surface, what the request was
about (each source's kind and, for links, only the host), how it ended (answered, refused
and why, failed and why), which engine and model answered, and the tokens and cost. Never
the article, the question, instructions, titles, file names or full URLs: those can be
private, and the log goes wherever logs go.

A request refused before it became a job (rate limited, the queue full) is logged at once;
a job's line is written when it ends, in whichever process ran it. The lines are JSON
whatever LOG_FORMAT says (collectors parse them on their own), on stderr like every log
line (starting with the same timestamp, level, logger and message keys as LOG_FORMAT=json's
lines), or in AUDIT_LOG_PATH instead; AUDIT_LOG=false turns them off.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from logging.handlers import WatchedFileHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.errors import ArticlebotError, LLMError
from bot.logs import StderrHandler, base_fields, iso_timestamp, redact

if TYPE_CHECKING:
    from bot.llm.usage import Usage
    from bot.pipeline import Result
    from bot.settings import Settings

LOGGER = "articlebot.audit"
log = logging.getLogger(LOGGER)

# Job kinds that are requests (bot.slack.tasks): summaries and answers. Help texts, notes and
# auto-mode offers are the bot talking, not someone asking for work.
REQUEST_KINDS = frozenset(
    {
        "summarize",
        "summarize_ref",
        "ask",
        "ask_about_links",
        "ask_about_message",
        "ask_when_ready",
        "park_question",
        "from_thread_start",
        "recap_thread",
        "digest",
    }
)
# Error codes (bot.errors) that are the bot declining, not something breaking.
REFUSALS = frozenset(
    {
        "blocked_address",
        "too_large",
        "invalid_url",
        "unsupported_type",
        "too_many_redirects",
        "not_an_article",
    }
)
# An answer the offline engine wrote because the model failed (the log line says how).
MODEL_FAILED = "model_failed"
# An answer the offline engine wrote because the channel's daily token budget was spent.
BUDGET_SPENT = "budget_spent"
MAX_HOST = 255  # a host name is never longer; anything longer is junk, not worth logging


def is_request(job: Any) -> bool:
    return getattr(job, "kind", None) in REQUEST_KINDS


@dataclass
class Record:
    """One request's line, filled in while its job runs."""

    fields: dict[str, Any]
    started: float = field(default_factory=time.monotonic)
    outcome: str = "answered"
    reason: str | None = None
    replies: int = 0
    engine: str | None = None
    model: str | None = None
    cached: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated: bool = False
    cost_usd: float | None = None

    def fail(self, outcome: str, reason: str) -> None:
        if self.reason is None:  # the first reason is the one that stopped it
            self.outcome, self.reason = outcome, reason

    def line(self) -> dict[str, Any]:
        return {
            **self.fields,
            "outcome": self.outcome,
            "reason": self.reason,
            "replies": self.replies,
            "engine": self.engine,
            "model": self.model,
            "cached": self.cached,
            "tokens": {
                "prompt": self.prompt_tokens,
                "completion": self.completion_tokens,
                "total": self.prompt_tokens + self.completion_tokens,
                "estimated": self.estimated,
            },
            "cost_usd": None if self.cost_usd is None else round(self.cost_usd, 8),
            "duration_ms": round((time.monotonic() - self.started) * 1000),
        }


_current: ContextVar[Record | None] = ContextVar("articlebot_audit", default=None)


def describe(job: Any) -> dict[str, Any]:
    """Who asked what, from a job: ids, the surface, and the sources' kinds and hosts."""
    dest = getattr(job, "dest", None)
    return {
        "event": "request",
        "request_id": job.request_id,
        "job_id": job.id,
        "team": getattr(dest, "team", None),
        "channel": getattr(dest, "channel", None),
        "user": getattr(dest, "user", None),
        "surface": job.name,
        "action": job.kind,
        "sources": sources(job),
    }


def sources(job: Any) -> list[dict[str, str | None]]:
    found: list[dict[str, str | None]] = []
    for file in getattr(job, "files", ()):
        pdf = file.get("mimetype") == "application/pdf" or file.get("filetype") == "pdf"
        found.append({"kind": "pdf" if pdf else "slack_file", "host": None})
    parsed = getattr(job, "parsed", None)
    if parsed is not None and parsed.kind == "paste":
        found.append({"kind": "paste", "host": None})
    urls = list(getattr(job, "urls", ()))
    if parsed is not None and parsed.kind == "link":
        urls += parsed.urls
    found += [{"kind": "url", "host": host(url)} for url in urls]
    refs = [*getattr(job, "articles", ()), *filter(None, [getattr(job, "ref", None)])]
    found += [{"kind": "remembered", "host": host(ref.url) if ref.url else None} for ref in refs]
    if job.kind in ("ask_when_ready", "park_question", "from_thread_start", "recap_thread"):
        found.append({"kind": "thread", "host": None})  # the thread's article, read later
    return found


def host(url: str) -> str | None:
    """Only the host of a link: its path and query may be private (tokens, ids)."""
    try:
        name = urlsplit(url).hostname
    except ValueError:
        return None
    return name[:MAX_HOST] if name else None


@contextmanager
def recording(settings: Settings, job: Any) -> Iterator[None]:
    """Collect what the job does (note_result / note_error), then write its line."""
    if not settings.audit_log or not is_request(job) or not getattr(job, "audited", True):
        yield
        return
    record = Record(describe(job))
    token = _current.set(record)
    try:
        yield
    except Exception:
        record.fail("failed", "unexpected")
        raise
    except BaseException:
        record.fail("failed", "stopped")  # the queue's time limit interrupted it
        raise
    finally:
        _current.reset(token)
        write(settings, record.line())


def note_result(result: Result) -> None:
    """A summary or answer was written (one per article summarized)."""
    record = _current.get()
    if record is None:
        return
    record.replies += 1
    record.engine, record.model = result.engine, result.model
    if result.model_error and record.reason is None:  # answered, but by the offline engine
        record.reason = MODEL_FAILED
    record.cached = record.cached or result.cached
    _add_usage(record, result.usage)


def note_reason(reason: str) -> None:
    """Why an answered request wasn't answered as usual (BUDGET_SPENT), when nothing else
    was said first."""
    record = _current.get()
    if record is not None and record.reason is None:
        record.reason = reason


def _add_usage(record: Record, usage: Usage) -> None:
    record.prompt_tokens += usage.prompt_tokens
    record.completion_tokens += usage.completion_tokens
    record.estimated = record.estimated or usage.estimated
    if usage.cost_usd is not None:
        record.cost_usd = (record.cost_usd or 0.0) + usage.cost_usd


def note_error(exc: BaseException) -> None:
    """The job told the asker it couldn't do (part of) the request."""
    record = _current.get()
    if record is None:
        return
    code = exc.code if isinstance(exc, ArticlebotError) else "unexpected"
    record.fail("refused" if code in REFUSALS else "failed", code)
    if isinstance(exc, LLMError) and exc.spent:  # a model that failed midway was still paid
        _add_usage(record, exc.spent)


def refused(settings: Settings, job: Any, reason: str) -> None:
    """A request turned away before it became a job (rate limited, too many in progress)."""
    ended(settings, job, "refused", reason)


def ended(settings: Settings, job: Any, outcome: str, reason: str) -> None:
    """A request's line when its job never ran (refused, or given up after crashes)."""
    if settings.audit_log and is_request(job):
        write(settings, Record(describe(job), outcome=outcome, reason=reason).line())


# --- output ---------------------------------------------------------------------------------


class _JsonLine(logging.Formatter):
    """On stderr, a line starts with the keys of every JSON log line (timestamp, level,
    logger, message: a collector filtering on `level` keeps it); in AUDIT_LOG_PATH, which
    holds nothing else, only the timestamp. Same timestamp format either way."""

    def __init__(self, *, base: bool) -> None:
        super().__init__()
        self._base = base

    def format(self, record: logging.LogRecord) -> str:
        stamp = {"timestamp": iso_timestamp(record.created)}
        line = {**(base_fields(record) if self._base else stamp), **getattr(record, "audit", {})}
        # Nothing secret is put in a line; masking anyway costs nothing and guards mistakes.
        return redact(json.dumps(line, ensure_ascii=False, default=str))


_lock = threading.Lock()
_where: str | None = None  # where the handler writes ("-" for stderr); None: not set up


def _handler(settings: Settings) -> None:
    """Our one handler on the audit logger, writing where the settings say (set up on the
    first line, in each process: the job process and `articlebot worker`s too). Called with
    _lock held."""
    global _where
    wanted = settings.audit_log_path or "-"
    if _where == wanted:
        return
    for old in log.handlers[:]:
        if isinstance(old, StderrHandler | WatchedFileHandler):
            log.removeHandler(old)
            old.close()
    if settings.audit_log_path:
        Path(settings.audit_log_path).parent.mkdir(parents=True, exist_ok=True)
        # Reopened when logrotate moves the file away.
        handler: logging.Handler = WatchedFileHandler(settings.audit_log_path, delay=True)
    else:
        handler = StderrHandler()
    handler.setFormatter(_JsonLine(base=not settings.audit_log_path))
    log.addHandler(handler)
    log.setLevel(logging.INFO)  # on whatever LOG_LEVEL is: an audit trail isn't chatter
    log.propagate = False  # JSON whatever LOG_FORMAT is, and never twice
    _where = wanted


def write(settings: Settings, line: dict[str, Any]) -> None:
    try:
        with _lock:  # one process serving two settings (tests) writes each line to its place
            _handler(settings)
            log.info("request", extra={"audit": line})
    except Exception:  # the audit log must never cost a reply
        logging.getLogger(__name__).exception("couldn't write an audit line")
