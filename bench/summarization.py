"""Offline summary quality: ROUGE of the extractive engine against journalists' highlights.

    python -m bench.summarization [--data DIR] [--style bullets]

Data: summarization/frank_cnndm_test_articles.jsonl (250 CNN/DailyMail test articles). Each
article's plain text goes in as a user would paste it (our own sentence splitting); the
default `bullets` style is what the bot sends when nobody asks for another. Lead-3 (the
first three of the file's pre-split sentences) is scored in the same run.
Scores: rouge-score with stemming, F-measure x100; ROUGE-Lsum with one sentence per line.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from rouge_score import rouge_scorer

from bot.ingest.article import Article
from bot.llm.offline import summarize

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval-data"
METRICS = ("rouge1", "rouge2", "rougeLsum")


def load(data: Path) -> list[dict]:
    path = data / "summarization" / "frank_cnndm_test_articles.jsonl"
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def reference_lines(reference: str) -> str:
    """The highlights, one per line (they are joined by " . " in the file)."""
    return "\n".join(part.strip() + " ." for part in reference.split(" . ") if part.strip())


def summary_lines(markdown: str) -> str:
    """Our summary as one sentence per line, without bullet markers or headings."""
    lines = [line.removeprefix("- ").strip() for line in markdown.splitlines()]
    return "\n".join(line for line in lines if line and not line.startswith("**"))


def score(
    records: list[dict], produce: Callable[[dict], str]
) -> tuple[dict[str, float], float, float]:
    """Mean F-measure x100 per metric, mean words per summary, mean ms per article."""
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    totals = dict.fromkeys(METRICS, 0.0)
    words = 0
    elapsed = 0.0
    for record in records:
        start = time.perf_counter()
        summary = produce(record)
        elapsed += time.perf_counter() - start
        words += len(summary.split())
        result = scorer.score(reference_lines(record["reference"]), summary)
        for metric in METRICS:
            totals[metric] += result[metric].fmeasure
    n = max(len(records), 1)
    return {m: 100 * v / n for m, v in totals.items()}, words / n, 1000 * elapsed / n


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--style", default="bullets", help="summary style for our engine")
    args = parser.parse_args(argv)
    records = load(args.data)

    def ours(record: dict) -> str:
        article = Article(text=record["article"], source_kind="text")
        return summary_lines(summarize(article, args.style).text)

    def lead3(record: dict) -> str:
        return "\n".join(record["article_sentences"][:3])

    print(f"Summarization on {len(records)} CNN/DM articles (rouge-score, stemming, F x100)\n")
    print("| system | ROUGE-1 | ROUGE-2 | ROUGE-Lsum | words | ms/article |")
    print("|---|---|---|---|---|---|")
    for name, produce in ((f"offline ({args.style})", ours), ("Lead-3", lead3)):
        scores, words, ms = score(records, produce)
        cells = " | ".join(f"{scores[m]:.2f}" for m in METRICS)
        print(f"| {name} | {cells} | {words:.0f} | {ms:.1f} |")


if __name__ == "__main__":
    main()
