"""Where the slow part of every request runs: apart from the process that acks Slack.

Slack wants every request acknowledged within 3 seconds. Writing a summary is slow (the
model) and surprisingly CPU-hungry (HTML cleaning, the openai/LangChain stream parsing,
Web API calls): run on threads beside the acks, it starves them of the GIL and the CPU,
and acks queue up. So by default jobs run in a separate process at a lower CPU priority,
fed through a queue; the process that talks to Slack only verifies, parses and enqueues.
`ThreadWorkerPool` keeps jobs in-process (tests, tiny installs).

On shutdown (a deploy's SIGTERM) the pools drain: queued and running jobs finish, up to
a bound (DRAIN_SECONDS, under gunicorn's graceful timeout), instead of leaving
"_Writing…_" placeholders behind forever.

A job is a typed message (bot.slack.tasks), serializable so it can cross to another
process. With a file store the process pool is durable: each job is written to the SQLite
file before Slack is acked and leased while it runs (bot.store.sqlite_jobs), so a job
whose process was killed is run again by the restarted server (or another worker) and,
through the job journal, edits the reply it had started rather than posting a second one.
Both pools are bounded: past the bound the user is told to try again instead of the
process growing without limit. A job may be queued for later (`submit(job, delay=…)`: a
parked question's safety net, bot.slack.parked): it waits in the queue, not on a thread.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import multiprocessing
import os
import queue
import signal
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol
from uuid import uuid4

from pydantic import ValidationError

from bot.slack import journal, tasks
from bot.slack.journal import LEASE_SECONDS, RENEW_SECONDS
from bot.store.sqlite_jobs import SQLiteJobQueue

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.settings import Settings
    from bot.slack.context import Services
    from bot.slack.tasks import Job

log = logging.getLogger(__name__)

JOB_NICENESS = 15  # far lower CPU priority than the acks (which need only milliseconds)
DRAIN_SECONDS = 25.0  # how long work in progress may finish at shutdown


class Busy(RuntimeError):
    """Too much work is queued."""


class WorkerPool(Protocol):
    def submit(self, job: Job, *, delay: float = 0.0) -> None:
        """Queue `job` to run now, or `delay` seconds from now (the durable queues keep a
        delayed job like any other; no thread waits for it). Busy when full."""
        ...

    def shutdown(self, timeout: float = DRAIN_SECONDS) -> None: ...


class _Later:
    """Jobs due later, for a pool with no queue to keep them in (`:memory:`, tests): one
    thread sleeps until the next is due and submits it; none sleeps per job."""

    def __init__(self, submit: Callable[[Job], None]) -> None:
        self._submit = submit
        self._due: list[tuple[float, int, Job]] = []
        self._order = itertools.count()  # same due time: first come, first run
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def add(self, job: Job, delay: float) -> None:
        with self._changed:
            heapq.heappush(self._due, (time.monotonic() + delay, next(self._order), job))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="jobs-later", daemon=True)
                self._thread.start()
            self._changed.notify()

    def stop(self) -> None:
        """Jobs not due yet are dropped (nothing outlives this pool anyway)."""
        with self._changed:
            self._stopped = True
            self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._stopped and (not self._due or self._due[0][0] > time.monotonic()):
                    wait = self._due[0][0] - time.monotonic() if self._due else None
                    self._changed.wait(wait)
                if self._stopped:
                    return
                _, _, job = heapq.heappop(self._due)
            try:
                self._submit(job)
            except Busy:  # full right now: try again a little later
                log.warning("%s %s is due but the pool is full; retrying", job.name, job.id)
                self.add(job, RENEW_SECONDS)
            except Exception:
                log.exception("couldn't start %s %s", job.name, job.id)


class ThreadWorkerPool:
    """Jobs on a bounded thread pool in this process. Durable when given the SQLite job
    queue (a file store with SLACK_JOB_PROCESS=false); without one (`:memory:`, tests) a job
    in progress dies with the process."""

    def __init__(
        self, threads: int, max_queued: int | None = None, *, queue: SQLiteJobQueue | None = None
    ) -> None:
        self._threads = threads
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="job")
        self._slots = threading.BoundedSemaphore(threads + (max_queued or threads * 8))
        self._context: tuple[Services, WebClient] | None = None
        self._queue = queue
        self._runner: _Runner | None = None
        self._running = 0  # submitted and not finished
        self._digests: threading.Event | None = None  # stops the digest scheduler
        self._idle = threading.Condition()
        self._later = _Later(self.submit)  # delayed jobs, when there is no queue to keep them

    def bind(self, services: Services, client: WebClient) -> None:
        self._context = (services, client)
        if self._queue is not None and self._runner is None:
            self._runner = _Runner(services, client, self._queue, self._threads)
            threading.Thread(target=self._runner.keep_leases, name="leases", daemon=True).start()
            self._digests = _start_digests(services, self._queue)

    def submit(self, job: Job, *, delay: float = 0.0) -> None:
        if self._context is None:
            raise RuntimeError("ThreadWorkerPool.bind() was not called")
        if delay > 0:
            # Not running yet, so it holds no slot and wait_idle doesn't wait for it.
            if self._queue is not None:
                _put_later(self._queue, job, delay)
            else:
                self._later.add(job, delay)
                tasks.queued(job)
            return
        if not self._slots.acquire(blocking=False):
            raise Busy("too much work queued")
        services, client = self._context
        with self._idle:
            self._running += 1
        if self._runner is not None and self._queue is not None:
            _put(self._queue, job)
            tasks.queued(job)
            self._runner.take(job.id, self)  # calls put() below when the job ends
            return
        delivery = uuid4().hex  # this submission: a second one of the same job is skipped

        def run() -> None:
            try:
                journal.execute(services, client, job, delivery=delivery)
            finally:
                self.put(1)

        self._executor.submit(run)
        tasks.queued(job)

    def put(self, _token: object) -> None:
        """A job ended: its slot is free (the durable runner's `done` signal, too)."""
        self._slots.release()
        with self._idle:
            self._running -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every submitted job has finished (jobs they submit included)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout)

    def shutdown(self, timeout: float = DRAIN_SECONDS) -> None:
        """Let running and queued jobs finish (up to `timeout`), then stop."""
        if not self.wait_idle(timeout):
            log.warning("jobs still running after %.0fs; stopping anyway", timeout)
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._later.stop()
        if self._digests is not None:
            self._digests.set()
        if self._runner is not None:
            self._runner.stop()
            self._runner.executor.shutdown(wait=False, cancel_futures=True)


class ProcessWorkerPool:
    """Jobs in a child process (started with `spawn`, so it shares no locks or sockets),
    written to the SQLite job queue first so that none is lost if a process dies."""

    def __init__(self, settings: Settings, threads: int, max_queued: int | None = None) -> None:
        self._settings = settings
        self._threads = threads
        self._bound = threads + (max_queued or threads * 8)
        self._slots = threading.BoundedSemaphore(self._bound)
        self._queue = SQLiteJobQueue.beside(settings.store_path)
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._jobs: Any = None
        self._done: Any = None
        self._process: Any = None
        self._start()

    def _start(self) -> None:
        self._jobs = self._ctx.Queue()
        self._done = self._ctx.Queue()
        self._process = self._ctx.Process(
            target=_job_process,
            args=(self._settings, self._threads, self._jobs, self._done, os.getpid()),
            name="articlebot-jobs",
            daemon=True,
        )
        self._process.start()
        threading.Thread(target=self._release_finished, args=(self._done,), daemon=True).start()

    def _release_finished(self, done: Any) -> None:
        while True:
            try:
                token = done.get()
            except (EOFError, OSError):
                return
            if token is None:
                return
            self._slots.release()

    def submit(self, job: Job, *, delay: float = 0.0) -> None:
        with self._lock:
            if not self._process.is_alive():
                log.error("job process died (exit %s); starting a new one", self._process.exitcode)
                self._slots = threading.BoundedSemaphore(self._bound)
                self._start()  # it picks up the dead one's jobs when their leases run out
        if delay > 0:
            _put_later(self._queue, job, delay)
            return
        if not self._slots.acquire(blocking=False):
            raise Busy("too much work queued")
        # Durable before Slack is acked: from here on a crash delays the reply, never loses it.
        _put(self._queue, job)
        tasks.queued(job)
        self._jobs.put(job.id)  # even when queued already: its process may be gone

    def shutdown(self, timeout: float = DRAIN_SECONDS) -> None:
        """Let the job process finish what it was given (up to `timeout`), then stop it."""
        if not self._process.is_alive():
            return
        self._jobs.put(None)  # after every queued job: they all run first
        self._process.join(timeout)
        if self._process.is_alive():
            log.warning("jobs still running after %.0fs; stopping anyway", timeout)
            self._process.kill()
            self._process.join(5)


def _put(jobs_queue: SQLiteJobQueue, job: Job, *, grace_seconds: float = LEASE_SECONDS) -> None:
    """Write `job` to the queue. Until `grace_seconds` pass only a lease by its id takes it
    (the runner it is handed to); then any runner's lease upkeep does: a job queued for later
    is put with its delay as the grace, and handed to nobody."""
    if not jobs_queue.put(job.id, tasks.dumps(job), grace_seconds=grace_seconds):
        # Slack's retry of a request whose job was queued before a crash: the same job.
        log.info("%s %s is queued or answered already; not queued again", job.name, job.id)


def _put_later(jobs_queue: SQLiteJobQueue, job: Job, delay: float) -> None:
    """Queue `job` to run `delay` seconds from now: handed to nobody, the lease upkeep of
    whichever runner shares the queue starts it once due."""
    _put(jobs_queue, job, grace_seconds=delay)
    tasks.queued(job)


class _Runner:
    """The job process's side of the SQLite queue: leases, renewals, lost jobs."""

    def __init__(
        self, services: Services, client: WebClient, jobs_queue: SQLiteJobQueue, threads: int
    ) -> None:
        self.services = services
        self.client = client
        self.queue = jobs_queue
        self.threads = threads
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="job")
        self.running: set[str] = set()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.finished = threading.Semaphore(0)  # released once per finished job
        self.started = 0  # jobs taken, to know how many the drain waits for

    def stop(self) -> None:
        """No job starts after this (one leased meanwhile is left to its lease running out)."""
        with self.lock:
            self.stopping.set()

    def take(self, job_id: str, done: Any) -> None:
        """A job handed over by the server process (its slot is released when it ends)."""
        leased = self.queue.lease(self.owner, LEASE_SECONDS, job_id=job_id)
        if leased is None:  # already run, or being run by another process
            done.put(1)
            return
        self._start(*leased, done=done)

    def _start(self, job_id: str, payload: str, *, done: Any = None) -> None:
        with self.lock:
            if self.stopping.is_set():  # leased just as we stop: its lease runs out, and
                return  # the restarted process (or another) runs it
            self.running.add(job_id)
            self.started += 1
            self.executor.submit(self._run, job_id, payload, done)

    def _run(self, job_id: str, payload: str, done: Any) -> None:
        try:
            try:
                job = tasks.loads(payload)
            except ValidationError as exc:
                journal.unreadable(self.client, self.services.store, payload, exc, job_id=job_id)
            else:
                journal.execute(self.services, self.client, job, exclusive=True)
            self.queue.done(job_id)
        except Exception:
            log.exception("job %s: the queue failed; it will be run again", job_id)
        finally:
            with self.lock:
                self.running.discard(job_id)
            if done is not None:
                done.put(1)
            self.finished.release()

    def keep_leases(self, parent: int | None = None) -> None:
        """Renew running jobs' leases; run jobs that are due: queued for later, or whose
        process died (also at start-up). When
        `parent` (the server process) is gone, drain and exit as on SIGTERM: nobody will hand
        this process jobs any more, and an orphan would live on for ever."""
        while not self.stopping.is_set():
            if parent is not None and os.getppid() != parent:
                log.warning("the server process is gone: finishing the jobs in progress")
                os.kill(os.getpid(), signal.SIGTERM)
                return
            try:
                with self.lock:
                    running = list(self.running)
                self.queue.renew(running, self.owner, LEASE_SECONDS)
                while len(running) < self.threads and not self.stopping.is_set():
                    due = self.queue.lease(self.owner, LEASE_SECONDS)
                    if due is None:
                        break
                    # Queued for later, or handed to a process that stopped (the job's
                    # journal warns when it is a second run).
                    log.info("starting job %s: it is due", due[0])
                    self._start(*due)
                    running.append(due[0])
            except Exception:  # a locked or briefly unavailable file: try next round
                log.exception("job lease upkeep failed")
            self.stopping.wait(RENEW_SECONDS)


class _RunnerPool:
    """The pool of the jobs a runner runs: a job they queue (a parked question's answer) goes
    to the same SQLite queue and starts on this runner at once, or when due."""

    def __init__(self, runner: _Runner) -> None:
        self._runner = runner

    def submit(self, job: Job, *, delay: float = 0.0) -> None:
        runner = self._runner
        if delay > 0:
            _put_later(runner.queue, job, delay)
            return
        _put(runner.queue, job)
        leased = runner.queue.lease(runner.owner, LEASE_SECONDS, job_id=job.id)
        if leased is not None:  # else: running, or done, already
            runner._start(*leased)

    def shutdown(self, timeout: float = DRAIN_SECONDS) -> None:
        pass  # the runner's own shutdown drains these jobs too


def _job_process(settings: Settings, threads: int, jobs: Any, done: Any, parent: int) -> None:
    """The child: its own app services and Web API client, a thread pool, a queue to drain."""
    holder: list[_Runner] = []
    _drain_on_sigterm(holder)  # first: a SIGTERM during start-up is handled too
    from bot.slack.runtime import job_runner  # it imports this module

    services, client = job_runner(settings)
    runner = _Runner(services, client, SQLiteJobQueue.beside(settings.store_path), threads)
    services.pool = _RunnerPool(runner)  # where its jobs queue theirs
    holder.append(runner)
    threading.Thread(target=runner.keep_leases, args=(parent,), name="leases", daemon=True).start()
    _start_digests(services, runner.queue)

    while True:
        try:
            item = jobs.get()
        except (EOFError, OSError, queue.Empty):
            break
        if item is None:
            break
        runner.take(item, done)
    runner.stop()
    runner.executor.shutdown(wait=True)
    done.put(None)


def _start_digests(services: Services, jobs_queue: SQLiteJobQueue) -> threading.Event:
    """Scheduled link digests are queued by every process that runs jobs (one per period,
    whichever process gets there first: bot.slack.digest.schedule). Set the event to stop."""
    from bot.slack.digest import schedule

    stop = threading.Event()
    submit = schedule.queue_submit(jobs_queue)
    schedule.start(services.store, services.settings, submit, stop=stop)
    return stop


def _drain_on_sigterm(holder: list[_Runner]) -> None:
    """SIGTERM straight to the job process (a process-group kill, or the parent exiting
    without shutdown(): multiprocessing terminates daemon children) lets the jobs in
    progress finish, up to DRAIN_SECONDS, before exiting. Ctrl-C is the parent's to handle.
    Jobs cut off are not lost: their leases run out and another process runs them.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def drain_then_exit() -> None:
        deadline = time.monotonic() + DRAIN_SECONDS
        finished = 0
        if holder:
            runner = holder[0]
            runner.stop()
            while finished < runner.started and runner.finished.acquire(
                timeout=max(0.0, deadline - time.monotonic())
            ):
                finished += 1
            if finished < runner.started:
                log.warning("%d job(s) cut off at shutdown", runner.started - finished)
        logging.shutdown()
        os._exit(0)

    draining = threading.Event()

    def on_term(signum: int, frame: Any) -> None:
        if not draining.is_set():  # a second SIGTERM doesn't start a second drain
            draining.set()
            threading.Thread(target=drain_then_exit, name="drain", daemon=True).start()

    signal.signal(signal.SIGTERM, on_term)
