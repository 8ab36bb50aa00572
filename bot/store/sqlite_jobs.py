"""Acked Slack requests, kept in the SQLite file until their reply is posted.

The zero-setup mode's durable queue (with REDIS_URL, a real task queue does this): a job
is written here (a file beside the store's, `beside(STORE_PATH)`) before Slack is acked,
leased by the process that runs it, its lease renewed while it runs, and deleted when done.
A job whose lease runs out (its process was killed) is leased again by any process sharing
the file (the restarted server, or another HTTP worker), so an acked request is never lost.

A job queued for later is put with its delay as the grace and handed to nobody: the
runners' lease upkeep takes it once due, like a job whose process died.

A job id is queued once: putting it again while it waits or runs, or for DONE_KEEP_SECONDS
after it was done (a tombstone stays), does nothing. Slack's retry of an event whose job
was queued just before a crash makes the same job id (bot.slack.tasks.begin_request), so
it never becomes a second job.

    queue = SQLiteJobQueue.beside("data/articlebot.sqlite3")   # data/articlebot.jobs.sqlite3
    queue.put(job_id, payload, grace_seconds=15)              # False: queued or done already
    leased = queue.lease(owner, lease_seconds=15, job_id=job_id)   # or any expired job
    ... run it, queue.renew([job_id], owner, 15) meanwhile ...
    queue.done(job_id)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.store import sqlite_lock

Clock = Callable[[], float]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    payload TEXT NOT NULL,
    owner TEXT,
    lease_until REAL NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_lease ON jobs (lease_until);
CREATE TABLE IF NOT EXISTS done_jobs (
    id TEXT PRIMARY KEY,
    until REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS done_jobs_until ON done_jobs (until);
"""

# As long as a handled event's claim (bot.slack.middleware.EVENT_TTL_SECONDS): Slack's last
# retry comes within minutes, so a request is never queued twice after its job is done.
DONE_KEEP_SECONDS = 60 * 60


class SQLiteJobQueue:
    """The jobs table, in a file of its own: the ack path's one write must not queue behind
    the store writes of the (lower-priority) job process, so they don't share SQLite's
    single writer lock."""

    @classmethod
    def beside(cls, store_path: str | Path) -> SQLiteJobQueue:
        """The queue for the store at `store_path` (x.sqlite3 -> x.jobs.sqlite3)."""
        path = Path(store_path)
        return cls(path.with_name(f"{path.stem}.jobs{path.suffix or '.sqlite3'}"))

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Clock = time.time,
        done_keep_seconds: float = DONE_KEEP_SECONDS,
    ) -> None:
        path = str(path)
        if path == ":memory:":
            raise ValueError("a job queue must outlive the process: give it a file")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._done_keep = done_keep_seconds
        self._lock = threading.Lock()
        self._db = sqlite_lock.connect(path)
        sqlite_lock.run(self._lock, self._set_up)

    def _set_up(self) -> None:
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def put(self, job_id: str, payload: str, *, grace_seconds: float) -> bool:
        """Queue a job. Until `grace_seconds` pass only a lease by its id takes it: the
        process it was handed to; after that any process may (it was never started).

        False when `job_id` is queued or running already, or was done recently: nothing
        changes (the first payload stays)."""
        now = self._clock()
        cursor = sqlite_lock.run(
            self._lock,
            lambda: self._db.execute(
                "INSERT OR IGNORE INTO jobs (id, payload, owner, lease_until, created)"
                " SELECT ?, ?, NULL, ?, ?"
                " WHERE NOT EXISTS (SELECT 1 FROM done_jobs WHERE id = ? AND until > ?)",
                (job_id, payload, now + grace_seconds, now, job_id, now),
            ),
        )
        return cursor.rowcount == 1

    def lease(
        self, owner: str, lease_seconds: float, *, job_id: str | None = None
    ) -> tuple[str, str] | None:
        """Take a job for `lease_seconds`: job `job_id` if nobody runs it, else (no id) the
        oldest job whose lease ran out. Returns (id, payload), or None."""
        now = self._clock()
        if job_id is not None:
            sql = (
                "UPDATE jobs SET owner = ?, lease_until = ?"
                " WHERE id = ? AND (owner IS NULL OR lease_until <= ?)"
                " RETURNING id, payload"
            )
            params: tuple[object, ...] = (owner, now + lease_seconds, job_id, now)
        else:
            sql = (
                "UPDATE jobs SET owner = ?, lease_until = ? WHERE id ="
                " (SELECT id FROM jobs WHERE lease_until <= ? ORDER BY created LIMIT 1)"
                " RETURNING id, payload"
            )
            params = (owner, now + lease_seconds, now)
        row = sqlite_lock.run(self._lock, lambda: self._db.execute(sql, params).fetchone())
        return (str(row[0]), str(row[1])) if row else None

    def renew(self, job_ids: Iterable[str], owner: str, lease_seconds: float) -> None:
        """Keep the leases of jobs still running."""
        until = self._clock() + lease_seconds
        rows = [(until, job_id, owner) for job_id in job_ids]
        sqlite_lock.run(
            self._lock,
            lambda: self._db.executemany(
                "UPDATE jobs SET lease_until = ? WHERE id = ? AND owner = ?", rows
            ),
        )

    def done(self, job_id: str) -> None:
        """The job is finished: gone from the queue, and not queued again for a while."""
        now = self._clock()
        with sqlite_lock.transaction(self._lock, self._db) as db:
            db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
            db.execute("DELETE FROM done_jobs WHERE until <= ?", (now,))
            db.execute(
                "INSERT OR REPLACE INTO done_jobs (id, until) VALUES (?, ?)",
                (job_id, now + self._done_keep),
            )

    def was_done(self, job_id: str) -> bool:
        """Whether `job_id` was done within the last DONE_KEEP_SECONDS."""
        now = self._clock()
        row = sqlite_lock.run(
            self._lock,
            lambda: self._db.execute(
                "SELECT 1 FROM done_jobs WHERE id = ? AND until > ?", (job_id, now)
            ).fetchone(),
        )
        return row is not None

    def pending(self) -> int:
        """Jobs queued or running (for tests and health checks)."""
        count = sqlite_lock.run(
            self._lock, lambda: self._db.execute("SELECT count(*) FROM jobs").fetchone()[0]
        )
        return int(count)
