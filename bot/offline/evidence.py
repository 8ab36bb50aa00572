"""Evidence for an extractive answer: the article's sentences indexed once, and what a
question needs to find in them.

Key terms are the words a question cannot do without: numbers, years and names
(capitalised words past the first, where capitals mark names). An article that never
mentions one of them cannot answer the question, however well the rest matches: asked
"What was the population of London in 1348?", an article without London is no answer.
Misspellings ("Maastrich"), other forms ("Germany"/"German") and acronyms ("UMC" for the
United Methodist Church; "United States" for "U.S."; "UN" for "U.N.") still count as
mentions.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.ingest.links import ends_with_question_mark
from bot.offline.news import is_furniture
from bot.text.retrieval import Analyzer, analyzer_for_text, idf
from bot.text.sentences import Sentence, split_sentences

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Past the question's first word: "When did Nikola Tesla ...", "... in the UMC's ...".
_NAME = re.compile(r"(?<=\W)[A-Z][\w'’-]*")
# Languages whose nouns are all capitalised: a capital says nothing about names there.
_CAPITALISED_NOUNS = frozenset({"de", "lb"})
# Capitalised inside a question without being names: "What did I ...", "The Mark of ...".
_FUNCTION_WORDS = frozenset(
    [
        "i",
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "and",
        "or",
        "but",
        "with",
        "by",
        "from",
        "as",
        "is",
        "was",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
    ]
)
# "UN", "U.N.", "U.S": a word in capitals, or capitals each followed by a dot.
_INITIALISM = re.compile(r"\b(?:[A-Z]\.){2,}|\b[A-Z]{2,}\b|\b(?:[A-Z]\.)+[A-Z]\b")
# Capitalised words in a row past the first word ("... of the United States?").
_NAME_RUN = re.compile(r"(?<=\W)[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)+")
_FUZZY_MIN = 84.0  # one letter off in a 7-letter name ("Shelly"/"Shelley")
_PREFIX_MIN = 4  # "German" mentions "Germany"

# Notices that are never an answer: a copyright line, reprint terms, site policies.
_BOILERPLATE = re.compile(
    r"©|\(c\)\s*\d{4}|\ball rights reserved\b|\bcopyright\s+(?:©\s*)?\d{4}"
    r"|\bmay not be (?:re)?(?:published|produced|broadcast|rewritten|distributed|copied)"
    r"|\bterms (?:of|and) (?:use|service|conditions)\b|\bprivacy policy\b|\bcookie policy\b",
    re.IGNORECASE,
)
# Sales prompts: unlikely answers, but a story can be about subscriptions, so only demoted.
_PROMOTION = re.compile(
    r"\bsubscri(?:be|ption|bers?)\b|\bnewsletter\b|\bsign up\b|\blog in\b|\bsubscriber",
    re.IGNORECASE,
)


def is_boilerplate(sentence: str) -> bool:
    return bool(_BOILERPLATE.search(sentence))


def is_promotion(sentence: str) -> bool:
    return bool(_PROMOTION.search(sentence))


def asks(sentence: str) -> bool:
    """A question of the article's own ("What did the prosecutors say?", a subheading): it
    shares the asker's words, and answers nothing."""
    return ends_with_question_mark(sentence)


@dataclass(frozen=True, slots=True)
class ArticleIndex:
    """The sentences an answer may quote, their terms, and the article's vocabulary."""

    sentences: tuple[Sentence, ...]
    terms: tuple[tuple[str, ...], ...]
    analyzer: Analyzer
    idf: dict[str, float]
    vocabulary: frozenset[str]  # every term of the article
    spellings: tuple[str, ...]  # the same, sorted: what a misspelt question term may mean
    words: tuple[str, ...]  # its distinct casefolded words, for fuzzy mentions
    numbers: frozenset[str]  # its numbers, with and without separators ("1,000", "1000")
    acronyms: frozenset[str]  # initials of its runs of capitalised words ("umc")
    initialisms: frozenset[str]  # its words in capitals, dots dropped ("U.N." -> "un")
    promotion: tuple[bool, ...]
    asks: tuple[bool, ...]  # the article's own questions: never quoted as an answer


def _numbers(text: str) -> set[str]:
    found = {m.group() for m in _NUMBER.finditer(text)}
    return found | {re.sub(r"[.,]", "", n) for n in found}


def _acronyms(text: str) -> frozenset[str]:
    out: set[str] = set()
    for run in re.finditer(r"(?:\b[A-Z][\w'’-]*(?:\s+(?:of|and|the|for|de)\b)?\s*){2,}", text):
        initials = "".join(w[0] for w in _WORD.findall(run.group()) if w[0].isupper())
        for start in range(len(initials)):  # "the United Methodist Church" -> umc, mc
            for end in range(start + 2, len(initials) + 1):
                out.add(initials[start:end].casefold())
    return frozenset(out)


@lru_cache(maxsize=16)
def index_article(text: str, language: str | None) -> ArticleIndex:
    """Index `text` once: the same article is usually asked several questions in a row."""
    sentences = tuple(
        s
        for s in split_sentences(text, language)
        if not is_furniture(s.text) and not is_boilerplate(s.text)
    )
    analyzer = analyzer_for_text(text, language)
    terms = tuple(tuple(analyzer.terms(s.text)) for s in sentences)
    vocabulary = frozenset(analyzer.terms(text))
    return ArticleIndex(
        sentences=sentences,
        terms=terms,
        analyzer=analyzer,
        idf=idf([list(t) for t in terms]),
        vocabulary=vocabulary,
        spellings=tuple(sorted(vocabulary)),
        words=tuple(sorted({w.casefold() for w in _WORD.findall(text)})),
        numbers=frozenset(_numbers(text)),
        acronyms=_acronyms(text),
        initialisms=frozenset(
            m.group().replace(".", "").casefold() for m in _INITIALISM.finditer(text)
        ),
        promotion=tuple(is_promotion(s.text) for s in sentences),
        asks=tuple(asks(s.text) for s in sentences),
    )


def key_terms(question: str, analyzer: Analyzer) -> list[str]:
    """The numbers and names of `question` (surface forms). Frequent names ("London",
    "John") are on the common-word lists too, so only function words are left out."""
    keys = [m.group() for m in _NUMBER.finditer(question)]
    if analyzer.language not in _CAPITALISED_NOUNS:
        for match in _NAME.finditer(question):
            word = re.sub(r"['’]s$", "", match.group())
            if word.casefold() not in _FUNCTION_WORDS:
                keys.append(word)
    return keys


def mentioned(key: str, index: ArticleIndex) -> bool:
    """Whether the article mentions `key`: as a term, an acronym, or nearly (typos, forms)."""
    if key[0].isdigit():
        return key in index.numbers or re.sub(r"[.,]", "", key) in index.numbers
    terms = index.analyzer.terms(key)
    if terms and all(t in index.vocabulary for t in terms):
        return True
    word = key.casefold()
    if key.isupper() and (word in index.acronyms or word in index.initialisms):
        return True
    if len(word) >= _PREFIX_MIN and any(
        w.startswith(word)
        or (len(w) >= _PREFIX_MIN and word.startswith(w) and len(word) - len(w) <= 2)
        for w in index.words
    ):
        return True
    if len(word) < 5:
        return False
    return (
        process.extractOne(word, index.words, scorer=fuzz.ratio, score_cutoff=_FUZZY_MIN)
        is not None
    )


def respelled(name: str, index: ArticleIndex) -> str:
    """The article's term for a name term of the question spelt one letter differently
    ("maastrich" for "maastricht", "bedigo" for "bendigo"), else `name` itself: a misspelt
    name is still that name (see `mentioned`), and its sentence should match it too."""
    if name in index.vocabulary or len(name) < _PREFIX_MIN + 1 or name.isdigit():
        return name
    near = process.extractOne(name, index.spellings, scorer=Levenshtein.distance, score_cutoff=1)
    return near[0] if near is not None else name


def missing_keys(question: str, index: ArticleIndex) -> list[str]:
    """The question's key terms the article never mentions. The words of a name the article
    gives as its initials ("United States" as "US" or "U.S.") are mentioned."""
    initialled = {
        word
        for run in _NAME_RUN.finditer(question)
        if "".join(w[0] for w in run.group().split()).casefold() in index.initialisms
        for word in run.group().split()
    }
    return [
        k
        for k in key_terms(question, index.analyzer)
        if k not in initialled and not mentioned(k, index)
    ]


def by_surname(question: str, index: ArticleIndex) -> frozenset[str]:
    """The leading words of the question's multi-word names whose last word the article
    mentions: "Graham" of "Graham Twigg" in an article that only says "Twigg" (a person is
    often named in full once, by surname after)."""
    return frozenset(
        word
        for run in _NAME_RUN.finditer(question)
        if mentioned(re.sub(r"['’]s$", "", run.group().split()[-1]), index)
        for word in run.group().split()[:-1]
    )


def coverage(terms: Collection[str], weights: dict[str, float]) -> float:
    """The weighted share of the question's terms (`weights`) that `terms` holds."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0
