"""The request log on Redis (mixed into RedisStore). Keys, after the prefix:

    requests:{team}                 sorted set: request_id by when it finished
    request:{team}:{request_id}     the RequestRecord as JSON (votes left out)
    votes:{team}:{request_id}       hash: user -> 1 or -1
    request_teams                   sorted set: team by its latest request

Every key expires `request_ttl` after its last write, and the sorted sets drop members older
than that as new ones are added, so nothing outlives the retention.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any, cast

from bot.store.base import RequestRecord, Vote

if TYPE_CHECKING:
    import redis


def _ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


class RedisRequestLog:
    request_ttl: float

    if TYPE_CHECKING:  # provided by RedisStore
        _clock: Callable[[], float]
        _redis: redis.Redis

        def _key(self, *parts: str) -> str: ...

    def log_request(self, record: RequestRecord) -> None:
        now = self._clock()
        ttl = _ms(self.request_ttl)
        data = {k: v for k, v in asdict(record).items() if k not in ("up", "down")}
        index, teams = self._key("requests", record.team), self._key("request_teams")
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key("request", record.team, record.request_id), json.dumps(data), px=ttl)
            pipe.zadd(index, {record.request_id: record.at})
            pipe.zadd(teams, {record.team: record.at}, gt=True)  # its latest request's time
            for key in (index, teams):
                pipe.zremrangebyscore(key, "-inf", f"({now - self.request_ttl!r}")
                pipe.pexpire(key, ttl)
            pipe.execute()

    def vote(self, team: str, request_id: str, user: str, vote: Vote) -> None:
        key = self._key("votes", team, request_id)
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, user, str(vote))
            pipe.pexpire(key, _ms(self.request_ttl))
            pipe.execute()

    def requests_since(self, since: float, team: str | None = None) -> list[RequestRecord]:
        since = max(since, self._clock() - self.request_ttl)
        low = repr(since)
        teams = [team] if team is not None else self._members(self._key("request_teams"), low)
        found: list[RequestRecord] = []
        for name in teams:
            ids = self._members(self._key("requests", name), low)
            if not ids:
                continue
            with self._redis.pipeline(transaction=False) as pipe:
                for rid in ids:
                    pipe.get(self._key("request", name, rid))
                    pipe.hgetall(self._key("votes", name, rid))
                replies = pipe.execute()
            for raw, votes in zip(replies[::2], replies[1::2], strict=True):
                if raw is None:
                    continue  # expired between the two reads
                record = RequestRecord(**cast(dict[str, Any], json.loads(raw)))
                values = [int(v) for v in cast(dict[str, str], votes).values()]
                found.append(replace(record, up=values.count(1), down=values.count(-1)))
        return sorted(found, key=lambda record: record.at)

    def forget_team_requests(self, team: str) -> None:
        index = self._key("requests", team)
        ids = cast(list[str], self._redis.zrange(index, 0, -1))
        keys = [index]
        for rid in ids:
            keys += [self._key("request", team, rid), self._key("votes", team, rid)]
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(*keys)
            pipe.zrem(self._key("request_teams"), team)
            pipe.execute()

    def _members(self, key: str, low: str) -> list[str]:
        return cast(list[str], self._redis.zrangebyscore(key, low, "+inf"))
