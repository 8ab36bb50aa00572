"""Tokens and estimated cost of model requests.

Counts come from the API's `usage` fields when it sends them (streaming included: the client
asks for `stream_options.include_usage`); otherwise they are counted locally and marked
`estimated`. Cost uses a small price table that the `llm_prices` setting extends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.llm.tokens import count_message_tokens, count_tokens

# USD per 1M tokens (input, output), list prices. Local/unknown models: no cost shown.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "o4-mini": (1.10, 4.40),
    "o3-mini": (1.10, 4.40),
    "gpt-3.5-turbo": (0.50, 1.50),
}


@dataclass(frozen=True, slots=True)
class Usage:
    """What requests cost; add them up with `+`."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    estimated: bool = False  # counted by us, not reported by the API
    requests: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        cost = None
        if self.cost_usd is not None or other.cost_usd is not None:
            cost = (self.cost_usd or 0.0) + (other.cost_usd or 0.0)
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            cost,
            self.estimated or other.estimated,
            self.requests + other.requests,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "cost_usd": None if self.cost_usd is None else round(self.cost_usd, 8),
            "estimated": self.estimated,
            "requests": self.requests,
        }


def price_for(
    model: str, overrides: Mapping[str, tuple[float, float]] | None = None
) -> tuple[float, float] | None:
    """(input, output) USD per 1M tokens: exact name, else the longest known prefix
    ("gpt-4o-mini-2024-07-18" -> "gpt-4o-mini"); None for unknown models."""
    table = {**PRICES, **(overrides or {})}
    name = model.split("/")[-1].lower()
    if name in table:
        return table[name]
    prefixes = [key for key in table if name.startswith(key + "-")]
    return table[max(prefixes, key=len)] if prefixes else None


def estimate_cost(
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
    overrides: Mapping[str, tuple[float, float]] | None = None,
) -> float | None:
    price = price_for(model, overrides)
    if price is None:
        return None
    return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000


def usage_of(
    reported: Mapping[str, Any] | None,
    *,
    model: str,
    prompt: Iterable[Any],
    completion: str,
    overrides: Mapping[str, tuple[float, float]] | None = None,
) -> Usage:
    """One request's usage: LangChain's `usage_metadata` when the API reported it, else
    counted from the prompt messages and the completion text."""
    if reported and reported.get("input_tokens") is not None:
        prompt_tokens = int(reported.get("input_tokens") or 0)
        completion_tokens = int(reported.get("output_tokens") or 0)
        estimated = False
    else:
        prompt_tokens = count_message_tokens(prompt, model)
        completion_tokens = count_tokens(completion, model)
        estimated = True
    cost = estimate_cost(model, prompt_tokens, completion_tokens, overrides)
    return Usage(prompt_tokens, completion_tokens, cost, estimated, 1)
