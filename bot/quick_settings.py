"""The few settings `articlebot clean FILE` reads, without loading pydantic (~0.3 s at start).

    settings = quick_settings()   # fetch_max_bytes, ingest_*, log_level, log_format

Every value is the one `bot.settings.Settings` gives. A setting that is unset takes Settings'
default and one written plainly ("5000", "8.5", "debug") is read here; anything else — out of
range, "1e3", "5_000", " 5000", the same name set twice in different case, a `.env` that is
not a plain file — is handed to Settings itself, which reads it or refuses it with its own
message. So `clean` gives the same values and the same errors for these settings, and only
pays for pydantic when a value needs it. (Settings that `clean` doesn't read are not checked
here: a link still builds the whole Settings, a file or a paste doesn't.)

Like Settings: names are matched blind to case, the environment wins over `.env` in the
working folder. tests/test_quick_settings.py keeps the defaults and ranges equal to Settings'.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

# Plain digits (ASCII only: int() would take "٣" and "1_000", and pydantic may not agree).
_INT = re.compile(r"[0-9]{1,15}")
_FLOAT = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?")

# name: (default, smallest value allowed) — Settings' Field(default, gt=/ge=).
_INTS: dict[str, tuple[int, int]] = {
    "fetch_max_bytes": (10_000_000, 1),
    "ingest_max_pdf_pages": (100, 1),
    "ingest_max_chars": (200_000, 1_000),
    "ingest_max_html_elements": (5_000, 100),
}
# name: (default, value it must be above).
_FLOATS: dict[str, tuple[float, float]] = {"ingest_timeout": (8.0, 0.0)}
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LogFormat = Literal["text", "json"]
LOG_LEVELS: tuple[LogLevel, ...] = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")
_CHOICES: dict[str, tuple[str, tuple[LogLevel | LogFormat, ...]]] = {
    "log_level": ("INFO", LOG_LEVELS),
    "log_format": ("text", LOG_FORMATS),
}
NAMES = (*_INTS, *_FLOATS, *_CHOICES)


def upper(value: object) -> object:
    """LOG_LEVEL as Settings reads it ("debug " is DEBUG)."""
    return value.strip().upper() if isinstance(value, str) else value


def lower(value: object) -> object:
    """LOG_FORMAT as Settings reads it."""
    return value.strip().lower() if isinstance(value, str) else value


_NORMALIZE = {"log_level": upper, "log_format": lower}


@dataclass(frozen=True, slots=True)
class QuickSettings:
    """The settings reading one file or paste needs (`bot.ingest.budget.Limits`), and the
    CLI's logging."""

    fetch_max_bytes: int
    ingest_max_pdf_pages: int
    ingest_max_chars: int
    ingest_max_html_elements: int
    ingest_timeout: float
    log_level: LogLevel
    log_format: LogFormat
    log_level_set: bool  # LOG_LEVEL given at all (else the CLI logs only errors)


class _Unsure(Exception):
    """A value only Settings can read (or refuse)."""


def quick_settings() -> QuickSettings:
    """The settings above as Settings would read them (and Settings itself when unsure)."""
    try:
        given = _given()
        return QuickSettings(
            fetch_max_bytes=_int(given, "fetch_max_bytes"),
            ingest_max_pdf_pages=_int(given, "ingest_max_pdf_pages"),
            ingest_max_chars=_int(given, "ingest_max_chars"),
            ingest_max_html_elements=_int(given, "ingest_max_html_elements"),
            ingest_timeout=_float(given, "ingest_timeout"),
            log_level=cast(LogLevel, _choice(given, "log_level")),
            log_format=cast(LogFormat, _choice(given, "log_format")),
            log_level_set="log_level" in given,
        )
    except _Unsure:
        return _from_settings()


def _given() -> dict[str, str]:
    """name -> text, for the names above set in the environment or `.env`."""
    env_file = Path(".env")
    dotenv: Mapping[str, str | None] = {}
    if env_file.exists():
        if not env_file.is_file():  # a FIFO is read once: leave it to Settings
            raise _Unsure
        try:
            from dotenv import dotenv_values  # what pydantic-settings reads .env with

            dotenv = dotenv_values(env_file, encoding="utf-8")
        except Exception:  # unreadable, not UTF-8...: Settings says what is wrong
            raise _Unsure from None
    given: dict[str, str] = {}
    for source in (os.environ, dotenv):  # the environment first: it wins
        seen: dict[str, str | None] = {}
        for key, value in source.items():
            name = key.lower()
            if name in NAMES:
                if name in seen:  # FOO and foo: which wins is Settings' business
                    raise _Unsure
                seen[name] = value
        for name, value in seen.items():
            if value is None:  # "NAME" alone on a .env line
                raise _Unsure
            given.setdefault(name, value)
    return given


def _int(given: dict[str, str], name: str) -> int:
    default, least = _INTS[name]
    text = given.get(name)
    if text is None:
        return default
    if _INT.fullmatch(text) and int(text) >= least:
        return int(text)
    raise _Unsure


def _float(given: dict[str, str], name: str) -> float:
    default, above = _FLOATS[name]
    text = given.get(name)
    if text is None:
        return default
    if _FLOAT.fullmatch(text) and float(text) > above:
        return float(text)
    raise _Unsure


def _choice(given: dict[str, str], name: str) -> str:
    default, choices = _CHOICES[name]
    text = given.get(name)
    if text is None:
        return default
    value = _NORMALIZE[name](text)
    if value not in choices:
        raise _Unsure
    return str(value)


def _from_settings() -> QuickSettings:
    from bot.settings import get_settings

    settings = get_settings()  # raises pydantic's ValidationError for a bad value
    return QuickSettings(
        fetch_max_bytes=settings.fetch_max_bytes,
        ingest_max_pdf_pages=settings.ingest_max_pdf_pages,
        ingest_max_chars=settings.ingest_max_chars,
        ingest_max_html_elements=settings.ingest_max_html_elements,
        ingest_timeout=settings.ingest_timeout,
        log_level=settings.log_level,
        log_format=settings.log_format,
        log_level_set="log_level" in settings.model_fields_set,
    )
