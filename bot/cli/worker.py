"""`articlebot worker`: run the Slack jobs queued on Redis by `articlebot serve` replicas."""

from __future__ import annotations

import click

from bot.cli.app import cli, is_verbose


@cli.command()
@click.option(
    "--threads", type=click.IntRange(min=1), help="Jobs run at once (SLACK_WORKER_THREADS)."
)
def worker(threads: int | None) -> None:
    """Run queued Slack jobs (summaries, answers) from REDIS_URL until SIGTERM or Ctrl-C.

    Start any number, on any machine that reaches the Redis; a job whose worker dies is run
    by another. Needs REDIS_URL and SLACK_BOT_TOKEN (or the OAuth settings)."""
    from bot.errors import ConfigError
    from bot.settings import get_settings
    from bot.slack import runtime

    settings = runtime.for_process(get_settings(), verbose=is_verbose(click.get_current_context()))
    if not settings.redis_url:
        raise ConfigError(
            "articlebot worker runs jobs queued on Redis: set REDIS_URL (the same as the "
            "serve replicas'). Without Redis, `articlebot serve` runs its jobs itself."
        )
    if not settings.slack_bot_token and not settings.oauth_enabled:
        raise ConfigError(
            "articlebot worker needs SLACK_BOT_TOKEN (the Bot User OAuth Token, xoxb-…), or "
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET as the servers have (OAuth installs)."
        )
    from bot.slack.redis_jobs import run_worker
    from bot.slack.server import check_token

    check_token(settings)  # a bad token is one clear line now, not a failure per job
    runtime.check_start(settings)  # as `serve` does: the model settings, store, templates
    run_worker(settings, threads or settings.slack_worker_threads)
