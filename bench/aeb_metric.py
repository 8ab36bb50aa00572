"""scrapinghub article-extraction-benchmark metric.

`\\w+` tokens, compared as multisets of 4-token shingles. Page precision and recall;
P = mean precision over pages with non-empty output, R = mean recall over all pages,
F1 = 2PR / (P + R).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+", re.UNICODE)
SHINGLE = 4


def shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(len(tokens) - n + 1, 0)))


def page_scores(predicted: str, truth: str) -> tuple[float | None, float]:
    """(precision or None when the prediction is empty, recall)."""
    pred, gold = shingles(predicted), shingles(truth)
    tp = sum((pred & gold).values())
    precision = tp / sum(pred.values()) if pred else None
    recall = tp / sum(gold.values()) if gold else (1.0 if not pred else 0.0)
    return precision, recall


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    pages: int


def score(predictions: Mapping[str, str], truth: Mapping[str, str]) -> Score:
    precisions: list[float] = []
    recalls: list[float] = []
    for page_id, gold in truth.items():
        p, r = page_scores(predictions.get(page_id, ""), gold)
        if p is not None:
            precisions.append(p)
        recalls.append(r)
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Score(p, r, f1, len(truth))
