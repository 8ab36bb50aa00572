"""Whether a person can see a channel, for its settings: anyone in the workspace for a
public channel; only its members for a private channel, a group DM or a DM. Slack says:
conversations.info (channels:read, groups:read, mpim:read, im:read), then, for the
non-public ones only, conversations.members (paged). When Slack can't say (missing_scope,
channel_not_found, an error, no answer in time) the answer is "can't tell", which callers
treat as "no": a channel nobody can vouch for is private.

    found = can_see(client, kinds, team="T1", channel="C1", user="U1", deadline=t)
    if not found.allowed: ...  # found.error: Slack's error, or None for "not a member"
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

PUBLIC = "public"
PRIVATE = "private"  # a private channel or a group DM: its members list says who
KIND_TTL_SECONDS = 60.0  # a channel made private shows up within a minute
MEMBERS_PAGE = 500
MAX_MEMBER_PAGES = 20  # 10,000 members; past that, fail closed rather than page on
TIMEOUT = "timeout"


@dataclass(frozen=True, slots=True)
class Access:
    """`allowed`, or why not: `error` is what Slack said when it couldn't tell (None: it
    could, and the person isn't a member)."""

    allowed: bool
    error: str | None = None


ALLOWED = Access(True)
NOT_A_MEMBER = Access(False)


class ChannelKinds:
    """What conversations.info said of each channel (public, private, or a DM with whom),
    kept briefly in this process: App Home lists many channels and is opened often. Only
    Slack's answers are kept, never its errors; membership is never kept (people leave)."""

    def __init__(self, ttl: float = KIND_TTL_SECONDS, size: int = 2048) -> None:
        self._kinds: TTLCache[tuple[str, str], str] = TTLCache(maxsize=size, ttl=ttl)
        self._lock = threading.Lock()  # TTLCache is not thread-safe; jobs run in threads

    def get(self, team: str, channel: str) -> str | None:
        with self._lock:
            return self._kinds.get((team, channel))

    def put(self, team: str, channel: str, kind: str) -> None:
        with self._lock:
            self._kinds[(team, channel)] = kind


class _CantTell(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def _call(client: WebClient, deadline: float | None, method: str, **params: Any) -> dict:
    """One Web API call (`method`: conversations_info or conversations_members) within
    `deadline` (time.monotonic()); _CantTell on any failure."""
    if deadline is not None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _CantTell(TIMEOUT)
        client.timeout = left  # type: ignore[assignment]  # urllib takes seconds as a float
    try:
        return dict(getattr(client, method)(**params).data)
    except SlackApiError as exc:
        raise _CantTell(str(exc.response.get("error") or "unknown_error")) from None
    except OSError as exc:  # no answer in time, or no connection
        log.warning("%s for a channel's settings: %s", method, type(exc).__name__)
        raise _CantTell(TIMEOUT) from None


def _kind(client: WebClient, deadline: float | None, channel: str) -> str:
    """PUBLIC, PRIVATE, or "im:<user>" (a DM, and the person in it)."""
    found = _call(client, deadline, "conversations_info", channel=channel).get("channel") or {}
    if found.get("is_im"):
        return f"im:{found.get('user') or ''}"
    if found.get("is_private") or found.get("is_mpim") or found.get("is_group"):
        return PRIVATE
    if found.get("is_channel"):
        return PUBLIC
    raise _CantTell("unknown_channel_type")  # not a shape we know: fail closed


def _is_member(client: WebClient, deadline: float | None, channel: str, user: str) -> bool:
    cursor = ""
    for _ in range(MAX_MEMBER_PAGES):
        params: dict[str, Any] = {"channel": channel, "limit": MEMBERS_PAGE}
        if cursor:
            params["cursor"] = cursor
        page = _call(client, deadline, "conversations_members", **params)
        if user in (page.get("members") or []):
            return True
        cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            return False
    raise _CantTell("too_many_members")


def can_see(
    client: WebClient,
    kinds: ChannelKinds,
    *,
    team: str,
    channel: str,
    user: str,
    deadline: float | None = None,
) -> Access:
    """Whether `user` can see `channel` of `team`. `client`'s timeout is set from
    `deadline` (time.monotonic()) before each call: give it a client of its own."""
    try:
        kind = kinds.get(team, channel)
        if kind is None:
            kind = _kind(client, deadline, channel)
            kinds.put(team, channel, kind)
        if kind == PUBLIC:
            return ALLOWED
        if kind.startswith("im:"):
            return ALLOWED if user and kind == f"im:{user}" else NOT_A_MEMBER
        return ALLOWED if user and _is_member(client, deadline, channel, user) else NOT_A_MEMBER
    except _CantTell as exc:
        log.info("couldn't tell who can see %s/%s: %s", team, channel, exc.error)
        return Access(False, exc.error)
