"""How each process of the Slack bot starts: its logging, its services, where its jobs go.

- A server (`articlebot serve`: Socket Mode, or each HTTP worker) acks Slack and queues jobs
  to its `job_pool`, which `drain` finishes when the process stops.
- A job runner (the job process beside a server, bot.slack.worker; an `articlebot worker` on
  Redis) runs them, at a lower CPU priority than the acks.
Every one of them logs the same way (LOG_LEVEL, LOG_FORMAT: bot.logs).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from slack_sdk import WebClient

from bot.errors import ConfigError, PromptError
from bot.logs import setup_logging
from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.slack.context import Services
from bot.slack.worker import (
    DRAIN_SECONDS,
    JOB_NICENESS,
    ProcessWorkerPool,
    ThreadWorkerPool,
    WorkerPool,
)
from bot.store import open_store
from bot.store.sqlite_jobs import SQLiteJobQueue

_QUIET = ("WARNING", "ERROR", "CRITICAL")
_pools: list[WorkerPool] = []  # this process's job pools, drained when it stops


def for_process(settings: Settings, *, verbose: bool) -> Settings:
    """The settings a server or worker runs with, its logging set up: a server logs at
    LOG_LEVEL (INFO by default), not the CLI's quiet default; -v means INFO at least. The
    settings carry the level on to gunicorn workers and the job process."""
    if verbose and settings.log_level in _QUIET:
        settings = settings.model_copy(update={"log_level": "INFO"})
    configure_logging(settings)
    return settings


def configure_logging(settings: Settings) -> None:
    setup_logging(settings.log_level, settings.log_format)


def build_services(
    settings: Settings, *, pool: WorkerPool | None, pipeline: Pipeline | None = None
) -> Services:
    store = open_store(settings)
    workspaces = None
    if settings.oauth_enabled:
        from bot.slack.oauth import Workspaces  # Bolt's OAuth: only when it's needed

        workspaces = Workspaces(settings, store)
    return Services(
        settings=settings,
        pipeline=pipeline or Pipeline(settings, store=store),
        store=store,
        pool=pool,
        workspaces=workspaces,
    )


def check_start(settings: Settings) -> None:
    """What every process would otherwise fail on once started (each HTTP worker, in a loop
    of tracebacks under a supervisor): the store, the prompt templates and SUMMARY_STYLE, the
    audit log's file, and the model settings (else each request is answered in Slack with
    a line naming settings its asker can't change). A ConfigError or PromptError, one line
    naming the setting."""
    from bot.llm.providers import online_provider
    from bot.llm.templates import load_templates

    # A partly configured Azure raises here; ENGINE=openai with no model at all would make
    # every request an error rather than the offline engine's answer.
    if online_provider(settings) is None and settings.engine == "openai":
        raise ConfigError(
            "ENGINE=openai needs a model: set OPENAI_API_KEY, OPENAI_BASE_URL or the "
            "AZURE_OPENAI_* settings (or ENGINE=auto to let the offline engine answer)."
        )
    open_store(settings).close()
    templates = load_templates(settings.prompts_dir)
    try:
        templates.summary(settings.summary_style)
    except PromptError as err:
        raise ConfigError(f"SUMMARY_STYLE: {err}") from None
    if settings.audit_log_path:
        path = Path(settings.audit_log_path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.open("a").close()
        except OSError as err:
            raise ConfigError(
                f"Can't write the audit log at AUDIT_LOG_PATH ({path}): {err.strerror or err}."
            ) from None


def job_pool(settings: Settings) -> WorkerPool:
    """Where a server sends its jobs: Redis (run by `articlebot worker`s) when scaled out,
    else a durable job process beside it, else threads (`:memory:` or jobs off)."""
    if settings.redis_url:
        from bot.slack.redis_jobs import RedisJobQueue

        return RedisJobQueue(settings)
    if settings.slack_job_process and settings.store_path != ":memory:":
        return ProcessWorkerPool(settings, settings.slack_worker_threads)
    # An in-memory store can't be shared with another process: keep jobs here (durably,
    # when there is a file to write them to).
    queue = None
    if settings.store_path != ":memory:":
        queue = SQLiteJobQueue.beside(settings.store_path)
    return ThreadWorkerPool(settings.slack_worker_threads, queue=queue)


def server_services(settings: Settings) -> Services:
    """A server's services, its job pool registered for `drain`, and what the ack path
    would otherwise load on its first request."""
    from bot.ingest import links
    from bot.llm import meta

    links.warm_up()  # the paste lead's language names ("in Spanish"): 0.3 s on a first ack
    meta.meta_kind("what is it about")  # reads meta_questions.yaml: ~30 ms, once
    services = build_services(settings, pool=job_pool(settings))
    if services.pool is not None:
        _pools.append(services.pool)
    return services


def drain(timeout: float = DRAIN_SECONDS) -> None:
    """Finish the jobs in progress in this process (bounded by `timeout`)."""
    while _pools:
        _pools.pop().shutdown(timeout)


def job_runner(settings: Settings) -> tuple[Services, WebClient]:
    """A process that runs jobs: logging, a lower CPU priority (a runner sharing a machine
    with a server must not slow its acks), services without a pool, a Web API client, and
    the models built now so the first job doesn't pay for them."""
    from bot.ingest import links
    from bot.slack.app import web_client  # the app module imports this one

    with contextlib.suppress(OSError):  # not allowed here: run at normal priority
        os.nice(JOB_NICENESS)
    configure_logging(settings)
    client = web_client(settings)
    services = build_services(settings, pool=None)
    services.pipeline.warm_up()
    links.warm_up()  # a recap reads each pasted message's lead ("in Spanish"): 0.3 s once
    return services, client
