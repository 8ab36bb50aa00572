"""The Store on Redis: what several bot processes (on several machines) share when scaled out.

Every key starts with a configurable prefix (several apps can share one server) and every
value is JSON. Each value carries its own expiry time, computed with the store's clock like
SQLiteStore does (so one test suite, with a fake clock, proves both backends), and each key
also gets a Redis expiry (PEXPIRE) at least as long, so the server drops what nobody reads.

Keys, after the prefix:

    event:{event_id}               {"state": "leased"|"done", "expires", "token"}
    job:{job_id}                   hash: mark -> {"value", "expires", "token"}
    conv:{conversation}:articles   sorted set: content_hash by recency (a global sequence)
    conv:{conversation}:refs       hash: content_hash -> {"url", "title", "at"}
    conv:{conversation}:turns      list of {"role", "text", "at"}, oldest first
    conv:{conversation}:engaged    {"at"}
    conv:{conversation}:people     hash: user -> at
    conv:{conversation}:parked     hash: id -> {"payload", "at"}: questions parked until the
                                   thread's article is read (bot.slack.parked)
    latest:{team}/{channel}        the channel's most recently remembered article
    article:{scope}|{content_hash} {"data", "expires"}: Article.to_dict()
    url:{scope}|{normalized url}   {"hash", "expires"}
    answer:{scope}|{answer key}    {"text", "expires"}
    install:{key}                  an OAuth installation record (bot.slack.oauth)
    state:{state}                  {"expires"}: an OAuth state not yet used
    seq                            the counter that orders remembered articles
    bucket:{key}                   {"tokens", "at"}: a token bucket after its last take
    slots:{key}                    sorted set: holder by the time its slot runs out
    digests                        hash: "{team}/{channel}" -> {"every", "since", "user",
                                   "enterprise"}
                                   (configuration: the one key without an expiry but seq)
    requests:… request:… votes:…   the request log (bot.store.redis_requests)
    chansettings:{team}, chantokens:…  channel preferences (bot/store/redis_channels.py)
    errnote:…                      asking messages told a fixable error (bot/store/redis_notes.py)

A scope is the workspace a cached entry belongs to (bot.store.tenants); `forget_team` finds a
workspace's keys with SCAN (a rare admin action, never on a request's path).

Writes of more than one key are MULTI/EXEC pipelines, or Lua scripts where a write depends on
what is there (claims, once-only marks, the article cap, token buckets, job slots).
Multi-key scripts assume one server (or a cluster slot): Redis Cluster is not supported.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from typing import Any, cast

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from bot.store.base import (
    EPSILON,
    ArticleLike,
    ArticleRef,
    Bucket,
    Conversation,
    DigestSchedule,
    Parked,
    Role,
    Turn,
    forget_team_state,
)
from bot.store.keys import normalize_url
from bot.store.redis_channels import RedisChannelPrefs
from bot.store.redis_notes import NOTE, TAKE_NOTE, RedisErrorNotes
from bot.store.redis_requests import RedisRequestLog
from bot.store.tenants import Tenant

Clock = Callable[[], float]

DEFAULT_PREFIX = "articlebot:"

# Nobody holds the event when there is no value, or its lease or done-marker ran out; a retry
# of our own call (the reply was lost to a dropped connection) finds its own token: still ours.
_CLAIM = """
local held = redis.call('GET', KEYS[1])
if held then
  local entry = cjson.decode(held)
  if entry.token == ARGV[3] then return 1 end
  if tonumber(entry.expires) > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
return 1
"""

# ARGV: field, entry JSON, now, ttl ms, once ("1": only when unset or expired), token.
# The key's expiry only ever grows, so a short-lived mark never cuts a long one short.
_MARK = """
if ARGV[5] == '1' then
  local held = redis.call('HGET', KEYS[1], ARGV[1])
  if held then
    local entry = cjson.decode(held)
    if entry.token == ARGV[6] then return 1 end
    if tonumber(entry.expires) > tonumber(ARGV[3]) then return 0 end
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
"""

# KEYS: articles zset, refs hash, channel latest, sequence. ARGV: hash, ref JSON, cap, ttl ms.
# Re-discussing an article gives it a new sequence number: it moves to the front.
_REMEMBER = """
local seq = redis.call('INCR', KEYS[4])
redis.call('ZADD', KEYS[1], seq, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local dropped = redis.call('ZRANGE', KEYS[1], 0, -(tonumber(ARGV[3]) + 1))
if #dropped > 0 then
  redis.call('ZREM', KEYS[1], unpack(dropped))
  redis.call('HDEL', KEYS[2], unpack(dropped))
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[4])
return seq
"""


# KEYS: buckets. ARGV: now, epsilon, then capacity and refill per second of each bucket.
# Mirrors SQLiteStore.take_token: all buckets give a token or none does. Returns {wait, index
# of the bucket that needs it}, the wait as a string (a Lua number would reach Python
# truncated to an integer).
_TAKE = """
local now = tonumber(ARGV[1])
local epsilon = tonumber(ARGV[2])
local levels = {}
local wait = 0
local worst = 0
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[2 * i + 1])
  local rate = tonumber(ARGV[2 * i + 2])
  local level = capacity
  local held = redis.call('GET', key)
  if held then
    local entry = cjson.decode(held)
    level = math.min(capacity, entry.tokens + math.max(0, now - entry.at) * rate)
  end
  levels[i] = level
  if level < 1 - epsilon and (1 - level) / rate > wait then
    wait = (1 - level) / rate
    worst = i
  end
end
if worst > 0 then return {tostring(wait), worst} end
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[2 * i + 1])
  local rate = tonumber(ARGV[2 * i + 2])
  local left = math.max(0, levels[i] - 1)
  local full_in = math.max(1, math.ceil((capacity - left) / rate * 1000))
  redis.call('SET', key, cjson.encode({tokens = left, at = now}), 'PX', full_in)
end
return {'0', 0}
"""

# KEYS[1]: the slots (holder -> when its slot runs out). ARGV: now, holder, limit, runs out
# at, ttl ms. Run-out slots (their holder died) go first.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local held = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not held and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[5]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
end
return 1
"""


def connect(url: str, *, socket_timeout: float = 5.0, decode: bool = True) -> redis.Redis:
    """A client on a thread-safe connection pool that rides out a Redis restart.

    Timeouts keep a dead server from hanging a worker; commands that fail on a dropped
    connection are retried with backoff (about 3 s in all), and idle connections are checked
    before use.
    """
    return redis.Redis.from_url(
        url,
        decode_responses=decode,  # the job queue (Dramatiq) wants bytes
        socket_timeout=socket_timeout,
        socket_connect_timeout=socket_timeout,
        socket_keepalive=True,
        health_check_interval=30,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=5),
        # ConnectionRefusedError: redis-py before 7.2 retries a reconnect only on its own
        # errors, and a restarting server refuses with the OS's (the pool then gave up at once).
        retry_on_error=[redis.ConnectionError, redis.TimeoutError, ConnectionRefusedError],
    )


class RedisStore(RedisRequestLog, RedisChannelPrefs, RedisErrorNotes):
    """Event claims, a job ledger, conversation memory, caches, channel settings and the
    request log in Redis.

    Same semantics as SQLiteStore: TTLs in seconds, `max_turns` / `max_articles` caps (the
    oldest go first), an injectable `clock` (it must be the same across processes in
    production: the wall clock). The client (and its connection pool) is shared by threads.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
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
        self.prefix = prefix
        self._clock = clock
        self._redis = client
        self._claim = client.register_script(_CLAIM)
        self._mark = client.register_script(_MARK)
        self._remember = client.register_script(_REMEMBER)
        self._take = client.register_script(_TAKE)
        self._acquire = client.register_script(_ACQUIRE)
        self._note = client.register_script(NOTE)
        self._take_note = client.register_script(TAKE_NOTE)

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisStore:
        return cls(connect(url), **options)

    @property
    def client(self) -> redis.Redis:
        return self._redis

    def ping(self) -> None:
        """Raises redis.RedisError when the server can't be reached (or refuses us)."""
        self._redis.ping()

    def close(self) -> None:
        self._redis.close()

    def __enter__(self) -> RedisStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    # --- event claims ---------------------------------------------------------------------

    def claim_event(self, event_id: str, lease_seconds: float) -> bool:
        now = self._clock()
        token = uuid.uuid4().hex
        entry = {"state": "leased", "expires": now + lease_seconds, "token": token}
        won = self._claim(
            keys=[self._key("event", event_id)],
            args=[_num(now), json.dumps(entry), token, _ms(lease_seconds)],
        )
        return bool(won)

    def finish_event(self, event_id: str, ttl_seconds: float) -> None:
        entry = {"state": "done", "expires": self._clock() + ttl_seconds}
        self._redis.set(self._key("event", event_id), json.dumps(entry), px=_ms(ttl_seconds))

    # --- job ledger -----------------------------------------------------------------------

    def job_marks(self, job_id: str) -> dict[str, str]:
        now = self._clock()
        marks: dict[str, str] = {}
        for key, raw in cast(dict[str, str], self._redis.hgetall(self._key("job", job_id))).items():
            entry = json.loads(raw)
            if entry["expires"] > now:
                marks[key] = entry["value"]
        return marks

    def mark_job(self, job_id: str, key: str, value: str, ttl_seconds: float = 86_400) -> None:
        self._mark_job(job_id, key, value, ttl_seconds, once=False)

    def mark_job_once(self, job_id: str, key: str, value: str, ttl_seconds: float = 86_400) -> bool:
        return self._mark_job(job_id, key, value, ttl_seconds, once=True)

    def _mark_job(self, job_id: str, key: str, value: str, ttl: float, *, once: bool) -> bool:
        now = self._clock()
        token = uuid.uuid4().hex
        entry = {"value": value, "expires": now + ttl, "token": token}
        done = self._mark(
            keys=[self._key("job", job_id)],
            args=[key, json.dumps(entry), _num(now), _ms(ttl), "1" if once else "0", token],
        )
        return bool(done)

    # --- rate limits ----------------------------------------------------------------------

    def take_token(self, buckets: Sequence[Bucket]) -> tuple[float, str | None]:
        if not buckets:
            return 0.0, None
        args: list[str] = [_num(self._clock()), _num(EPSILON)]
        for bucket in buckets:
            args += [_num(bucket.capacity), _num(bucket.per_second)]
        keys = [self._key("bucket", bucket.key) for bucket in buckets]
        wait, worst = self._take(keys=keys, args=args)
        return (float(wait), buckets[int(worst) - 1].key) if int(worst) else (0.0, None)

    def acquire_slot(self, key: str, holder: str, limit: int, ttl_seconds: float) -> bool:
        now = self._clock()
        held = self._acquire(
            keys=[self._key("slots", key)],
            args=[_num(now), holder, limit, _num(now + ttl_seconds), _ms(ttl_seconds)],
        )
        return bool(held)

    def release_slot(self, key: str, holder: str) -> None:
        self._redis.zrem(self._key("slots", key), holder)

    # --- conversation memory --------------------------------------------------------------

    def _conv(self, conversation: Conversation, part: str) -> str:
        return self._key("conv", conversation.key, part)

    def _recent(self, at: float) -> bool:
        return at > self._clock() - self.memory_ttl

    def remember_article(self, conversation: Conversation, article: ArticleLike) -> None:
        ref = {"hash": article.content_hash, "url": article.url, "title": article.title}
        self._remember(
            keys=[
                self._conv(conversation, "articles"),
                self._conv(conversation, "refs"),
                self._key("latest", f"{conversation.team}/{conversation.channel}"),
                self._key("seq"),
            ],
            args=[
                article.content_hash,
                json.dumps({**ref, "at": self._clock()}),
                self.max_articles,
                _ms(self.memory_ttl),
            ],
        )

    def articles_for(self, conversation: Conversation) -> list[ArticleRef]:
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrevrange(self._conv(conversation, "articles"), 0, -1)
            pipe.hgetall(self._conv(conversation, "refs"))
            order, refs = pipe.execute()
        entries = [json.loads(refs[h]) for h in order if h in refs]
        return [_article_ref(entry) for entry in entries if self._recent(entry["at"])]

    def latest_article(self, team: str, channel: str) -> ArticleRef | None:
        raw = self._redis.get(self._key("latest", f"{team}/{channel}"))
        if raw is None:
            return None
        entry = json.loads(cast(str, raw))
        return _article_ref(entry) if self._recent(entry["at"]) else None

    def append_turn(self, conversation: Conversation, role: Role, text: str) -> None:
        key = self._conv(conversation, "turns")
        turn = json.dumps({"role": role, "text": text, "at": self._clock()})
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, turn)
            pipe.ltrim(key, -self.max_turns, -1)
            pipe.pexpire(key, _ms(self.memory_ttl))
            pipe.execute()

    def history(self, conversation: Conversation, limit: int | None = None) -> list[Turn]:
        limit = self.max_turns if limit is None else max(0, limit)
        if limit == 0:
            return []
        raw = cast(list[str], self._redis.lrange(self._conv(conversation, "turns"), 0, -1))
        turns = [json.loads(item) for item in raw]
        kept = [turn for turn in turns if self._recent(turn["at"])][-limit:]
        return [Turn(role=turn["role"], text=turn["text"], ts=float(turn["at"])) for turn in kept]

    def mark_engaged(self, conversation: Conversation) -> None:
        self._redis.set(
            self._conv(conversation, "engaged"),
            json.dumps({"at": self._clock()}),
            px=_ms(self.memory_ttl),
        )

    def is_engaged(self, conversation: Conversation) -> bool:
        raw = self._redis.get(self._conv(conversation, "engaged"))
        return raw is not None and self._recent(json.loads(cast(str, raw))["at"])

    def note_participant(self, conversation: Conversation, user: str) -> set[str]:
        key = self._conv(conversation, "people")
        # One transaction: two workers noting two people at once both count.
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, user, json.dumps(self._clock()))
            pipe.pexpire(key, _ms(self.memory_ttl))
            pipe.hgetall(key)
            people = cast(dict[str, str], pipe.execute()[-1])
        return {person for person, at in people.items() if self._recent(float(at))}

    # --- parked questions -----------------------------------------------------------------

    def park(self, conversation: Conversation, entry_id: str, payload: str) -> None:
        key = self._conv(conversation, "parked")
        entry = json.dumps({"payload": payload, "at": self._clock()})
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(key, entry_id, entry)  # a retried request parks once
            pipe.pexpire(key, _ms(self.memory_ttl))
            pipe.execute()

    def take_parked(
        self, conversation: Conversation, ids: Collection[str] | None = None
    ) -> list[Parked]:
        key = self._conv(conversation, "parked")
        # Read and delete in one MULTI: two takers at once never both get an entry.
        with self._redis.pipeline(transaction=True) as pipe:
            if ids is None:
                pipe.hgetall(key)
                pipe.delete(key)
                found = cast(dict[str, str], pipe.execute()[0])
            else:
                wanted = list(ids)
                if not wanted:
                    return []
                pipe.hmget(key, wanted)
                pipe.hdel(key, *wanted)
                values = cast(list[str | None], pipe.execute()[0])
                found = {i: v for i, v in zip(wanted, values, strict=True) if v is not None}
        entries = [(entry_id, json.loads(raw)) for entry_id, raw in found.items()]
        parked = [Parked(i, str(e["payload"]), float(e["at"])) for i, e in entries]
        return sorted(parked, key=lambda entry: entry.at)

    # --- cache ----------------------------------------------------------------------------

    def put_article(self, url: str | None, article: dict[str, object], *, scope: str) -> None:
        content_hash = article.get("content_hash")
        if not isinstance(content_hash, str) or not content_hash:
            raise ValueError("article needs its content_hash (use Article.to_dict())")
        now = self._clock()
        # The text lives as long as conversation memory (follow-ups), the URL link shorter.
        text_ttl = max(self.memory_ttl, self.article_ttl)
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(
                self._scoped("article", scope, content_hash),
                json.dumps({"data": article, "expires": now + text_ttl}),
                px=_ms(text_ttl),
            )
            if url:
                pipe.set(
                    self._scoped("url", scope, normalize_url(url)),
                    json.dumps({"hash": content_hash, "expires": now + self.article_ttl}),
                    px=_ms(self.article_ttl),
                )
            pipe.execute()

    def get_article(self, url: str, *, scope: str) -> dict[str, object] | None:
        link = self._get_live(self._scoped("url", scope, normalize_url(url)))
        return None if link is None else self.get_article_by_hash(link["hash"], scope=scope)

    def get_article_by_hash(self, content_hash: str, *, scope: str) -> dict[str, object] | None:
        entry = self._get_live(self._scoped("article", scope, content_hash))
        return None if entry is None else cast(dict[str, object], entry["data"])

    def put_answer(self, key: str, text: str, *, scope: str) -> None:
        entry = {"text": text, "expires": self._clock() + self.answer_ttl}
        self._redis.set(
            self._scoped("answer", scope, key), json.dumps(entry), px=_ms(self.answer_ttl)
        )

    def get_answer(self, key: str, *, scope: str) -> str | None:
        entry = self._get_live(self._scoped("answer", scope, key))
        return None if entry is None else str(entry["text"])

    def _scoped(self, kind: str, scope: str, key: str) -> str:
        return self._key(kind, f"{scope}{_SCOPE_END}{key}")

    # --- tenants --------------------------------------------------------------------------

    def forget_team(self, tenant: Tenant) -> None:
        # An org-wide tenant owns every scope under its org's prefix; a workspace its own.
        scope = _glob(tenant.scope) + ("*" if tenant.whole_org else _SCOPE_END + "*")
        patterns = [self._key(kind, scope) for kind in ("article", "url", "answer")]
        if tenant.team:  # memory keys start with the team (Conversation.key)
            team = _glob(tenant.team)
            patterns += [self._key("conv", f"{team}/*"), self._key("latest", f"{team}/*")]
        for pattern in patterns:
            self._delete_matching(pattern)
        forget_team_state(self, tenant)

    def put_installation(self, key: str, record: dict[str, object]) -> None:
        self._redis.set(self._key("install", key), json.dumps(record))

    def get_installation(self, key: str) -> dict[str, object] | None:
        raw = self._redis.get(self._key("install", key))
        return None if raw is None else cast(dict[str, object], json.loads(cast(str, raw)))

    def delete_installations(self, prefix: str) -> None:
        self._delete_matching(self._key("install", _glob(prefix) + "*"))

    def issue_state(self, state: str, ttl_seconds: float) -> None:
        entry = {"expires": self._clock() + ttl_seconds}
        self._redis.set(self._key("state", state), json.dumps(entry), px=_ms(ttl_seconds))

    def consume_state(self, state: str) -> bool:
        with self._redis.pipeline(transaction=True) as pipe:  # read and delete as one
            pipe.get(self._key("state", state))
            pipe.delete(self._key("state", state))
            raw, _ = pipe.execute()
        return raw is not None and json.loads(raw)["expires"] > self._clock()

    def _delete_matching(self, pattern: str) -> None:
        batch: list[str] = []
        for key in self._redis.scan_iter(match=pattern, count=500):
            batch.append(cast(str, key))
            if len(batch) >= 500:
                self._redis.delete(*batch)
                batch.clear()
        if batch:
            self._redis.delete(*batch)

    def _get_live(self, key: str) -> dict[str, Any] | None:
        raw = self._redis.get(key)
        if raw is None:
            return None
        entry = cast(dict[str, Any], json.loads(cast(str, raw)))
        return entry if entry["expires"] > self._clock() else None

    # --- digest schedules -----------------------------------------------------------------

    def set_digest(self, schedule: DigestSchedule) -> None:
        entry = {
            "every": schedule.every,
            "since": schedule.since,
            "user": schedule.user,
            "enterprise": schedule.enterprise,
        }
        field = f"{schedule.team}/{schedule.channel}"
        self._redis.hset(self._key("digests"), field, json.dumps(entry))

    def clear_digest(self, team: str, channel: str) -> bool:
        return bool(self._redis.hdel(self._key("digests"), f"{team}/{channel}"))

    def get_digest(self, team: str, channel: str) -> DigestSchedule | None:
        raw = self._redis.hget(self._key("digests"), f"{team}/{channel}")
        return None if raw is None else _digest(f"{team}/{channel}", cast(str, raw))

    def digests(self) -> list[DigestSchedule]:
        entries = cast(dict[str, str], self._redis.hgetall(self._key("digests")))
        return [_digest(field, raw) for field, raw in sorted(entries.items())]


def _digest(field: str, raw: str) -> DigestSchedule:
    team, _, channel = field.rpartition("/")  # a channel id has no "/"; a team key might
    entry = json.loads(raw)
    return DigestSchedule(
        team=team,
        channel=channel,
        every=entry["every"],
        since=entry["since"],
        user=entry["user"],
        enterprise=entry.get("enterprise"),  # none in schedules kept before orgs were
    )


_SCOPE_END = "|"  # between a scope and the key inside it (no scope or team id has one)


def _glob(text: str) -> str:
    """`text` matched literally in a SCAN pattern."""
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)


def _ms(seconds: float) -> int:
    """A Redis expiry in milliseconds (at least 1: PX 0 is an error)."""
    return max(1, math.ceil(seconds * 1000))


def _num(value: float) -> str:
    """A float for a Lua script, without losing precision (repr round-trips)."""
    return repr(float(value))


def _article_ref(entry: dict[str, Any]) -> ArticleRef:
    return ArticleRef(content_hash=str(entry["hash"]), url=entry["url"], title=entry["title"])
