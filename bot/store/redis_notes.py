"""Error notes on Redis (bot.store.base.ErrorNotes): a mixin of RedisStore. Keys, after the
store's prefix:

    errnote:{team}/{channel}/{asked_ts}   {"user", "note_ts", "reruns", "taken_by", "expires"}

Each expires with its TTL on the server too; both writes are Lua scripts (they read what is
there: the count of re-runs kept, a note taken once).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from bot.store.base import ErrorNote

if TYPE_CHECKING:
    import redis

# KEYS[1]: the note. ARGV: now, the entry JSON (reruns 0), ttl ms. A live or taken note's
# count of re-runs is kept.
NOTE = """
local entry = cjson.decode(ARGV[2])
local held = redis.call('GET', KEYS[1])
if held then
  local old = cjson.decode(held)
  if tonumber(old.expires) > tonumber(ARGV[1]) then entry.reruns = old.reruns end
end
redis.call('SET', KEYS[1], cjson.encode(entry), 'PX', ARGV[3])
return 1
"""

# KEYS[1]: the note. ARGV: now, user, taker, max re-runs. Returns the entry as taken, or nil.
TAKE_NOTE = """
local held = redis.call('GET', KEYS[1])
if not held then return nil end
local entry = cjson.decode(held)
if tonumber(entry.expires) <= tonumber(ARGV[1]) or entry.user ~= ARGV[2] then return nil end
if entry.taken_by == ARGV[3] then return held end
if entry.taken_by ~= cjson.null or tonumber(entry.reruns) >= tonumber(ARGV[4]) then
  return nil
end
entry.taken_by = ARGV[3]
entry.reruns = tonumber(entry.reruns) + 1
local taken = cjson.encode(entry)
redis.call('SET', KEYS[1], taken, 'KEEPTTL')
return taken
"""


class RedisErrorNotes:
    """Needs the store's `_redis` client, `_key(*parts)`, `_clock`, `_delete_matching` and
    the scripts above registered as `_note` and `_take_note`."""

    _redis: redis.Redis
    _clock: Callable[[], float]
    _note: Any
    _take_note: Any

    def _key(self, *parts: str) -> str:  # the store's own wins (same behaviour)
        raise NotImplementedError

    def _delete_matching(self, pattern: str) -> None:
        raise NotImplementedError

    def note_error(
        self, team: str, channel: str, asked_ts: str, note: ErrorNote, ttl_seconds: float
    ) -> None:
        now = self._clock()
        entry = {
            "user": note.user,
            "note_ts": note.note_ts,
            "reruns": 0,
            "taken_by": None,
            "expires": now + ttl_seconds,
        }
        self._note(
            keys=[self._key("errnote", f"{team}/{channel}/{asked_ts}")],
            args=[repr(float(now)), json.dumps(entry), max(1, math.ceil(ttl_seconds * 1000))],
        )

    def take_error_note(
        self, team: str, channel: str, asked_ts: str, *, user: str, taker: str, max_reruns: int
    ) -> ErrorNote | None:
        raw = self._take_note(
            keys=[self._key("errnote", f"{team}/{channel}/{asked_ts}")],
            args=[repr(float(self._clock())), user, taker, max_reruns],
        )
        if raw is None:
            return None
        entry = cast(dict[str, Any], json.loads(raw))
        note_ts = entry.get("note_ts")
        return ErrorNote(
            str(entry["user"]), str(note_ts) if note_ts else None, int(entry["reruns"])
        )

    def forget_team_error_notes(self, team: str) -> None:
        literal = "".join("\\" + char if char in "*?[]\\" else char for char in team)
        self._delete_matching(self._key("errnote", f"{literal}/*"))
