"""Find the chunks of an article that answer a question: BM25 in any language.

Terms: words are casefolded, stemmed with the Snowball stemmer of the text's language (when
Snowball has one) and stripped of accents, decades lose their "s" ("1970s" -> "1970");
scripts written without spaces (Chinese, Japanese, Thai...) become overlapping character
pairs, so they still match. Stop words are kept: within one article BM25's idf already
makes them nearly free, and dropping them hurt.

Scores: a chunk's BM25 score plus half the BM25 score of its best sentence (sentences
indexed on their own), so a chunk holding one sentence that matches the whole question beats
one that matches its words scattered across sentences.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import justext
import numpy as np
import snowballstemmer
from rank_bm25 import BM25Okapi

from bot.text.chunking import Chunk
from bot.text.sentences import split_sentences

_WORD = re.compile(r"\w+", re.UNICODE)
# "the 1970s" is "the 1970's" (split at the apostrophe) and a year of it: one term, "1970".
_DECADE = re.compile(r"\d+s")
# Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar: no spaces between words.
_UNSPACED = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
)

# ISO 639-1 -> (jusText common-word list, to guess the language; Snowball algorithm or None).
_LANGUAGES: dict[str, tuple[str, str | None]] = {
    "ar": ("Arabic", "arabic"),
    "ca": ("Catalan", "catalan"),
    "cs": ("Czech", "czech"),
    "da": ("Danish", "danish"),
    "de": ("German", "german"),
    "el": ("Greek", "greek"),
    "en": ("English", "english"),
    "es": ("Spanish", "spanish"),
    "et": ("Estonian", "estonian"),
    "eu": ("Basque", "basque"),
    "fa": ("Persian", "persian"),
    "fi": ("Finnish", "finnish"),
    "fr": ("French", "french"),
    "hi": ("Hindi", "hindi"),
    "hu": ("Hungarian", "hungarian"),
    "hy": ("Armenian", "armenian"),
    "id": ("Indonesian", "indonesian"),
    "it": ("Italian", "italian"),
    "lt": ("Lithuanian", "lithuanian"),
    "nb": ("Norwegian_Bokmal", "norwegian"),
    "ne": ("Nepali", "nepali"),
    "nl": ("Dutch", "dutch"),
    "no": ("Norwegian_Bokmal", "norwegian"),
    "pl": ("Polish", "polish"),
    "pt": ("Portuguese", "portuguese"),
    "ro": ("Romanian", "romanian"),
    "ru": ("Russian", "russian"),
    "sr": ("Serbian", "serbian"),
    "sv": ("Swedish", "swedish"),
    "ta": ("Tamil", "tamil"),
    "tr": ("Turkish", "turkish"),
    "bg": ("Bulgarian", None),
    "hr": ("Croatian", None),
    "ko": ("Korean", None),
    "sk": ("Slovak", None),
    "sl": ("Slovenian", None),
    "uk": ("Ukrainian", None),
}
_GUESS_SAMPLE = 4000  # characters looked at to guess the language


def _unaccent(word: str) -> str:
    # Users type "cafe" for "café"; matching both ways is worth the rare false match.
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=64)
def _common_words(language: str) -> frozenset[str]:
    name = _LANGUAGES[language][0]
    try:
        return frozenset(w.casefold() for w in justext.get_stoplist(name))
    except ValueError:  # jusText does not ship this list
        return frozenset()


def guess_language(text: str) -> str | None:
    """The ISO code whose common words cover most of `text`, or None if none covers 10%."""
    words = Counter(w.casefold() for w in _WORD.findall(text[:_GUESS_SAMPLE]))
    total = sum(words.values())
    if not total:
        return None
    best, best_hits = None, 0
    for code in _LANGUAGES:
        stop = _common_words(code)
        hits = sum(n for w, n in words.items() if w in stop)
        if hits > best_hits:
            best, best_hits = code, hits
    return best if best_hits >= 0.10 * total else None


# English past forms no stemmer maps to their verb (snowball: "said" stays "said").
_IRREGULAR: dict[str, dict[str, str]] = {
    "en": {
        past: verb
        for verb, forms in {
            "say": "said says", "tell": "told", "go": "went gone", "take": "took taken",
            "make": "made", "pay": "paid", "buy": "bought", "begin": "began begun",
            "win": "won", "lose": "lost", "find": "found", "think": "thought",
            "see": "saw seen", "know": "knew known", "give": "gave given", "come": "came",
            "leave": "left", "meet": "met", "hold": "held", "keep": "kept", "build": "built",
            "sell": "sold", "spend": "spent", "run": "ran", "write": "wrote written",
            "choose": "chose chosen", "fall": "fell fallen", "rise": "rose risen",
            "get": "got gotten", "bring": "brought", "teach": "taught", "catch": "caught",
            "fight": "fought", "send": "sent", "feel": "felt", "lead": "led",
            "speak": "spoke spoken", "steal": "stole stolen", "drive": "drove driven",
            "become": "became", "break": "broke broken", "strike": "struck", "grow": "grew grown",
            "fly": "flew flown", "throw": "threw thrown", "eat": "ate eaten", "do": "did done",
            "have": "had has", "be": "was were been is are", "sing": "sang sung",
            "swim": "swam swum", "drink": "drank drunk", "shake": "shook shaken",
            "wear": "wore worn", "tear": "tore torn", "hide": "hid hidden", "bite": "bit bitten",
            "forget": "forgot forgotten", "freeze": "froze frozen", "stand": "stood",
            "understand": "understood", "sit": "sat", "sleep": "slept", "seek": "sought",
            "lend": "lent", "bend": "bent", "deal": "dealt", "mean": "meant", "hear": "heard",
            "flee": "fled", "feed": "fed", "bleed": "bled", "shoot": "shot", "light": "lit",
            "slide": "slid", "swear": "swore sworn", "arise": "arose arisen",
        }.items()
        for past in forms.split()
    }
}  # fmt: skip


class Analyzer:
    """Turns text into index terms; build one per language with `analyzer_for`."""

    def __init__(self, language: str | None) -> None:
        self.language = language if language in _LANGUAGES else None
        algorithm = _LANGUAGES[self.language][1] if self.language else None
        stem: Callable[[str], str] = (
            snowballstemmer.stemmer(algorithm).stemWord if algorithm else (lambda w: w)
        )
        irregular = _IRREGULAR.get(self.language or "", {})
        # A snowball stemmer keeps the word it works on in itself, and one analyzer per
        # language is shared by every job thread: two stemming at once corrupt each other
        # (IndexError). Only cache misses take the lock.
        lock = threading.Lock()

        def stem_one(word: str) -> str:
            with lock:
                return stem(word)

        # "What did she say?" must find "she said": irregular forms first, then the stemmer.
        def stem_form(word: str) -> str:
            return stem_one(irregular.get(word, word))

        self._stem = lru_cache(maxsize=50_000)(stem_form)
        self._common: frozenset[str] | None = None

    def is_common(self, term: str) -> bool:
        """Whether `term` is one of the language's everyday words ("what", "many", "year")."""
        if self._common is None:
            words = _common_words(self.language) if self.language else frozenset()
            self._common = frozenset(t for w in words for t in self.terms(w))
        return term in self._common

    def terms(self, text: str) -> list[str]:
        out: list[str] = []
        for word in _WORD.findall(text.casefold()):
            if _UNSPACED.search(word):
                out.extend(_unspaced_terms(word))
            elif _DECADE.fullmatch(word):
                out.append(word[:-1])
            else:
                out.append(_unaccent(self._stem(word)))
        return out


def _unspaced_terms(word: str) -> list[str]:
    """Character pairs inside runs of unspaced script; other letters stay whole words."""
    out: list[str] = []
    pos = 0
    for run in _UNSPACED.finditer(word):
        if run.start() > pos:
            out.append(word[pos : run.start()])
        chars = run.group()
        pairs = [chars[i : i + 2] for i in range(len(chars) - 1)]
        out.extend(pairs or [chars])
        pos = run.end()
    if pos < len(word):
        out.append(word[pos:])
    return out


@lru_cache(maxsize=64)
def analyzer_for(language: str | None) -> Analyzer:
    return Analyzer(language.lower() if language else None)


def analyzer_for_text(text: str, language: str | None = None) -> Analyzer:
    """The analyzer for `language` if given, else for the language `text` seems to be in."""
    return analyzer_for(language or guess_language(text))


# --- BM25 -----------------------------------------------------------------------------------

_SENTENCE_WEIGHT = 0.5


def lucene_idf(n_documents: int, document_frequency: int) -> float:
    return math.log(1 + (n_documents - document_frequency + 0.5) / (document_frequency + 0.5))


def idf(documents: list[list[str]]) -> dict[str, float]:
    """Lucene idf of every term of `documents` (a term in none gets `lucene_idf(n, 0)`)."""
    df = Counter(t for doc in documents for t in set(doc))
    return {term: lucene_idf(len(documents), n) for term, n in df.items()}


class BM25(BM25Okapi):
    """Okapi BM25 with Lucene's idf, log(1 + (N - df + .5) / (df + .5)): always positive, so
    a term found in most of a handful of chunks still counts a little instead of going
    negative (rank-bm25's own floor misbehaves on tiny corpora)."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        self.idf = {word: lucene_idf(self.corpus_size, df) for word, df in nd.items()}
        self.average_idf = sum(self.idf.values()) / max(len(self.idf), 1)


def bm25_scores(query_terms: list[str], documents: list[list[str]]) -> list[float]:
    """BM25 score of each document for the query; all zero when nothing can match."""
    if not documents or not any(documents) or not query_terms:
        return [0.0] * len(documents)
    return [float(x) for x in np.asarray(BM25(documents).get_scores(query_terms))]


@dataclass(frozen=True, slots=True)
class ScoredChunk:
    chunk: Chunk
    score: float


def _best_sentence_scores(
    query: list[str], chunks: Sequence[Chunk], analyzer: Analyzer, language: str | None
) -> list[float]:
    """For each chunk, the BM25 score of its best sentence among all distinct sentences."""
    spans: dict[tuple[int, int], int] = {}  # sentence offsets in the article -> id
    members: list[list[int]] = []
    texts: list[str] = []
    for chunk in chunks:
        ids = []
        for sentence in split_sentences(chunk.text, language):
            key = (chunk.start + sentence.start, chunk.start + sentence.end)
            if key not in spans:
                spans[key] = len(texts)
                texts.append(sentence.text)
            ids.append(spans[key])
        members.append(ids)
    scores = bm25_scores(query, [analyzer.terms(t) for t in texts])
    return [max((scores[i] for i in ids), default=0.0) for ids in members]


def retrieve(
    question: str, chunks: Sequence[Chunk], k: int = 3, language: str | None = None
) -> list[ScoredChunk]:
    """The `k` chunks that best match `question`, best first; chunks sharing no term with it
    are never returned. `language` (ISO 639-1) is guessed from the chunks when not given."""
    if not chunks or k <= 0:
        return []
    language = language or guess_language(" ".join(c.text for c in chunks[:8]))
    analyzer = analyzer_for(language)
    query = analyzer.terms(question)
    chunk_scores = bm25_scores(query, [analyzer.terms(c.text) for c in chunks])
    sentence_scores = _best_sentence_scores(query, chunks, analyzer, language)
    scored = [
        ScoredChunk(chunk, c + _SENTENCE_WEIGHT * s)
        for chunk, c, s in zip(chunks, chunk_scores, sentence_scores, strict=True)
        if c > 0
    ]
    scored.sort(key=lambda sc: (-sc.score, sc.chunk.index))
    return scored[:k]
