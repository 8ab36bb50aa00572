"""Turn the `<url|file|->` argument every command takes into an Article."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.errors import IngestError, TooLarge
from bot.ingest import Article, from_bytes, from_url
from bot.ingest.links import find_urls
from bot.settings import Settings, get_settings


def read_source(source: str, settings: Settings | None = None) -> Article:
    """`-` reads stdin; a link is fetched; anything else is a file, recognised by its content."""
    settings = settings or get_settings()
    if source == "-":
        data = sys.stdin.buffer.read(settings.fetch_max_bytes + 1)
        return _from_data(data, settings, "standard input")
    path = Path(source).expanduser()
    if path.is_file():
        with path.open("rb") as handle:
            data = handle.read(settings.fetch_max_bytes + 1)
        return _from_data(data, settings, path.name)
    urls = find_urls(source)
    if urls and urls[0].rstrip("/") == _with_scheme(source).rstrip("/"):
        return from_url(urls[0], settings)
    if path.is_dir():
        raise IngestError(f"{source} is a folder; give me a file, a link or - for stdin.")
    raise IngestError(f"No such file or link: {source}")


def _with_scheme(source: str) -> str:
    return "https://" + source if source.lower().startswith("www.") else source


def _from_data(data: bytes, settings: Settings, name: str) -> Article:
    if len(data) > settings.fetch_max_bytes:
        raise TooLarge(f"{name} is larger than {settings.fetch_max_bytes:,} bytes.")
    return from_bytes(data)
