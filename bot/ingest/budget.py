"""How much of one input is read, and for how long: no link, file or paste holds a worker.

A `Budget` starts its clock when it is made (at the start of reading one input). The caps
are deterministic (pages, characters, elements); the clock is the backstop for whatever the
caps don't foresee, checked between steps (a running step can't be interrupted in a thread).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


class Limits(Protocol):
    """The settings reading one input needs: `bot.settings.Settings` has them, and so has
    `bot.quick_settings.QuickSettings` (the CLI's, read without pydantic)."""

    @property
    def fetch_max_bytes(self) -> int: ...
    @property
    def ingest_max_pdf_pages(self) -> int: ...
    @property
    def ingest_max_chars(self) -> int: ...
    @property
    def ingest_max_html_elements(self) -> int: ...
    @property
    def ingest_timeout(self) -> float: ...


# A cut looks back this far for a line break (then a space) so it doesn't split a sentence.
_CUT_LOOKBACK = 2_000


@dataclass(frozen=True, slots=True)
class Budget:
    max_pdf_pages: int
    max_chars: int
    max_html_elements: int
    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=-1.0)

    def __post_init__(self) -> None:
        if self.started < 0:
            object.__setattr__(self, "started", self.clock())

    @classmethod
    def from_settings(cls, settings: Limits | None = None) -> Budget:
        if settings is None:
            from bot.settings import get_settings  # pydantic: only when none was given

            settings = get_settings()
        return cls(
            max_pdf_pages=settings.ingest_max_pdf_pages,
            max_chars=settings.ingest_max_chars,
            max_html_elements=settings.ingest_max_html_elements,
            seconds=settings.ingest_timeout,
        )

    def elapsed(self) -> float:
        return self.clock() - self.started

    def expired(self) -> bool:
        return self.elapsed() >= self.seconds

    def half_spent(self) -> bool:
        return self.elapsed() >= self.seconds / 2


def cut_text(text: str, limit: int) -> str:
    """The first `limit` characters of `text`, ended at a line break (or a space) if one is near."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    floor = max(0, limit - _CUT_LOOKBACK)
    for mark in ("\n", " "):
        at = head.rfind(mark, floor)
        if at > 0:
            return head[:at]
    return head
