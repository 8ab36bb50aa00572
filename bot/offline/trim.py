"""Sentence trimming: drop the parts of a shown sentence a summary reader can do without.

Journalists' highlights are shorter than the sentences they come from: they leave out who
the reporter heard an uncontested fact from (", officials said") and asides in brackets.
Each rule cuts one such span, by its surface form, and only where what remains is still a
full sentence of the article's own words; never inside a quote, never a quote's speaker.
English only: the cues are English. Also measured on the CNN/DM dev half and left out
(no gain, or a loss): ", who …," clauses, ages (", 47,"), a closing "on Tuesday".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.text.sentences import count_words

_MIN_WORDS = 6  # what must remain: shorter, and the "sentence" is likely a fragment
_END = r"(?P<end>[.!?])\s*$"
# Any quotation mark that opens or closes a quote (an apostrophe inside a word does not).
_QUOTE_MARK = re.compile(r"[\"“”„«»‘]|(?:^|(?<=[\s(\[:]))'(?=\w)|(?<=[\w.,!?])'(?=[\s,.;:!?]|$)")
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_WHEN = (
    rf"(?:(?:on|last|this|early|late)\s+{_WEEKDAY}(?:\s+(?:morning|afternoon|evening|night))?"
    r"|(?:earlier|later)\s+(?:today|this\s+(?:week|month|year))|today|yesterday|tonight"
    r"|last\s+(?:night|week|month|year)|this\s+(?:week|month|year))"
)
# Who reported it, at the end of a sentence in the writer's own voice: ", police said.",
# ", officials told CNN on Tuesday.", ", according to the Associated Press.". The source
# has no comma of its own, so "…, the mayor, who …, said" is left alone.
_SAY = (
    r"(?:said|says|told\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?|reported|reports|confirmed|added"
    r"|announced)"
)
_SOURCE = r"(?:[\w'’&.-]+\s+){0,6}?[\w'’&.-]+"
_ATTRIBUTION_TAIL = re.compile(
    rf",\s+(?:{_SOURCE}\s+{_SAY}|(?:said|says)\s+{_SOURCE}|according\s+to\s+{_SOURCE})"
    rf"(?:\s+(?:in\s+a\s+statement|{_WHEN}))?\s*{_END}"
)
# A source whose word is a claim in dispute, not a fact: "…, prosecutors said" stays, since
# without it an allegation would read as established.
_CONTESTED = re.compile(
    r"\b(?:police|prosecutors?|court|courts|documents?|lawsuit|suit|complaint|indictment|"
    r"affidavit|lawyers?|attorneys?|counsel|defen[cs]e|investigators|witness(?:es)?|jury|"
    r"accuser|alleg\w*|claim\w*|sources?)\b",
    re.IGNORECASE,
)
# "(pictured)" is handled elsewhere; any other aside in brackets inside a sentence, except
# an abbreviation being defined ("(NMC)"): another line may use it.
_PARENTHETICAL = re.compile(r"\s+\((?![A-Z][A-Za-z]{0,2}[A-Z]s?\))[^()]{1,80}\)(?=[\s,.;:!?])")
# What a full sentence does not end on: a dangling word means the cut took the clause apart.
_BAD_LAST = re.compile(
    r"\b(?:the|a|an|and|or|but|of|to|in|on|at|by|for|with|from|that|which|who|as|than|is|"
    r"was|were|are|be|been|has|have|had|will|would|said|says|told|announced|not)\W*$",
    re.IGNORECASE,
)
_SUBORDINATE = re.compile(
    r"^\W*(?:Although|Though|If|When|While|Because|Since|As|After|Before|Unless|Whether)\b"
)

Protect = Callable[[str], bool]


def _quoted(sentence: str) -> bool:
    return bool(_QUOTE_MARK.search(sentence))


def _cut(sentence: str, start: int, end: int, filler: str) -> str:
    return sentence[:start] + filler + sentence[end:]


def _full(sentence: str) -> bool:
    """Whether what is left still reads as a sentence: long enough, ends on a content word."""
    body = sentence.rstrip().rstrip(".!?")
    return count_words(sentence) >= _MIN_WORDS and not _BAD_LAST.search(body)


def _apply(
    sentence: str, pattern: re.Pattern[str], filler: Callable[[re.Match[str]], str], keep: Protect
) -> str:
    """Cut each match of `pattern` (last first, so offsets hold) whose span `keep` allows,
    while what is left stays a full sentence."""
    out = sentence
    for match in reversed(list(pattern.finditer(sentence))):
        if keep(match[0]):
            continue
        trimmed = _cut(out, match.start(), match.end(), filler(match))
        if _full(trimmed):
            out = trimmed
    return out


def _never(_: str) -> bool:
    return False


def drop_attribution(sentence: str, keep: Protect = _never) -> str:
    """ "The road will reopen on Friday, police said." → "The road will reopen on Friday."
    Not in a sentence with a quote (its speaker stays), nor after a subordinate clause
    ("Although it rained, officials said."), where what is left would not stand alone, nor
    when the source is a party to a dispute (police, prosecutors, court papers)."""
    if _quoted(sentence) or _SUBORDINATE.match(sentence):
        return sentence

    def kept(span: str) -> bool:
        return bool(_CONTESTED.search(span)) or keep(span)

    return _apply(sentence, _ATTRIBUTION_TAIL, lambda m: m["end"], kept)


def drop_parentheticals(sentence: str, keep: Protect = _never) -> str:
    """ "Derby (away to Millwall) will …" → "Derby will …"; a defined abbreviation such as
    "(NHS)" stays."""
    return _apply(sentence, _PARENTHETICAL, lambda m: "", keep)


RULES: dict[str, Callable[[str, Protect], str]] = {
    "attribution": drop_attribution,
    "parentheticals": drop_parentheticals,
}


def trim(sentence: str, rules: tuple[str, ...] = tuple(RULES), keep: Protect = _never) -> str:
    """`sentence` with the spans `rules` name cut out; unchanged if nothing applies."""
    out = sentence
    for name in rules:
        out = RULES[name](out, keep)
    return " ".join(out.split())
