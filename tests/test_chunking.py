"""Chunking: offsets map back into the text exactly, sizes and overlaps hold."""

from __future__ import annotations

import itertools

import pytest

from bot.ingest.article import Article
from bot.text.chunking import chunk_article, chunk_text, count_words, estimate_tokens

PARAGRAPHS = [
    " ".join(f"Sentence {p}.{i} talks about topic {p} with a few more words." for i in range(9))
    for p in range(6)
]
TEXT = "\n\n".join(PARAGRAPHS)


def test_offsets_map_back_exactly_and_cover_the_text() -> None:
    chunks = chunk_text(TEXT, max_size=40, overlap=10)
    assert len(chunks) > 5
    for i, chunk in enumerate(chunks):
        assert chunk.index == i
        assert TEXT[chunk.start : chunk.end] == chunk.text
    assert chunks[0].start == 0
    assert chunks[-1].end == len(TEXT)
    # No gap: every chunk starts at or before the previous one ends.
    for before, after in itertools.pairwise(chunks):
        assert before.start < after.start <= before.end + 2


def test_sizes_respect_the_limit_and_cut_at_sentence_ends() -> None:
    for chunk in chunk_text(TEXT, max_size=40, overlap=10):
        assert count_words(chunk.text) <= 40
        assert chunk.text.endswith(".")


def test_overlap_is_shared_text() -> None:
    chunks = chunk_text(TEXT, max_size=40, overlap=12)
    shared = [before.end - after.start for before, after in itertools.pairwise(chunks)]
    assert any(n > 0 for n in shared)
    no_overlap = chunk_text(TEXT, max_size=40, overlap=0)
    for before, after in itertools.pairwise(no_overlap):
        assert after.start >= before.end


def test_repeated_text_gets_the_right_offsets() -> None:
    text = "same words again " * 120
    chunks = chunk_text(text, max_size=50, overlap=10)
    assert chunks[-1].end == len(text.rstrip())
    assert all(text[c.start : c.end] == c.text for c in chunks)
    assert [c.start for c in chunks] == sorted({c.start for c in chunks})


def test_token_unit_and_article_input() -> None:
    article = Article.from_paragraphs(PARAGRAPHS, source_kind="text")
    chunks = chunk_article(article, max_size=60, overlap=0, unit="tokens")
    assert all(estimate_tokens(c.text) <= 60 for c in chunks)
    assert all(article.text[c.start : c.end] == c.text for c in chunks)


def test_non_english_and_unspaced_text() -> None:
    text = "東京は日本の首都です。" * 40 + "\n\nГрößere Stadt. Ça marche très bien."
    chunks = chunk_text(text, max_size=30, overlap=5, unit="tokens")
    assert chunks
    assert all(text[c.start : c.end] == c.text for c in chunks)


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        chunk_text(TEXT, max_size=10, overlap=10)
    assert chunk_text("", max_size=10, overlap=2) == []
