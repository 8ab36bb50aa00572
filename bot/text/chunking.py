"""Cut an article into overlapping chunks that end at sentence boundaries when they can.

The splitting itself is LangChain's RecursiveCharacterTextSplitter (paragraphs, then lines,
then sentences, then clauses, then words), measured in words or estimated tokens. This
module adds what the splitter does not keep: each chunk's offsets into the article text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.ingest.article import Article

Unit = Literal["words", "tokens"]

_WORDS = re.compile(r"\S+")
# Coarse to fine; regexes because the sentence boundary is "end punctuation, then space".
_SEPARATORS = [
    r"\n\s*\n",
    r"\n",
    r"(?<=[.!?…。！？])[\"'”’»)\]]*\s+",
    r"(?<=[;:])\s+",
    r"(?<=,)\s+",
    r"\s+",
    "",
]


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of the article: `text == source[start:end]`; `index` counts from 0."""

    text: str
    index: int
    start: int
    end: int


def count_words(text: str) -> int:
    return len(_WORDS.findall(text))


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate of model tokens (about 4 characters or 0.75 words each)."""
    return max(round(len(_WORDS.findall(text)) * 4 / 3), (len(text) + 3) // 4)


def _locate(text: str, piece: str, cursor: int) -> tuple[int, int]:
    """Offsets of `piece` in `text` at or after `cursor`."""
    at = text.find(piece, cursor)
    if at < 0:  # the splitter normalized whitespace: match word by word instead
        pattern = r"\s+".join(re.escape(w) for w in piece.split())
        found = re.compile(pattern).search(text, cursor)
        if not found:
            raise ValueError("chunk text not found in the source text")
        return found.start(), found.end()
    return at, at + len(piece)


def chunk_text(
    text: str, max_size: int = 100, overlap: int = 30, unit: Unit = "words"
) -> list[Chunk]:
    """Chunks of at most `max_size` words (or estimated tokens), `overlap` shared with the
    previous chunk, cut at the coarsest boundary that fits."""
    if max_size <= 0 or not 0 <= overlap < max_size:
        raise ValueError("need max_size > 0 and 0 <= overlap < max_size")
    # Imported here: it loads LangChain's core (a fifth of a second), and only long
    # articles are ever cut into chunks.
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        separators=_SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",
        chunk_size=max_size,
        chunk_overlap=overlap,
        length_function=count_words if unit == "words" else estimate_tokens,
    )
    chunks: list[Chunk] = []
    cursor = 0
    for piece in splitter.split_text(text):
        start, end = _locate(text, piece, cursor)
        chunks.append(Chunk(text[start:end], len(chunks), start, end))
        cursor = _overlap_start(text, start, end, overlap)
    return chunks


def _overlap_start(text: str, start: int, end: int, overlap: int) -> int:
    """Earliest offset the next chunk can start at: it shares at most `overlap` words (an
    estimated token is never less than 3/4 word) with this one. Searching from here, not
    from the top, finds the right copy of repeated text."""
    if overlap == 0:
        return end
    word_starts = [m.start() for m in _WORDS.finditer(text, start, end)]
    if len(word_starts) <= overlap:
        return start + 1
    return word_starts[-overlap]


def chunk_article(
    source: Article | str, max_size: int = 100, overlap: int = 30, unit: Unit = "words"
) -> list[Chunk]:
    """`chunk_text` on an article's text (offsets index into `article.text`)."""
    text = source.text if isinstance(source, Article) else source
    return chunk_text(text, max_size, overlap, unit)
