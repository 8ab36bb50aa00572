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

A job is a module-level function `fn(services, client, *args, **kwargs)` with picklable
arguments, so it can cross to the job process. Both pools are bounded: past the bound the
user is told to try again instead of the process growing without limit.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.settings import Settings
    from bot.slack.context import Services

log = logging.getLogger(__name__)

Job = Callable[..., None]
JOB_NICENESS = 15  # far lower CPU priority than the acks (which need only milliseconds)
DRAIN_SECONDS = 25.0  # how long work in progress may finish at shutdown


class Busy(RuntimeError):
    """Too much work is queued."""


class WorkerPool(Protocol):
    def submit(self, fn: Job, args: tuple[Any, ...], kwargs: dict[str, Any], name: str) -> None: ...

    def shutdown(self, timeout: float = DRAIN_SECONDS) -> None: ...


def _run(
    fn: Job, services: Services, client: WebClient, args: tuple, kwargs: dict, name: str
) -> None:
    try:
        fn(services, client, *args, **kwargs)
    except Exception:  # a job's failure must never take its worker thread down silently
        log.exception("%s failed", name)


class ThreadWorkerPool:
    """Jobs on a bounded thread pool in this process."""

    def __init__(self, threads: int, max_queued: int | None = None) -> None:
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="job")
        self._slots = threading.BoundedSemaphore(threads + (max_queued or threads * 8))
        self._context: tuple[Services, WebClient] | None = None
        self._running = 0  # submitted and not finished
        self._idle = threading.Condition()

    def bind(self, services: Services, client: WebClient) -> None:
        self._context = (services, client)

    def submit(self, fn: Job, args: tuple[Any, ...], kwargs: dict[str, Any], name: str) -> None:
        if self._context is None:
            raise RuntimeError("ThreadWorkerPool.bind() was not called")
        if not self._slots.acquire(blocking=False):
            raise Busy("too much work queued")
        services, client = self._context
        with self._idle:
            self._running += 1

        def run() -> None:
            try:
                _run(fn, services, client, args, kwargs, name)
            finally:
                self._slots.release()
                with self._idle:
                    self._running -= 1
                    self._idle.notify_all()

        self._executor.submit(run)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every submitted job has finished (jobs they submit included)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout)

    def shutdown(self, timeout: float = DRAIN_SECONDS) -> None:
        """Let running and queued jobs finish (up to `timeout`), then stop."""
        if not self.wait_idle(timeout):
            log.warning("jobs still running after %.0fs; stopping anyway", timeout)
        self._executor.shutdown(wait=False, cancel_futures=True)


class ProcessWorkerPool:
    """Jobs in a child process (started with `spawn`, so it shares no locks or sockets)."""

    def __init__(self, settings: Settings, threads: int, max_queued: int | None = None) -> None:
        self._settings = settings
        self._threads = threads
        self._slots = threading.BoundedSemaphore(threads + (max_queued or threads * 8))
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
            args=(self._settings, self._threads, self._jobs, self._done),
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

    def submit(self, fn: Job, args: tuple[Any, ...], kwargs: dict[str, Any], name: str) -> None:
        with self._lock:
            if not self._process.is_alive():
                log.error("job process died (exit %s); starting a new one", self._process.exitcode)
                self._slots = threading.BoundedSemaphore(self._threads * 9)
                self._start()
        if not self._slots.acquire(blocking=False):
            raise Busy("too much work queued")
        self._jobs.put((fn.__module__, fn.__qualname__, args, kwargs, name))

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


def _job_process(settings: Settings, threads: int, jobs: Any, done: Any) -> None:
    """The child: its own app services and Web API client, a thread pool, a queue to drain."""
    running = threading.Semaphore(0)  # released once per finished job
    started = [0]
    _drain_on_sigterm(running, started)  # first: a SIGTERM during start-up is handled too
    with contextlib.suppress(OSError):  # not allowed here: run at normal priority
        os.nice(JOB_NICENESS)
    from bot.logs import setup_logging

    setup_logging(settings.log_level, settings.log_format)
    from bot.slack.app import build_services, web_client

    client = web_client(settings)
    services = build_services(settings, pool=None)
    services.pipeline.warm_up()  # the first request shouldn't pay for imports
    executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="job")

    def run(item: tuple[str, str, tuple, dict, str]) -> None:
        module, qualname, args, kwargs, name = item
        try:
            fn = getattr(importlib.import_module(module), qualname)
            _run(fn, services, client, args, kwargs, name)
        finally:
            done.put(1)
            running.release()

    while True:
        try:
            item = jobs.get()
        except (EOFError, OSError, queue.Empty):
            break
        if item is None:
            break
        started[0] += 1
        executor.submit(run, item)
    executor.shutdown(wait=True)
    done.put(None)


def _drain_on_sigterm(finished: threading.Semaphore, started: list[int]) -> None:
    """SIGTERM straight to the job process (a process-group kill, or the parent exiting
    without shutdown(): multiprocessing terminates daemon children) lets the jobs in
    progress finish, up to DRAIN_SECONDS, before exiting. Ctrl-C is the parent's to handle.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def drain_then_exit() -> None:
        deadline = time.monotonic() + DRAIN_SECONDS
        done = 0
        while done < started[0] and finished.acquire(timeout=max(0.0, deadline - time.monotonic())):
            done += 1
        if done < started[0]:
            log.warning("%d job(s) cut off at shutdown", started[0] - done)
        logging.shutdown()
        os._exit(0)

    draining = threading.Event()

    def on_term(signum: int, frame: Any) -> None:
        if not draining.is_set():  # a second SIGTERM doesn't start a second drain
            draining.set()
            threading.Thread(target=drain_then_exit, name="drain", daemon=True).start()

    signal.signal(signal.SIGTERM, on_term)
