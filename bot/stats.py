"""Usage and feedback totals from the request log, for `articlebot stats`. Pure: records in,
rows out (the same sums whichever backend kept the records)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.store import RequestRecord

ANSWERS = "(answers)"  # the style row of answers, which have no style
K = TypeVar("K")


@dataclass(slots=True)
class Totals:
    """What a group of requests added up to."""

    requests: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None  # None: no request had a known price
    up: int = 0
    down: int = 0

    def add(self, record: RequestRecord) -> None:
        self.requests += 1
        self.cache_hits += int(record.cached)
        self.prompt_tokens += record.prompt_tokens
        self.completion_tokens += record.completion_tokens
        if record.cost_usd is not None:
            self.cost_usd = (self.cost_usd or 0.0) + record.cost_usd
        self.up += record.up
        self.down += record.down

    def to_dict(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "cache_hits": self.cache_hits,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost_usd": None if self.cost_usd is None else round(self.cost_usd, 6),
            "up": self.up,
            "down": self.down,
        }


@dataclass(slots=True)
class Report:
    total: Totals
    by_channel: list[tuple[tuple[str, str], Totals]]  # ((team, channel), totals)
    by_style: list[tuple[str, Totals]]

    def to_dict(self) -> dict[str, object]:
        return {
            "total": self.total.to_dict(),
            "by_channel": [
                {"team": team, "channel": channel, **totals.to_dict()}
                for (team, channel), totals in self.by_channel
            ],
            "by_style": [{"style": style, **totals.to_dict()} for style, totals in self.by_style],
        }


def report(records: Iterable[RequestRecord]) -> Report:
    records = list(records)
    total = Totals()
    for record in records:
        total.add(record)
    return Report(
        total,
        _grouped(records, lambda r: (r.team, r.channel)),
        _grouped(records, _style_row),
    )


def _style_row(record: RequestRecord) -> str:
    """A summary's row is its style; answers, recaps and digests have a row each."""
    if record.kind == "summary":
        return record.style or "-"
    return ANSWERS if record.kind == "answer" else f"({record.kind}s)"


def _grouped(
    records: Sequence[RequestRecord], key: Callable[[RequestRecord], K]
) -> list[tuple[K, Totals]]:
    """Totals per key, busiest first (ties in key order, so the table is stable)."""
    groups: dict[K, Totals] = {}
    for record in records:
        groups.setdefault(key(record), Totals()).add(record)
    return sorted(groups.items(), key=lambda item: (-item[1].requests, str(item[0])))


# --- the table ------------------------------------------------------------------------------

_HEAD = ("requests", "cache hits", "tokens in", "tokens out", "cost (USD)", "👍", "👎")


def _cells(totals: Totals) -> list[str]:
    cost = "-" if totals.cost_usd is None else f"{totals.cost_usd:,.4f}"
    return [
        f"{totals.requests:,}",
        f"{totals.cache_hits:,}",
        f"{totals.prompt_tokens:,}",
        f"{totals.completion_tokens:,}",
        cost,
        f"{totals.up:,}",
        f"{totals.down:,}",
    ]


def table(head: Sequence[str], rows: Sequence[Sequence[str]], labels: int = 1) -> str:
    """The first `labels` columns left-aligned, numbers right-aligned, two spaces apart."""
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    lines = []
    for row in [head, *rows]:
        cells = [
            cell.ljust(width) if i < labels else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def render(result: Report, heading: str) -> str:
    """The report as text tables: totals, per channel, per style."""
    if not result.total.requests:
        return f"{heading}\nNo summaries or answers in this period."
    parts = [
        heading,
        table(("", *_HEAD), [("all", *_cells(result.total))]),
        "\nper channel",
        table(
            ("team", "channel", *_HEAD),
            [(team, channel, *_cells(t)) for (team, channel), t in result.by_channel],
            labels=2,
        ),
        "\nper style",
        table(("style", *_HEAD), [(style, *_cells(t)) for style, t in result.by_style]),
    ]
    return "\n".join(parts)
