"""Questions about the article itself ("What is this article about?", "Who wrote it?", "When
was it published?"), which its text rarely answers in so many words but its summary and
its page's metadata do. The phrasings are data (meta_questions.yaml), matched whole, so a
question about the content ("What is the article's main argument about taxes?") is never
mistaken for one.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import yaml

MetaKind = Literal["about", "author", "published"]
_DATA = Path(__file__).with_name("meta_questions.yaml")
_KINDS: tuple[MetaKind, ...] = ("about", "author", "published")
# Asides around the question itself: "so", "ok", "please", "hey", an @mention's leftovers.
_EDGES = re.compile(
    r"^(?:(?:ok|okay|so|and|hey|please|pls|bitte|alors|et|y|pues|ahora)\b[\s,]*)+"
    r"|[\s,]*\b(?:please|pls|bitte|s'il (?:te|vous) plaît|por favor)$",
    re.IGNORECASE,
)


@cache
def _patterns() -> dict[MetaKind, re.Pattern[str]]:
    data = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    docs = {f"doc_{lang}": pattern for lang, pattern in data["doc"].items()}
    out: dict[MetaKind, re.Pattern[str]] = {}
    for kind in _KINDS:
        alternatives = "|".join(f"(?:{p.format(**docs)})" for p in data[kind])
        out[kind] = re.compile(rf"(?:{alternatives})", re.IGNORECASE)
    return out


def _normalized(text: str) -> str:
    text = " ".join(text.replace("’", "'").split())
    text = text.strip(" \t\n¿¡?!.…:;")
    return _EDGES.sub("", text).strip(" ,?!.")


def meta_kind(text: str) -> MetaKind | None:
    """Which question about the article `text` is, if it is one of them."""
    asked = _normalized(text)
    if not asked or len(asked) > 80:  # a long message is a question about the content
        return None
    for kind, pattern in _patterns().items():
        if pattern.fullmatch(asked):
            return kind
    return None


def author_answer(author: str | None) -> str:
    if not author:
        return "The article's page doesn't say who wrote it."
    return f"The article is by {author}."


def published_answer(published: str | None) -> str:
    if not published:
        return "The article's page doesn't say when it was published."
    return f"The article was published on {_day(published)}."


def _day(iso: str) -> str:
    """2019-11-19 as "19 November 2019"; anything else as given."""
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{day.day} {day:%B %Y}"
