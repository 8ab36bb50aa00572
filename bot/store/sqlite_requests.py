"""The request log on SQLite (mixed into SQLiteStore): one row per reply, one per vote.

Rows older than the store's `request_ttl` are deleted as new ones are written, so the tables
stay bounded whatever the traffic.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, cast

from bot.store.base import RequestRecord, Vote

SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    team TEXT NOT NULL,
    request_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    user TEXT,
    kind TEXT NOT NULL,
    style TEXT,
    engine TEXT,
    model TEXT,
    cached INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost_usd REAL,
    duration_ms INTEGER NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (team, request_id)
);
CREATE INDEX IF NOT EXISTS requests_at ON requests (at);

CREATE TABLE IF NOT EXISTS votes (
    team TEXT NOT NULL,
    request_id TEXT NOT NULL,
    user TEXT NOT NULL,
    vote INTEGER NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (team, request_id, user)
);
CREATE INDEX IF NOT EXISTS votes_at ON votes (at);
"""

_COLUMNS = (
    "request_id, team, channel, user, kind, style, engine, model, cached, prompt_tokens,"
    " completion_tokens, cost_usd, duration_ms, at"
)


class SQLiteRequestLog:
    request_ttl: float

    if TYPE_CHECKING:  # provided by SQLiteStore
        _clock: Callable[[], float]

        def _write(self) -> AbstractContextManager[sqlite3.Connection]: ...

        def _read(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]: ...

    def log_request(self, record: RequestRecord) -> None:
        with self._write() as db:
            db.execute("DELETE FROM requests WHERE at < ?", (self._clock() - self.request_ttl,))
            db.execute(
                f"INSERT OR REPLACE INTO requests ({_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.request_id,
                    record.team,
                    record.channel,
                    record.user,
                    record.kind,
                    record.style,
                    record.engine,
                    record.model,
                    int(record.cached),
                    record.prompt_tokens,
                    record.completion_tokens,
                    record.cost_usd,
                    record.duration_ms,
                    record.at,
                ),
            )

    def vote(self, team: str, request_id: str, user: str, vote: Vote) -> None:
        now = self._clock()
        with self._write() as db:
            db.execute("DELETE FROM votes WHERE at < ?", (now - self.request_ttl,))
            db.execute(
                "INSERT INTO votes (team, request_id, user, vote, at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (team, request_id, user)"
                " DO UPDATE SET vote = excluded.vote, at = excluded.at",
                (team, request_id, user, vote, now),
            )

    def requests_since(self, since: float, team: str | None = None) -> list[RequestRecord]:
        since = max(since, self._clock() - self.request_ttl)
        where = "r.at >= ?" + (" AND r.team = ?" if team is not None else "")
        params: tuple[object, ...] = (since,) if team is None else (since, team)
        columns = ", ".join(f"r.{name.strip()}" for name in _COLUMNS.split(","))
        rows = self._read(
            f"SELECT {columns}, COALESCE(SUM(v.vote > 0), 0), COALESCE(SUM(v.vote < 0), 0)"
            " FROM requests r LEFT JOIN votes v"
            " ON v.team = r.team AND v.request_id = r.request_id"
            f" WHERE {where} GROUP BY r.team, r.request_id ORDER BY r.at",
            params,
        )
        return [_record(row) for row in rows]

    def forget_team_requests(self, team: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM requests WHERE team = ?", (team,))
            db.execute("DELETE FROM votes WHERE team = ?", (team,))


def _record(row: tuple[object, ...]) -> RequestRecord:
    rid, team, channel, user, kind, style, engine, model = (_text(v) for v in row[:8])
    cached, prompt, completion, cost, duration, at, up, down = (
        None if v is None else float(cast(float, v)) for v in row[8:]
    )
    return RequestRecord(
        request_id=str(rid),
        team=str(team),
        channel=str(channel),
        user=user,
        kind=str(kind),
        style=style,
        engine=engine,
        model=model,
        cached=bool(cached),
        prompt_tokens=int(prompt or 0),
        completion_tokens=int(completion or 0),
        cost_usd=cost,
        duration_ms=int(duration or 0),
        at=float(at or 0.0),
        up=int(up or 0),
        down=int(down or 0),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
