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
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.ingest.article import Article
from bot.offline.cues import (
    attribute,
    is_bare_quote,
    is_caption,
    is_dangling,
    is_unfinished,
    looks_ahead,
    split_glued,
    strip_label,
    strip_photo_refs,
)
from bot.offline.instructions import LONG_HINT as _LONG_HINT
from bot.offline.instructions import MAX_COUNT, asked_count, count_notice
from bot.offline.instructions import SHORT_HINT as _SHORT_HINT
from bot.offline.news import (
    has_credit,
    is_chrome,
    is_furniture,
    prose_span,
    strip_dateline,
)
from bot.offline.readability import is_furniture_line, is_non_prose, line_defect
from bot.offline.results import OfflineSummary
from bot.offline.trim import trim
from bot.text.retrieval import Analyzer, analyzer_for_text
from bot.text.sentences import Sentence, count_words, split_sentences


@dataclass(frozen=True, slots=True)
class Length:
    target_words: int  # stop adding sentences once the next would move away from this
    min_sentences: int
    max_sentences: int


STYLES: dict[str, Length] = {
    "tldr": Length(35, 1, 2),
    # Three points unless the first two already fill the budget (two long sentences):
    # a third would take the summary far past the highlights' length.
    "bullets": Length(80, 2, 5),
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
# `bot.offline.trim` rules applied to each shown line: each helped on the CNN/DM dev half.
TRIM_RULES: tuple[str, ...] = ("attribution", "parentheticals")

_CREDIT_WORDS = 4  # a credit standing alone after a caption: "Reuters", "AP Photo/Jane Doe"
_QUOTE_START = re.compile(r"^[\"'‘“„«]")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•·▪◦]|\d{1,3}[.)])\s+")


def resolve_length(style: str, instructions: str | None) -> tuple[str, Length]:
    """The style to produce and its length; instructions like "3 bullets" or "briefly" win
    over the style, unknown styles get the bullets length."""
    name = style.strip().lower() if style and style.strip().lower() in STYLES else DEFAULT_STYLE
    if instructions:
        if count := asked_count(instructions):
            n = max(1, min(count[0], MAX_COUNT))  # past the cap: the summary's notice says so
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
    wanted: frozenset[int] = frozenset(),
    sizes: list[int] | None = None,
) -> list[int]:
    """Indices into `candidates`: best first, skipping repeats, stopping near the budget.
    A dangling sentence pays its penalty unless the one before it is already chosen (or it
    is `wanted`: on the focus asked for), and is only ever shown after it: picked alone, it
    brings the sentence before it along."""
    chosen: list[int] = []
    words = 0

    def lone(i: int) -> bool:
        return dangling[i] and i > 0 and (i - 1) not in chosen

    def adjusted(i: int) -> float:
        return scores[i] - (_DANGLING_PENALTY if lone(i) and i not in wanted else 0.0)

    def repeats(i: int) -> bool:
        return any(_overlap(terms[i], terms[j]) > _MAX_OVERLAP for j in chosen)

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
        if repeats(i):
            continue
        # A lone dangling sentence comes with the one it leans on, or not at all.
        group = [i - 1, i] if lone(i) else [i]
        if len(group) == 2 and (
            (i - 1) not in left
            or lone(i - 1)
            or repeats(i - 1)
            or len(chosen) + 2 > length.max_sentences
        ):
            continue
        n = sum(sizes[j] if sizes else _words(candidates[j].text) for j in group)
        too_long = abs(words + n - length.target_words) > abs(words - length.target_words)
        if len(chosen) >= length.min_sentences and too_long:
            if len(group) == 2:
                continue  # a single sentence may still fit
            break
        for j in group:
            left.discard(j)
            chosen.append(j)
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
    stretch of text, so the context covers the body rather than one passage. Each stands
    alone under its heading: nothing dangling, no quote without its speaker."""
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

    def eligible(i: int, shortest: int = _SHORT_WORDS + 2) -> bool:
        text = candidates[i].text
        words = _words(text)
        if i in exclude or words < shortest or words > _LONG_WORDS:
            return False
        if _QUOTE_START.match(text) or is_unfinished(text) or text.rstrip().endswith("?"):
            return False
        return not any(_overlap(terms[i], terms[j]) > _MAX_OVERLAP for j in exclude)

    # A dangling sentence comes as a pair with the one before it, which it leans on.
    best: dict[int, tuple[float, tuple[int, ...]]] = {}
    for i in range(len(candidates)):
        if not eligible(i):
            continue
        group: tuple[int, ...] = (i,)
        if dangling[i]:
            # The lead-in may be short: "Some residents opposed the plan."
            if i == 0 or dangling[i - 1] or not eligible(i - 1, _SHORT_WORDS - 2):
                continue
            group = (i - 1, i)
        region = candidates[group[0]].start // stretch
        score = sum(centrality(terms[j]) for j in group) / len(group)
        if region not in best or score > best[region][0]:
            best[region] = (score, group)
    picked: list[int] = []
    for _, group in sorted(best.values(), reverse=True):
        if len(picked) + len(group) <= k and not set(group) & set(picked):
            picked.extend(group)
    return sorted(picked)


def _next_steps(
    candidates: list[Sentence],
    terms: list[set[str]],
    dangling: list[bool],
    exclude: set[int],
    language: str | None,
    k: int,
) -> list[int]:
    """Up to `k` sentences not used yet that say what comes next in the writer's own words
    ("The council will choose a company in June", "is expected to"), those closest to the
    story the key points tell first. A bare "will" or a quote is an opinion as often as a
    plan, so neither qualifies: better no section than one that isn't what happens next."""
    story = set().union(*(terms[j] for j in exclude)) if exclude else set()
    base: dict[int, float] = {}
    for i, sentence in enumerate(candidates):
        text = sentence.text
        words = _words(text)
        if i in exclude or dangling[i] or words < _SHORT_WORDS or words > _LONG_WORDS:
            continue
        if _QUOTE_START.match(text) or is_unfinished(text) or not looks_ahead(text, language):
            continue
        if any(_overlap(terms[i], terms[j]) > _MAX_OVERLAP for j in exclude):
            continue
        base[i] = _overlap(terms[i], story) if story else 0.0
    picked: list[int] = []
    for i in sorted(base, key=lambda i: (-base[i], i)):
        if len(picked) >= k:
            break
        if not any(_overlap(terms[i], terms[j]) > _MAX_OVERLAP for j in picked):
            picked.append(i)
    return sorted(picked)


def _display(sentence: str) -> str:
    """One clean line: no dateline, caption label, list marker, "(pictured)" or line
    wrapping."""
    line = strip_label(_LIST_MARKER.sub("", strip_dateline(sentence)))
    return " ".join(strip_photo_refs(line).split())


def _trimmed(line: str, follows: bool, language: str | None, keep: Callable[[str], bool]) -> str:
    """`line` without what a summary can do without (see `trim`), in English only, and only
    if it reads as well as before."""
    if not TRIM_RULES or (language or "en")[:2] != "en":
        return line
    short = trim(line, TRIM_RULES, keep)
    same = line_defect(short, follows, language) == line_defect(line, follows, language)
    return short if same else line


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a summary: the candidate sentence it shows and how it reads."""

    index: int  # position among the candidate sentences (adjacent = consecutive in the text)
    text: str  # as shown: cleaned, and a pronoun speaker named when the quote stands alone
    source: str  # the article's own words, verbatim


@dataclass(frozen=True, slots=True)
class Plan:
    """What `summarize` shows, by section, before it is written out as markdown."""

    style: str
    key: tuple[Line, ...]
    context: tuple[Line, ...] = ()
    upcoming: tuple[Line, ...] = ()
    language: str | None = None


def _units(text: str, language: str | None) -> list[Sentence]:
    """The article's sentences as summary candidates: captions glued to a sentence cut off
    into units of their own, navigation glued to one cut away (both by offsets, so every
    unit is still verbatim article text), then page furniture and non-prose left out."""
    units: list[Sentence] = []
    for sentence in split_glued(split_sentences(text, language)):
        a, b = prose_span(sentence.text)
        units.append(
            replace(
                sentence,
                text=sentence.text[a:b],
                start=sentence.start + a,
                end=sentence.start + b,
                index=len(units),
            )
        )
    # A photo credit on its own ("Photograph: Jacob King/PA", "Reuters") ends the caption
    # before it.
    captions = {
        i
        for i in range(len(units) - 1)
        if (is_chrome(units[i + 1].text) or _words(units[i + 1].text) <= _CREDIT_WORDS)
        and has_credit(units[i + 1].text)
        and units[i + 1].paragraph == units[i].paragraph
    }
    kept = [
        s
        for i, s in enumerate(units)
        if i not in captions
        and not is_furniture(s.text)
        and not has_credit(s.text)  # before a caption's label ("Above: …") is cut off
        and not (is_caption(s.text) and is_unfinished(s.text))
        # A list item with no end punctuation: a menu entry or another story's headline.
        and not (_LIST_MARKER.match(s.text) and is_unfinished(s.text))
        and not is_non_prose(_display(s.text))
        and not is_furniture_line(_display(s.text))
    ]
    # A text of nothing but short fragments ("Hello world.") still has something to say.
    kept = kept or [s for s in units if not is_chrome(s.text)]
    return [replace(s, index=i) for i, s in enumerate(kept)]


def plan(article: Article, style: str = DEFAULT_STYLE, instructions: str | None = None) -> Plan:
    """The sentences an extractive summary of `article` shows, by section."""
    name, length = resolve_length(style, instructions)
    # News leads with its point: a book-length text is summarized from its first part (a
    # prefix, so sentence offsets still point into the article), in bounded time.
    text = article.text[:MAX_SUMMARY_CHARS]
    analyzer = analyzer_for_text(text, article.language)
    language = analyzer.language or article.language
    candidates = _units(text, article.language)
    if not candidates:
        return Plan(style=name, key=(), language=language)
    shown = [_display(s.text) for s in candidates]
    # A quote said by "he" or "she" names its speaker when the sentence before does.
    named = [
        attribute(line, shown[i - 1]) if i and _QUOTE_START.match(line) else None
        for i, line in enumerate(shown)
    ]
    terms = [set(analyzer.terms(s.text)) for s in candidates]
    known = set().union(*terms)
    title = set(analyzer.terms(article.title)) if article.title else set()
    focus = _focus_terms(instructions, analyzer, known)
    scores = [_score(i, s.text, terms[i], title, focus) for i, s in enumerate(candidates)]
    # Leans on the sentence before: an opening "But"/"He"/"This", or a quote nobody is said
    # to speak (unless the sentence before names who "he" is).
    dangling = [
        named[i] is None and (is_dangling(line, language) or is_bare_quote(line))
        for i, line in enumerate(shown)
    ]
    # A sentence on the focus asked for is wanted however it opens (with the one before it).
    wanted = frozenset(i for i, ts in enumerate(terms) if ts & focus)

    def keep(span: str) -> bool:  # a span on the focus asked for stays
        return bool(focus & set(analyzer.terms(span)))

    # The budget counts the words each line will show, once trimmed.
    sizes = [_words(_trimmed(line, True, language, keep)) for line in shown]
    chosen = _select(candidates, scores, terms, dangling, length, wanted, sizes)
    context: list[int] = []
    upcoming: list[int] = []
    if name == "detailed":
        # The template's four parts. Planned steps past the first key points belong under
        # "What happens next" (a short article's key points would otherwise take them all),
        # unless the key point after one leans on it.
        moved = [
            i
            for i in chosen[length.min_sentences :]
            if looks_ahead(candidates[i].text, language)
            and not dangling[i]
            and not (i + 1 in chosen and dangling[i + 1])
        ][:_NEXT_SENTENCES]
        chosen = [i for i in chosen if i not in moved]
        more = _next_steps(
            candidates, terms, dangling, set(chosen + moved), language, _NEXT_SENTENCES - len(moved)
        )
        upcoming = sorted(moved + more)
        context = _central(candidates, terms, dangling, set(chosen + upcoming), _CONTEXT_SENTENCES)

    def lines(indices: list[int]) -> tuple[Line, ...]:
        # The speaker is named only where the sentence before is not shown right above.
        out: list[Line] = []
        for k, i in enumerate(indices):
            after = k > 0 and indices[k - 1] == i - 1
            speaker_named = named[i]
            line = shown[i] if after or speaker_named is None else speaker_named
            line = _trimmed(line, after or i == 0, language, keep)
            out.append(Line(index=i, text=line, source=candidates[i].text))
        return tuple(out)

    return Plan(name, lines(chosen), lines(context), lines(upcoming), language)


def summarize(
    article: Article, style: str = DEFAULT_STYLE, instructions: str | None = None
) -> OfflineSummary:
    """An extractive summary of `article` in `style` ("tldr", "bullets" or "detailed")."""
    result = plan(article, style, instructions)
    if not result.key:
        return OfflineSummary(text="", sentences=(), style=result.style)
    key = [line.text for line in result.key]
    if result.style == "tldr":
        text = " ".join(key)
    elif result.style == "detailed":
        # The headline is the article's own title, never made up.
        headline = " ".join(article.title.split()) if article.title else ""
        text = f"**{headline}**\n\n" if headline else ""
        text += "**Key points**\n" + _bullets(key)
        if result.context:
            text += "\n\n**Context**\n" + _bullets([line.text for line in result.context])
        if result.upcoming:
            text += "\n\n**What happens next**\n" + _bullets(
                [line.text for line in result.upcoming]
            )
    else:
        text = _bullets(key)
    used = sorted((*result.key, *result.context, *result.upcoming), key=lambda line: line.index)
    count = asked_count(instructions)
    return OfflineSummary(
        text=text,
        sentences=tuple(line.source for line in used),
        style=result.style,
        notice=count_notice(*count, written=len(result.key)) if count else None,
    )
