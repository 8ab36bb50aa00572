"""How results reach the terminal: a spinner while waiting, text as it streams, then notes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console

from bot.cli.markdown import for_stdout
from bot.pipeline import Result

_err = Console(stderr=True)


class Progress:
    """A spinner on stderr (only on a terminal) that stops once text starts to stream.

    None while the command's article is being typed or pasted at the terminal (`-`, nothing
    piped in): it would redraw its line over what is typed."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled and sys.stderr.isatty()
        self._status: Any = None
        self._on_close: list[Callable[[], None]] = []  # a streamer's last words (see close)

    def show(self, message: str) -> None:
        if not self._enabled or _typing_the_article():
            return
        if self._status is None:
            self._status = _err.status(message)
            self._status.start()
        else:
            self._status.update(message)

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def at_close(self, last_words: Callable[[], None]) -> None:
        self._on_close.append(last_words)

    def close(self) -> None:
        """The work is over: no spinner, and what a streamer held back is written."""
        self.stop()
        while self._on_close:
            self._on_close.pop(0)()


def _typing_the_article() -> bool:
    """Whether the running command still reads its SOURCE from someone at the terminal."""
    from bot.cli.inputs import waits_for_stdin

    ctx = click.get_current_context(silent=True)
    source = ctx.params.get("source") if ctx is not None else None
    return isinstance(source, str) and waits_for_stdin(source)


@contextmanager
def progress(enabled: bool = True) -> Iterator[Progress]:
    spinner = Progress(enabled)
    try:
        yield spinner
    finally:
        spinner.close()


def streamer(spinner: Progress, header: str | None = None) -> Callable[[str], None]:
    """An on_text callback that prints each piece as it arrives (after an optional header).

    At a terminal, Markdown emphasis and headings show as bold text, their markers dropped
    (`bot.cli.markdown`); piped, the text is printed as written, for scripts."""
    started = False
    markdown = for_stdout()

    def write(piece: str) -> None:
        nonlocal started
        if not started:
            spinner.stop()
            if header:
                click.secho(header, fg="yellow", err=True)
            started = True
        click.echo(markdown.feed(piece) if markdown else piece, nl=False)
        sys.stdout.flush()

    if markdown is not None:
        spinner.at_close(lambda: click.echo(markdown.close(), nl=False))
    return write


def finish(result: Result, *, verbose: bool, source: bool = True) -> None:
    """After the streamed text: a newline, then where it came from (unless `source` is
    False: a conversation says it once) and what it cost."""
    click.echo()
    if result.notice:
        click.secho(result.notice, fg="yellow", err=True)
    if result.model_error:  # the model's failure, which whoever runs the CLI can act on
        click.secho(result.model_error, fg="yellow", err=True)
    article = result.article
    details = [article.site_name, article.author and f"by {article.author}", article.published]
    line = " · ".join(str(part) for part in [article.title, *details, article.url] if part)
    if source and line:
        click.secho(f"Source: {line}", dim=True, err=True)
    if verbose:
        u = result.usage
        cost = f", ~${u.cost_usd:.5f}" if u.cost_usd is not None else ""
        kind = "estimated" if u.estimated else "reported"
        spent = (
            f"tokens: {u.prompt_tokens} prompt + {u.completion_tokens} completion "
            f"({kind}){cost}; requests: {u.requests}"
            if u.requests
            else "no model requests"
        )
        click.secho(
            f"Engine: {result.engine}{f' ({result.model})' if result.model else ''}; "
            f"{spent}{'; cached' if result.cached else ''}",
            dim=True,
            err=True,
        )


def print_json(result: Result) -> None:
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
