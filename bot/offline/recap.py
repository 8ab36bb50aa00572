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
from dataclasses import dataclass, replace

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
# A later statement answers a question when it uses at least this share of its words: half,
# so one noun in passing ("the rye bread was the best") doesn't close "who sells the rye bread?".
ANSWER_SHARE = 0.5
ASIDE_MAX_TERMS = 2  # "@Dan pub tonight?": a ping to one person, not the thread's business
MAX_ADDRESSEES = 20  # @mentions peeled off a question's start and end

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
_ANY_NAME = r"[^\W\d][\w.'-]*"  # an @mention of someone not (yet) in the thread
_URL = re.compile(r"https?://\S+")
_QUOTED = re.compile(r"^[ \t]*>.*$", re.MULTILINE)  # a quoted line: someone else's words
# A reply of the bot's that found nothing ("I couldn't find anything in the article…", "The
# article doesn't say."): the question before it is still open.
_FOUND_NOTHING = re.compile(
    r"^\W*(?:i\s+(?:couldn[’']?t|could not|can[’']?t|cannot|didn[’']?t|did not)\s+find"
    r"|i\s+don[’']?t\s+(?:know|have)|not found\b"
    r"|the article (?:does not|doesn[’']?t) (?:say|mention|contain|cover|answer|address|specify"
    r"|state))",
    re.IGNORECASE,
)
# Chatter that isn't about the article: asked in the thread, it's no open question of it
# (only when it shares no word with the discussion: "lunch" can be a topic too).
_SOCIAL = re.compile(
    r"\b(?:lunch|coffee|dinner|breakfast|drinks?|beers?|weekend|birthday|party|vacation"
    r"|holidays?|how are you|how[’']?s it going|how was your"
    r"|mittag(?:essen)?|kaffee|feierabend|wochenende|geburtstag"
    r"|déjeuner|café|apéro|dîner|anniversaire"
    r"|almuerzo|comida|cena|cumpleaños|pranzo|caffè|aperitivo|lunchen|koffie|borrel"
    r"|almoço|jantar)\b",
    re.IGNORECASE,
)
# Function words of the other languages the engine knows best (three letters or more: shorter
# words are no terms), so "die" and "das" make no German reply an answer.
_FUNCTION_WORDS = """
    der die das den dem des ein eine einen einem einer und oder aber ist sind war waren wird
    werden hat haben mit von für auf aus bei nach über zum zur nicht auch noch schon wie was
    wer wann warum weiß jemand sich sie ihr ihre wir uns euch dass denn doch kann können
    les des une est sont pas pour dans avec sur qui que quoi quand comment pourquoi mais
    aux par nous vous ils elles cette ces son ses leur été sait
    los las una uno del por para con que qué quién cuándo cómo pero son está están alguien
    sabe sus este esta
    gli della delle dei per con che chi come quando sono anche questo questa qualcuno
    het een van voor met dat wie wat wanneer waarom niet ook zijn iemand weet
    uma dos das para com que quem quando como mas são está alguém sabe
    """
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
        # Words any question uses, whatever it is about ("does anyone know…", "are you coming").
        "anyone",
        "anybody",
        "someone",
        "everyone",
        "know",
        "coming",
        "going",
    ]
) | frozenset(_FUNCTION_WORDS.split())


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
    people = _spoken(messages)
    decisions = [m for m in people if _decides(m.text)][:MAX_DECISIONS]
    questions = _open_questions(messages)[:MAX_QUESTIONS]
    # The sentences listed as a decision or a question; the rest of their message may
    # still be what was said.
    taken = {(m.ref, _decision_text(m.text)) for m in decisions}
    central = _central(people, taken)
    lines = ["**What was said**"]
    lines += [_line(s.said, s.text) for s in central]
    bots = [m for m in messages if m.from_bot]
    if bots:
        # One citation group: its links come out as "(a, b, c)", not run together.
        refs = ", ".join(m.ref for m in bots[:3])
        times = "once" if len(bots) == 1 else f"{len(bots)} times"
        lines.append(
            f"- {bot_name} replied {times} (its summary and answers aren't repeated) [{refs}]"
        )
    if len(lines) == 1:
        lines.append("- Nothing yet beyond the article itself.")
    lines += ["", "**Open questions**"]
    lines += [_line(m, _question_text(m.text)) for m in questions] or [NONE_FOUND]
    lines += ["", "**Decisions**"]
    lines += [_line(m, _decision_text(m.text)) for m in decisions] or [NONE_FOUND]
    return OfflineRecap("\n".join(lines))


def _spoken(messages: Sequence[Said]) -> list[Said]:
    """People's messages as their own words: not the bot's, not a pasted article, not the
    lines they quote (from the article or someone else); those with nothing worth a recap
    left out."""
    out: list[Said] = []
    for said in messages:
        if said.from_bot or said.pasted:
            continue
        own = _QUOTED.sub("", said.text).strip()
        if _worth_reading(own):
            out.append(replace(said, text=own))
    return out


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
    """Questions people asked that nothing later answers: not the bot's reply right after
    (it answers what is asked of it, unless it found nothing), not a reply by the person
    the question was addressed to, not a later statement by someone else on the same words.
    An aside (addressed to someone, or chatter like lunch) on nothing the thread talks about
    is no question of the discussion."""
    spoken = {m.ref: m for m in _spoken(messages)}
    topics = {m.ref: _terms(m.text) for m in messages}
    names = {m.author for m in messages if m.author and not m.from_bot}
    out: list[Said] = []
    for i, said in enumerate(messages):
        said = spoken.get(said.ref, said)
        if said.ref not in spoken or not _asks(said.text):
            continue
        later = messages[i + 1 :]
        if later and _bot_answered(said, later[0]):
            continue
        question = _question_text(said.text)
        to, question = _addressed(question, names)
        if to and any(m.author in to and m.author != said.author for m in later):
            continue  # the person asked replied
        asked = _terms(question)
        if _aside(question, asked, to, topics, said.ref):
            continue
        if not any(_answers(said, asked, reply) for reply in later):
            out.append(said)
    return out


def _aside(
    question: str, asked: set[str], to: set[str] | None, topics: dict[str, set[str]], ref: str
) -> bool:
    """Chatter beside the discussion: sharing no word with any other message, and social
    ("anyone up for coffee?") or a short one addressed to someone ("@Carol are you coming to
    lunch?", "@Dan pub tonight?"). A longer question to someone ("@Carol can you draft the
    venue section?") is the thread's business even when nothing else names it."""
    social = bool(_SOCIAL.search(question))
    short_ping = to is not None and len(asked) <= ASIDE_MAX_TERMS
    if not (social or short_ping):
        return False
    elsewhere = set().union(*(terms for other, terms in topics.items() if other != ref))
    return not asked & elsewhere


def _bot_answered(question: Said, reply: Said) -> bool:
    """The bot's reply right after the question (the next message of the thread: not after
    a request for a recap, which the discussion leaves out), that found an answer."""
    return (
        reply.from_bot
        and _position(reply) == _position(question) + 1
        and not _FOUND_NOTHING.match(reply.text)
    )


def _position(said: Said) -> int:
    """Where a message sits in the thread ("m3": third), -1 for a ref of another shape."""
    return int(said.ref[1:]) if said.ref[:1] == "m" and said.ref[1:].isdigit() else -1


def _addressed(question: str, names: set[str]) -> tuple[set[str] | None, str]:
    """Who the question is addressed to by @mention at its start or end ("@Carol are you
    coming?", "what do you think, @Dan?"), and the question without them. None: to no one
    in particular (a mention inside it is what it is about: "did @Dan say so?"). The set
    holds the names of the thread's people it names ("@someone": a person not in it)."""
    known = sorted(names, key=len, reverse=True)
    to: set[str] = set()
    addressed = False
    text = question.strip()
    for _ in range(MAX_ADDRESSEES):  # each peel copies the text: "@a @a @a…" stays linear
        mention = _mention_at(text, known, start=True) or _mention_at(text, known, start=False)
        if mention is None:
            break
        name, text = mention
        addressed = True
        if name in names:
            to.add(name)
    return (to if addressed else None), text


def _mention_at(text: str, known: Sequence[str], *, start: bool) -> tuple[str, str] | None:
    """(name, text without it) for an @mention at the start (or end, before the "?").

    The end is found from the last "@" back, not by a search for "[\\s,]*@name$": tried
    at every comma and space of a long run, that search is quadratic in the text."""
    if start:
        for name in [*known, None]:
            pattern = re.escape(name) if name else _ANY_NAME
            match = re.match(rf"@({pattern})(?![\w.'-])[\s,:]*", text, re.IGNORECASE)
            if match:
                return (name or match.group(1)), text[match.end() :].strip()
        return None
    body = text.rstrip("?？ ").rstrip()
    for name in [*known, None]:
        at = len(body) - len(name) - 1 if name else body.rfind("@")
        if at < 0 or body[at] != "@":
            continue
        match = re.fullmatch(re.escape(name) if name else _ANY_NAME, body[at + 1 :], re.IGNORECASE)
        if match:
            rest = _rstrip_commas(body[:at]) + text[len(body) :]
            return (name or match.group(0)), rest.strip()
    return None


def _rstrip_commas(text: str) -> str:
    """`text` without the spaces and commas it ends with."""
    end = len(text)
    while end and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return text[:end]


def _asks(text: str) -> bool:
    return any(s.text.rstrip().endswith(("?", "？")) for s in _sentences(text))


def _answers(question: Said, asked: set[str], reply: Said) -> bool:
    if reply.from_bot or reply.pasted or _asks(reply.text):
        return False
    if question.author and reply.author == question.author:
        return False  # the asker going on is not an answer
    shared = asked & _terms(reply.text)
    return len(shared) >= max(1, math.ceil(len(asked) * ANSWER_SHARE)) if asked else False


def _central(messages: Sequence[Said], taken: set[tuple[str, str]]) -> list[_Sentence]:
    """The sentences sharing most words with the rest of the thread: what it kept coming
    back to. One per message, shown in thread order; none of the `taken` (ref, sentence)."""
    sentences = [
        _Sentence(m, s.text, order)
        for order, m in enumerate(messages)
        for s in _sentences(m.text)
        if count_words(_URL.sub(" ", s.text)) >= MIN_WORDS
        and not is_question(s.text)
        and (m.ref, s.text) not in taken
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
