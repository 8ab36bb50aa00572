"""`articlebot stats`: requests, cache hits, tokens, cost and 👍/👎, per channel and style,
from the store the settings name (the SQLite file, or Redis with REDIS_URL)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import click

from bot.cli.app import cli


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

    since = time.time() - days * 86_400
    store = open_store(get_settings())
    try:
        result = report(store.requests_since(since, team=team))
    finally:
        store.close()
    start = datetime.fromtimestamp(since, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if as_json:
        click.echo(json.dumps({"since": start, "days": days, "team": team, **result.to_dict()}))
        return
    scope = f" in {team}" if team else ""
    click.echo(render(result, f"Summaries and answers{scope} since {start} ({days:g} days)"))
