"""A bounded pool for slow work (fetching pages, calling the model), apart from Bolt's own.

Slack wants every request acknowledged within 3 seconds. If model calls ran on Bolt's
listener executor, acks would queue behind them; so listeners only ack and hand the slow
part to this pool. The queue is bounded too: past it, the user is told to try again
instead of the process growing without limit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)


class Busy(RuntimeError):
    """The pool's queue is full."""


class WorkerPool:
    def __init__(self, threads: int, max_queued: int | None = None) -> None:
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="articlebot")
        self._slots = threading.BoundedSemaphore(threads + (max_queued or threads * 8))

    def submit(self, fn: Callable[[], object], *, name: str = "job") -> Future[object]:
        if not self._slots.acquire(blocking=False):
            raise Busy("too much work queued")

        def run() -> object:
            try:
                return fn()
            except Exception:  # a job's failure must never kill the pool thread silently
                log.exception("%s failed", name)
                raise
            finally:
                self._slots.release()

        return self._executor.submit(run)

    def shutdown(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait)
