"""The clean article every later layer works on."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

SourceKind = Literal["html", "pdf", "text"]

_WORD = re.compile(r"\w+")


def content_hash(text: str) -> str:
    """A stable hash of the article text, blind to whitespace and case differences."""
    normalized = " ".join(text.split()).casefold()
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article and what is known about it.

    `text` is the paragraphs joined by blank lines; `paragraphs` keeps them apart for
    chunking and quoting.
    """

    text: str
    source_kind: SourceKind
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None  # ISO 8601 date (YYYY-MM-DD) when known
    site_name: str | None = None
    language: str | None = None  # ISO 639-1 code when known
    paragraphs: tuple[str, ...] = field(default=())
    content_hash: str = ""
    # Why only part of the input was read (a page cap, a time budget), for the reply to say.
    notice: str | None = None
    # What ingest judged the input to be (bot.ingest.page_kind.Kind: "article", "login",
    # "cookie_wall"...); None when not judged, and the pipeline judges the text alone.
    page_kind: str | None = None

    def __post_init__(self) -> None:
        if not self.paragraphs:
            paragraphs = tuple(p.strip() for p in self.text.split("\n\n") if p.strip())
            object.__setattr__(self, "paragraphs", paragraphs)
        if not self.content_hash:
            object.__setattr__(self, "content_hash", content_hash(self.text))

    @classmethod
    def from_paragraphs(cls, paragraphs: list[str] | tuple[str, ...], **meta: Any) -> Article:
        paragraphs = tuple(p.strip() for p in paragraphs if p.strip())
        return cls(text="\n\n".join(paragraphs), paragraphs=paragraphs, **meta)

    @property
    def word_count(self) -> int:
        return len(_WORD.findall(self.text))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["paragraphs"] = list(self.paragraphs)
        data["word_count"] = self.word_count
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """The inverse of to_dict (derived and unknown keys, like word_count, are ignored)."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["paragraphs"] = tuple(values.get("paragraphs") or ())
        return cls(**values)
