"""The Store on SQLite: one file (or ":memory:"), safe to share between threads and processes.

One connection per store, guarded by a lock: each call is a few microseconds of SQL, so
serializing them costs nothing next to a Slack round trip, and ":memory:" keeps working
(per-thread connections would each see their own empty database). Between processes (the
HTTP mode runs several workers on the same file) WAL and short waits for the write lock
(`bot.store.sqlite_lock`) do the sharing, and
event claims and once-only job marks are an INSERT OR IGNORE inside a write transaction,
atomic in SQLite itself.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import cast

from bot.store import sqlite_lock
from bot.store.base import (
    EPSILON,
    ArticleLike,
    ArticleRef,
    Bucket,
    Cadence,
    Conversation,
    DigestSchedule,
    Parked,
    Role,
    Turn,
    bucket_level,
    forget_team_state,
)
from bot.store.keys import normalize_url
from bot.store.sqlite_channels import SCHEMA as CHANNELS_SCHEMA
from bot.store.sqlite_channels import SQLiteChannelPrefs
from bot.store.sqlite_notes import SCHEMA as NOTES_SCHEMA
from bot.store.sqlite_notes import SQLiteErrorNotes
from bot.store.sqlite_requests import SCHEMA as REQUESTS_SCHEMA
from bot.store.sqlite_requests import SQLiteRequestLog
from bot.store.tenants import Tenant

Clock = Callable[[], float]

_SCHEMA = """
-- An event is 'leased' while a holder handles it (expires: the end of the lease, after
-- which another may take it over) and 'done' once handled (expires: when a retry of it would
-- be handled again).
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY,
    expires REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'done'
);
CREATE INDEX IF NOT EXISTS events_expires ON events (expires);

CREATE TABLE IF NOT EXISTS conversation_articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation TEXT NOT NULL,
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    url TEXT,
    title TEXT,
    at REAL NOT NULL,
    UNIQUE (conversation, content_hash)
);
CREATE INDEX IF NOT EXISTS conversation_articles_channel
    ON conversation_articles (team, channel, seq);

CREATE TABLE IF NOT EXISTS turns (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation TEXT NOT NULL,
    role TEXT NOT NULL,
    text TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_conversation ON turns (conversation, seq);

CREATE TABLE IF NOT EXISTS engaged (
    conversation TEXT PRIMARY KEY,
    at REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS participants (
    conversation TEXT NOT NULL,
    user TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (conversation, user)
);

-- Questions asked while their thread's article was still being read (bot.slack.parked),
-- until the job that reads it takes them.
CREATE TABLE IF NOT EXISTS parked (
    conversation TEXT NOT NULL,
    id TEXT NOT NULL,
    payload TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (conversation, id)
);

-- Article bodies by content hash (kept as long as thread memory, so follow-ups and /ask on
-- a pasted article still have the text), and links to them by URL (kept for the shorter
-- article TTL, after which the link is fetched again in case the page changed). Each in the
-- scope of the workspace that read it (bot.store.tenants).
CREATE TABLE IF NOT EXISTS team_articles (
    scope TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    data TEXT NOT NULL,
    expires REAL NOT NULL,
    PRIMARY KEY (scope, content_hash)
);
CREATE TABLE IF NOT EXISTS team_article_urls (
    scope TEXT NOT NULL,
    url TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    expires REAL NOT NULL,
    PRIMARY KEY (scope, url)
);
-- The caches from before they were per workspace: shared by all, read by nobody now.
DROP TABLE IF EXISTS article_urls;
DROP TABLE IF EXISTS articles;
DROP TABLE IF EXISTS answer_cache;

-- OAuth: installation records (slack_sdk's Bot / Installation as JSON) and the one-time
-- states handed to installers' browsers.
CREATE TABLE IF NOT EXISTS installations (
    key TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS oauth_states (
    state TEXT PRIMARY KEY,
    expires REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS job_marks (
    job_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    expires REAL NOT NULL,
    PRIMARY KEY (job_id, key)
);
CREATE INDEX IF NOT EXISTS job_marks_expires ON job_marks (expires);

CREATE TABLE IF NOT EXISTS team_answers (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    text TEXT NOT NULL,
    expires REAL NOT NULL,
    PRIMARY KEY (scope, key)
);

-- Token buckets: the level after the last take, and when (expires: when it is full again,
-- the same as having no row).
CREATE TABLE IF NOT EXISTS rate_buckets (
    key TEXT PRIMARY KEY,
    tokens REAL NOT NULL,
    at REAL NOT NULL,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_buckets_expires ON rate_buckets (expires);

-- Slots held by running jobs (expires: when a holder that died stops counting).
CREATE TABLE IF NOT EXISTS slots (
    key TEXT NOT NULL,
    holder TEXT NOT NULL,
    expires REAL NOT NULL,
    PRIMARY KEY (key, holder)
);
CREATE INDEX IF NOT EXISTS slots_expires ON slots (expires);

-- Channels that asked for a link digest (configuration: kept until turned off).
CREATE TABLE IF NOT EXISTS digests (
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    every TEXT NOT NULL,
    since REAL NOT NULL,
    user TEXT,
    enterprise TEXT,
    PRIMARY KEY (team, channel)
);
"""

# Conversation memory untouched this long is forgotten (tables stay bounded over months).
_MEMORY_TABLES = ("conversation_articles", "turns", "engaged", "participants", "parked")
_CACHE_TABLES = ("team_article_urls", "team_articles", "team_answers")


class SQLiteStore(SQLiteRequestLog, SQLiteChannelPrefs, SQLiteErrorNotes):
    """Event claims, conversation memory, caches, channel settings and the request log in one
    SQLite database.

    TTLs are in seconds. `max_turns` and `max_articles` cap what one conversation keeps (the
    oldest go first); `clock` is injectable so tests can move time.
    """

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        max_turns: int = 20,
        max_articles: int = 5,
        article_ttl: float = 24 * 3600,
        answer_ttl: float = 7 * 24 * 3600,
        memory_ttl: float = 30 * 24 * 3600,
        request_ttl: float = 90 * 24 * 3600,
        clock: Clock = time.time,
    ) -> None:
        if max_turns < 1 or max_articles < 1:
            raise ValueError("max_turns and max_articles must be at least 1")
        self.max_turns = max_turns
        self.max_articles = max_articles
        self.article_ttl = article_ttl
        self.answer_ttl = answer_ttl
        self.memory_ttl = memory_ttl
        self.request_ttl = request_ttl
        self._clock = clock
        self._lock = threading.Lock()
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Autocommit; multi-statement writes open their own transaction (see _write).
        self._db = sqlite_lock.connect(path)
        sqlite_lock.run(self._lock, lambda: self._set_up(wal=path != ":memory:"))

    def _set_up(self, *, wal: bool) -> None:
        """Pragmas, tables and migrations: each step is safe to run again after a busy one."""
        if wal:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._db.executescript(REQUESTS_SCHEMA)
        self._db.executescript(CHANNELS_SCHEMA)
        self._db.executescript(NOTES_SCHEMA)
        self._migrate()

    # --- plumbing -------------------------------------------------------------------------

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction, taken up front so concurrent processes queue, not deadlock."""
        return sqlite_lock.transaction(self._lock, self._db)

    def _read(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        return sqlite_lock.run(self._lock, lambda: self._db.execute(sql, params).fetchall())

    def _migrate(self) -> None:
        """Files written before event leases existed: their claims count as finished events.
        Before digests knew their org: theirs is none (a workspace outside any org)."""
        self._add_column("events", "state", "TEXT NOT NULL DEFAULT 'done'")
        self._add_column("digests", "enterprise", "TEXT")

    def _add_column(self, table: str, column: str, declaration: str) -> None:
        # Constant names and declarations, never input.
        columns = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
        if column in columns:
            return
        try:
            self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        except sqlite3.OperationalError:  # another process opening the file added it first
            columns = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            if column not in columns:
                raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- event claims ---------------------------------------------------------------------

    def claim_event(self, event_id: str, lease_seconds: float) -> bool:
        now = self._clock()
        with self._write() as db:
            # Run-out leases (their holder died) and old finished events go first, so the
            # insert below succeeds exactly when nobody holds the event.
            db.execute("DELETE FROM events WHERE expires <= ?", (now,))
            cursor = db.execute(
                "INSERT OR IGNORE INTO events (event_id, state, expires) VALUES (?, 'leased', ?)",
                (event_id, now + lease_seconds),
            )
            return cursor.rowcount == 1

    def finish_event(self, event_id: str, ttl_seconds: float) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO events (event_id, state, expires) VALUES (?, 'done', ?)"
                " ON CONFLICT (event_id) DO UPDATE SET state = 'done', expires = excluded.expires",
                (event_id, self._clock() + ttl_seconds),
            )

    # --- job ledger -----------------------------------------------------------------------

    def job_marks(self, job_id: str) -> dict[str, str]:
        rows = self._read(
            "SELECT key, value FROM job_marks WHERE job_id = ? AND expires > ?",
            (job_id, self._clock()),
        )
        return {str(key): str(value) for key, value in rows}

    def mark_job(self, job_id: str, key: str, value: str, ttl_seconds: float = 86_400) -> None:
        now = self._clock()
        with self._write() as db:
            db.execute("DELETE FROM job_marks WHERE expires <= ?", (now,))
            db.execute(
                "INSERT OR REPLACE INTO job_marks (job_id, key, value, expires)"
                " VALUES (?, ?, ?, ?)",
                (job_id, key, value, now + ttl_seconds),
            )

    def mark_job_once(self, job_id: str, key: str, value: str, ttl_seconds: float = 86_400) -> bool:
        now = self._clock()
        with self._write() as db:
            db.execute("DELETE FROM job_marks WHERE expires <= ?", (now,))
            cursor = db.execute(
                "INSERT OR IGNORE INTO job_marks (job_id, key, value, expires) VALUES (?, ?, ?, ?)",
                (job_id, key, value, now + ttl_seconds),
            )
            return cursor.rowcount == 1

    # --- rate limits ----------------------------------------------------------------------

    def take_token(self, buckets: Sequence[Bucket]) -> tuple[float, str | None]:
        now = self._clock()
        with self._write() as db:  # read, decide and write in one transaction
            db.execute("DELETE FROM rate_buckets WHERE expires <= ?", (now,))
            levels = []
            for bucket in buckets:
                row = db.execute(
                    "SELECT tokens, at FROM rate_buckets WHERE key = ?", (bucket.key,)
                ).fetchone()
                levels.append(bucket_level(bucket, row, now))
            waits = [
                ((1 - level) / bucket.per_second, bucket.key)
                for bucket, level in zip(buckets, levels, strict=True)
                if level < 1 - EPSILON
            ]
            if waits:
                return max(waits)
            for bucket, level in zip(buckets, levels, strict=True):
                left = max(0.0, level - 1)
                db.execute(
                    "INSERT OR REPLACE INTO rate_buckets (key, tokens, at, expires)"
                    " VALUES (?, ?, ?, ?)",
                    (bucket.key, left, now, now + (bucket.capacity - left) / bucket.per_second),
                )
            return 0.0, None

    def acquire_slot(self, key: str, holder: str, limit: int, ttl_seconds: float) -> bool:
        now = self._clock()
        with self._write() as db:
            db.execute("DELETE FROM slots WHERE expires <= ?", (now,))
            held = db.execute(
                "SELECT 1 FROM slots WHERE key = ? AND holder = ?", (key, holder)
            ).fetchone()
            (taken,) = db.execute("SELECT COUNT(*) FROM slots WHERE key = ?", (key,)).fetchone()
            if not held and taken >= limit:
                return False
            db.execute(
                "INSERT OR REPLACE INTO slots (key, holder, expires) VALUES (?, ?, ?)",
                (key, holder, now + ttl_seconds),
            )
            return True

    def release_slot(self, key: str, holder: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM slots WHERE key = ? AND holder = ?", (key, holder))

    # --- conversation memory --------------------------------------------------------------

    def remember_article(self, conversation: Conversation, article: ArticleLike) -> None:
        key = conversation.key
        with self._write() as db:
            self._forget_idle(db)
            # Re-discussing an article moves it to the front: delete and insert for a new seq.
            db.execute(
                "DELETE FROM conversation_articles WHERE conversation = ? AND content_hash = ?",
                (key, article.content_hash),
            )
            db.execute(
                "INSERT INTO conversation_articles"
                " (conversation, team, channel, content_hash, url, title, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    conversation.team,
                    conversation.channel,
                    article.content_hash,
                    article.url,
                    article.title,
                    self._clock(),
                ),
            )
            db.execute(
                "DELETE FROM conversation_articles WHERE conversation = ? AND seq NOT IN"
                " (SELECT seq FROM conversation_articles WHERE conversation = ?"
                "  ORDER BY seq DESC LIMIT ?)",
                (key, key, self.max_articles),
            )

    def articles_for(self, conversation: Conversation) -> list[ArticleRef]:
        rows = self._read(
            "SELECT content_hash, url, title FROM conversation_articles"
            " WHERE conversation = ? AND at > ? ORDER BY seq DESC",
            (conversation.key, self._clock() - self.memory_ttl),
        )
        return [_article_ref(row) for row in rows]

    def latest_article(self, team: str, channel: str) -> ArticleRef | None:
        rows = self._read(
            "SELECT content_hash, url, title FROM conversation_articles"
            " WHERE team = ? AND channel = ? AND at > ? ORDER BY seq DESC LIMIT 1",
            (team, channel, self._clock() - self.memory_ttl),
        )
        return _article_ref(rows[0]) if rows else None

    def append_turn(self, conversation: Conversation, role: Role, text: str) -> None:
        key = conversation.key
        with self._write() as db:
            db.execute(
                "INSERT INTO turns (conversation, role, text, at) VALUES (?, ?, ?, ?)",
                (key, role, text, self._clock()),
            )
            db.execute(
                "DELETE FROM turns WHERE conversation = ? AND seq NOT IN"
                " (SELECT seq FROM turns WHERE conversation = ? ORDER BY seq DESC LIMIT ?)",
                (key, key, self.max_turns),
            )

    def history(self, conversation: Conversation, limit: int | None = None) -> list[Turn]:
        limit = self.max_turns if limit is None else max(0, limit)
        rows = self._read(
            "SELECT role, text, at FROM turns WHERE conversation = ? AND at > ?"
            " ORDER BY seq DESC LIMIT ?",
            (conversation.key, self._clock() - self.memory_ttl, limit),
        )
        return [
            Turn(role=cast(Role, role), text=str(text), ts=float(cast(float, at)))
            for role, text, at in reversed(rows)
        ]

    def mark_engaged(self, conversation: Conversation) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO engaged (conversation, at) VALUES (?, ?)"
                " ON CONFLICT (conversation) DO UPDATE SET at = excluded.at",
                (conversation.key, self._clock()),
            )

    def is_engaged(self, conversation: Conversation) -> bool:
        rows = self._read(
            "SELECT 1 FROM engaged WHERE conversation = ? AND at > ?",
            (conversation.key, self._clock() - self.memory_ttl),
        )
        return bool(rows)

    def note_participant(self, conversation: Conversation, user: str) -> set[str]:
        with self._write() as db:
            # One statement, so two workers noting two people at once both count.
            db.execute(
                "INSERT INTO participants (conversation, user, at) VALUES (?, ?, ?)"
                " ON CONFLICT (conversation, user) DO UPDATE SET at = excluded.at",
                (conversation.key, user, self._clock()),
            )
            rows = db.execute(
                "SELECT user FROM participants WHERE conversation = ? AND at > ?",
                (conversation.key, self._clock() - self.memory_ttl),
            ).fetchall()
        return {str(row[0]) for row in rows}

    # --- parked questions -----------------------------------------------------------------

    def park(self, conversation: Conversation, entry_id: str, payload: str) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR IGNORE INTO parked (conversation, id, payload, at) VALUES (?, ?, ?, ?)",
                (conversation.key, entry_id, payload, self._clock()),
            )

    def take_parked(
        self, conversation: Conversation, ids: Collection[str] | None = None
    ) -> list[Parked]:
        key = conversation.key
        # Every reply that remembers an article asks: nothing parked costs no write lock.
        if not self._read("SELECT 1 FROM parked WHERE conversation = ? LIMIT 1", (key,)):
            return []
        with self._write() as db:  # read and delete in one transaction: each taken once
            rows = db.execute(
                "SELECT id, payload, at FROM parked WHERE conversation = ? ORDER BY at, rowid",
                (key,),
            ).fetchall()
            if ids is not None:
                rows = [row for row in rows if row[0] in ids]
            db.executemany(
                "DELETE FROM parked WHERE conversation = ? AND id = ?",
                [(key, row[0]) for row in rows],
            )
        return [Parked(str(id_), str(payload), float(at)) for id_, payload, at in rows]

    def _forget_idle(self, db: sqlite3.Connection) -> None:
        cutoff = self._clock() - self.memory_ttl
        for table in _MEMORY_TABLES:
            # `table` comes from the constant tuple above, never from input.
            db.execute(f"DELETE FROM {table} WHERE at <= ?", (cutoff,))

    # --- cache ----------------------------------------------------------------------------

    def put_article(self, url: str | None, article: dict[str, object], *, scope: str) -> None:
        content_hash = article.get("content_hash")
        if not isinstance(content_hash, str) or not content_hash:
            raise ValueError("article needs its content_hash (use Article.to_dict())")
        now = self._clock()
        with self._write() as db:
            db.execute("DELETE FROM team_articles WHERE expires <= ?", (now,))
            db.execute("DELETE FROM team_article_urls WHERE expires <= ?", (now,))
            db.execute(
                "INSERT OR REPLACE INTO team_articles (scope, content_hash, data, expires)"
                " VALUES (?, ?, ?, ?)",
                (
                    scope,
                    content_hash,
                    json.dumps(article),
                    now + max(self.memory_ttl, self.article_ttl),
                ),
            )
            if url:
                db.execute(
                    "INSERT OR REPLACE INTO team_article_urls (scope, url, content_hash, expires)"
                    " VALUES (?, ?, ?, ?)",
                    (scope, normalize_url(url), content_hash, now + self.article_ttl),
                )

    def get_article(self, url: str, *, scope: str) -> dict[str, object] | None:
        now = self._clock()
        rows = self._read(
            "SELECT a.data FROM team_article_urls u"
            " JOIN team_articles a USING (scope, content_hash)"
            " WHERE u.scope = ? AND u.url = ? AND u.expires > ? AND a.expires > ?",
            (scope, normalize_url(url), now, now),
        )
        return cast(dict[str, object], json.loads(str(rows[0][0]))) if rows else None

    def get_article_by_hash(self, content_hash: str, *, scope: str) -> dict[str, object] | None:
        rows = self._read(
            "SELECT data FROM team_articles WHERE scope = ? AND content_hash = ? AND expires > ?",
            (scope, content_hash, self._clock()),
        )
        return cast(dict[str, object], json.loads(str(rows[0][0]))) if rows else None

    def put_answer(self, key: str, text: str, *, scope: str) -> None:
        now = self._clock()
        with self._write() as db:
            db.execute("DELETE FROM team_answers WHERE expires <= ?", (now,))
            db.execute(
                "INSERT OR REPLACE INTO team_answers (scope, key, text, expires)"
                " VALUES (?, ?, ?, ?)",
                (scope, key, text, now + self.answer_ttl),
            )

    def get_answer(self, key: str, *, scope: str) -> str | None:
        rows = self._read(
            "SELECT text FROM team_answers WHERE scope = ? AND key = ? AND expires > ?",
            (scope, key, self._clock()),
        )
        return str(rows[0][0]) if rows else None

    # --- tenants --------------------------------------------------------------------------

    def forget_team(self, tenant: Tenant) -> None:
        # An org-wide tenant owns every scope under its org's prefix; a workspace its own.
        where = "scope = ?"
        params: tuple[object, ...] = (tenant.scope,)
        if tenant.whole_org:
            where, params = "substr(scope, 1, ?) = ?", (len(tenant.scope), tenant.scope)
        with self._write() as db:
            for table in _CACHE_TABLES:  # constant names, never input
                db.execute(f"DELETE FROM {table} WHERE {where}", params)
            if tenant.team:
                prefix = f"{tenant.team}/"  # Conversation.key starts with the team
                db.execute("DELETE FROM conversation_articles WHERE team = ?", (tenant.team,))
                for table in _MEMORY_TABLES[1:]:
                    db.execute(
                        f"DELETE FROM {table} WHERE substr(conversation, 1, ?) = ?",
                        (len(prefix), prefix),
                    )
        forget_team_state(self, tenant)

    def put_installation(self, key: str, record: dict[str, object]) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO installations (key, data) VALUES (?, ?)",
                (key, json.dumps(record)),
            )

    def get_installation(self, key: str) -> dict[str, object] | None:
        rows = self._read("SELECT data FROM installations WHERE key = ?", (key,))
        return cast(dict[str, object], json.loads(str(rows[0][0]))) if rows else None

    def delete_installations(self, prefix: str) -> None:
        with self._write() as db:
            db.execute(
                "DELETE FROM installations WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
            )

    def issue_state(self, state: str, ttl_seconds: float) -> None:
        now = self._clock()
        with self._write() as db:
            db.execute("DELETE FROM oauth_states WHERE expires <= ?", (now,))
            db.execute(
                "INSERT OR REPLACE INTO oauth_states (state, expires) VALUES (?, ?)",
                (state, now + ttl_seconds),
            )

    def consume_state(self, state: str) -> bool:
        with self._write() as db:
            cursor = db.execute(
                "DELETE FROM oauth_states WHERE state = ? AND expires > ?", (state, self._clock())
            )
            return cursor.rowcount == 1

    # --- digest schedules -----------------------------------------------------------------

    def set_digest(self, schedule: DigestSchedule) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO digests (team, channel, every, since, user, enterprise)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    schedule.team,
                    schedule.channel,
                    schedule.every,
                    schedule.since,
                    schedule.user,
                    schedule.enterprise,
                ),
            )

    def clear_digest(self, team: str, channel: str) -> bool:
        with self._write() as db:
            cursor = db.execute(
                "DELETE FROM digests WHERE team = ? AND channel = ?", (team, channel)
            )
            return cursor.rowcount > 0

    def get_digest(self, team: str, channel: str) -> DigestSchedule | None:
        rows = self._read(
            f"SELECT {_DIGEST_COLUMNS} FROM digests WHERE team = ? AND channel = ?",
            (team, channel),
        )
        return _digest(rows[0]) if rows else None

    def digests(self) -> list[DigestSchedule]:
        rows = self._read(f"SELECT {_DIGEST_COLUMNS} FROM digests ORDER BY team, channel", ())
        return [_digest(row) for row in rows]


_DIGEST_COLUMNS = "team, channel, every, since, user, enterprise"


def _digest(row: tuple[object, ...]) -> DigestSchedule:
    team, channel, every, since, user, enterprise = row
    return DigestSchedule(
        team=str(team),
        channel=str(channel),
        every=cast(Cadence, str(every)),
        since=float(cast(float, since)),
        user=None if user is None else str(user),
        enterprise=None if enterprise is None else str(enterprise),
    )


def _article_ref(row: tuple[object, ...]) -> ArticleRef:
    content_hash, url, title = row
    return ArticleRef(
        content_hash=str(content_hash),
        url=None if url is None else str(url),
        title=None if title is None else str(title),
    )
