"""Extractive answers: quote the article sentences that match the question best.

Sentences are ranked by BM25 (plus a little of their neighbours' score, since an answer
often sits next to the sentence that names the subject). Whether the best one answers at
all is judged by coverage: the idf-weighted share of the question's terms it contains.
Below the threshold the engine says it found nothing rather than quote noise.
"""

from __future__ import annotations

from bot.ingest.article import Article
from bot.llm.offline.news import is_furniture
from bot.llm.offline.results import OfflineAnswer
from bot.llm.retrieval import Analyzer, analyzer_for_text, bm25_scores, idf, lucene_idf
from bot.llm.sentences import Sentence, split_sentences

# Calibrated on XQuAD (bench.retrieval prints the rates): the best sentence must hold at
# least this share of the question's weighted terms.
MIN_COVERAGE = 0.35
_MAX_QUOTES = 3
_RELATIVE_SCORE = 0.6  # further quotes must score this share of the best one
_NEIGHBOUR_WEIGHT = 0.15
_COMMON_WEIGHT = 0.3  # everyday words ("how", "long", "is") count, but less

NOT_FOUND = (
    "I couldn't find anything in the article that answers this. "
    "Try rephrasing the question with words the article uses."
)


def _weights(question: list[str], corpus: list[list[str]], analyzer: Analyzer) -> dict[str, float]:
    """Weight of each distinct question term; everyday words the article never uses
    ("what", "how", "many") carry none, so asking in full sentences costs nothing."""
    table = idf(corpus)
    present = set().union(*map(set, corpus)) if corpus else set()
    weights: dict[str, float] = {}
    for term in set(question):
        common = analyzer.is_common(term)
        if term not in present and common:
            continue
        weight = table.get(term, lucene_idf(len(corpus), 0))
        weights[term] = weight * _COMMON_WEIGHT if common else weight
    return weights


def _rank_scores(query: list[str], corpus: list[list[str]], analyzer: Analyzer) -> list[float]:
    """BM25 on the question's distinctive words, plus a little on all of them, so "How long
    is the bridge?" is about the bridge rather than any sentence saying "how"."""
    full = bm25_scores(query, corpus)
    distinctive = [t for t in query if not analyzer.is_common(t)]
    if not distinctive or len(distinctive) == len(query):
        return full
    focused = bm25_scores(distinctive, corpus)
    return [f + _COMMON_WEIGHT * a for f, a in zip(focused, full, strict=True)]


def coverage(terms: set[str], weights: dict[str, float]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0


def answer(article: Article, question: str) -> OfflineAnswer:
    """Quotes from `article` that answer `question`, or a plain "not found"."""
    sentences: list[Sentence] = [
        s for s in split_sentences(article.text, article.language) if not is_furniture(s.text)
    ]
    analyzer = analyzer_for_text(article.text, article.language)
    corpus = [analyzer.terms(s.text) for s in sentences]
    query = analyzer.terms(question)
    weights = _weights(query, corpus, analyzer)
    raw = _rank_scores(query, corpus, analyzer)
    scores = [
        raw[i] + _NEIGHBOUR_WEIGHT * max(raw[max(i - 1, 0)], raw[min(i + 1, len(raw) - 1)])
        for i in range(len(raw))
    ]
    covers = [coverage(set(terms), weights) for terms in corpus]
    ranked = sorted(range(len(sentences)), key=lambda i: -scores[i])
    if not ranked or covers[ranked[0]] < MIN_COVERAGE or raw[ranked[0]] <= 0:
        return OfflineAnswer(text=NOT_FOUND, quotes=(), found=False)
    best = scores[ranked[0]]
    chosen = [
        i
        for i in ranked[:_MAX_QUOTES]
        if scores[i] >= _RELATIVE_SCORE * best and covers[i] >= MIN_COVERAGE
    ]
    quotes = tuple(sentences[i].text for i in sorted(chosen))
    lines = "\n".join(f"> {' '.join(q.split())}" for q in quotes)
    return OfflineAnswer(text=f"From the article:\n{lines}", quotes=quotes, found=True)
