"""How likely each of the best few sentences is to hold the answer: a linear model over
evidence the ranking already has, fitted on data (`rerank.json`, refit with
`python -m bench rerank_fit --write`).

The engine's ranking finds the candidates (the answer is among its best five for 97% of the
dev questions of `bench.unanswerable`, its first for 78%); this model orders them and says
how sure it is: the likeliest is quoted, and the next likeliest beside it when it is likely
enough (or when the ranking's best two score in a near tie), so a clear best stands alone.
Features are per candidate, relative to the others (a conditional logit: the probabilities
of one question's candidates sum to 1), and none depends on the language beyond the
expected answer type, which only English questions have. Whether the article answers at
all is decided before, on the ranking's best sentence (`answers.confidence`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.offline.evidence import coverage

if TYPE_CHECKING:
    from bot.offline.answers import Features

_DATA = Path(__file__).with_name("rerank.json")
# Answer types a sentence lacks for sure when `fits` says so (a sum of money, an age): too
# rare in the data for the model to weigh them, so a candidate that has one joins the first
# quote that lacks it. The other types' tokens (any name, any number) prove much less.
_DECISIVE = frozenset({"money", "age"})
# The ranking's runner-up at this share of its best's score is in a near tie with it.
TIE_SHARE = 0.95

FEATURES = (
    "gap",  # the ranking score minus the best candidate's
    "best",  # the ranking's first choice
    "coverage",
    "bm25",
    "pairs",
    "paragraph",
    "window_gain",  # coverage its neighbours add
    "fits",  # holds the expected kind of answer (questions with one)
    "after_best",  # the sentence right after the best one (which often names the subject)
    "before_best",
    "opens_paragraph",
    "local",  # coverage with the question's terms weighted up when few candidates hold them
    "complement",  # coverage of the question's terms the best candidate lacks
    "previous_coverage",  # of the sentence before, in the same paragraph
    "next_coverage",
)


@dataclass(frozen=True, slots=True)
class Model:
    candidates: int  # how many of the best-ranked sentences it weighs
    weights: tuple[float, ...]  # aligned with FEATURES
    second_min: float  # a runner-up this likely is quoted too


@cache
def model() -> Model:
    return parse(json.loads(_DATA.read_text(encoding="utf-8")))


def parse(data: dict[str, Any]) -> Model:
    """The model stored as `data` (the JSON of rerank.json)."""
    weights = data["weights"]
    if set(weights) != set(FEATURES):
        raise ValueError(
            f"{_DATA.name} is stale: its features differ from rerank.FEATURES "
            "(refit with `python -m bench rerank_fit --write`)"
        )
    return Model(
        candidates=int(data["candidates"]),
        weights=tuple(float(weights[name]) for name in FEATURES),
        second_min=float(data["second_min"]),
    )


def candidate_features(f: Features, ranked: Sequence[int]) -> list[list[float]]:
    """One row of FEATURES per sentence of `ranked` (indices, the ranking's best first)."""
    best = ranked[0]
    n = len(f.rank)
    sets = [f.terms[i] for i in ranked]
    k = len(ranked)
    local = {
        t: w * math.log((k + 1) / (sum(t in s for s in sets) + 0.5)) for t, w in f.weights.items()
    }

    def beside(i: int, j: int) -> float:
        """Coverage of sentence `j` when it is in the paragraph of sentence `i`."""
        return f.coverage[j] if 0 <= j < n and f.paragraphs[j] == f.paragraphs[i] else 0.0

    rows = []
    for i in ranked:
        opens = i == 0 or f.paragraphs[i - 1] != f.paragraphs[i]
        rows.append(
            [
                f.rank[i] - f.rank[best],
                float(i == best),
                f.coverage[i],
                f.bm25[i],
                f.pairs[i],
                f.paragraph[i],
                f.window[i] - f.coverage[i],
                float(f.kind is not None and f.fits[i]),
                float(i == best + 1),
                float(i == best - 1),
                float(opens),
                coverage(f.terms[i], local),
                coverage(f.terms[i] - f.terms[best], f.weights),
                beside(i, i - 1),
                beside(i, i + 1),
            ]
        )
    return rows


def probabilities(rows: list[list[float]], weights: Sequence[float]) -> list[float]:
    """Softmax of each row's dot product with `weights`."""
    scores = [sum(w * x for w, x in zip(weights, row, strict=True)) for row in rows]
    top = max(scores, default=0.0)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def candidates(f: Features, ranked: Sequence[int], k: int) -> list[int]:
    """Of the first `k` of `ranked`, those that hold some of the question's words (and the
    best one always)."""
    return [*ranked[:1], *(i for i in ranked[1:k] if f.coverage[i] > 0)]


def quotes(f: Features, ranked: Sequence[int]) -> list[int]:
    """The sentence(s) of `ranked` (the ranking's best first) to quote: the likeliest to
    hold the answer, and the next likeliest too when it is likely enough."""
    m = model()
    ranked = candidates(f, ranked, m.candidates)
    if len(ranked) < 2:
        return ranked
    p = probabilities(candidate_features(f, ranked), m.weights)
    order = sorted(range(len(ranked)), key=lambda j: -p[j])
    chosen = [ranked[order[0]]]
    if p[order[1]] >= m.second_min:
        chosen.append(ranked[order[1]])
    elif f.kind in _DECISIVE and not f.fits[chosen[0]]:
        # "How much did it cost?" and no sum: the likeliest candidate with one is shown too.
        chosen += [ranked[j] for j in order[1:] if f.fits[ranked[j]]][:1]
    if len(chosen) == 1 and tied(f, ranked) and chosen[0] in ranked[:2]:
        # The ranking can't tell its best two apart (the reader can): both are shown.
        chosen += [i for i in ranked[:2] if i != chosen[0]]
    return chosen


def tied(f: Features, ranked: Sequence[int]) -> bool:
    """Whether the ranking's best two sentences score in a near tie."""
    return len(ranked) > 1 and f.rank[ranked[1]] >= TIE_SHARE * f.rank[ranked[0]]
