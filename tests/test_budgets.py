"""Input budgets: no single link, file or paste can hold a worker for minutes.

The hostile inputs of the audit (bench/hostile.py builds them), at full size where that is
quick and smaller with the cap set low where the cap makes the point: each is read up to
its cap with a notice saying so, or refused with a message, through the library, the CLI
and the Slack app.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.hostile import flate_bomb_pdf, pages_pdf, paragraphs_html
from bot.cli import cli
from bot.errors import TooComplex
from bot.ingest import from_bytes, from_html, from_pdf, from_text
from bot.ingest.budget import Budget, cut_text
from bot.ingest.html import body as html_body
from bot.ingest.html.extract import CUT_NOTICE, extract_html
from bot.ingest.pdf import extract_pdf
from bot.pipeline import Pipeline
from bot.settings import Settings, get_settings
from tests.servers.slack_app import USER, SlackAppHarness, harness_settings

pytestmark = pytest.mark.timeout(120)

_SENTENCE = "The council voted on the new budget after a long debate about the schools."


def _settings(**caps: object) -> Settings:
    return Settings(_env_file=None, **caps)


def _ticking_budget(seconds: float, **caps: int) -> Budget:
    """A budget whose clock moves one second each time it is read."""
    ticks = count()
    limits = {"max_pdf_pages": 1_000, "max_chars": 10**7, "max_html_elements": 10**6, **caps}
    return Budget(seconds=seconds, clock=lambda: float(next(ticks)), **limits)


def _page(paragraphs: int, *, tail: str = "") -> str:
    body = "".join(f"<p>Paragraph {i:05d}. {_SENTENCE}</p>" for i in range(paragraphs))
    head = "<html><head><title>Budget</title></head>"
    return f"{head}<body><article>{body}</article>{tail}</body></html>"


# Some sites put their JSON-LD at the very end of the page.
_LATE_METADATA = (
    '<script type="application/ld+json">{"@context": "https://schema.org", '
    '"@type": "NewsArticle", "datePublished": "2024-03-05", '
    '"author": {"@type": "Person", "name": "Jane Roe"}}</script>'
)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A PDF whose one content stream inflates to 80 MB (past pypdf's 75 MB limit)."""
    return flate_bomb_pdf(80_000_000)


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_longer_than_the_page_cap_is_read_up_to_it():
    article = from_pdf(pages_pdf(5), settings=_settings(ingest_max_pdf_pages=3))
    assert "Page 3, line 2" in article.text and "Page 4" not in article.text
    assert article.notice == (
        "I read only the first 3 of this PDF's 5 pages (the most I read from one file)."
    )


def test_pdf_text_is_capped_in_characters():
    article = from_pdf(pages_pdf(40), settings=_settings(ingest_max_chars=2_000))
    # The cap counts the pages' text; paragraph breaks re-joined after it add a few.
    assert len(article.text) <= 2_100 and "Page 1, line 1" in article.text
    assert "Page 40" not in article.text
    assert article.notice is not None and "as much text as I take" in article.notice
    assert "of 40" in article.notice


def test_pdf_pages_stop_when_the_time_budget_runs_out():
    # One second per clock reading: pages 1-3 fit a 2.5 s budget, page 4 doesn't start.
    article = extract_pdf(pages_pdf(10), budget=_ticking_budget(2.5))
    assert "Page 3" in article.text and "Page 4" not in article.text
    assert article.notice == (
        "I read only the start of this PDF, up to page 3 of 10: reading the rest would take "
        "too long."
    )


def test_short_pdf_has_no_notice():
    assert from_pdf(pages_pdf(2)).notice is None


def test_flate_bomb_is_refused_with_a_clear_message(bomb: bytes):
    with pytest.raises(TooComplex, match="unpacks to far more data than I read") as refused:
        from_bytes(bomb, "application/pdf")
    assert "LimitReached" not in str(refused.value)


def test_two_thousand_page_pdf_is_read_in_seconds():
    data = pages_pdf(2_000)  # the audit's file took 3 min 39 s in `articlebot summarize`
    start = time.perf_counter()
    article = from_pdf(data)
    assert time.perf_counter() - start < 30  # ~1 s on an idle core
    assert article.notice == (
        "I read only the first 100 of this PDF's 2,000 pages (the most I read from one file)."
    )


# --- HTML and text ----------------------------------------------------------------------------


def test_page_over_the_element_cap_is_read_up_to_it():
    page = _page(400, tail=_LATE_METADATA)
    article = from_html(page, settings=_settings(ingest_max_html_elements=200))
    assert "Paragraph 00000." in article.text and "Paragraph 00150." in article.text
    assert "Paragraph 00399." not in article.text
    assert article.notice == CUT_NOTICE
    # The JSON-LD in the part cut off is still read.
    assert (article.author, article.published) == ("Jane Roe", "2024-03-05")


def test_page_over_the_character_cap_is_read_up_to_it():
    article = from_html(_page(400), settings=_settings(ingest_max_chars=5_000))
    assert "Paragraph 00010." in article.text and "Paragraph 00100." not in article.text
    assert article.notice == CUT_NOTICE


def test_scripts_and_styles_do_not_count_toward_the_caps():
    script = "<script>var state = '" + "x" * 20_000 + "';</script>"
    page = _page(20).replace("<body>", "<body>" + script)
    article = from_html(page, settings=_settings(ingest_max_chars=5_000))
    assert article.notice is None and "Paragraph 00019." in article.text


def test_page_of_200k_paragraphs_is_read_in_seconds():
    page = paragraphs_html(200_000)  # 9 MB: 2 minutes and 718 MB before the caps
    start = time.perf_counter()
    article = from_bytes(page, "text/html")
    assert time.perf_counter() - start < 30  # ~2 s on an idle core
    assert article.notice == CUT_NOTICE
    assert "Paragraph 000000" in article.text and "Paragraph 199999" not in article.text


def test_page_still_unread_when_time_runs_out_is_refused():
    with pytest.raises(TooComplex, match=r"took too long to read \(over 0\.5 seconds\)"):
        extract_html(_page(20), budget=_ticking_budget(0.5))


def test_fallback_extractors_are_skipped_when_time_is_short(monkeypatch: pytest.MonkeyPatch):
    passes: list[bool] = []
    real = html_body._lines

    def spy(tree, url, *, fast):
        passes.append(fast)
        return real(tree, url, fast=fast)

    monkeypatch.setattr(html_body, "_lines", spy)
    menu = "".join(f'<p><a href="/{i}">Section {i}</a></p>' for i in range(60))
    page = f"<html><body>{menu}<p>{_SENTENCE} {_SENTENCE}</p></body></html>"
    extract_html(page, budget=_ticking_budget(100.0))
    assert passes == [True, False]  # a menu-like fast pass gets the second opinion...
    passes.clear()
    extract_html(page, budget=_ticking_budget(3.0))
    assert passes == [True]  # ...unless half the time is gone


def test_long_paste_is_cut_at_a_line_break():
    text = "\n".join(f"Line {i}: {_SENTENCE}" for i in range(1_000))
    article = from_text(text, settings=_settings(ingest_max_chars=3_000))
    assert "Line 0:" in article.text and "Line 999" not in article.text
    assert article.notice is not None and article.notice.startswith("That text is very long")
    assert article.text.rstrip().endswith("schools.")  # no line cut in half


def test_cut_text_prefers_a_line_break_then_a_space():
    assert cut_text("abc def\nghi jkl", 13) == "abc def"
    assert cut_text("abc def ghi", 9) == "abc def"
    assert cut_text("abcdefghij", 4) == "abcd"
    assert cut_text("short", 10) == "short"


# --- the reply says what was cut ---------------------------------------------------------------


def test_summary_and_answer_carry_the_cut_notice():
    settings = _settings(ingest_max_pdf_pages=2, engine="offline")
    article = from_pdf(pages_pdf(4), settings=settings)
    pipeline = Pipeline(settings)
    assert pipeline.summarize(article).notice == article.notice
    assert pipeline.ask([article], "What did the council vote on?").notice == article.notice


# --- model replies are capped -----------------------------------------------------------------


def test_every_model_request_caps_the_reply(model):
    settings = model.settings(llm_max_output_tokens=321, llm_context_tokens=500)
    long_article = from_text("\n\n".join(f"{_SENTENCE} Item {i}." for i in range(120)))
    Pipeline(settings).summarize(long_article)  # map-reduced: several requests
    assert len(model.requests) > 1
    for body in model.requests:
        assert body.get("max_completion_tokens", body.get("max_tokens")) == 321


# --- the CLI ----------------------------------------------------------------------------------


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)  # no .env
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _cli(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_cli_refuses_a_flate_bomb_in_one_line(bomb: bytes, tmp_path: Path, fresh_settings):
    path = tmp_path / "bomb.pdf"
    path.write_bytes(bomb)
    result = _cli("summarize", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: I stopped reading that PDF")
    assert "Traceback" not in result.output and "LimitReachedError" not in result.output


def test_cli_says_which_pages_it_read(tmp_path: Path, monkeypatch, fresh_settings):
    monkeypatch.setenv("INGEST_MAX_PDF_PAGES", "2")
    path = tmp_path / "report.pdf"
    path.write_bytes(pages_pdf(4))
    result = _cli("summarize", str(path))
    assert result.exit_code == 0, result.output
    assert "I read only the first 2 of this PDF's 4 pages" in result.stderr
    assert "Page 3" not in result.stdout


def test_cli_clean_says_the_text_was_cut(tmp_path: Path, monkeypatch, fresh_settings):
    monkeypatch.setenv("INGEST_MAX_CHARS", "2000")
    path = tmp_path / "notes.txt"
    path.write_text("\n".join(f"Line {i}: {_SENTENCE}" for i in range(500)), encoding="utf-8")
    result = _cli("clean", str(path))
    assert result.exit_code == 0, result.output
    assert "Line 0:" in result.stdout and "Line 499" not in result.stdout
    assert "That text is very long" in result.stderr and "very long" not in result.stdout


# --- the Slack app ----------------------------------------------------------------------------


def _share(bot: SlackAppHarness, name: str, content: bytes, mimetype: str, ts: str) -> None:
    file = bot.slack.add_file(name, content, mimetype=mimetype)
    bot.event(
        {
            "type": "message",
            "subtype": "file_share",
            "channel": "D0DM",
            "channel_type": "im",
            "user": USER,
            "text": "",
            "ts": ts,
            "files": [file],
        }
    )
    bot.idle(timeout=60)


def _everything_shown(bot: SlackAppHarness) -> str:
    """All text the bot sent anywhere: messages, updates, streams, ephemerals."""
    parts: list[str] = []
    for call in bot.slack.calls():
        params = call.params
        parts += [str(params.get(key) or "") for key in ("text", "markdown_text", "chunks")]
        parts.append(str(params.get("blocks") or ""))
    return " ".join(" ".join(parts).split())


def test_slack_flate_bomb_reaches_the_user_as_a_clear_message(bomb: bytes, slack, tmp_path):
    with SlackAppHarness(slack, harness_settings(slack, tmp_path)) as bot:
        _share(bot, "report.pdf", bomb, "application/pdf", "1700000090.1")
        shown = _everything_shown(bot)
    assert "I stopped reading that PDF" in shown
    assert "LimitReached" not in shown and "Something went wrong" not in shown


def test_slack_link_refused_for_time_reaches_the_user(slack, articles, tmp_path, monkeypatch):
    monkeypatch.setenv("INGEST_TIMEOUT", "0.000001")
    get_settings.cache_clear()
    try:
        with SlackAppHarness(slack, harness_settings(slack, tmp_path)) as bot:
            bot.command("/summarize", articles.url("/long?n=20"))
            bot.idle(timeout=60)
            shown = _everything_shown(bot)
    finally:
        get_settings.cache_clear()
    assert "That page took too long to read (over 1e-06 seconds)" in shown


def test_slack_summary_of_a_cut_page_says_so(slack, articles, tmp_path, monkeypatch):
    monkeypatch.setenv("INGEST_MAX_HTML_ELEMENTS", "100")
    get_settings.cache_clear()
    try:
        with SlackAppHarness(slack, harness_settings(slack, tmp_path)) as bot:
            bot.command("/summarize", articles.url("/long?n=300"))
            bot.idle(timeout=60)
            shown = _everything_shown(bot)
    finally:
        get_settings.cache_clear()
    assert CUT_NOTICE in shown


def test_slack_summary_of_a_cut_pdf_says_so(slack, tmp_path, monkeypatch):
    monkeypatch.setenv("INGEST_MAX_PDF_PAGES", "2")
    get_settings.cache_clear()
    try:
        with SlackAppHarness(slack, harness_settings(slack, tmp_path)) as bot:
            _share(bot, "report.pdf", pages_pdf(4), "application/pdf", "1700000092.1")
            shown = _everything_shown(bot)
    finally:
        get_settings.cache_clear()
    assert "I read only the first 2 of this PDF's 4 pages" in shown
