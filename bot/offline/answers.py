"""Extractive answers: quote the article sentence that answers the question, or say that the
article doesn't.

Ranking: each sentence scores by the idf-weighted share of the question's terms it holds
(coverage), its BM25 score relative to the best, the question's word pairs it repeats, a
little of its neighbours' coverage (an answer often sits next to the sentence naming the
subject), and whether it holds the kind of answer asked for (a number for "how many", a
date for "when", a name for "who" or "where"; English only, see `answer_types`).

Whether the best sentence answers at all is a confidence score: its coverage and word pairs,
the answer type, and the question's key terms (numbers, years, names) the article never
mentions, which count heavily against (a name misspelt by one letter, "Maastrich", is
read as the article's spelling; the first name of a person the article calls by surname
only counts half). Below the threshold (calibrated on the dev half of
`bench.unanswerable`, never on its held-out half) the engine says it found nothing rather
than quote a near miss. Which of the best-ranked sentences to quote, and whether a second
one, is up to a model fitted on the same dev half (`rerank`).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from dataclasses import dataclass

from bot.ingest.article import Article
from bot.offline import rerank
from bot.offline.answer_types import AnswerType, expected_type, fits
from bot.offline.evidence import (
    ArticleIndex,
    by_surname,
    coverage,
    index_article,
    key_terms,
    missing_keys,
    respelled,
)
from bot.offline.results import OfflineAnswer
from bot.text.retrieval import Analyzer, bm25_scores, lucene_idf

# Ranking weights, on top of the sentence's coverage (tuned for top-1 recall on the dev half).
_W_BM25 = 0.5
_W_PAIRS = 0.3
_W_TYPE = 0.3
_W_PARAGRAPH = 0.7  # questions draw on the paragraph around the answer
_PROMOTION_FACTOR = 0.5  # "subscribe to our newsletter" sentences rank at half their score
_COMMON_WEIGHT = 0.3  # everyday words ("how", "long", "is") count, but less

# Confidence that the best sentence answers: a logistic fit on the dev half (answerable
# vs. unanswerable), threshold picked there for >= 90% "not found" on unanswerable ones.
_C_COVERAGE = 3.9
_C_PAIRS = 1.3
_C_WINDOW = 2.7  # coverage its neighbours add (the subject named one sentence earlier)
_C_PARAGRAPH = 4.2
_C_TYPE_MISSING = 0.6  # the sentence holds no token of the expected kind
_C_KEY_MISSING = 3.9  # per key term the article never mentions (two at most)
_SURNAME_KNOWN = 0.5  # a missing first name whose surname the article has counts half
MIN_CONFIDENCE = 2.4

# A follow-up gets a sentence the last answer quoted again only when it ranks clearly above
# every other one (an unseen sentence at this share of it is as good, and new).
_NEW_SHARE = 0.8

NOT_FOUND = (
    "I couldn't find anything in the article that answers this. "
    "Try rephrasing the question with words the article uses."
)


def _weights(question: list[str], names: set[str], index: ArticleIndex) -> dict[str, float]:
    """Weight of each distinct question term; everyday words the article never uses
    ("what", "how", "many") carry none, so asking in full sentences costs nothing. Names
    are never everyday words, however frequent ("London")."""
    analyzer = index.analyzer
    unseen = lucene_idf(len(index.terms), 0)
    weights: dict[str, float] = {}
    for term in set(question):
        common = analyzer.is_common(term) and term not in names
        if term not in index.vocabulary and common:
            continue
        weight = index.idf.get(term, unseen)
        weights[term] = weight * _COMMON_WEIGHT if common else weight
    return weights


def _bm25(query: list[str], corpus: list[list[str]], analyzer: Analyzer) -> list[float]:
    """BM25 on the question's distinctive words, plus a little on all of them, so "How long
    is the bridge?" is about the bridge rather than any sentence saying "how"."""
    full = bm25_scores(query, corpus)
    distinctive = [t for t in query if not analyzer.is_common(t)]
    if not distinctive or len(distinctive) == len(query):
        return full
    focused = bm25_scores(distinctive, corpus)
    return [f + _COMMON_WEIGHT * a for f, a in zip(focused, full, strict=True)]


def _pairs(terms: list[str], analyzer: Analyzer) -> set[tuple[str, str]]:
    """Adjacent pairs of distinctive terms ("black death"); "the study" says little."""
    return {
        (a, b)
        for a, b in itertools.pairwise(terms)
        if not (analyzer.is_common(a) or analyzer.is_common(b))
    }


@dataclass(frozen=True, slots=True)
class Features:
    """Per-sentence evidence for one question (lists align with `index.sentences`)."""

    coverage: list[float]
    window: list[float]  # coverage of the sentence with its neighbours
    paragraph: list[float]  # coverage of the sentence's paragraph
    bm25: list[float]  # relative to the best sentence's
    pairs: list[float]  # share of the question's word pairs the sentence repeats
    fits: list[bool]  # holds a token of the expected type (all True when there is none)
    kind: AnswerType | None
    missing: list[str]  # the question's key terms the article never mentions
    by_surname: frozenset[str]  # missing first names of people the article names by surname
    rank: list[float]
    asks: tuple[bool, ...]  # the article's own questions, never an answer
    weights: dict[str, float]  # of the question's terms (see `_weights`)
    terms: tuple[frozenset[str], ...]  # of each sentence
    paragraphs: tuple[int, ...]  # the paragraph each sentence sits in


def features(index: ArticleIndex, question: str, asked: str | None = None) -> Features:
    """`asked`: the words the person typed, when `question` also holds words borrowed from
    earlier turns; only their key terms must appear in the article."""
    analyzer = index.analyzer
    corpus = [list(t) for t in index.terms]
    names = {t for key in key_terms(question, analyzer) for t in analyzer.terms(key)}
    query = [respelled(t, index) if t in names else t for t in analyzer.terms(question)]
    names = {respelled(t, index) for t in names}
    weights = _weights(query, names, index)
    sets = [set(t) for t in corpus]
    cover = [coverage(s, weights) for s in sets]
    n = len(sets)
    window = [
        coverage(sets[i] | sets[max(i - 1, 0)] | sets[min(i + 1, n - 1)], weights) for i in range(n)
    ]
    by_paragraph: dict[int, set[str]] = {}
    for sentence, terms in zip(index.sentences, sets, strict=True):
        by_paragraph.setdefault(sentence.paragraph, set()).update(terms)
    paragraph_cover = {p: coverage(t, weights) for p, t in by_paragraph.items()}
    paragraph = [paragraph_cover[s.paragraph] for s in index.sentences]
    raw = _bm25(query, corpus, analyzer)
    top = max(raw, default=0.0)
    bm25 = [r / top if top > 0 else 0.0 for r in raw]
    wanted = _pairs(query, analyzer)
    pairs = [
        len(wanted & _pairs(list(t), analyzer)) / len(wanted) if wanted else 0.0 for t in corpus
    ]
    kind = expected_type(question, analyzer.language)
    fit = [fits(s.text, kind, question) if kind else True for s in index.sentences]
    rank = []
    for i in range(n):
        score = (
            cover[i]
            + _W_BM25 * bm25[i]
            + _W_PAIRS * pairs[i]
            + _W_PARAGRAPH * paragraph[i]
            + (_W_TYPE if kind and fit[i] else 0.0)
        )
        rank.append(score * (_PROMOTION_FACTOR if index.promotion[i] else 1.0))
    return Features(
        cover,
        window,
        paragraph,
        bm25,
        pairs,
        fit,
        kind,
        missing_keys(asked or question, index),
        by_surname(asked or question, index),
        rank,
        index.asks,
        weights,
        tuple(frozenset(t) for t in sets),
        tuple(s.paragraph for s in index.sentences),
    )


def confidence(f: Features, i: int) -> float:
    """How sure the engine is that sentence `i` answers the question."""
    score = (
        _C_COVERAGE * f.coverage[i]
        + _C_PAIRS * f.pairs[i]
        + _C_WINDOW * max(f.window[i] - f.coverage[i], 0.0)
        + _C_PARAGRAPH * f.paragraph[i]
    )
    if f.kind and not f.fits[i]:
        score -= _C_TYPE_MISSING
    missing = sum(_SURNAME_KNOWN if k in f.by_surname else 1.0 for k in f.missing)
    return score - _C_KEY_MISSING * min(missing, 2)


def choose(f: Features, skip: Collection[int] = ()) -> list[int]:
    """The sentence(s) to quote, in article order; empty when none answers. Sentences in
    `skip` (already shown to the asker) are not quoted again."""
    ranked = sorted(
        (i for i in range(len(f.rank)) if i not in skip and not f.asks[i]), key=lambda i: -f.rank[i]
    )
    if not ranked or f.coverage[ranked[0]] <= 0 or confidence(f, ranked[0]) < MIN_CONFIDENCE:
        return []
    return sorted(rerank.quotes(f, ranked))


def _worth_repeating(f: Features, index: ArticleIndex, shown: set[int], asked: str | None) -> bool:
    """Whether the best sentence, though the last answer quoted it, is the answer again:
    "How many fumbles did he force?" after "Who is Kawann Short?" is answered by the very
    sentence that introduced him. It must rank clearly above every sentence not shown (the
    words borrowed from the last turn favour it, so a near tie goes to something new) and
    hold something of what is asked now: one of the typed question's own distinctive words,
    or, when it has none ("When was that?"), the kind of answer asked for."""
    best = max(range(len(f.rank)), key=f.rank.__getitem__)
    if best not in shown:
        return False
    unseen = max((r for i, r in enumerate(f.rank) if i not in shown), default=0.0)
    if unseen >= _NEW_SHARE * f.rank[best]:
        return False
    analyzer = index.analyzer
    own = {t for t in analyzer.terms(asked or "") if not analyzer.is_common(t)}
    if own:
        return bool(own & set(index.terms[best]))
    return f.kind is not None and f.fits[best]


def answer(
    article: Article,
    question: str,
    *,
    asked: str | None = None,
    shown: Collection[str] = (),
    fresh: bool = False,
) -> OfflineAnswer:
    """Quotes from `article` that answer `question`, or a plain "not found". A follow-up
    passes what was typed as `asked` (`question` then also holds words of earlier turns)
    and the sentences the last answer quoted as `shown`. Those are quoted again only when
    one is clearly the answer to what is asked now (see `_worth_repeating`) or nothing else
    answers; `fresh` (the asker wants something new: "what else?", "tell me more") gets
    neither: the same quote again tells them nothing, "not found" does."""
    index = index_article(article.text, article.language)
    if not index.sentences:
        return OfflineAnswer(text=NOT_FOUND, quotes=(), found=False)
    f = features(index, question, asked)
    texts = [" ".join(s.text.split()) for s in index.sentences]
    seen = {" ".join(q.split()) for q in shown}
    skip = {i for i, text in enumerate(texts) if text in seen}
    if skip and not fresh and _worth_repeating(f, index, skip, asked):
        skip = set()
    # A sentence the article says twice ("Vote for Olesya on the last page!" under each
    # entry) is one quote: its later copies are never a second (or runner-up) quote.
    copies = _later_copies(texts)
    chosen = choose(f, skip | copies) if skip else []
    if not chosen and not (fresh and skip):  # "what else?" never gets the same quote again
        chosen = choose(f, copies)
    if not chosen:
        return OfflineAnswer(text=NOT_FOUND, quotes=(), found=False)
    quotes = tuple(index.sentences[i].text for i in chosen)
    lines = "\n".join(f"> {' '.join(q.split())}" for q in quotes)
    return OfflineAnswer(text=f"From the article:\n{lines}", quotes=quotes, found=True)


def _later_copies(texts: list[str]) -> set[int]:
    """The indices of sentences whose (whitespace-normalised) text came earlier."""
    first: dict[str, int] = {}
    return {i for i, text in enumerate(texts) if first.setdefault(text.casefold(), i) != i}
