"""Retrieval quality: does the top chunk hold the answer? Plus the offline answer engine.

    python -m bench.retrieval [--data DIR] [--size 100] [--overlap 30]

Data: qa/xquad_en_longdocs.jsonl (48 documents of 530-700 words, 1190 questions with answer
character offsets). A question is a hit@k when one of the k best chunks contains the whole
answer span. Baseline in the same run: BM25 (rank-bm25 Okapi, lowercased words) over
100-word windows with 20 words of overlap.

The offline answer engine (`bot.offline.answer`) is scored too: how often its quotes
hold the answer, how often it answers at all, and how often it correctly says "not found"
when asked the same question about a different document.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

from rank_bm25 import BM25Okapi

from bot.ingest.article import Article
from bot.offline import answer
from bot.text.chunking import Chunk, chunk_text
from bot.text.retrieval import retrieve

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval-data"
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"\S+")

Ranker = Callable[[str, list[Chunk]], list[Chunk]]


def load(data: Path) -> list[dict]:
    with (data / "qa" / "xquad_en_longdocs.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def word_windows(text: str, size: int = 100, overlap: int = 20) -> list[Chunk]:
    """The baseline's chunks: fixed windows of whitespace-separated words."""
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    chunks: list[Chunk] = []
    for first in range(0, max(len(spans) - overlap, 1), size - overlap):
        window = spans[first : first + size]
        start, end = window[0][0], window[-1][1]
        chunks.append(Chunk(text[start:end], len(chunks), start, end))
    return chunks


def bm25_baseline(question: str, chunks: list[Chunk]) -> list[Chunk]:
    index = BM25Okapi([_WORD.findall(c.text.lower()) for c in chunks])
    scores = index.get_scores(_WORD.findall(question.lower()))
    return [chunks[i] for i in sorted(range(len(chunks)), key=lambda i: -scores[i])]


def ours(question: str, chunks: list[Chunk]) -> list[Chunk]:
    return [scored.chunk for scored in retrieve(question, chunks, k=3)]


def recall(
    docs: list[dict], chunker: Callable[[str], list[Chunk]], rank: Ranker
) -> tuple[float, float, float, float]:
    """(R@1, R@3, mean words per chunk, ms per question)."""
    hits1 = hits3 = questions = 0
    words: list[int] = []
    elapsed = 0.0
    for doc in docs:
        chunks = chunker(doc["text"])
        words += [len(c.text.split()) for c in chunks]
        for qa in doc["questions"]:
            start = time.perf_counter()
            top = rank(qa["question"], chunks)[:3]
            elapsed += time.perf_counter() - start
            span = qa["answers"][0]
            hits = [c.start <= span["start"] and span["end"] <= c.end for c in top]
            hits1 += bool(hits[:1] and hits[0])
            hits3 += any(hits)
            questions += 1
    n = max(questions, 1)
    return hits1 / n, hits3 / n, sum(words) / max(len(words), 1), 1000 * elapsed / n


def answer_rates(docs: list[dict]) -> tuple[float, float, float]:
    """(quotes hold the answer, answered at all, "not found" for another document's question)."""
    held = answered = refused = total = 0
    for i, doc in enumerate(docs):
        article = Article(text=doc["text"], source_kind="text")
        other = Article(text=docs[(i + len(docs) // 2) % len(docs)]["text"], source_kind="text")
        for qa in doc["questions"]:
            result = answer(article, qa["question"])
            answered += result.found
            held += any(qa["answers"][0]["text"] in quote for quote in result.quotes)
            refused += not answer(other, qa["question"]).found
            total += 1
    n = max(total, 1)
    return held / n, answered / n, refused / n


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--size", type=int, default=100, help="our chunk size, in words")
    parser.add_argument("--overlap", type=int, default=30, help="our chunk overlap, in words")
    args = parser.parse_args(argv)
    docs = load(args.data)
    n = sum(len(d["questions"]) for d in docs)

    print(f"Answer-span recall on {n} XQuAD questions over {len(docs)} long documents\n")
    print("| system | R@1 | R@3 | words/chunk | ms/question |")
    print("|---|---|---|---|---|")
    systems: list[tuple[str, Callable[[str], list[Chunk]], Ranker]] = [
        (
            f"ours: sentence-aligned {args.size}w/{args.overlap} chunks, "
            "stemmed BM25 + best sentence",
            lambda text: chunk_text(text, args.size, args.overlap),
            ours,
        ),
        ("baseline: BM25 over 100-word windows, 20 overlap", word_windows, bm25_baseline),
    ]
    for name, chunker, rank in systems:
        r1, r3, words, ms = recall(docs, chunker, rank)
        print(f"| {name} | {r1:.3f} | {r3:.3f} | {words:.0f} | {ms:.1f} |")

    held, answered, refused = answer_rates(docs)
    print("\nOffline answer engine (`answer(article, question)`)\n")
    print("| quotes hold the answer | answers given | 'not found' on another doc's question |")
    print("|---|---|---|")
    print(f"| {held:.3f} | {answered:.3f} | {refused:.3f} |")


if __name__ == "__main__":
    main()
