"""Do a model's quotes back its answer? A cheap check on the facts that matter most.

A quote can be word for word in the article and still say nothing about the answer (the
copyright line quoted for "Who funded the study?"). The numbers and names an answer states
are what a reader would act on, so each must appear in a quote or in the question itself;
those that don't are reported, and the reply says they could not be checked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A capitalised word that does not open a sentence: a name, a place, an organisation.
_NAME = re.compile(r"(?<=[\w,;:()\"'“”‘’] )[A-Z][\w'’-]*\w|(?<=\s)[A-Z]{2,}\b")
_WORD = re.compile(r"\w+")


class _Quote(Protocol):
    text: str  # the article's own words (a `VerifiedQuote`)


def _plain(text: str) -> str:
    return re.sub(r"(?<=\d)[.,](?=\d)", "", text)


def unbacked(answer: str, quotes: Sequence[_Quote], question: str) -> list[str]:
    """The numbers and names in `answer` that neither `quotes` nor `question` contain."""
    backing = _plain(" ".join([*(q.text for q in quotes), question]))
    words = {w.casefold() for w in _WORD.findall(backing)}
    out: list[str] = []
    for match in [*_NUMBER.finditer(answer), *_NAME.finditer(answer)]:
        token = re.sub(r"['’]s$", "", match.group())
        key = _plain(token).casefold()
        if key not in words and token not in out:
            out.append(token)
    return out


def note(missing: list[str]) -> str:
    """The reply's note on an answer its quotes don't back (`missing` is not empty)."""
    shown = ", ".join(f"“{m}”" for m in missing[:3])
    return (
        f"_The quotes don't mention {shown}, so I couldn't check "
        + ("that" if len(missing) == 1 else "those")
        + " against the article._"
    )
