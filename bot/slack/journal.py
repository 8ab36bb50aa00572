"""Exactly-once replies: what a job already did in Slack, kept in the store's job ledger.

A job may run more than once: its worker died mid-answer and the queue gave it to another
(or to the restarted process). The ledger remembers, per job, the ts of every message it
posted, so the second run edits its placeholder instead of posting a second reply, and
"done" once the reply is complete, so a third delivery does nothing. A job that keeps
dying (MAX_ATTEMPTS) is given up, and its placeholder says so instead of "_Writing…_"
forever.

Replies find their journal through a context variable set around the job, so the job
functions in bot.slack.jobs need no extra parameter: each `Reply` a job creates takes the
next scope ("r0", "r1", … in creation order, the same on every run of the job).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.logs import bind_request_id
from bot.slack import audit, edits
from bot.store import JobLedger
from bot.text.clip import clipped

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.slack.context import Services
    from bot.slack.tasks import Job

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # runs of one job (first run included) before it is given up
GAVE_UP = (
    "Sorry, I couldn't finish this reply: the server restarted while I was writing it, "
    "more than once. Please ask again."
)
STOPPED = "Sorry, this took too long and I stopped working on it. Please try again."
UNREADABLE = (
    "Sorry, I couldn't finish this reply: I was updated while writing it, and the new "
    "version couldn't pick it up. Please ask again."
)
DONE = "done"
ATTEMPTS = "attempts"
LEASE = "lease"
# Both job leases (the ledger's here, the SQLite queue's in bot.slack.worker) use these.
LEASE_SECONDS = 15.0  # a job whose runner stops renewing this long may be run again
RENEW_SECONDS = 5.0  # how often a runner renews the leases of its running jobs


class Journal:
    """One job's record in the ledger."""

    def __init__(self, ledger: JobLedger, job_id: str) -> None:
        self.ledger = ledger
        self.job_id = job_id
        self.marks = ledger.job_marks(job_id)
        self._scopes = 0

    def get(self, key: str) -> str | None:
        return self.marks.get(key)

    def set(self, key: str, value: str) -> None:
        self.marks[key] = value
        self.ledger.mark_job(self.job_id, key, value)

    def once(self, key: str) -> bool:
        """True the first time `key` is taken by any run of this job (then never again)."""
        if key in self.marks:
            return False
        taken = self.ledger.mark_job_once(self.job_id, key, "1")
        self.marks[key] = "1"
        return taken

    def scope(self) -> Scope:
        """The record of the job's next reply."""
        self._scopes += 1
        return Scope(self, f"r{self._scopes - 1}")


class Scope:
    """One reply's keys in its job's journal ("r0:ts", "r0:part2", …)."""

    def __init__(self, journal: Journal, prefix: str) -> None:
        self._journal = journal
        self._prefix = prefix

    def get(self, key: str) -> str | None:
        return self._journal.get(f"{self._prefix}:{key}")

    def set(self, key: str, value: str) -> None:
        self._journal.set(f"{self._prefix}:{key}", value)

    @property
    def request_id(self) -> str:
        """The reply's id for feedback and stats: the same on every run of its job."""
        return f"{self._journal.job_id}.{self._prefix}"


_current: ContextVar[Journal | None] = ContextVar("articlebot_journal", default=None)


def current_scope() -> Scope | None:
    """The next reply scope of the job running on this thread (None outside a job)."""
    journal = _current.get()
    return journal.scope() if journal is not None else None


def once(key: str) -> bool:
    """For one-off posts (notes, offers): True when this run should post `key`."""
    journal = _current.get()
    return journal.once(key) if journal is not None else True


class _Leases:
    """The jobs this process runs, each leased in the ledger and renewed while it runs.

    A lease names its runner and the delivery (the queue's message) it runs, so a second
    delivery of the job can tell what it is: the same message again (its runner died, or
    the queue thinks so) waits and takes over once the lease runs out; another message
    carrying the same job (Slack's retry of an event queued just before a crash) is
    skipped, since the holder's own message stays unacked until it finishes and is what
    the queue hands on if that runner dies."""

    def __init__(self) -> None:
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        self._held: dict[str, tuple[JobLedger, str]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def acquire(self, ledger: JobLedger, job_id: str, delivery: str | None = None) -> bool:
        value = f"{self.owner}{_DELIVERY}{delivery or ''}"
        if not ledger.mark_job_once(job_id, LEASE, value, ttl_seconds=LEASE_SECONDS):
            return False
        with self._lock:
            self._held[job_id] = (ledger, value)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._renew, name="job-leases", daemon=True)
                self._thread.start()
        return True

    def release(self, ledger: JobLedger, job_id: str) -> None:
        with self._lock:
            self._held.pop(job_id, None)
        ledger.mark_job(job_id, LEASE, "", ttl_seconds=0.001)  # expired: free at once

    def _renew(self) -> None:
        while True:
            time.sleep(RENEW_SECONDS)
            with self._lock:
                held = list(self._held.items())
            for job_id, (ledger, value) in held:
                try:
                    ledger.mark_job(job_id, LEASE, value, ttl_seconds=LEASE_SECONDS)
                except Exception:  # the store is briefly unreachable: next round
                    log.warning("couldn't renew the lease of job %s", job_id)


_DELIVERY = "|"  # between a lease's runner and the delivery it runs
_leases = _Leases()


def _lease(ledger: JobLedger, job: Job, delivery: str | None) -> bool:
    """Hold `job`'s lease, waiting while a runner of this same delivery may be dead; False
    once the job is done, or while another delivery of it runs (see _Leases)."""
    while not _leases.acquire(ledger, job.id, delivery):
        marks = ledger.job_marks(job.id)
        if marks.get(DONE):
            log.info("%s %s was answered already; delivery ignored", job.name, job.id)
            return False
        holder = marks.get(LEASE, "").partition(_DELIVERY)[2]
        if delivery and holder and holder != delivery:
            log.info("%s %s is being answered already; delivery ignored", job.name, job.id)
            return False
        time.sleep(1.0)
    return True


def execute(
    services: Services,
    client: WebClient,
    job: Job,
    *,
    exclusive: bool = False,
    delivery: str | None = None,
) -> None:
    """Run `job` at most to completion once, however often it is delivered.

    exclusive: the caller's queue already leases the job to one runner at a time (the
    SQLite queue does), so the ledger's lease would only add writes.
    delivery: what tells this delivery from another carrying the same job (the queue's
    message id); None when unknown (then a second delivery waits for the first to end).
    """
    # Imported here: limits imports the worker, which imports this module.
    from bot.slack import limits

    ledger = services.store
    with bind_request_id(job.request_id):
        if not exclusive and not _lease(ledger, job, delivery):
            return  # another delivery runs it (or ran it), and frees the asker's job slot
        try:
            _execute(services, client, job)
        finally:
            if not exclusive:
                _leases.release(ledger, job.id)
            # However the job ended (done, failed, given up): its asker's job slot is free.
            limits.release(services.settings, ledger, job)


def _execute(services: Services, client: WebClient, job: Job) -> None:
    ledger = services.store
    journal = Journal(ledger, job.id)
    if journal.get(DONE):
        log.info("%s %s was answered already; delivery ignored", job.name, job.id)
        return
    # The job's workspace: its caches, and (OAuth installs) its bot token.
    tenant = job.workspace()
    services = services.for_tenant(tenant)
    if services.workspaces is not None and job.needs_client:
        from bot.slack.oauth import NotInstalled

        try:
            if tenant is None:
                raise NotInstalled("the job names no workspace")
            client = services.workspaces.client_for(tenant, client)
        except NotInstalled as exc:  # uninstalled since it was queued: nobody to answer
            log.warning("%s %s dropped: %s", job.name, job.id, exc)
            try:
                job.not_installed(services)
            except Exception:  # the store is briefly unreachable: the next run tries again
                log.exception("%s %s: couldn't stop what it belongs to", job.name, job.id)
            journal.set(DONE, "not installed")
            return
    attempt = int(journal.get(ATTEMPTS) or 0) + 1
    journal.set(ATTEMPTS, str(attempt))
    if attempt > MAX_ATTEMPTS:
        log.error("%s %s gave up after %d runs", job.name, job.id, MAX_ATTEMPTS)
        give_up(client, journal.marks)
        journal.set(DONE, "gave up")
        audit.ended(services.settings, job, "failed", "gave_up")
        return
    if attempt > 1:
        log.warning("%s %s: run %d (an earlier run didn't finish)", job.name, job.id, attempt)
    else:
        log.info("%s %s: started", job.name, job.id)
    token = _current.set(journal)
    try:
        with audit.recording(services.settings, job):  # its audit line, when it ends
            # Asked again by an edit: the error note told the first time goes first.
            edits.take_back(client, journal, getattr(job, "dest", None))
            job.run(services, client)
    except Exception:  # a job's failure must never take its worker down
        log.exception("%s failed", job.name)
    except BaseException:
        # The queue interrupted the job (Dramatiq's time limit raises into its thread): say
        # so in the reply, which would otherwise read "Writing…" forever.
        log.error("%s %s was stopped after running too long", job.name, job.id)
        give_up(client, journal.marks, STOPPED)
        journal.set(DONE, "stopped")
        raise
    finally:
        _current.reset(token)
    journal.set(DONE, "1")


def give_up(client: WebClient, marks: dict[str, Any], text: str = GAVE_UP) -> int:
    """Edit every placeholder a job left behind to say it won't be finished; how many."""
    edited = 0
    for key, ts in marks.items():
        if not key.endswith(":ts"):
            continue
        channel = marks.get(key.removesuffix(":ts") + ":channel")
        if not channel:
            continue
        try:
            client.chat_update(channel=channel, ts=ts, text=text)
            edited += 1
        except (SlackApiError, SlackRequestError) as exc:
            log.warning("couldn't mark an unfinished reply: %s", exc)
    return edited


def unreadable(
    client: WebClient,
    ledger: JobLedger,
    payload: str | bytes,
    error: Exception,
    *,
    job_id: str | None = None,
) -> None:
    """A queued job this version can't read (queued by another version, or damaged): edit
    the placeholders its earlier runs left to say so, or else log one line saying why.

    job_id: the id the queue keeps it under, when the queue has its own (SQLite)."""
    claimed_id, kind = _identity(payload)
    job_id = job_id or claimed_id
    where = f"job {job_id or '(no id)'} ({kind or 'unknown kind'})"
    reason = _reason(error)
    if job_id is None:
        log.error("%s can't be read (%s); dropped, nothing to tell the user", where, reason)
        return
    marks = ledger.job_marks(job_id)
    if marks.get(DONE):
        log.info("%s can't be read, but it was answered already", where)
        return
    edited = give_up(client, marks, UNREADABLE)
    ledger.mark_job(job_id, DONE, "unreadable")
    if edited:
        log.error("%s can't be read (%s); its reply now says so", where, reason)
    else:
        log.error("%s can't be read (%s); dropped, it had posted nothing yet", where, reason)


def _identity(payload: str | bytes) -> tuple[str | None, str | None]:
    """The id and kind a job message claims, if it is a JSON object at all."""
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None, None
    if not isinstance(data, dict):
        return None, None
    job_id, kind = data.get("id"), data.get("kind")
    return (
        job_id if isinstance(job_id, str) and job_id else None,
        kind if isinstance(kind, str) else None,
    )


def _reason(error: Exception) -> str:
    """A short why, without the payload's contents (they may quote people's messages)."""
    if isinstance(error, ValidationError):
        first = error.errors(include_url=False, include_input=False)[:1]
        if first:
            where = ".".join(str(part) for part in first[0]["loc"]) or "message"
            message = clipped(first[0]["msg"], 80)
            return f"{error.error_count()} problem(s), first at {where}: {message}"
    return type(error).__name__
