"""Waiting for another connection's write lock: short pauses taken without our own lock, so
the other threads of a process aren't held up by the one that waits."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.store import sqlite_lock


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "shared.sqlite3"
    db = sqlite_lock.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (x INTEGER)")
    db.close()
    return path


@contextmanager
def _another_process_writing(path: Path) -> Iterator[threading.Event]:
    """Another connection holds the file's write lock (having inserted 1) until the event
    yielded is set; on leaving, it is set and the holder has committed."""
    release, held = threading.Event(), threading.Event()

    def hold() -> None:
        other = sqlite3.connect(str(path), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO t VALUES (1)")
        held.set()
        release.wait(10)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        yield release
    finally:
        release.set()
        holder.join(10)


def test_a_write_waits_for_the_other_process_without_holding_our_lock(tmp_path: Path) -> None:
    path = _file(tmp_path)
    db, lock = sqlite_lock.connect(path), threading.Lock()
    with _another_process_writing(path):
        writer = threading.Thread(
            target=sqlite_lock.run, args=(lock, lambda: db.execute("INSERT INTO t VALUES (2)"))
        )
        writer.start()
        # While the writer waits for the file, this process's lock is free for everyone else.
        for _ in range(20):
            assert lock.acquire(timeout=1)
            lock.release()
        assert writer.is_alive()
    writer.join(10)
    assert not writer.is_alive()
    assert sorted(x for (x,) in db.execute("SELECT x FROM t")) == [1, 2]


def test_a_transaction_waits_then_commits_or_rolls_back(tmp_path: Path) -> None:
    path = _file(tmp_path)
    db, lock = sqlite_lock.connect(path), threading.Lock()
    with _another_process_writing(path) as release:
        threading.Timer(0.05, release.set).start()
        with sqlite_lock.transaction(lock, db) as tx:
            tx.execute("INSERT INTO t VALUES (3)")
    assert not lock.locked()
    with pytest.raises(ZeroDivisionError), sqlite_lock.transaction(lock, db) as tx:
        tx.execute("INSERT INTO t VALUES (4)")
        _ = 1 / 0
    assert not lock.locked()
    assert sorted(x for (x,) in db.execute("SELECT x FROM t")) == [1, 3]


def test_past_the_deadline_the_busy_error_is_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_lock, "BUSY_SECONDS", 0.05)
    path = _file(tmp_path)
    db, lock = sqlite_lock.connect(path), threading.Lock()
    with _another_process_writing(path):
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            sqlite_lock.run(lock, lambda: db.execute("INSERT INTO t VALUES (5)"))
        with (
            pytest.raises(sqlite3.OperationalError, match="locked"),
            sqlite_lock.transaction(lock, db),
        ):
            pass
        assert not lock.locked()


def test_other_errors_are_not_retried(tmp_path: Path) -> None:
    db, lock = sqlite_lock.connect(_file(tmp_path)), threading.Lock()
    calls = []

    def bad() -> None:
        calls.append(1)
        db.execute("INSERT INTO missing VALUES (1)")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        sqlite_lock.run(lock, bad)
    assert calls == [1]
