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
        if term not in present and analyzer.is_common(term):
            continue
        weights[term] = table.get(term, lucene_idf(len(corpus), 0))
    return weights


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
    raw = bm25_scores(query, corpus)
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
