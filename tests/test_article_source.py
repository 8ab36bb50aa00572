"""One way to get an article (bot/article_source.py), for the CLI, Slack and the pipeline."""

from __future__ import annotations

import pytest

from bot.article_source import ArticleSource
from bot.errors import NotAnArticle, TooLarge
from bot.settings import Settings
from bot.store import SQLiteStore
from tests.servers.articles import STORY_HTML


def test_a_file_is_read_by_its_content_kept_and_found_again_by_hash() -> None:
    source = ArticleSource(Settings(_env_file=None), SQLiteStore(":memory:"))
    article = source.from_file(STORY_HTML, "story.html", "application/octet-stream")
    assert article.source_kind == "html" and "Millford" in article.text
    again = source.by_hash(article.content_hash)
    assert again is not None and again.text == article.text


def test_a_file_without_a_title_gets_the_one_given() -> None:
    source = ArticleSource(Settings(_env_file=None))
    text = ("The council met on Tuesday and agreed the budget for the new bridge. " * 4).encode()
    assert source.from_file(text, "notes.txt", "text/plain").title is None
    article = source.from_file(text, "notes.txt", "text/plain", title="Council notes")
    assert article.title == "Council notes"
    html = source.from_file(STORY_HTML, "story.html", title="Not this")
    assert html.title == "Millford bridge reopens after 18 months"  # the page's own wins
    assert source.by_hash(article.content_hash) is None  # no store: nothing kept


def test_files_too_large_or_empty_are_named_in_the_message() -> None:
    source = ArticleSource(Settings(_env_file=None, fetch_max_bytes=1_000))
    with pytest.raises(TooLarge, match=r"big\.pdf is larger than 1,000 bytes"):
        source.from_file(b"x" * 1_001, "big.pdf")
    with pytest.raises(NotAnArticle, match=r"blank\.txt is empty"):
        source.from_file(b"  \n ", "blank.txt")
