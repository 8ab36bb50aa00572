"""What the Slack app needs to remember, as interfaces SQLite and Redis both implement.

Concerns kept apart so a backend (or a test double) can implement only what it needs:
event claims (Slack's retries never answered twice, a dead worker's event taken over), a job
ledger (a re-run job never posts twice), conversation memory (which article a thread is
about, and what was asked), parked questions (asked while a thread's article was still
being read, answered once it is), a cache (the same link twice costs no fetch and no model
tokens), rate limits (token buckets and job slots every replica counts against), digest
schedules (which channels get a link digest), a request log (what each reply cost and how
people voted on it, for `articlebot stats`) and channel preferences (an admin's per-channel
settings and each channel's daily tokens), and tenants (each workspace's OAuth installation,
and forgetting a workspace that leaves).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.store.channel_settings import ChannelSettings, WorkspaceSettings
from bot.store.tenants import Tenant

Role = Literal["user", "assistant"]


@dataclass(frozen=True, slots=True)
class Conversation:
    """Where a conversation lives: a thread in a channel, or a whole DM (thread_ts None)."""

    team: str
    channel: str
    thread_ts: str | None = None

    @property
    def key(self) -> str:
        return f"{self.team}/{self.channel}/{self.thread_ts or '-'}"


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """Enough to find an article again in the cache and to name it in a reply."""

    content_hash: str
    url: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    role: Role
    text: str
    ts: float  # seconds since the epoch, when the turn was stored


@dataclass(frozen=True, slots=True)
class Bucket:
    """A token bucket: holds at most `capacity` tokens (the burst), refilled at `per_second`;
    each request takes one. A bucket nobody used is full."""

    key: str
    capacity: float
    per_second: float

    def __post_init__(self) -> None:
        if self.capacity < 1 or self.per_second <= 0:
            raise ValueError("a bucket needs capacity >= 1 and a positive refill rate")


EPSILON = 1e-9  # a bucket this close to one token has one (float rounding, not a refusal)


def bucket_level(bucket: Bucket, row: tuple[float, float] | None, now: float) -> float:
    """Tokens in `bucket` at `now`, given its (level, time) after the last take (None: full).
    A clock that steps back (another host's) refills nothing rather than draining."""
    if row is None:
        return bucket.capacity
    tokens, at = row
    return min(bucket.capacity, tokens + max(0.0, now - at) * bucket.per_second)


class ArticleLike(Protocol):
    """An ArticleRef, or a whole bot.ingest Article: what memory keeps of an article."""

    @property
    def content_hash(self) -> str: ...

    @property
    def url(self) -> str | None: ...

    @property
    def title(self) -> str | None: ...


class EventClaims(Protocol):
    def claim_event(self, event_id: str, lease_seconds: float) -> bool:
        """Take `event_id` for handling. True when nobody holds it: never claimed, or
        claimed by a holder whose lease ran out without finishing (it died). False while
        another holder's lease runs, and once the event is finished."""
        ...

    def finish_event(self, event_id: str, ttl_seconds: float) -> None:
        """The event is handled (its job is durably queued, or it needed none): every later
        claim_event for it returns False for `ttl_seconds`."""
        ...


class ConversationMemory(Protocol):
    def remember_article(self, conversation: Conversation, article: ArticleLike) -> None:
        """Note that `conversation` discusses `article`; it becomes the channel's latest."""
        ...

    def articles_for(self, conversation: Conversation) -> list[ArticleRef]:
        """The articles discussed, most recent first."""
        ...

    def latest_article(self, team: str, channel: str) -> ArticleRef | None:
        """The article most recently remembered anywhere in the channel or DM (for /ask)."""
        ...

    def append_turn(self, conversation: Conversation, role: Role, text: str) -> None: ...

    def history(self, conversation: Conversation, limit: int | None = None) -> list[Turn]:
        """The last `limit` turns (all kept turns when None), oldest first."""
        ...

    def mark_engaged(self, conversation: Conversation) -> None: ...

    def is_engaged(self, conversation: Conversation) -> bool: ...

    def note_participant(self, conversation: Conversation, user: str) -> set[str]:
        """Note that `user` posted in `conversation`; returns everyone who has (recently)."""
        ...


@dataclass(frozen=True, slots=True)
class Parked:
    """A question parked with its conversation until the article it is about is read.
    `payload` is whatever the Slack layer needs to answer it (a job, as JSON): opaque here."""

    id: str
    payload: str
    at: float  # seconds since the epoch, when it was parked


class ParkedQuestions(Protocol):
    """Questions waiting for their thread's article (bot.slack.parked): no job waits for it,
    the job that reads the article takes them and answers each."""

    def park(self, conversation: Conversation, entry_id: str, payload: str) -> None:
        """Keep a question for `conversation` until it is taken. Parking an id that is parked
        already changes nothing (a retried request parks once)."""
        ...

    def take_parked(
        self, conversation: Conversation, ids: Collection[str] | None = None
    ) -> list[Parked]:
        """Remove and return the conversation's parked questions (only those in `ids` when
        given), oldest first. Atomic across processes: each one is returned to one caller."""
        ...


@dataclass(frozen=True, slots=True)
class ErrorNote:
    """The bot told whoever asked (`user`, in a message of theirs) that their request failed
    in a way an edit of that message can fix: a typo in a link, no article in it
    (bot.slack.edits)."""

    user: str
    note_ts: str | None  # the conversation message saying so; None: it was told privately
    reruns: int = 0  # how often an edit of the message was answered again already


class ErrorNotes(Protocol):
    """Which asking messages got a fixable error note, so that editing one re-runs it: kept
    by the message's (team, channel, ts), shared by every process, forgotten after a TTL."""

    def note_error(
        self, team: str, channel: str, asked_ts: str, note: ErrorNote, ttl_seconds: float
    ) -> None:
        """Keep (or renew, live again) the note for the message at `asked_ts`. Its count of
        re-runs stays what it was (`note.reruns` is ignored): a re-run that fails again
        doesn't start the count over."""
        ...

    def take_error_note(
        self, team: str, channel: str, asked_ts: str, *, user: str, taker: str, max_reruns: int
    ) -> ErrorNote | None:
        """For an edit by `user` of the message at `asked_ts`: its live note, counted as one
        more re-run and taken (a second edit re-runs only once this one's re-run has failed
        again); None when there is none, it is someone else's, it is taken, or its re-runs
        are used up. Atomic across processes. The same `taker` (a retry of one Slack
        event) gets the note it took again."""
        ...

    def forget_team_error_notes(self, team: str) -> None: ...


class Cache(Protocol):
    """Articles and answers, each kept under the `scope` of the workspace that asked for it
    (bot.store.tenants): one workspace never reads another's."""

    def put_article(self, url: str | None, article: dict[str, object], *, scope: str) -> None:
        """Cache an article (Article.to_dict()) by content hash, and by normalized URL if any.

        The URL link expires after the article TTL (pages change); the text stays as long as
        conversation memory, for follow-up questions.
        """
        ...

    def get_article(self, url: str, *, scope: str) -> dict[str, object] | None: ...

    def get_article_by_hash(self, content_hash: str, *, scope: str) -> dict[str, object] | None:
        """The text behind an ArticleRef (pasted articles have no URL)."""
        ...

    def put_answer(self, key: str, text: str, *, scope: str) -> None:
        """Cache a summary or answer under `answer_key(...)`."""
        ...

    def get_answer(self, key: str, *, scope: str) -> str | None: ...


class Tenants(Protocol):
    """What the store keeps per workspace, as a whole: its installation (OAuth), and
    forgetting all of it when the workspace uninstalls the app."""

    def forget_team(self, tenant: Tenant) -> None:
        """Delete the tenant's conversation memory and caches (an org-wide tenant: every
        workspace's caches in the org). New per-team state must be deleted here too."""
        ...

    def put_installation(self, key: str, record: dict[str, object]) -> None:
        """Keep an OAuth installation record (slack_sdk's Bot or Installation, as a dict)."""
        ...

    def get_installation(self, key: str) -> dict[str, object] | None: ...

    def delete_installations(self, prefix: str) -> None:
        """Delete every installation record whose key starts with `prefix`."""
        ...

    def issue_state(self, state: str, ttl_seconds: float) -> None:
        """Remember an OAuth `state` handed to an installer's browser."""
        ...

    def consume_state(self, state: str) -> bool:
        """True once for a state issued and not expired (then it is gone)."""
        ...


class JobLedger(Protocol):
    """What a job has already done in Slack, so a re-run (after its worker died) edits the
    same placeholder and never posts twice."""

    def job_marks(self, job_id: str) -> dict[str, str]:
        """Everything recorded for the job ({} when nothing)."""
        ...

    def mark_job(self, job_id: str, key: str, value: str, ttl_seconds: float = 86_400) -> None:
        """Record one fact (e.g. "placeholder_ts" -> "1700000000.0001"); later values win."""
        ...

    def mark_job_once(self, job_id: str, key: str, value: str, ttl_seconds: float = 86_400) -> bool:
        """Record `key` only if it isn't set yet; True when this call set it (atomic across
        processes)."""
        ...


class RateLimits(Protocol):
    """Counters every replica shares, so a limit holds however many processes serve Slack."""

    def take_token(self, buckets: Sequence[Bucket]) -> tuple[float, str | None]:
        """Take one token from every bucket, or from none (atomic across processes).

        (0.0, None) when taken; otherwise the seconds until every bucket would have a token
        again, and the key of the bucket that needs them (nothing was taken: a refused
        request costs nothing)."""
        ...

    def acquire_slot(self, key: str, holder: str, limit: int, ttl_seconds: float) -> bool:
        """Hold one of `limit` slots under `key` for `holder` (a job id). True when held now
        (a holder that holds one already keeps it); False when all are taken. A slot is free
        again on release_slot, or after `ttl_seconds` if its holder died without releasing."""
        ...

    def release_slot(self, key: str, holder: str) -> None:
        """Free `holder`'s slot (nothing happens when it holds none)."""
        ...


Cadence = Literal["daily", "weekly"]


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """A channel's opt-in link digest: how often, since when, and who turned it on."""

    team: str
    channel: str
    every: Cadence
    since: float  # seconds since the epoch: no scheduled digest covers a period ending before
    user: str | None = None
    # The workspace's Enterprise org: the scheduled job, made outside any request, needs it
    # to find the org workspace's bot token and cache scope (bot.store.tenants).
    enterprise: str | None = None

    @property
    def tenant(self) -> Tenant:
        return Tenant(self.team, self.enterprise)


class DigestSchedules(Protocol):
    """Which channels get a link digest (bot.slack.digest): configuration, kept until
    turned off (no expiry)."""

    def set_digest(self, schedule: DigestSchedule) -> None:
        """Turn the channel's digest on, or change it (one schedule per team and channel)."""
        ...

    def clear_digest(self, team: str, channel: str) -> bool:
        """Turn it off; True when there was one."""
        ...

    def get_digest(self, team: str, channel: str) -> DigestSchedule | None: ...

    def digests(self) -> list[DigestSchedule]:
        """Every channel's schedule, for the scheduler."""
        ...


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One summary or answer the bot posted, for `articlebot stats`. `up` and `down` are the
    votes counted when it is read back (ignored when it is logged)."""

    request_id: str
    team: str
    channel: str
    user: str | None = None
    kind: str = "summary"  # "summary" / "answer" / "recap" / "digest"
    style: str | None = None  # a summary's style ("tldr" for a digest's gists); else None
    engine: str | None = None
    model: str | None = None
    cached: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    duration_ms: int = 0
    at: float = 0.0  # seconds since the epoch, when the reply was finished
    up: int = 0
    down: int = 0


Vote = Literal[1, -1]


class RequestLog(Protocol):
    """Every reply's cost and its 👍/👎, kept per team for `STATS_RETENTION_DAYS`."""

    def log_request(self, record: RequestRecord) -> None:
        """Keep `record`; one logged again under the same team and request_id (its job ran
        again) replaces the first."""
        ...

    def vote(self, team: str, request_id: str, user: str, vote: Vote) -> None:
        """`user`'s 👍 (1) or 👎 (-1) on a request: one per user, a later one replaces it."""
        ...

    def requests_since(self, since: float, team: str | None = None) -> list[RequestRecord]:
        """Requests finished at or after `since` (every team's when None), oldest first,
        with their votes counted."""
        ...

    def forget_team_requests(self, team: str) -> None:
        """Drop a team's requests and votes (the workspace uninstalled the app)."""
        ...


class ChannelPrefs(Protocol):
    """Per-channel settings (kept until changed: configuration, not a cache) and the model
    tokens each channel used per UTC day (kept two days, for its daily budget)."""

    def channel_settings(self, team: str, channel: str) -> ChannelSettings | None:
        """What was saved for the channel (None: nothing, the bot's defaults apply)."""
        ...

    def put_channel_settings(self, team: str, channel: str, settings: ChannelSettings) -> None:
        """Save the channel's settings (they replace what was there)."""
        ...

    def team_channel_settings(self, team: str) -> dict[str, ChannelSettings]:
        """Every configured channel of the workspace, by channel id."""
        ...

    def forget_team_settings(self, team: str) -> None:
        """Drop the workspace's channel settings (the app was uninstalled)."""
        ...

    def add_channel_tokens(self, team: str, channel: str, day: str, tokens: int) -> int:
        """Count `tokens` against the channel's `day` (YYYY-MM-DD, UTC); the day's new total
        (atomic across processes)."""
        ...

    def channel_tokens(self, team: str, channel: str, day: str) -> int:
        """Tokens counted against the channel's `day` so far (0 when none)."""
        ...


class WorkspacePrefs(Protocol):
    """Workspace-wide settings (configuration: kept until changed, or the workspace
    uninstalls the app)."""

    def workspace_settings(self, team: str) -> WorkspaceSettings | None:
        """What was saved for the workspace (None: nothing, the deployment's defaults)."""
        ...

    def put_workspace_settings(self, team: str, settings: WorkspaceSettings) -> None:
        """Save the workspace's settings (they replace what was there)."""
        ...

    def forget_workspace_settings(self, team: str) -> None: ...


class Store(
    EventClaims,
    ConversationMemory,
    ParkedQuestions,
    ErrorNotes,
    Cache,
    JobLedger,
    RateLimits,
    DigestSchedules,
    RequestLog,
    ChannelPrefs,
    WorkspacePrefs,
    Tenants,
    Protocol,
):
    def close(self) -> None: ...


def forget_team_state(store: Store, tenant: Tenant) -> None:
    """Everything else a workspace has in the store, beside its memory and caches: its
    request log and votes, its channels' settings and token counts, its own settings, its
    link digests (both backends' `forget_team` call this, so a new per-team concern is added
    once, here). An org leaving stops its workspaces' digests (the rest is kept by team
    only)."""
    if tenant.team:
        store.forget_team_requests(tenant.team)
        store.forget_team_settings(tenant.team)
        store.forget_workspace_settings(tenant.team)
        store.forget_team_error_notes(tenant.team)
    for schedule in store.digests():
        if tenant.owns(schedule.tenant.scope) or schedule.team == tenant.team:
            store.clear_digest(schedule.team, schedule.channel)
