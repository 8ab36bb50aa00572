"""`articlebot serve`: run the Slack app (Socket Mode, or HTTP with --http)."""

from __future__ import annotations

import click

from bot.cli.app import cli, is_verbose


@cli.command()
@click.option("--http", "http_mode", is_flag=True, help="HTTP mode instead of Socket Mode.")
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP mode: address to bind.")
@click.option(
    "--port",
    default=3000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="HTTP mode: port.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="HTTP mode: worker processes (SLACK_HTTP_WORKERS).",
)
def serve(http_mode: bool, host: str, port: int, workers: int | None) -> None:
    """Run the Slack bot. Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN; HTTP mode needs
    SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and
    SLACK_CLIENT_SECRET (installs over OAuth, at /slack/install), and serves /slack/events
    and /healthz."""
    from bot.settings import get_settings
    from bot.slack import runtime
    from bot.slack.server import serve_http, serve_socket

    settings = get_settings()
    if workers is not None:
        settings = settings.model_copy(update={"slack_http_workers": workers})
    settings = runtime.for_process(settings, verbose=is_verbose(click.get_current_context()))
    if http_mode:
        serve_http(settings, host, port)
    else:
        serve_socket(settings)
