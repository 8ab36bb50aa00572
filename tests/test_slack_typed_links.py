"""/summarize and /ask with a link typed without https:// (issue: "/summarize example.com/story"
was answered "I can only open web links that start with https://", where the CLI opened it).

Slack sends a command's text as typed; its clients make "example.com/story" a link only in a
message. Through the fake Slack, signed, as Slack sends them."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from dataclasses import replace

import pytest
import trustme

from bot.ingest import Article
from bot.slack.listeners.commands import ASK_NOT_A_WEB_LINK, NOT_A_WEB_LINK, NOTHING_YET
from tests.servers.articles import ArticleServer

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch, articles: ArticleServer) -> list[str]:
    """The links the jobs fetch, each served by the local article server's /story (there is
    no internet here), under the name it was asked by."""
    from bot import article_source

    real = article_source.from_url
    asked: list[str] = []

    def from_url(url: str, settings: object = None) -> Article:
        asked.append(url)
        return replace(real(articles.url("/story"), settings), url=url)  # type: ignore[arg-type]

    monkeypatch.setattr(article_source, "from_url", from_url)
    return asked


def _summary_and_source(bot) -> tuple[str, str]:
    (update,) = bot.wait_for_update()
    blocks = update.params["blocks"]
    summary = "\n".join(b.get("text", "") for b in blocks if b["type"] == "markdown")
    context = [b for b in blocks if b["type"] == "context"]
    return summary, json.dumps(context[-1], ensure_ascii=False)


def _bullets(summary: str) -> list[str]:
    return [line for line in summary.splitlines() if line.lstrip().startswith(("- ", "• "))]


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("example.com/story", "https://example.com/story"),
        ("www.example.com/x", "https://www.example.com/x"),
        ("news.example.co.uk", "https://news.example.co.uk"),
        ("in 3 bullets example.com/story", "https://example.com/story"),
    ],
)
def test_summarize_a_link_typed_without_https(bot, fetched, text, url):
    status, body = bot.command("/summarize", text)
    assert (status, body) == (200, "")
    summary, source = _summary_and_source(bot)
    assert fetched == [url]
    assert "bridge" in summary.lower()  # the article, summarized
    assert url.split("/")[2] in source  # the source line names the site asked for


def test_an_instruction_after_a_typed_link_is_kept(bot, fetched):
    status, body = bot.command("/summarize", "example.com/story tldr")
    assert (status, body) == (200, "")
    summary, _ = _summary_and_source(bot)
    assert fetched == ["https://example.com/story"]
    assert _bullets(summary) == [] and summary.count(". ") <= 2  # a tldr, not bullets


@pytest.mark.parametrize(
    "text",
    ["ftp://x/y", "file:///etc/passwd", "javascript:alert(1)", "tldr ftp://example.com/a"],
)
def test_other_schemes_get_the_web_link_reply(bot, fetched, text):
    status, body = bot.command("/summarize", text)
    assert (status, body) == (200, NOT_A_WEB_LINK)
    bot.idle()
    assert [c.method for c in bot.slack.calls() if c.method != "auth.test"] == []
    assert fetched == []


@pytest.mark.parametrize("text", ["I read it on example.com.", "Mr.Smith rated it 3.5/5"])
def test_prose_that_looks_like_a_host_is_not_opened(bot, fetched, text):
    status, body = bot.command("/summarize", text)
    assert status == 200 and "only a few words" in body and NOT_A_WEB_LINK not in body
    bot.idle()
    assert fetched == []


# --- /ask reads its text the same way ---------------------------------------------------------


def test_ask_about_a_link_typed_without_https(bot, fetched):
    # It asked about the channel's latest article ("I haven't summarized an article…").
    status, body = bot.command("/ask", "example.com/story who paid for it?")
    assert (status, body) == (200, "")
    (answer,) = bot.wait_for_update()
    assert fetched == ["https://example.com/story"]
    shown = json.dumps(answer.params)
    assert "asked: who paid for it?" in shown


def test_ask_with_another_scheme_gets_the_web_link_reply(bot, fetched):
    status, body = bot.command("/ask", "ftp://example.com/a who paid for it?")
    assert (status, body) == (200, ASK_NOT_A_WEB_LINK)
    bot.idle()
    assert fetched == []


def test_an_ask_mentioning_a_version_or_a_name_is_still_a_question(bot, fetched):
    status, body = bot.command("/ask", "did Mr.Smith say version 2.0/3 ships? e.g. in May")
    assert (status, body) == (200, NOTHING_YET)  # about the latest article: none here yet
    assert fetched == []


# --- over the wire: https to the host as typed ------------------------------------------------


@pytest.fixture
def tls_articles(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[ArticleServer]:
    """The article server over TLS as "news.test" (a CA this test trusts; the name resolves
    to the loopback, which the harness allows)."""
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setattr("bot.ingest.fetch.system_resolver", lambda host: ["127.0.0.1"])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("news.test").configure_cert(context)
    with ArticleServer(tls=context) as server:
        yield server


def test_a_typed_host_and_port_is_fetched_over_https(bot, tls_articles):
    status, body = bot.command("/summarize", f"news.test:{tls_articles.port}/story tldr")
    assert (status, body) == (200, "")
    summary, source = _summary_and_source(bot)
    assert [path for path, _ in tls_articles.requests] == ["/story"]
    assert "news.test" in source and _bullets(summary) == []


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("tldr", "Which article?"),  # a style with nothing to apply it to
        ("in 3 bullets please", "Which article?"),
        ("https://", "Which article?"),  # a link not finished
        ("who paid for the bridge?", "use `/ask`"),  # a question: /ask is for that
    ],
)
def test_summarize_with_only_a_wish_a_scheme_or_a_question_says_what_is_missing(
    bot, fetched, text, said
):
    # All were "That's only a few words, not an article".
    status, body = bot.command("/summarize", text)
    assert status == 200 and said in body and "only a few words" not in body
    bot.idle()
    assert fetched == []
