"""Extractive summaries: pick the sentences a news editor would lead with.

News puts the point first, so position is the main signal (the "lead" baseline is famously
hard to beat); on top of it: skip furniture, short fragments, quotes and questions, avoid
overlong and repeated sentences, and stop near a word budget, since a summary longer than
asked reads worse. A title or a focus given in the instructions nudges the choice.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.ingest.article import Article
from bot.llm.offline.news import is_chrome, is_furniture, strip_dateline
from bot.llm.offline.results import OfflineSummary
from bot.llm.retrieval import Analyzer, analyzer_for_text
from bot.llm.sentences import Sentence, count_words, split_sentences


@dataclass(frozen=True, slots=True)
class Length:
    target_words: int  # stop adding sentences once the next would move away from this
    min_sentences: int
    max_sentences: int


STYLES: dict[str, Length] = {
    "tldr": Length(35, 1, 2),
    "bullets": Length(80, 3, 5),  # three points at least: two read as a cut-off list
    "detailed": Length(130, 4, 8),
}
DEFAULT_STYLE = "bullets"
_CONTEXT_SENTENCES = 4  # "detailed": background sentences from the body, after key points

_LEAD_DECAY = 3.0  # position prior exp(-i / decay): the first few sentences dominate
_SHORT_WORDS, _LONG_WORDS = 6, 55
_SHORT_PENALTY, _LONG_PENALTY, _QUOTE_PENALTY = 1.0, 0.3, 0.3
_TITLE_WEIGHT, _FOCUS_WEIGHT = 0.3, 0.8
_MAX_OVERLAP = 0.5  # share of a sentence's terms already said by a chosen one: redundant

_QUOTE_START = re.compile(r"^[\"'‘“„«]")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•·▪◦]|\d{1,3}[.)])\s+")
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_COUNT = re.compile(
    r"\b(\d{1,2}|one|two|three|four|five|six|seven)\s+(?:short\s+|key\s+|main\s+)?"
    r"(?:bullet|point|sentence|line|takeaway)s?\b",
    re.IGNORECASE,
)
_SHORT_HINT = re.compile(r"\b(?:tl;?dr|short|brief|briefly|one[- ]liner|quick)\b", re.IGNORECASE)
_LONG_HINT = re.compile(r"\b(?:detailed|in[- ]depth|thorough|long|full)\b", re.IGNORECASE)


def resolve_length(style: str, instructions: str | None) -> tuple[str, Length]:
    """The style to produce and its length; instructions like "3 bullets" or "briefly" win
    over the style, unknown styles get the bullets length."""
    name = style.strip().lower() if style and style.strip().lower() in STYLES else DEFAULT_STYLE
    if instructions:
        if count := _COUNT.search(instructions):
            raw = count.group(1).lower()
            n = max(1, min(int(_NUMBER_WORDS.get(raw, raw)), 12))
            return name, Length(n * 22, n, n)
        if _SHORT_HINT.search(instructions):
            name = "tldr"
        elif _LONG_HINT.search(instructions):
            name = "detailed"
    return name, STYLES[name]


def _words(text: str) -> int:
    return count_words(text)


def _overlap(terms: set[str], other: set[str]) -> float:
    return len(terms & other) / len(terms) if terms else 1.0


def _focus_terms(instructions: str | None, analyzer: Analyzer, known: set[str]) -> set[str]:
    """Words of the instructions that occur in the article ("focus on the budget")."""
    return set(analyzer.terms(instructions)) & known if instructions else set()


def _score(
    position: int, sentence: str, terms: set[str], title: set[str], focus: set[str]
) -> float:
    words = _words(sentence)
    score = math.exp(-position / _LEAD_DECAY)
    if words < _SHORT_WORDS:
        score -= _SHORT_PENALTY
    if words > _LONG_WORDS:
        score -= _LONG_PENALTY
    if _QUOTE_START.match(sentence) or sentence.rstrip().endswith("?"):
        score -= _QUOTE_PENALTY
    if title:
        score += _TITLE_WEIGHT * len(terms & title) / len(title)
    if focus:
        score += _FOCUS_WEIGHT * len(terms & focus) / len(focus)
    return score


def _select(
    candidates: list[Sentence], scores: list[float], terms: list[set[str]], length: Length
) -> list[int]:
    """Indices into `candidates`: best first, skipping repeats, stopping near the budget."""
    chosen: list[int] = []
    words = 0
    for i in sorted(range(len(candidates)), key=lambda i: -scores[i]):
        if len(chosen) >= length.max_sentences:
            break
        if any(_overlap(terms[i], terms[j]) > _MAX_OVERLAP for j in chosen):
            continue
        n = _words(candidates[i].text)
        too_long = abs(words + n - length.target_words) > abs(words - length.target_words)
        if len(chosen) >= length.min_sentences and too_long:
            break
        chosen.append(i)
        words += n
    return sorted(chosen)


def _central(
    candidates: list[Sentence], terms: list[set[str]], exclude: set[int], k: int
) -> list[int]:
    """Up to `k` sentences closest to the article's overall vocabulary, at most one per
    stretch of text, so the context covers the body rather than one passage."""
    df: dict[str, int] = {}
    for ts in terms:
        for t in ts:
            df[t] = df.get(t, 0) + 1
    n = len(candidates)

    def centrality(ts: set[str]) -> float:
        weights = [df[t] * math.log(1 + n / df[t]) for t in ts]
        return sum(weights) / math.sqrt(len(ts)) if ts else 0.0

    text_end = candidates[-1].end if candidates else 0
    stretch = max(text_end // max(k, 1), 1)
    best: dict[int, tuple[float, int]] = {}
    for i, sentence in enumerate(candidates):
        words = _words(sentence.text)
        if i in exclude or words < _SHORT_WORDS + 2 or words > _LONG_WORDS:
            continue
        if _QUOTE_START.match(sentence.text):
            continue
        if any(_overlap(terms[i], terms[j]) > _MAX_OVERLAP for j in exclude):
            continue
        region = sentence.start // stretch
        score = centrality(terms[i])
        if region not in best or score > best[region][0]:
            best[region] = (score, i)
    ranked = sorted(best.values(), reverse=True)[:k]
    return sorted(i for _, i in ranked)


def _display(sentence: str) -> str:
    """One clean line: no dateline, list marker or line wrapping."""
    return " ".join(_LIST_MARKER.sub("", strip_dateline(sentence)).split())


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def summarize(
    article: Article, style: str = DEFAULT_STYLE, instructions: str | None = None
) -> OfflineSummary:
    """An extractive summary of `article` in `style` ("tldr", "bullets" or "detailed")."""
    name, length = resolve_length(style, instructions)
    analyzer = analyzer_for_text(article.text, article.language)
    sentences = split_sentences(article.text, article.language)
    candidates = [s for s in sentences if not is_furniture(s.text)]
    # A text of nothing but short fragments ("Hello world.") still has something to say.
    candidates = candidates or [s for s in sentences if not is_chrome(s.text)]
    if not candidates:
        return OfflineSummary(text="", sentences=(), style=name)
    terms = [set(analyzer.terms(s.text)) for s in candidates]
    known = set().union(*terms)
    title = set(analyzer.terms(article.title)) if article.title else set()
    focus = _focus_terms(instructions, analyzer, known)
    scores = [_score(i, s.text, terms[i], title, focus) for i, s in enumerate(candidates)]
    chosen = _select(candidates, scores, terms, length)
    key_lines = [_display(candidates[i].text) for i in chosen]
    used = list(chosen)
    if name == "tldr":
        text = " ".join(key_lines)
    elif name == "detailed":
        context = _central(candidates, terms, set(chosen), _CONTEXT_SENTENCES)
        used = sorted(chosen + context)
        text = "**Key points**\n" + _bullets(key_lines)
        if context:
            text += "\n\n**Context**\n" + _bullets([_display(candidates[i].text) for i in context])
    else:
        text = _bullets(key_lines)
    return OfflineSummary(text=text, sentences=tuple(candidates[i].text for i in used), style=name)
