"""Offline summary quality: ROUGE against journalists' highlights, and readability.

    python -m bench.summarization [--data DIR] [--style bullets] [--resamples 10000]

Data: summarization/frank_cnndm_test_articles.jsonl (250 CNN/DailyMail test articles). Each
article's plain text goes in as a user would paste it (our own sentence splitting); the
default `bullets` style is what the bot sends when nobody asks for another. Lead-3 (the
first three of the file's pre-split sentences) is scored in the same run.
Scores: rouge-score with stemming, F-measure x100; ROUGE-Lsum with one sentence per line.

Held out: the engine's weights were tuned on the "dev" half only (articles whose hash is
even); the "held-out" half (odd) is reported separately. The margin over Lead-3 comes with a
paired bootstrap 95% interval of the per-article ROUGE-1 difference and a sign test.

Readability: the share of summary lines that `bot.offline.readability.line_defect`
flags (the engine's own check): an opening that leans on a sentence not shown before it, a
quote with no speaker, a caption/credit/byline/dateline, or non-prose.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rouge_score import rouge_scorer

from bot.ingest.article import Article
from bot.offline import summarize
from bot.offline.readability import DEFECTS, line_defect
from bot.offline.summaries import Line, plan

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval-data"
METRICS = ("rouge1", "rouge2", "rougeLsum")
SPLITS = ("dev", "held-out", "all")
_SEED = 20240601


def load(data: Path) -> list[dict]:
    path = data / "summarization" / "frank_cnndm_test_articles.jsonl"
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def split_of(record: dict) -> str:
    """A fixed half for tuning ("dev") and one for checking ("held-out"), by hash parity."""
    return "dev" if int(record["hash"], 16) % 2 == 0 else "held-out"


def reference_lines(reference: str) -> str:
    """The highlights, one per line (they are joined by " . " in the file)."""
    return "\n".join(part.strip() + " ." for part in reference.split(" . ") if part.strip())


def summary_lines(markdown: str) -> str:
    """Our summary as one sentence per line, without bullet markers or headings."""
    lines = [line.removeprefix("- ").strip() for line in markdown.splitlines()]
    return "\n".join(line for line in lines if line and not line.startswith("**"))


def per_article(
    records: list[dict], produce: Callable[[dict], str]
) -> tuple[list[dict[str, float]], float, float]:
    """F-measure x100 per metric for each article, mean words per summary, mean ms."""
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    scores: list[dict[str, float]] = []
    words = 0
    elapsed = 0.0
    for record in records:
        start = time.perf_counter()
        summary = produce(record)
        elapsed += time.perf_counter() - start
        words += len(summary.split())
        result = scorer.score(reference_lines(record["reference"]), summary)
        scores.append({m: 100 * result[m].fmeasure for m in METRICS})
    n = max(len(records), 1)
    return scores, words / n, 1000 * elapsed / n


def mean(values: Sequence[float]) -> float:
    return sum(values) / max(len(values), 1)


def bootstrap_interval(
    diffs: Sequence[float], resamples: int, level: float = 0.95
) -> tuple[float, float]:
    """Percentile interval of the mean of `diffs` over paired resamples of the articles."""
    rng = random.Random(_SEED)
    n = len(diffs)
    means = sorted(mean([diffs[rng.randrange(n)] for _ in range(n)]) for _ in range(resamples))
    tail = (1 - level) / 2
    return means[int(tail * resamples)], means[min(int((1 - tail) * resamples), resamples - 1)]


def sign_test(diffs: Sequence[float]) -> tuple[int, int, float]:
    """Wins, losses (ties dropped) and the exact two-sided binomial p-value."""
    wins = sum(d > 1e-9 for d in diffs)
    losses = sum(d < -1e-9 for d in diffs)
    n = wins + losses
    k = min(wins, losses)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n if n else 1.0
    return wins, losses, min(1.0, 2 * tail)


def flags(lines: Sequence[tuple[str, bool]], language: str | None = None) -> list[str | None]:
    """The readability defect of each (line, follows) pair, None when it reads as written."""
    return [line_defect(text, follows, language) for text, follows in lines]


def plan_lines(sections: Sequence[Sequence[Line]]) -> list[tuple[str, bool]]:
    """Each shown line with whether the sentence before it in the article is shown right
    before it in the same section (or it is the article's first sentence)."""
    out: list[tuple[str, bool]] = []
    for section in sections:
        for k, line in enumerate(section):
            follows = line.index == 0 or (k > 0 and section[k - 1].index == line.index - 1)
            out.append((line.text, follows))
    return out


def readability(records: list[dict], style: str | None) -> tuple[int, dict[str, float]]:
    """Lines shown and the share flagged per defect (and any), for `style` or Lead-3."""
    counts = dict.fromkeys((*DEFECTS, "any"), 0)
    total = 0
    for record in records:
        if style is None:  # Lead-3: each line follows the one before it
            lines = [(s, True) for s in record["article_sentences"][:3]]
            language = "en"
        else:
            result = plan(Article(text=record["article"], source_kind="text"), style)
            lines = plan_lines((result.key, result.context, result.upcoming))
            language = result.language
        for defect in flags(lines, language):
            total += 1
            if defect:
                counts[defect] += 1
                counts["any"] += 1
    return total, {k: 100 * v / max(total, 1) for k, v in counts.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--style", default="bullets", help="summary style for our engine")
    parser.add_argument("--resamples", type=int, default=10_000)
    parser.add_argument("--split", choices=SPLITS, default=None, help="only this split")
    args = parser.parse_args(argv)
    records = load(args.data)
    if args.split and args.split != "all":
        records = [r for r in records if split_of(r) == args.split]

    def ours(record: dict) -> str:
        article = Article(text=record["article"], source_kind="text")
        return summary_lines(summarize(article, args.style).text)

    def lead3(record: dict) -> str:
        return "\n".join(record["article_sentences"][:3])

    systems = {f"offline ({args.style})": ours, "Lead-3": lead3}
    runs = {name: per_article(records, produce) for name, produce in systems.items()}
    parts = {
        s: [i for i, r in enumerate(records) if s == "all" or split_of(r) == s] for s in SPLITS
    }

    print(f"Summarization on {len(records)} CNN/DM articles (rouge-score, stemming, F x100)\n")
    print("| system | split | articles | ROUGE-1 | ROUGE-2 | ROUGE-Lsum | words | ms/article |")
    print("|---|---|---|---|---|---|---|---|")
    for split, indices in parts.items():
        if not indices:
            continue
        for name, (scores, words, ms) in runs.items():
            cells = " | ".join(f"{mean([scores[i][m] for i in indices]):.2f}" for m in METRICS)
            print(f"| {name} | {split} | {len(indices)} | {cells} | {words:.0f} | {ms:.1f} |")

    ours_scores, lead_scores = (runs[name][0] for name in systems)
    print(f"\nROUGE-1, {args.style} minus Lead-3, per article (paired):\n")
    print("| split | mean difference | 95% bootstrap interval | wins / losses | sign test p |")
    print("|---|---|---|---|---|")
    for split, indices in parts.items():
        if not indices:
            continue
        diffs = [ours_scores[i]["rouge1"] - lead_scores[i]["rouge1"] for i in indices]
        low, high = bootstrap_interval(diffs, args.resamples)
        wins, losses, p = sign_test(diffs)
        print(
            f"| {split} | {mean(diffs):+.2f} | [{low:+.2f}, {high:+.2f}] | {wins} / {losses} "
            f"| {p:.3g} |"
        )

    print("\nReadability: share of summary lines flagged (%)\n")
    print("| summary | lines | " + " | ".join(DEFECTS) + " | any |")
    print("|---|---|" + "---|" * (len(DEFECTS) + 1))
    for label, style in (
        ("offline bullets", "bullets"),
        ("offline tldr", "tldr"),
        ("offline detailed", "detailed"),
        ("Lead-3", None),
    ):
        total, shares = readability(records, style)
        cells = " | ".join(f"{shares[d]:.1f}" for d in (*DEFECTS, "any"))
        print(f"| {label} | {total} | {cells} |")


if __name__ == "__main__":
    main()
