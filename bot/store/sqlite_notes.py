"""Error notes on SQLite (bot.store.base.ErrorNotes): a mixin of SQLiteStore."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager

from bot.store.base import ErrorNote

SCHEMA = """
-- Asking messages told a fixable error (bot.slack.edits): an edit of one re-runs it.
-- taken_by: the edit event re-running it (NULL: live); expires: when an edit no longer counts.
CREATE TABLE IF NOT EXISTS error_notes (
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    asked_ts TEXT NOT NULL,
    user TEXT NOT NULL,
    note_ts TEXT,
    reruns INTEGER NOT NULL DEFAULT 0,
    taken_by TEXT,
    expires REAL NOT NULL,
    PRIMARY KEY (team, channel, asked_ts)
);
CREATE INDEX IF NOT EXISTS error_notes_expires ON error_notes (expires);
"""


class SQLiteErrorNotes:
    """Needs the store's `_write()` transaction, `_read(sql, params)` and `_clock`."""

    _write: Callable[[], AbstractContextManager[sqlite3.Connection]]
    _read: Callable[[str, tuple[object, ...]], list[tuple[object, ...]]]
    _clock: Callable[[], float]

    def note_error(
        self, team: str, channel: str, asked_ts: str, note: ErrorNote, ttl_seconds: float
    ) -> None:
        now = self._clock()
        with self._write() as db:
            db.execute("DELETE FROM error_notes WHERE expires <= ?", (now,))
            db.execute(
                "INSERT INTO error_notes"
                " (team, channel, asked_ts, user, note_ts, reruns, taken_by, expires)"
                " VALUES (?, ?, ?, ?, ?, 0, NULL, ?)"
                " ON CONFLICT (team, channel, asked_ts) DO UPDATE SET user = excluded.user,"
                " note_ts = excluded.note_ts, taken_by = NULL, expires = excluded.expires",
                (team, channel, asked_ts, note.user, note.note_ts, now + ttl_seconds),
            )

    def take_error_note(
        self, team: str, channel: str, asked_ts: str, *, user: str, taker: str, max_reruns: int
    ) -> ErrorNote | None:
        key = (team, channel, asked_ts)
        # Every edit of a person's message in the bot's channels asks: no note, no write lock.
        where = "team = ? AND channel = ? AND asked_ts = ?"
        if not self._read(f"SELECT 1 FROM error_notes WHERE {where} AND user = ?", (*key, user)):
            return None
        with self._write() as db:
            row = db.execute(
                "SELECT user, note_ts, reruns, taken_by FROM error_notes"
                " WHERE team = ? AND channel = ? AND asked_ts = ? AND expires > ?",
                (*key, self._clock()),
            ).fetchone()
            if row is None or row[0] != user:
                return None
            owner, note_ts, reruns, taken_by = str(row[0]), row[1], int(row[2]), row[3]
            if taken_by == taker:
                return ErrorNote(owner, note_ts, reruns)
            if taken_by is not None or reruns >= max_reruns:
                return None
            db.execute(
                "UPDATE error_notes SET taken_by = ?, reruns = reruns + 1"
                " WHERE team = ? AND channel = ? AND asked_ts = ?",
                (taker, *key),
            )
        return ErrorNote(owner, note_ts, reruns + 1)

    def forget_team_error_notes(self, team: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM error_notes WHERE team = ?", (team,))
