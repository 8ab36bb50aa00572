"""`articlebot clean`: print an article's clean text (or its metadata as JSON)."""

from __future__ import annotations

import json
from contextlib import nullcontext

import click

from bot.cli.app import cli


@cli.command()
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print the Article with its metadata.")
def clean(source: str, as_json: bool) -> None:
    """Print the clean text of SOURCE: a link, a file (HTML, PDF or text) or - for stdin."""
    from bot.cli.inputs import read_source  # the ingest stack: only once a command runs
    from bot.ingest.language import declared_language_only

    # The text alone says no language: no language model (numpy) for it.
    with nullcontext() if as_json else declared_language_only():
        article = read_source(source)
    if as_json:
        click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(article.text)
    if article.notice:  # only part of the input was read: say so, apart from the text
        click.secho(article.notice, fg="yellow", err=True)
