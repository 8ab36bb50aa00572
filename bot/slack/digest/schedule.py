"""The digest scheduler: in every process that runs jobs (the SQLite job process, the
in-process pool, each `articlebot worker`), a thread that once a minute finds the digests
that are due and queues them.

However many processes run it, each channel gets one digest job per period: the period is
claimed in the store first (an event claim on "digest:{team}:{channel}:{period end}",
atomic on both backends), and the job id is that key too, so even a second queueing would
be the same job (the SQLite queue and the job journal run a job id once). A process that
dies between claiming and queueing leaves a lease that runs out: another takes it over.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.settings import Settings
from bot.slack import tasks
from bot.slack.context import Destination
from bot.slack.digest import periods
from bot.store import Store
from bot.store.sqlite_jobs import SQLiteJobQueue

log = logging.getLogger(__name__)

CHECK_SECONDS = 60.0  # how often each process looks for due digests
FIRST_CHECK_SECONDS = 5.0  # after start-up (let the process warm up first)
CLAIM_SECONDS = 120.0  # a claimed period not queued by then (its process died) is free again

Submit = Callable[[tasks.Job], object]


def tick(
    store: Store,
    settings: Settings,
    submit: Submit,
    now: datetime | None = None,
) -> list[tasks.Digest]:
    """Queue every digest due at `now` that no process has claimed; the jobs queued."""
    zone = ZoneInfo(settings.digest_timezone)
    now = (now or datetime.now(zone)).astimezone(zone)
    queued = []
    for schedule in store.digests():
        window = periods.due(
            schedule, now, hour=settings.digest_hour, weekday=settings.digest_weekday
        )
        if window is None:
            continue
        key = f"digest:{schedule.team}:{schedule.channel}:{int(window.latest.timestamp())}"
        if not store.claim_event(key, CLAIM_SECONDS):
            continue  # another process queued it (or is queueing it)
        job = tasks.Digest(
            id=key,
            name="digest",
            request_id=None,
            tenant=schedule.tenant,  # whose token and cache: no request says so here
            dest=Destination(channel=schedule.channel, team=schedule.team),
            oldest=window.oldest.timestamp(),
            latest=window.latest.timestamp(),
            period=window.describe(),
            scheduled=True,
        )
        try:
            submit(job)
        except Exception:
            log.exception("digest for %s not queued; retried when the claim runs out", key)
            continue
        # Done for as long as the period could still be "the latest" (and a day more).
        days = 8 if schedule.every == "weekly" else 2
        store.finish_event(key, days * 86_400)
        log.info("digest %s queued (%s)", key, job.period)
        queued.append(job)
    return queued


def start(
    store: Store,
    settings: Settings,
    submit: Submit,
    *,
    stop: threading.Event | None = None,
) -> threading.Thread:
    """The scheduler thread (a daemon: it holds nothing a process must finish)."""
    stop = stop or threading.Event()

    def loop() -> None:
        wait = FIRST_CHECK_SECONDS
        while not stop.wait(wait):
            wait = CHECK_SECONDS
            try:
                tick(store, settings, submit)
            except Exception:  # the store is briefly unreachable: next round
                log.exception("digest scheduler: check failed")

    thread = threading.Thread(target=loop, name="digests", daemon=True)
    thread.start()
    return thread


def queue_submit(queue: SQLiteJobQueue) -> Submit:
    """Queueing into the SQLite job queue, for any of its runners to lease at once."""

    def submit(job: tasks.Job) -> bool:
        return queue.put(job.id, tasks.dumps(job), grace_seconds=0)

    return submit
