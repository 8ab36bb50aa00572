"""`articlebot stats`: requests, cache hits, tokens, cost and 👍/👎, per channel and style,
from the store the settings name (the SQLite file, or Redis with REDIS_URL)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.app import cli

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.store import Store

WHERE_HINT = (
    "Run `articlebot stats` where the bot's .env is, or point to its store with STORE_PATH "
    "(the SQLite file) or REDIS_URL."
)


@cli.command()
@click.option(
    "--days",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="How far back to count.",
)
@click.option("--team", metavar="TEAM_ID", help="Only this workspace (T…); default: all.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def stats(days: float, team: str | None, as_json: bool) -> None:
    """Usage and feedback of the Slack bot: per channel and per summary style."""
    from bot.settings import get_settings
    from bot.stats import render, report
    from bot.store import open_store

    settings = get_settings()
    _check_store_exists(settings)  # opening a missing SQLite file would create an empty one
    since = time.time() - days * 86_400
    store = open_store(settings)
    try:
        result = report(store.requests_since(since, team=team))
        unknown_team = bool(team and not result.total.requests and _never_seen(store, team))
    finally:
        store.close()
    start = datetime.fromtimestamp(since, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if as_json:
        click.echo(json.dumps({"since": start, "days": days, "team": team, **result.to_dict()}))
        return
    scope = f" in {team}" if team else ""
    click.echo(render(result, f"Summaries and answers{scope} since {start} ({days:g} days)"))
    if unknown_team:  # most likely a mistyped team ID: say the store has none of it at all
        click.secho(f"The store has no requests from team {team} at all.", fg="yellow", err=True)


def _check_store_exists(settings: Settings) -> None:
    """Stats only read: a SQLite store that isn't there is an error, not a new empty file."""
    from bot.errors import ConfigError

    if settings.redis_url:  # open_store says so itself when the server can't be reached
        return
    if settings.store_path == ":memory:":
        raise ConfigError(
            "STORE_PATH is :memory:, so the bot's stats lived and died with its process. "
            + WHERE_HINT
        )
    path = Path(settings.store_path)
    if not path.is_file():
        raise ConfigError(f"No store found at {path.absolute()}. {WHERE_HINT}")


def _never_seen(store: Store, team: str) -> bool:
    """Whether the store kept no request of `team` at all (within STATS_RETENTION_DAYS)."""
    return not store.requests_since(0, team=team)
