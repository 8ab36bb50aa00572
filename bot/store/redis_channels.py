"""Channel and workspace preferences on Redis (bot.store.base.ChannelPrefs, WorkspacePrefs):
a mixin of RedisStore.

Keys, after the store's prefix:

    chansettings:{team}               hash: channel -> ChannelSettings JSON (no expiry:
                                      configuration, kept until changed or uninstalled)
    chantokens:{team}/{channel}:{day} the channel's model tokens that UTC day (expires in 2 days)
    wssettings:{team}                 WorkspaceSettings JSON (no expiry)
"""

from __future__ import annotations

import json
import math
from typing import Any, cast

import redis

from bot.store.channel_settings import ChannelSettings, WorkspaceSettings

TOKENS_TTL_SECONDS = 2 * 86_400  # a day's count outlives the day in every time zone


class RedisChannelPrefs:
    """Needs the store's `_redis` client and `_key(*parts)`."""

    _redis: redis.Redis

    def _key(self, *parts: str) -> str:  # the store's own wins (same behaviour)
        raise NotImplementedError

    def channel_settings(self, team: str, channel: str) -> ChannelSettings | None:
        raw = self._redis.hget(self._key("chansettings", team), channel)
        return None if raw is None else _settings(raw)

    def put_channel_settings(self, team: str, channel: str, settings: ChannelSettings) -> None:
        self._redis.hset(self._key("chansettings", team), channel, json.dumps(settings.to_dict()))

    def team_channel_settings(self, team: str) -> dict[str, ChannelSettings]:
        raw = cast(dict[str, str], self._redis.hgetall(self._key("chansettings", team)))
        return {channel: _settings(raw[channel]) for channel in sorted(raw)}

    def forget_team_settings(self, team: str) -> None:
        self._redis.delete(self._key("chansettings", team))
        pattern = self._key("chantokens", f"{team}/*")
        keys = list(self._redis.scan_iter(match=pattern, count=500))
        if keys:
            self._redis.delete(*keys)

    def workspace_settings(self, team: str) -> WorkspaceSettings | None:
        raw = self._redis.get(self._key("wssettings", team))
        return None if raw is None else WorkspaceSettings.from_dict(json.loads(cast(Any, raw)))

    def put_workspace_settings(self, team: str, settings: WorkspaceSettings) -> None:
        self._redis.set(self._key("wssettings", team), json.dumps(settings.to_dict()))

    def forget_workspace_settings(self, team: str) -> None:
        self._redis.delete(self._key("wssettings", team))

    def add_channel_tokens(self, team: str, channel: str, day: str, tokens: int) -> int:
        key = self._key("chantokens", f"{team}/{channel}", day)
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.incrby(key, max(0, tokens))
            pipe.pexpire(key, math.ceil(TOKENS_TTL_SECONDS * 1000))
            total, _ = pipe.execute()
        return int(total)

    def channel_tokens(self, team: str, channel: str, day: str) -> int:
        raw = self._redis.get(self._key("chantokens", f"{team}/{channel}", day))
        return 0 if raw is None else int(cast(Any, raw))


def _settings(raw: Any) -> ChannelSettings:
    return ChannelSettings.from_dict(json.loads(raw))
