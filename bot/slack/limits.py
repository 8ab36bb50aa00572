"""Rate limits and a cap on requests in progress, checked where a request becomes a job.

Per person and per channel, a token bucket: RATE_LIMIT_*_BURST requests at once, then
RATE_LIMIT_*_REQUESTS per RATE_LIMIT_WINDOW_SECONDS on average (20 per 10 minutes: one every
30 s). Per person, at most MAX_JOBS_PER_USER requests in progress. Both are counted in the
store, so they hold across every replica and worker; a slot is freed when its job ends
however it ends (bot.slack.journal), or after JOB_SLOT_TTL_SECONDS if its process died.

Only requests count (summaries and answers, bot.slack.audit.REQUEST_KINDS): help texts,
notes, offers and acknowledgements ("thanks!") never do. A refused request is not queued;
the asker is told, privately, how long to wait.

Hand-written rather than the `limits` library: it has no SQLite storage (the default store)
and no token bucket taken from several limits at once (person and channel, all or none).
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.slack import audit, etiquette
from bot.slack.worker import Busy
from bot.store import Bucket

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.settings import Settings
    from bot.slack.context import Destination, Services
    from bot.store import Store

log = logging.getLogger(__name__)

# Longer than any job may run (the Redis queue stops a job after 10 minutes) plus a wait in
# the queue: a slot outlives its job only when the job's process died without releasing it.
JOB_SLOT_TTL_SECONDS = 15 * 60
# Said when the queue is full (a rate limit says its own words: RateLimited.message).
BUSY = "I'm handling a lot of requests right now; please try again in a minute."
NOTICE_EVERY_SECONDS = 30.0  # a flood of messages gets one "slow down" per this, not one each

SLOW_DOWN_USER = (
    "You've asked me for a lot in a short time. Please wait {wait} and try again; "
    "I haven't queued this one."
)
SLOW_DOWN_CHANNEL = (
    "This channel has asked me for a lot in a short time. Please wait {wait} and try again; "
    "I haven't queued this one."
)
TOO_MANY_JOBS = (
    "You already have {count} requests in progress. Please wait for one to finish, then try "
    "again; I haven't queued this one."
)


class RateLimited(Busy):
    """The asker or their channel is over a limit; `message` tells them what to do."""

    def __init__(self, reason: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.reason = reason  # for the audit log: rate_limited_user, _channel, too_many_jobs
        self.message = message
        self.retry_after = retry_after


def counts(job: Any) -> bool:
    """Whether `job` is a request the limits apply to."""
    if not audit.is_request(job):
        return False
    said = getattr(job, "question", None) or getattr(job, "request", None)
    return not (said and etiquette.is_acknowledgement(said))  # "@bot thanks!" is not work


def _who(job: Any) -> tuple[str, str, str | None]:
    dest = job.dest
    return dest.team or "-", dest.channel, dest.user


def _slot_key(team: str, user: str) -> str:
    return f"jobs:{team}/{user}"


def _buckets(settings: Settings, team: str, channel: str, user: str | None) -> list[Bucket]:
    window = settings.rate_limit_window_seconds
    buckets = []
    if user and settings.rate_limit_user_requests:
        rate = settings.rate_limit_user_requests / window
        buckets.append(Bucket(f"user:{team}/{user}", settings.rate_limit_user_burst, rate))
    if settings.rate_limit_channel_requests:
        rate = settings.rate_limit_channel_requests / window
        buckets.append(Bucket(f"channel:{team}/{channel}", settings.rate_limit_channel_burst, rate))
    return buckets


def admit(settings: Settings, store: Store, job: Any) -> bool:
    """Let `job` in, or raise RateLimited. True when it holds a job slot (release it)."""
    if not counts(job):
        return False
    team, channel, user = _who(job)
    cap = settings.max_jobs_per_user
    held = False
    if cap and user:
        # The slot first: a person at the cap keeps their tokens for when a job ends.
        if not store.acquire_slot(_slot_key(team, user), job.id, cap, JOB_SLOT_TTL_SECONDS):
            raise RateLimited("too_many_jobs", TOO_MANY_JOBS.format(count=cap))
        held = True
    buckets = _buckets(settings, team, channel, user)
    if not buckets:  # limits off: no write to the store in the ack path
        return held
    wait, key = store.take_token(buckets)
    if key is None:
        return held
    if held:
        store.release_slot(_slot_key(team, user or "-"), job.id)
    if key.startswith("user:"):
        raise RateLimited("rate_limited_user", SLOW_DOWN_USER.format(wait=_duration(wait)), wait)
    message = SLOW_DOWN_CHANNEL.format(wait=_duration(wait))
    raise RateLimited("rate_limited_channel", message, wait)


def release(settings: Settings, store: Store, job: Any) -> None:
    """`job` ended (answered, failed, given up, or a repeated delivery): free its slot."""
    if not settings.max_jobs_per_user or not counts(job):
        return
    team, _, user = _who(job)
    if not user:
        return
    try:
        store.release_slot(_slot_key(team, user), job.id)
    except Exception:  # the store is briefly unreachable: the slot's TTL frees it
        log.warning("couldn't free the job slot of %s", job.id)


def submit(services: Services, job: Any, *, delay: float = 0.0) -> None:
    """The one way a request becomes a job: limits first, then the pool or queue (`delay`:
    to run that many seconds later). Raises RateLimited (nothing queued) or Busy (the queue
    is full); either is audited."""
    assert services.pool is not None
    try:
        held = admit(services.settings, services.store, job)
    except RateLimited as exc:
        log.info("%s from %s refused: %s", job.kind, job.dest.user, exc.reason)
        audit.refused(services.settings, job, exc.reason)
        raise
    try:
        services.pool.submit(job, delay=delay)
    except Busy:
        if held:
            release(services.settings, services.store, job)
        audit.refused(services.settings, job, "busy")
        raise


def notice(exc: Busy, default: str = BUSY) -> str:
    """What to tell the asker when submit() raised."""
    return exc.message if isinstance(exc, RateLimited) else default


def submit_and_ack(services: Services, job: Any, ack: Any) -> None:
    """A command's or view's job queued, then acked; refused, the ack says why (its text is
    for the asker only)."""
    try:
        services.submit(job)
    except Busy as exc:
        ack(text=notice(exc))
        return
    ack()


def tell(services: Services, client: WebClient, dest: Destination, exc: RateLimited) -> None:
    """Say "slow down" to the asker alone (events have no ack text or response_url).

    At most once per NOTICE_EVERY_SECONDS per person: someone flooding the bot isn't sent a
    notice per message (each would be a Web API call in the ack path)."""
    team, _, user = dest.team or "-", dest.channel, dest.user
    if not user:
        return
    every = Bucket(f"notice:{team}/{user}", 1, 1 / NOTICE_EVERY_SECONDS)
    if services.store.take_token([every])[1] is not None:
        return
    try:
        if dest.dm:  # a DM (or the assistant view) is private already, and keeps the note
            client.chat_postMessage(
                channel=dest.channel, thread_ts=dest.thread_ts, text=exc.message
            )
        else:
            client.chat_postEphemeral(
                channel=dest.channel, user=user, thread_ts=dest.note_thread_ts, text=exc.message
            )
    except (SlackApiError, SlackRequestError) as err:
        log.info("couldn't tell %s to slow down: %s", user, err)


def _duration(seconds: float) -> str:
    """'about 30 seconds', 'about 2 minutes': how long to wait, rounded up."""
    if seconds <= 60:
        whole = max(1, math.ceil(seconds))
        return f"about {whole} second{'s' if whole != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"about {minutes} minutes"
