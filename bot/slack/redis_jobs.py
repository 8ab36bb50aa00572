"""Jobs on Redis when scaled out (REDIS_URL): Dramatiq carries them to `articlebot worker`s.

`articlebot serve` replicas only verify, parse, enqueue and ack; any number of workers on
any machine that reaches the Redis run the jobs. Why Dramatiq: its Redis broker acks a
message only after the job returns (acks-late), and a worker that stops heartbeating (killed,
its machine gone) has its unacked messages put back on the queue for the others, however
long jobs take (no visibility timeout to tune against the longest summary, as with Celery on
Redis); its workers are threads, which suits our blocking model and Slack clients; and it is
small and well kept. Its at-least-once delivery is made exactly-once replies by the job
journal (bot.slack.journal): a redelivered job edits its own placeholder, or does nothing
when it was answered. Dramatiq doesn't dedupe messages, so two messages carrying the same
job (Slack's retry of an event queued just before its replica crashed: same job id) are
deduped by the journal too: the second is skipped while the first runs or once it's done.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import dramatiq
import redis
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker
from dramatiq.middleware import CurrentMessage
from pydantic import ValidationError

from bot.errors import ConfigError
from bot.slack import journal, tasks
from bot.slack.worker import DRAIN_SECONDS, Busy

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.slack.tasks import Job

log = logging.getLogger(__name__)

QUEUE = "articlebot"
ACTOR = "articlebot_job"
HEARTBEAT_MS = 15_000  # a worker silent this long is dead: its jobs go to the others
# Share of broker calls that also requeue dead workers' jobs (Dramatiq's default, 0.1%, can
# leave a lost job waiting many minutes on a quiet queue; the check is one small script).
MAINTENANCE_CHANCE = MAINTENANCE_SCALE // 10
TIME_LIMIT_MS = 10 * 60 * 1000  # no job may hold a worker thread longer
POLL_MS = 250

_handler: Callable[[str], None] | None = None  # set in worker processes only


def _run(payload: str) -> None:
    if _handler is None:
        raise RuntimeError("jobs run in `articlebot worker`, not here")
    _handler(payload)


def make_broker(settings: Settings) -> RedisBroker:
    from bot.store.redis import connect

    if not settings.redis_url:
        raise ConfigError("Set REDIS_URL to queue jobs on Redis.")
    broker = RedisBroker(
        client=connect(settings.redis_url, decode=False),
        namespace=f"{settings.redis_prefix}dramatiq",
        heartbeat_timeout=HEARTBEAT_MS,
        maintenance_chance=MAINTENANCE_CHANCE,
    )
    broker.add_middleware(CurrentMessage())  # the handler needs its message's id
    # Never retried on an exception: execute() answers failures in words itself; only a
    # worker's death (no ack) brings a job back.
    dramatiq.actor(  # type: ignore[call-overload]  # dramatiq's stubs omit time_limit etc.
        _run,
        actor_name=ACTOR,
        queue_name=QUEUE,
        broker=broker,
        max_retries=0,
        time_limit=TIME_LIMIT_MS,
    )
    return broker


class RedisJobQueue:
    """The WorkerPool of a serve replica (jobs go to Redis, workers run them), and of a
    worker's own jobs (the jobs they queue: `broker`, the worker's)."""

    def __init__(self, settings: Settings, broker: RedisBroker | None = None) -> None:
        self._broker = broker or make_broker(settings)
        self._actor = self._broker.get_actor(ACTOR)

    def submit(self, job: Job, *, delay: float = 0.0) -> None:
        try:
            if delay > 0:  # Dramatiq keeps it on the queue's delay queue until it is due
                self._actor.send_with_options(args=(tasks.dumps(job),), delay=_ms(delay))
            else:
                self._actor.send(tasks.dumps(job))
        except redis.RedisError as exc:  # the user is told to try again, in words
            log.error("couldn't queue %s on Redis: %s", job.name, type(exc).__name__)
            raise Busy("the job queue is unavailable") from exc
        tasks.queued(job)

    def shutdown(self, timeout: float = DRAIN_SECONDS) -> None:
        self._broker.close()


def run_worker(settings: Settings, threads: int, *, stop: threading.Event | None = None) -> None:
    """`articlebot worker`: run queued jobs until SIGTERM / Ctrl-C (or `stop` is set), then
    finish the ones in progress (up to DRAIN_SECONDS); any cut off go to other workers."""
    global _handler
    from dramatiq import Worker

    from bot.slack.runtime import job_runner

    services, client = job_runner(settings)

    def handle(payload: str) -> None:
        try:
            job = tasks.loads(payload)
        except ValidationError as exc:
            journal.unreadable(client, services.store, payload, exc)
            return
        message = CurrentMessage.get_current_message()
        # The message id tells a redelivery of this message (its worker died: take over)
        # from another message carrying the same job (a Slack retry's: skip it).
        journal.execute(services, client, job, delivery=message.message_id if message else None)

    _handler = handle
    broker = make_broker(settings)
    services.pool = RedisJobQueue(settings, broker)  # where its jobs queue theirs
    from bot.slack.digest import schedule

    actor = broker.get_actor(ACTOR)
    stop = stop or threading.Event()
    schedule.start(services.store, settings, lambda job: actor.send(tasks.dumps(job)), stop=stop)
    # An idle consumer polls Redis at most this many ms apart: a freed thread soon has work.
    worker = Worker(broker, worker_threads=threads, worker_timeout=POLL_MS)
    # Take only what the threads can start: a job prefetched by a busy worker waits while
    # another worker is idle.
    worker.queue_prefetch = threads
    _stop_on_signals(stop)
    worker.start()
    log.info("worker: %d threads on queue %r", threads, QUEUE)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        log.info("worker: stopping; finishing the jobs in progress")
        worker.stop(timeout=int(DRAIN_SECONDS * 1000))
        broker.close()


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _stop_on_signals(stop: threading.Event) -> None:
    if threading.current_thread() is not threading.main_thread():
        return

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
