"""Waiting for another process's SQLite write lock in short pauses, outside our own lock.

SQLite's busy handler (the `timeout` of `sqlite3.connect`) sleeps 1, 2, 5, 10, 15, 20, 25 …
ms between tries, and the thread that waits holds the connection's lock all the while. When a
job process holds the file's write lock for a fraction of a millisecond, an ack behind it
slept up to 30 ms, and every other ack of its process waited for that one (`bench.slack_load`,
2026-12-07: queue insert p99 24 ms, wait for the connection p99 72 ms). Here a busy statement
comes back at once; the caller lets go of its lock, pauses 0.1 ms (doubling up to 2 ms) and
tries again, for up to BUSY_SECONDS as before.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

BUSY_SECONDS = 10.0  # then the "database is locked" error goes to the caller, as before
_FIRST_PAUSE = 0.0001
_LONGEST_PAUSE = 0.002


def connect(path: str | Path) -> sqlite3.Connection:
    """An autocommit connection shared by threads (under the caller's lock) that reports a
    busy file at once instead of sleeping in SQLite's own handler."""
    return sqlite3.connect(str(path), timeout=0, isolation_level=None, check_same_thread=False)


def is_busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY or (
        "database is locked" in str(error)
    )


class _Pauses:
    """The pauses between tries, and when to stop trying."""

    def __init__(self) -> None:
        self._deadline = time.monotonic() + BUSY_SECONDS
        self._pause = _FIRST_PAUSE

    def wait(self, error: sqlite3.OperationalError) -> None:
        """Pause before the next try, or raise `error` when it isn't busy or time is up."""
        if not is_busy(error) or time.monotonic() > self._deadline:
            raise error
        time.sleep(self._pause)
        self._pause = min(self._pause * 2, _LONGEST_PAUSE)


def run(lock: threading.Lock, work: Callable[[], T]) -> T:
    """`work()` under `lock`; while the file is busy, again after a pause taken without
    `lock`. `work` must be safe to repeat after a busy error (one statement, or idempotent
    ones: a busy statement changed nothing)."""
    pauses = _Pauses()
    while True:
        try:
            with lock:
                return work()
        except sqlite3.OperationalError as error:
            pauses.wait(error)


@contextmanager
def transaction(lock: threading.Lock, db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction taken up front (BEGIN IMMEDIATE, so processes queue rather than
    deadlock), with `lock` held from BEGIN to COMMIT or ROLLBACK."""
    pauses = _Pauses()
    while True:
        lock.acquire()
        try:
            db.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as error:
            lock.release()
            pauses.wait(error)
        except BaseException:
            lock.release()
            raise
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    else:
        db.execute("COMMIT")
    finally:
        lock.release()
