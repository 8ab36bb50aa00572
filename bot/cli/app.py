"""The `articlebot` command group; sub-commands live in sibling modules and register on it."""

from __future__ import annotations

import logging
import sys

import click

from bot import __version__
from bot.errors import ArticlebotError


class _Group(click.Group):
    """Turns the bot's own errors into one clear line and a non-zero exit, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ArticlebotError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="articlebot")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (to stderr).")
def cli(verbose: bool) -> None:
    """Clean, summarize and answer questions about articles: links, files or pasted text."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
