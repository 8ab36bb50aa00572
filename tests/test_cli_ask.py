"""`articlebot ask` with what isn't a question about the article: the phrases `chat`
understands ("summarize it", "tl;dr", "thanks") and arguments given the wrong way round."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli

SEED = Path(__file__).parent / "fixtures" / "seed_paywall.txt"
QUESTION = "Where did Kim hold talks with Xi Jinping?"


pytestmark = pytest.mark.usefixtures("offline_cli")


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _bullets(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("- ")]


@pytest.mark.parametrize("request_", ["summarize it", "Can you sum it up?", "give me a summary"])
def test_ask_to_summarize_it_gets_the_summary(request_: str) -> None:
    result = _run("ask", str(SEED), request_)
    assert result.exit_code == 0, result.output
    assert "couldn't find" not in result.stdout and "From the article" not in result.stdout
    assert result.stdout == _run("summarize", str(SEED)).stdout
    assert len(_bullets(result.stdout)) >= 2


def test_ask_for_a_tldr_gets_the_one_sentence_tldr() -> None:
    result = _run("ask", str(SEED), "tl;dr")
    assert result.exit_code == 0, result.output
    assert result.stdout == _run("summarize", str(SEED), "--style", "tldr").stdout
    assert not _bullets(result.stdout) and "Moon" in result.stdout
    data = json.loads(_run("ask", str(SEED), "TLDR please", "--json").stdout)
    assert data["summary"] and data["label"].startswith("Offline summary")


def test_ask_thanks_gets_a_short_reply_not_a_quote() -> None:
    result = _run("ask", str(SEED), "thanks")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("You're welcome") and ">" not in result.stdout
    data = json.loads(_run("ask", str(SEED), "ok cool", "--json").stdout)
    assert data["small_talk"] is True and "article" in data["answer"]
    # The keys of any answer, so a script's `.quotes[]` or `.found` works on it too.
    answer = json.loads(_run("ask", str(SEED), "Who met in Singapore?", "--json").stdout)
    assert set(answer) <= set(data)
    assert data["quotes"] == [] and data["found"] is False and data["article"] is None


@pytest.mark.parametrize("question", ["", "   "])
def test_an_empty_question_is_a_usage_error(question: str) -> None:
    result = _run("ask", str(SEED), question)  # was "Anything else you'd like to know…"
    assert result.exit_code == 2
    assert "QUESTION is empty" in result.stderr and not result.stdout


def test_swapped_arguments_say_the_order() -> None:
    result = _run("ask", QUESTION, str(SEED))
    assert result.exit_code == 1
    assert f"No such file or link: {QUESTION} The source comes first" in result.stderr
    assert f"articlebot ask {SEED} '{QUESTION}'" in result.stderr
    # A link second counts too; nothing is fetched to say so.
    result = _run("ask", "Who is Locke?", "https://example.com/story")
    assert "articlebot ask https://example.com/story 'Who is Locke?'" in result.stderr


def test_a_question_too_long_for_a_file_name_swapped_is_no_traceback() -> None:
    # Path(...).exists() raised OSError (file name too long) in the swapped-order check: a
    # traceback, where a short question got the order hint.
    question = "Why did the council " + "and the mayor " * 30 + "close the bridge?"
    result = _run("ask", question, str(SEED))
    assert result.exit_code == 1 and "The source comes first" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    result = _run("ask", "Who is Locke?", question)  # a long question second: no hint
    assert result.exit_code == 1 and "No such file or link: Who is Locke?" in result.stderr


@pytest.mark.parametrize(
    ("source", "question"),
    [("missing.txt", "Who is Locke?"), ("Who is Locke?", "What is his salary?")],
)
def test_no_order_hint_when_the_order_is_not_the_problem(source: str, question: str) -> None:
    result = _run("ask", source, question)
    assert result.exit_code == 1 and f"No such file or link: {source}" in result.stderr
    assert "comes first" not in result.stderr


HTML = Path(__file__).parent / "fixtures" / "html_article_en.html"  # byline and date in <meta>


@pytest.mark.parametrize(
    "question", ["What is this article about?", "what's this about?", "Worum geht es im Text?"]
)
def test_ask_what_the_article_is_about_gets_the_tldr(question: str) -> None:
    result = _run("ask", str(SEED), question)
    assert result.exit_code == 0, result.output
    assert "couldn't find" not in result.stdout
    assert result.stdout == _run("summarize", str(SEED), "--style", "tldr").stdout


def test_ask_who_wrote_it_and_when_answers_from_the_pages_metadata() -> None:
    who = _run("ask", str(HTML), "Who wrote this article?").stdout
    assert "The article is by Maren Oakes." in who
    assert "Maren Oakes" in _run("ask", str(HTML), "Who is the author?").stdout
    when = _run("ask", str(HTML), "When was it published?").stdout
    assert "published on 14 March 2021" in when and ">" not in when
    # A pasted text has no byline: said plainly, not a sentence that happens to match.
    data = json.loads(_run("ask", str(SEED), "Who wrote this article?", "--json").stdout)
    assert data["found"] is False and "doesn't say who wrote it" in data["answer"]
    assert data["quotes"] == []


def test_a_content_question_about_the_article_is_still_searched() -> None:
    result = _run("ask", str(HTML), "What is the article's main argument about lighthouses?")
    assert result.exit_code == 0, result.output
    assert "Maren Oakes" not in result.stdout
    assert result.stdout != _run("summarize", str(HTML), "--style", "tldr").stdout


@pytest.mark.parametrize("greeting", ["hi", "Hello!", "hey there"])
def test_ask_hi_gets_a_hello_that_says_what_to_ask(greeting: str) -> None:
    result = _run("ask", str(SEED), greeting)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Hi!") and "couldn't find" not in result.stdout
    assert "who wrote it" in result.stdout
