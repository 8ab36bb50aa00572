"""Turn the `<url|file|->` argument every command takes into an Article."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.article_source import ArticleSource
from bot.errors import IngestError
from bot.ingest import Article
from bot.quick_settings import quick_settings
from bot.text.clip import clipped

if TYPE_CHECKING:
    from bot.settings import Settings

# Ctrl-D ends the input only at the start of a line (elsewhere it only sends the line so far).
PASTE_PROMPT = (
    "Paste the article, then press Ctrl-Z and Enter."
    if sys.platform == "win32"
    else "Paste the article, then press Ctrl-D on a new line."
)
_stdin_read = False  # once read, standard input is at its end: nobody is typing any more


def read_source(source: str, settings: Settings | None = None) -> Article:
    """`-` reads stdin; a link is fetched; anything else is a file, recognised by its content.

    Without `settings`, a file or stdin is read with `quick_settings()` (no pydantic: ~0.3 s
    of `articlebot clean FILE`); only a link loads the whole Settings."""
    limits = settings or quick_settings()
    articles = ArticleSource(limits)  # no store: a CLI run keeps nothing
    if source == "-":
        return articles.from_file(_read_stdin(limits.fetch_max_bytes + 1), "standard input")
    if not source.strip():
        raise IngestError("Nothing to read: give me a file, a link, or - for standard input.")
    path = _expanded(source)
    if _is(path, Path.exists) and not _is(path, Path.is_dir):
        # Files, and what reads like one: `<(curl …)` (a pipe), /dev/stdin.
        try:
            with path.open("rb") as handle:
                data = handle.read(limits.fetch_max_bytes + 1)
        except OSError as err:
            raise IngestError(f"Can't read {_shown(source)}: {err.strerror or err}.") from None
        # A pipe's name says nothing ("63 is empty." for `<(curl …)`): its path as typed does.
        named = path.name if _is(path, Path.is_file) else _shown(source)
        return articles.from_file(data, named)
    from bot.ingest.links import typed_link  # its patterns: only for what isn't a file

    link = typed_link(source)
    if link is not None and link.alone:  # ftp://, file://… too: the fetch says what works
        from bot.settings import get_settings

        return ArticleSource(settings or get_settings()).from_url(link.url)
    if _is(path, Path.is_dir):
        raise IngestError(f"{_shown(source)} is a folder; give me a file, a link or - for stdin.")
    raise IngestError(f"No such file or link: {_shown(source)}")


def _shown(source: str) -> str:
    return clipped(source, 80)


def _expanded(source: str) -> Path:
    """`~/x` as the home folder's x; as typed when there is no such home ("~nobody/x")."""
    try:
        return Path(source).expanduser()
    except RuntimeError:
        return Path(source)


def _is(path: Path, kind: Callable[[Path], bool]) -> bool:
    """`path.is_file()` / `is_dir()`, False for what can't be a path at all (a name too long
    for the system, a NUL byte): such an argument may still be a link."""
    try:
        return kind(path)
    except (OSError, ValueError):
        return False


def names_a_path(source: str, kind: Callable[[Path], bool] = Path.exists) -> bool:
    """Whether the argument `source` is a path of that kind (exists, is a file): False for
    one that can't be a path at all (too long, a NUL, "~nobody/x")."""
    return _is(_expanded(source), kind)


def _read_stdin(limit: int) -> bytes:
    """Standard input, up to `limit` bytes. At a terminal (nothing piped in) the person must
    paste or type the article: say how to end it, and keep the spinner off until they have."""
    global _stdin_read
    if sys.stdin.isatty():
        click.secho(PASTE_PROMPT, fg="cyan", err=True)
    try:
        return sys.stdin.buffer.read(limit)
    finally:
        _stdin_read = True


def waits_for_stdin(source: str) -> bool:
    """Whether reading `source` still waits for someone at the terminal (see output.Progress)."""
    return source == "-" and not _stdin_read and sys.stdin.isatty()


def as_link(source: str) -> str | None:
    """The web link `source` is, if it is nothing but one: "https://…", Slack's pasted
    "<https://…>" or "<https://…|label>", "www.…", or "example.com/story" (https added);
    see `typed_link`, which /summarize and /ask read their text with too."""
    from bot.ingest.links import typed_link  # its patterns: only for what isn't a file

    link = typed_link(source)
    return link.url if link is not None and link.web and link.alone else None
