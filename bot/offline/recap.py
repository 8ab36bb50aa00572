"""A recap of a thread's discussion without a model: what was said (its most central
sentences), the questions nobody answered, and the decisions, each citing its message.

Extractive like the rest of the offline engine: every line is a sentence someone wrote,
cited as "[m3]" (bot.llm.recaps links it to the message). Pure: messages in, markdown out.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.ingest.links import is_question
from bot.llm.followups import is_small_talk
from bot.llm.recaps import Said, is_recap_request
from bot.text.sentences import count_words, split_sentences

RECAP_LABEL = "Offline recap (sentences from the thread, no AI model)"
MAX_SAID = 4  # central sentences shown
MAX_QUESTIONS = 5
MAX_DECISIONS = 5
MAX_LINE_CHARS = 220
MIN_WORDS = 4  # shorter sentences ("Nice.", "Agreed!") say too little on their own
NONE_FOUND = "_None found._"

# Words that mark a decision or an agreed next step, in the languages the engine knows best.
_DECISION = re.compile(
    r"\b(?:(?:we|i|they|team)\s+(?:have\s+)?(?:decided|agreed|chose|settled|concluded)"
    r"|decided to|decision(?: is| was|:)|agreed(?: to| on|:)|let'?s go with|going with"
    r"|we(?:'ll| will| are going to| won't| will not)\b|final(?: call| answer| decision)"
    r"|approved|settled on|the plan is|next steps?:|action items?:|conclusion:"
    r"|haben (?:beschlossen|entschieden)|wir werden|entschieden"
    r"|(?:nous )?avons décidé|on a décidé|c'est décidé|décision"
    r"|decidimos|hemos decidido|acordamos|vamos a"
    r"|abbiamo deciso|deciso di"
    r"|decidimos|vamos (?:fazer|usar)"
    r"|besloten|we gaan)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_URL = re.compile(r"https?://\S+")
_COMMON = frozenset(
    [
        "the",
        "and",
        "for",
        "that",
        "this",
        "with",
        "from",
        "have",
        "has",
        "had",
        "was",
        "were",
        "are",
        "but",
        "not",
        "you",
        "your",
        "our",
        "they",
        "them",
        "their",
        "what",
        "which",
        "who",
        "when",
        "where",
        "why",
        "how",
        "about",
        "into",
        "than",
        "then",
        "there",
        "these",
        "those",
        "just",
        "also",
        "very",
        "really",
        "think",
        "would",
        "could",
        "should",
        "will",
        "can",
        "did",
        "does",
        "its",
        "it's",
        "i'm",
        "we're",
    ]
)


@dataclass(frozen=True, slots=True)
class OfflineRecap:
    text: str  # markdown, citations as "[m3]"
    label: str = RECAP_LABEL


@dataclass(frozen=True, slots=True)
class _Sentence:
    said: Said
    text: str
    order: int  # position in the thread


def recap(messages: Sequence[Said], *, bot_name: str = "articlebot") -> OfflineRecap:
    """The recap of `messages` (the thread, oldest first)."""
    people = [m for m in messages if not m.from_bot and _worth_reading(m.text)]
    decisions = [m for m in people if _decides(m.text)][:MAX_DECISIONS]
    questions = _open_questions(messages)[:MAX_QUESTIONS]
    taken = {m.ref for m in [*decisions, *questions]}
    central = _central([m for m in people if m.ref not in taken])
    lines = ["**What was said**"]
    lines += [_line(s.said, s.text) for s in central]
    bots = [m for m in messages if m.from_bot]
    if bots:
        refs = "".join(f"[{m.ref}]" for m in bots[:3])
        times = "once" if len(bots) == 1 else f"{len(bots)} times"
        lines.append(
            f"- {bot_name} replied {times} (its summary and answers aren't repeated) {refs}"
        )
    if len(lines) == 1:
        lines.append("- Nothing yet beyond the article itself.")
    lines += ["", "**Open questions**"]
    lines += [_line(m, _question_text(m.text)) for m in questions] or [NONE_FOUND]
    lines += ["", "**Decisions**"]
    lines += [_line(m, _decision_text(m.text)) for m in decisions] or [NONE_FOUND]
    return OfflineRecap("\n".join(lines))


def _worth_reading(text: str) -> bool:
    """A person's message with something to recap: not "thanks", not another "recap"."""
    bare = _URL.sub(" ", text).strip()
    return bool(bare) and not is_small_talk(bare) and not is_recap_request(bare)


def _decides(text: str) -> bool:
    return any(_DECISION.search(s.text) and not is_question(s.text) for s in _sentences(text))


def _decision_text(text: str) -> str:
    return next(
        (s.text for s in _sentences(text) if _DECISION.search(s.text) and not is_question(s.text)),
        text,
    )


def _question_text(text: str) -> str:
    asked = [s.text for s in _sentences(text) if s.text.rstrip().endswith(("?", "？"))]
    return asked[-1] if asked else text


def _open_questions(messages: Sequence[Said]) -> list[Said]:
    """Questions people asked that nothing later answers: no reply by the bot right after
    (it answers what is asked of it), and no later statement by someone else on the same
    words."""
    out: list[Said] = []
    for i, said in enumerate(messages):
        if said.from_bot or not _asks(said.text) or not _worth_reading(said.text):
            continue
        later = messages[i + 1 :]
        if later and later[0].from_bot:
            continue
        asked = _terms(_question_text(said.text))
        if not any(_answers(said, asked, reply) for reply in later):
            out.append(said)
    return out


def _asks(text: str) -> bool:
    return any(s.text.rstrip().endswith(("?", "？")) for s in _sentences(text))


def _answers(question: Said, asked: set[str], reply: Said) -> bool:
    if reply.from_bot or _asks(reply.text):
        return False
    if question.author and reply.author == question.author:
        return False  # the asker going on is not an answer
    shared = asked & _terms(reply.text)
    return len(shared) >= max(1, math.ceil(len(asked) * 0.3)) if asked else False


def _central(messages: Sequence[Said]) -> list[_Sentence]:
    """The sentences sharing most words with the rest of the thread: what it kept coming
    back to. One per message, shown in thread order."""
    sentences = [
        _Sentence(m, s.text, order)
        for order, m in enumerate(messages)
        for s in _sentences(m.text)
        if count_words(_URL.sub(" ", s.text)) >= MIN_WORDS and not is_question(s.text)
    ]
    if not sentences:
        return []
    spread: Counter[str] = Counter()
    for m in messages:
        spread.update(_terms(m.text))

    def score(s: _Sentence) -> float:
        terms = _terms(s.text)
        if not terms:
            return 0.0
        # Words other messages use too; a long sentence isn't central for being long.
        return sum(spread[t] - 1 for t in terms) / math.sqrt(len(terms)) + 0.01 * len(terms)

    best: dict[str, _Sentence] = {}
    for s in sorted(sentences, key=score, reverse=True):
        if s.said.ref not in best and len(best) < MAX_SAID:
            best[s.said.ref] = s
    return sorted(best.values(), key=lambda s: s.order)


def _sentences(text: str) -> list[_Sentence]:
    return [_Sentence(Said("", ""), s.text, s.index) for s in split_sentences(text)]


def _terms(text: str) -> set[str]:
    words = (w.lower() for w in _WORD.findall(_URL.sub(" ", text)))
    return {_stem(w) for w in words if w not in _COMMON}


def _stem(word: str) -> str:
    """Plural and verb endings off, enough to match "inspections" with "inspection"."""
    for ending in ("ing", "es", "ed", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _line(said: Said, text: str) -> str:
    who = f"{said.author}: " if said.author else ""
    return f"- {who}{_shorten(text)} [{said.ref}]"


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_LINE_CHARS:
        return text
    cut = text[: MAX_LINE_CHARS - 1]
    return cut[: cut.rfind(" ")].rstrip(" ,;:") + "…" if " " in cut else cut + "…"
