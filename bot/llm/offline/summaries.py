"""Extractive summaries: pick the sentences a news editor would lead with.

News puts the point first, so position is the main signal (the "lead" baseline is famously
hard to beat); on top of it: skip furniture, short fragments, quotes and questions, avoid
overlong and repeated sentences, and stop near a word budget, since a summary longer than
asked reads worse. A title or a focus given in the instructions nudges the choice.
"""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass

from bot.ingest.article import Article
from bot.llm.offline.cues import (
    forward_strength,
    is_bare_quote,
    is_caption,
    is_dangling,
    is_unfinished,
    split_glued,
    strip_label,
)
from bot.llm.offline.instructions import COUNT as _COUNT
from bot.llm.offline.instructions import LONG_HINT as _LONG_HINT
from bot.llm.offline.instructions import SHORT_HINT as _SHORT_HINT
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
MAX_SUMMARY_CHARS = 200_000  # ~30,000 words: far past any article's lead and body
_CONTEXT_SENTENCES = 3  # "detailed": background sentences from the body, after key points
_NEXT_SENTENCES = 2  # "detailed": forward-looking sentences under "What happens next"

_LEAD_DECAY = 3.0  # position prior exp(-i / decay): the first few sentences dominate
_SHORT_WORDS, _LONG_WORDS = 6, 55
_SHORT_PENALTY, _LONG_PENALTY, _QUOTE_PENALTY = 1.0, 0.3, 0.3
_TITLE_WEIGHT, _FOCUS_WEIGHT = 0.3, 0.8
_MAX_OVERLAP = 0.5  # share of a sentence's terms already said by a chosen one: redundant
# Out of context these read badly: mild, so a lead sentence that opens with "But" can still
# win, and waived when the sentence before it is chosen too (the bullets then read in order).
_DANGLING_PENALTY = 0.3
_BARE_QUOTE_PENALTY = 0.3  # on top of the quote penalty: nobody is said to be speaking
_CAPTION_PENALTY = 0.5  # "(pictured)", "Accused: …": a photo caption, not a point
# No full stop: often a sub-heading that states the point well, so only a nudge.
_UNFINISHED_PENALTY = 0.1
_NEXT_PENALTY = 0.5  # "what happens next": a quoted step ranks below a plain one
_DANGLING_CONTEXT = 0.6  # "detailed" context: centrality factor for a dangling sentence

_QUOTE_START = re.compile(r"^[\"'‘“„«]")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•·▪◦]|\d{1,3}[.)])\s+")
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


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
    if is_bare_quote(sentence):
        score -= _BARE_QUOTE_PENALTY
    if is_caption(sentence):
        score -= _CAPTION_PENALTY
    elif is_unfinished(sentence):
        score -= _UNFINISHED_PENALTY
    if title:
        score += _TITLE_WEIGHT * len(terms & title) / len(title)
    if focus:
        score += _FOCUS_WEIGHT * len(terms & focus) / len(focus)
    return score


def _select(
    candidates: list[Sentence],
    scores: list[float],
    terms: list[set[str]],
    dangling: list[bool],
    length: Length,
) -> list[int]:
    """Indices into `candidates`: best first, skipping repeats, stopping near the budget.
    A dangling sentence pays its penalty unless the one before it is already chosen."""
    chosen: list[int] = []
    words = 0

    def adjusted(i: int) -> float:
        lone = dangling[i] and (i - 1) not in chosen
        return scores[i] - (_DANGLING_PENALTY if lone else 0.0)

    # Best first, ties to the earlier sentence, from a heap: a rescan of every sentence
    # left per pick was quadratic on a text of one sentence repeated (all overlap). A
    # score only rises (when the sentence before is chosen); the old entry then goes stale.
    heap = [(-adjusted(i), i) for i in range(len(candidates))]
    heapq.heapify(heap)
    left = set(range(len(candidates)))
    while heap and len(chosen) < length.max_sentences:
        key, i = heapq.heappop(heap)
        if i not in left or -key != adjusted(i):
            continue
        left.discard(i)
        if any(_overlap(terms[i], terms[j]) > _MAX_OVERLAP for j in chosen):
            continue
        n = _words(candidates[i].text)
        too_long = abs(words + n - length.target_words) > abs(words - length.target_words)
        if len(chosen) >= length.min_sentences and too_long:
            break
        chosen.append(i)
        words += n
        if i + 1 in left and dangling[i + 1]:
            heapq.heappush(heap, (-adjusted(i + 1), i + 1))
    return sorted(chosen)


def _central(
    candidates: list[Sentence],
    terms: list[set[str]],
    dangling: list[bool],
    exclude: set[int],
    k: int,
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
        if _QUOTE_START.match(sentence.text) or is_caption(sentence.text):
            continue
        if is_bare_quote(sentence.text) or sentence.text.rstrip().endswith("?"):
            continue
        if is_unfinished(sentence.text):
            continue
        if any(_overlap(terms[i], terms[j]) > _MAX_OVERLAP for j in exclude):
            continue
        region = sentence.start // stretch
        score = centrality(terms[i])
        if dangling[i] and (i - 1) not in exclude:
            score *= _DANGLING_CONTEXT  # a background bullet stands alone: prefer one that can
        if region not in best or score > best[region][0]:
            best[region] = (score, i)
    ranked = sorted(best.values(), reverse=True)[:k]
    return sorted(i for _, i in ranked)


def _next_steps(
    candidates: list[Sentence],
    terms: list[set[str]],
    dangling: list[bool],
    exclude: set[int],
    language: str | None,
    k: int,
) -> list[int]:
    """Up to `k` forward-looking sentences not used yet ("The council will choose a company
    in June"): planned or scheduled steps before a bare "will", then those about the story
    the key points tell, and quotes only when someone is named as saying them."""
    story = set().union(*(terms[j] for j in exclude)) if exclude else set()
    base: dict[int, float] = {}
    for i, sentence in enumerate(candidates):
        text = sentence.text
        strength = forward_strength(text, language)
        words = _words(text)
        if i in exclude or not strength or words < _SHORT_WORDS or words > _LONG_WORDS:
            continue
        if is_bare_quote(text) or is_caption(text) or is_unfinished(text):
            continue
        if text.rstrip().endswith("?"):
            continue
        if any(_overlap(terms[i], terms[j]) > _MAX_OVERLAP for j in exclude):
            continue
        score = strength + _overlap(terms[i], story) if story else float(strength)
        if _QUOTE_START.match(text):
            score -= _NEXT_PENALTY
        base[i] = score
    picked: list[int] = []
    # Highest first; a dangling step only right after the sentence it leans on (shown or
    # picked): alone under "What happens next" it reads as a non sequitur.
    for i in sorted(base, key=lambda i: (-base[i], i)):
        if len(picked) >= k:
            break
        if dangling[i] and (i - 1) not in exclude and (i - 1) not in picked:
            continue
        if not any(_overlap(terms[i], terms[j]) > _MAX_OVERLAP for j in picked):
            picked.append(i)
    return sorted(picked)


def _display(sentence: str) -> str:
    """One clean line: no dateline, caption label, list marker or line wrapping."""
    return " ".join(strip_label(_LIST_MARKER.sub("", strip_dateline(sentence))).split())


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def summarize(
    article: Article, style: str = DEFAULT_STYLE, instructions: str | None = None
) -> OfflineSummary:
    """An extractive summary of `article` in `style` ("tldr", "bullets" or "detailed")."""
    name, length = resolve_length(style, instructions)
    # News leads with its point: a book-length text is summarized from its first part (a
    # prefix, so sentence offsets still point into the article), in bounded time.
    text = article.text[:MAX_SUMMARY_CHARS]
    analyzer = analyzer_for_text(text, article.language)
    language = analyzer.language or article.language
    # Captions glued to the next sentence become units of their own (still verbatim).
    sentences = split_glued(split_sentences(text, article.language))
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
    # A sentence on the focus asked for is wanted however it opens.
    dangling = [
        is_dangling(s.text, language) and not terms[i] & focus for i, s in enumerate(candidates)
    ]
    chosen = _select(candidates, scores, terms, dangling, length)
    key_lines = [_display(candidates[i].text) for i in chosen]
    used = list(chosen)
    if name == "tldr":
        text = " ".join(key_lines)
    elif name == "detailed":
        # The template's four parts; the headline is the article's own title, never made up.
        # Planned or scheduled steps past the first key points belong under "What happens
        # next" (a short article's key points would otherwise take them all).
        moved = [
            i
            for i in chosen[length.min_sentences :]
            if forward_strength(candidates[i].text, language) == 2
        ][:_NEXT_SENTENCES]
        chosen = [i for i in chosen if i not in moved]
        key_lines = [_display(candidates[i].text) for i in chosen]
        more = _next_steps(
            candidates, terms, dangling, set(chosen + moved), language, _NEXT_SENTENCES - len(moved)
        )
        upcoming = sorted(moved + more)
        context = _central(candidates, terms, dangling, set(chosen + upcoming), _CONTEXT_SENTENCES)
        used = sorted(chosen + upcoming + context)
        headline = " ".join(article.title.split()) if article.title else ""
        text = f"**{headline}**\n\n" if headline else ""
        text += "**Key points**\n" + _bullets(key_lines)
        if context:
            text += "\n\n**Context**\n" + _bullets([_display(candidates[i].text) for i in context])
        if upcoming:
            lines = [_display(candidates[i].text) for i in upcoming]
            text += "\n\n**What happens next**\n" + _bullets(lines)
    else:
        text = _bullets(key_lines)
    return OfflineSummary(text=text, sentences=tuple(candidates[i].text for i in used), style=name)
