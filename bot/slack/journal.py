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

import logging
import os
import socket
import threading
import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.logs import bind_request_id
from bot.slack import audit
from bot.store import JobLedger

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
    """The jobs this process runs, each leased in the ledger and renewed while it runs: a
    second delivery of a running job (a queue may deliver twice) waits instead of running
    it again, and takes over only once the lease runs out (the first runner died)."""

    def __init__(self) -> None:
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        self._held: dict[str, JobLedger] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def acquire(self, ledger: JobLedger, job_id: str) -> bool:
        if not ledger.mark_job_once(job_id, LEASE, self.owner, ttl_seconds=LEASE_SECONDS):
            return False
        with self._lock:
            self._held[job_id] = ledger
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
            for job_id, ledger in held:
                try:
                    ledger.mark_job(job_id, LEASE, self.owner, ttl_seconds=LEASE_SECONDS)
                except Exception:  # the store is briefly unreachable: next round
                    log.warning("couldn't renew the lease of job %s", job_id)


_leases = _Leases()


def _lease(ledger: JobLedger, job: Job) -> bool:
    """Hold `job`'s lease, waiting while another process runs it; False once it's done."""
    while not _leases.acquire(ledger, job.id):
        if ledger.job_marks(job.id).get(DONE):
            return False
        time.sleep(1.0)
    return True


def execute(
    services: Services, client: WebClient, job: Job, *, exclusive: bool = False
) -> None:
    """Run `job` at most to completion once, however often it is delivered.

    exclusive: the caller's queue already leases the job to one runner at a time (the
    SQLite queue does), so the ledger's lease would only add writes.
    """
    # Imported here: limits imports the worker, which imports this module.
    from bot.slack import limits

    ledger = services.store
    with bind_request_id(job.request_id):
        try:
            if exclusive:
                _execute(services, client, job)
                return
            if not _lease(ledger, job):
                log.info("%s %s was answered already; delivery ignored", job.name, job.id)
                return
            try:
                _execute(services, client, job)
            finally:
                _leases.release(ledger, job.id)
        finally:
            # However the job ended (a failure, given up, a repeated delivery): its asker's
            # job slot is free.
            limits.release(services.settings, ledger, job)


def _execute(services: Services, client: WebClient, job: Job) -> None:
    ledger = services.store
    journal = Journal(ledger, job.id)
    if journal.get(DONE):
        log.info("%s %s was answered already; delivery ignored", job.name, job.id)
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


def give_up(client: WebClient, marks: dict[str, Any], text: str = GAVE_UP) -> None:
    """Edit every placeholder a job left behind to say it won't be finished."""
    for key, ts in marks.items():
        if not key.endswith(":ts"):
            continue
        channel = marks.get(key.removesuffix(":ts") + ":channel")
        if not channel:
            continue
        try:
            client.chat_update(channel=channel, ts=ts, text=text)
        except (SlackApiError, SlackRequestError) as exc:
            log.warning("couldn't mark an unfinished reply: %s", exc)
