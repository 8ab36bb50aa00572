"""A text cut to a length for showing (in an error message, a log line, a reason), with an
ellipsis where it was cut. Pure."""

from __future__ import annotations


def clipped(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else its first `limit - 1` and "…"."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
