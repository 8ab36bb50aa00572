"""Channel and workspace preferences on SQLite (bot.store.base.ChannelPrefs, WorkspacePrefs):
a mixin of SQLiteStore, kept in its own module so the store's core stays about claims,
memory and caches."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager

from bot.store.channel_settings import ChannelSettings, WorkspaceSettings

SCHEMA = """
-- An admin's settings per channel: configuration, kept until changed (no expiry).
CREATE TABLE IF NOT EXISTS channel_settings (
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (team, channel)
);

-- Model tokens a channel used per UTC day (expires: two days on, when no budget reads it).
CREATE TABLE IF NOT EXISTS channel_tokens (
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    day TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    expires REAL NOT NULL,
    PRIMARY KEY (team, channel, day)
);
CREATE INDEX IF NOT EXISTS channel_tokens_expires ON channel_tokens (expires);

-- A workspace admin's settings for the whole workspace (no expiry).
CREATE TABLE IF NOT EXISTS workspace_settings (
    team TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
"""

TOKENS_TTL_SECONDS = 2 * 86_400  # a day's count outlives the day in every time zone


class SQLiteChannelPrefs:
    """Needs the store's `_write()` transaction, `_read(sql, params)` and `_clock`."""

    _write: Callable[[], AbstractContextManager[sqlite3.Connection]]
    _read: Callable[[str, tuple[object, ...]], list[tuple[object, ...]]]
    _clock: Callable[[], float]

    def channel_settings(self, team: str, channel: str) -> ChannelSettings | None:
        rows = self._read(
            "SELECT data FROM channel_settings WHERE team = ? AND channel = ?", (team, channel)
        )
        return _settings(rows[0][0]) if rows else None

    def put_channel_settings(self, team: str, channel: str, settings: ChannelSettings) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO channel_settings (team, channel, data) VALUES (?, ?, ?)",
                (team, channel, json.dumps(settings.to_dict())),
            )

    def team_channel_settings(self, team: str) -> dict[str, ChannelSettings]:
        rows = self._read(
            "SELECT channel, data FROM channel_settings WHERE team = ? ORDER BY channel", (team,)
        )
        return {str(channel): _settings(data) for channel, data in rows}

    def forget_team_settings(self, team: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM channel_settings WHERE team = ?", (team,))
            db.execute("DELETE FROM channel_tokens WHERE team = ?", (team,))

    def workspace_settings(self, team: str) -> WorkspaceSettings | None:
        rows = self._read("SELECT data FROM workspace_settings WHERE team = ?", (team,))
        return WorkspaceSettings.from_dict(json.loads(str(rows[0][0]))) if rows else None

    def put_workspace_settings(self, team: str, settings: WorkspaceSettings) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO workspace_settings (team, data) VALUES (?, ?)",
                (team, json.dumps(settings.to_dict())),
            )

    def forget_workspace_settings(self, team: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM workspace_settings WHERE team = ?", (team,))

    def add_channel_tokens(self, team: str, channel: str, day: str, tokens: int) -> int:
        now = self._clock()
        with self._write() as db:
            db.execute("DELETE FROM channel_tokens WHERE expires <= ?", (now,))
            db.execute(
                "INSERT INTO channel_tokens (team, channel, day, tokens, expires)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (team, channel, day)"
                " DO UPDATE SET tokens = tokens + excluded.tokens",
                (team, channel, day, max(0, tokens), now + TOKENS_TTL_SECONDS),
            )
            (total,) = db.execute(
                "SELECT tokens FROM channel_tokens WHERE team = ? AND channel = ? AND day = ?",
                (team, channel, day),
            ).fetchone()
        return int(total)

    def channel_tokens(self, team: str, channel: str, day: str) -> int:
        rows = self._read(
            "SELECT tokens FROM channel_tokens"
            " WHERE team = ? AND channel = ? AND day = ? AND expires > ?",
            (team, channel, day, self._clock()),
        )
        return int(str(rows[0][0])) if rows else 0


def _settings(data: object) -> ChannelSettings:
    return ChannelSettings.from_dict(json.loads(str(data)))
