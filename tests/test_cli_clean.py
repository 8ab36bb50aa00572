import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot import article_source
from bot.cli import cli
from bot.cli.inputs import as_link
from bot.ingest.article import Article
from bot.settings import get_settings
from tests.servers.articles import ArticleServer

PAGE = """<!doctype html><html lang="en"><head><title>Bridge reopens after repairs</title>
<meta name="author" content="Sam Writer"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Bridge reopens after repairs</h1>
<p>The old river bridge reopened to traffic on Monday after eighteen months of repairs
that cost the city far more than planned, officials said at a ceremony.</p>
<p>Engineers replaced the deck and strengthened the piers, which had been damaged by
floods two winters ago. Cyclists get a separate lane for the first time.</p>
<p>"It was worth the wait," said the mayor, who cut a ribbon at the east end.</p>
</article><footer>© 2024 City Paper. All rights reserved.</footer></body></html>"""


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def test_html_file_recognised_by_content_not_extension(tmp_path):
    path = tmp_path / "saved-page.txt"
    path.write_text(PAGE, encoding="utf-8")
    result = run("clean", str(path))
    assert result.exit_code == 0, result.output
    assert "The old river bridge reopened" in result.output
    assert "<p>" not in result.output and "Home" not in result.output


def test_json_has_metadata(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    data = json.loads(run("clean", "--json", str(path)).output)
    assert data["source_kind"] == "html"
    assert data["title"] == "Bridge reopens after repairs"
    assert data["word_count"] > 40
    assert any(p.startswith("The old river bridge") for p in data["paragraphs"])


def test_stdin_paste():
    text = (
        "The museum will open a new wing next spring, its director said on Friday.\n"
        "The wing doubles the space for the modern art collection.\n"
    )
    result = run("clean", "-", stdin=text.encode())
    assert result.exit_code == 0
    assert "new wing next spring" in result.output


def test_missing_file_is_a_clear_error():
    result = CliRunner().invoke(cli, ["clean", "no/such/file.html"])
    assert result.exit_code == 1
    assert "No such file or link: no/such/file.html" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("source", "said"),
    [
        # Too long to be a file name on this system (OSError: File name too long, a traceback)
        ("https://e.example/" + "(" * 100_000, "That link is too long to open"),
        ("x" * 5_000, "No such file or link: " + "x" * 79 + "…"),
        ("a\0b", "No such file or link: a\0b"),  # no path can hold a NUL (ValueError)
        ("~nobody-here/story.txt", "No such file or link: ~nobody-here/story.txt"),  # no home
        ("", "Nothing to read"),  # was "  is a folder" (the current one)
    ],
)
def test_an_argument_that_cant_be_a_path_is_a_clear_error(source: str, said: str) -> None:
    result = CliRunner().invoke(cli, ["clean", source])
    assert result.exit_code == 1
    assert said in result.output
    assert "Traceback" not in result.output and len(result.output) < 300


def test_a_link_to_slack_is_not_fetched() -> None:
    # Slack answers a fetcher with its sign-in page; no request is made to find that out.
    link = "https://fake-team.slack.com/archives/C0NEWS/p1700000000000100"
    result = CliRunner().invoke(cli, ["clean", link, "--json"])
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "not_an_article" and "link to Slack itself" in error["message"]


@pytest.mark.parametrize("link", ["https://[::1/story", "http://[abc]/story"])
def test_a_link_whose_host_urllib_cant_read_is_an_invalid_link(link: str) -> None:
    # is_slack_link ran urlsplit(...).hostname first, which raises ValueError on these: a
    # traceback where the fetcher says the link isn't valid.
    result = CliRunner().invoke(cli, ["clean", link])
    assert result.exit_code == 1
    assert "isn't a valid web address" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_pipe_is_read_like_a_file():
    # `articlebot clean <(curl -s …)` hands over /dev/fd/N, a pipe ("No such file" before).
    text = b"The museum will open a new wing next spring, its director said on Friday.\n"
    read, write = os.pipe()
    os.write(write, text)
    os.close(write)
    try:
        result = CliRunner().invoke(cli, ["clean", f"/dev/fd/{read}"])
    finally:
        os.close(read)
    assert result.exit_code == 0, result.output
    assert "new wing next spring" in result.output


def test_an_empty_pipe_is_named_by_its_path():
    # `articlebot summarize <(curl -s URL)` when curl got nothing: "63 is empty." said nothing.
    read, write = os.pipe()
    os.close(write)
    try:
        result = CliRunner().invoke(cli, ["clean", f"/dev/fd/{read}"])
    finally:
        os.close(read)
    assert result.exit_code == 1
    assert result.stderr == f"error: /dev/fd/{read} is empty.\n"


def test_image_file_is_refused(tmp_path):
    path = tmp_path / "photo.html"  # the extension lies; the content decides
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    result = CliRunner().invoke(cli, ["clean", str(path)])
    assert result.exit_code == 1
    assert "image/png" in result.output


def test_help_everywhere():
    assert "clean" in run("--help").output
    assert "--json" in run("clean", "--help").output


# --- audit regressions: links, empty and non-article files, stderr --------------------------


@pytest.fixture
def loopback_allowed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The CLI reads get_settings(): no .env, loopback allow-listed for the local server."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FETCH_ALLOWLIST", "127.0.0.1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "form",
    [
        "{url}?id=5&section=world",  # was "No such file or link": &section -> §ion
        "<{url}?id=5&amp;section=world>",  # Slack markup pasted into the terminal
        "<{url}|the river story>",
    ],
)
def test_link_forms_are_fetched(form, article_server: ArticleServer, loopback_allowed):
    result = CliRunner().invoke(cli, ["clean", form.format(url=article_server.url("/article"))])
    assert result.exit_code == 0, result.output
    assert "Volunteers pulled two tonnes of rubbish" in result.output


def test_query_string_reaches_the_fetcher_unchanged(monkeypatch: pytest.MonkeyPatch):
    asked: list[str] = []

    def fake_from_url(url: str, settings: object = None) -> Article:
        asked.append(url)
        return Article(text="Fetched.", source_kind="html", url=url)

    monkeypatch.setattr(article_source, "from_url", fake_from_url)
    for source in (
        "http://127.0.0.1:18090/ok?id=5&section=world&region=eu&not=1",
        "example.com/story?id=5&para=2",
    ):
        assert run("clean", source).exit_code == 0
    assert asked == [
        "http://127.0.0.1:18090/ok?id=5&section=world&region=eu&not=1",
        "https://example.com/story?id=5&para=2",
    ]


@pytest.mark.parametrize(
    ("source", "url"),
    [
        ("example.com/story", "https://example.com/story"),
        ("news.example.co.uk", "https://news.example.co.uk"),
        ("www.example.com/a", "https://www.example.com/a"),
        ("<https://x.com/a>", "https://x.com/a"),
        ("<https://x.com/a|x.com/a>", "https://x.com/a"),
        ("https://x.com/a.", "https://x.com/a"),
        ("notes.md", None),  # a mistyped file name, not a site
        ("story.html", None),
        ("no/such/file.html", None),
        ("https://x.com/a summarize it", None),
        ("https://x.com/a https://y.com/b", None),
        ("hello", None),
        ("127.0.0.1:8080/x", "https://127.0.0.1:8080/x"),
        ("example.com.", "https://example.com"),  # a full stop typed after it
        ("(example.com/story)", "https://example.com/story"),
        ("docs.rs/serde", "https://docs.rs/serde"),
        ("Mr.Smith", None),  # prose, not the site "Mr.Smith" (https://Mr.Smith before)
        ("Node.js/React", None),  # .js is no top-level domain (https://Node.js/React before)
        ("main.py:12", None),
        ("3.5/5", None),
        ("ftp://x/y", None),  # a link, but not one to open (see the next test)
    ],
)
def test_as_link(source, url):
    assert as_link(source) == url


@pytest.mark.parametrize("source", ["ftp://x/y", "file:///etc/passwd", "javascript:alert(1)"])
def test_another_scheme_says_which_links_work(source):
    # "javascript:alert(1)" was "No such file or link", as if it weren't a link at all.
    result = CliRunner().invoke(cli, ["clean", source])
    assert result.exit_code == 1
    assert "only open web links that start with http:// or https://" in result.output


@pytest.mark.parametrize(
    ("source", "url"),
    [
        ("example.com.", "https://example.com"),
        ("www.example.com/a", "https://www.example.com/a"),
        ("<https://x.com/a|x.com/a>", "https://x.com/a"),
    ],
)
def test_a_typed_link_is_fetched_with_https(monkeypatch: pytest.MonkeyPatch, source, url):
    asked: list[str] = []

    def fake_from_url(url: str, settings: object = None) -> Article:
        asked.append(url)
        return Article(text="Fetched.", source_kind="html", url=url)

    monkeypatch.setattr(article_source, "from_url", fake_from_url)
    assert run("clean", source).exit_code == 0
    assert asked == [url]


@pytest.mark.parametrize("source", ["Mr.Smith", "Node.js/React", "notes.md", "version 2.0/3"])
def test_prose_or_a_missing_file_is_not_fetched(monkeypatch: pytest.MonkeyPatch, source):
    monkeypatch.setattr(article_source, "from_url", pytest.fail)
    result = CliRunner().invoke(cli, ["clean", source])
    assert result.exit_code == 1
    assert f"No such file or link: {source}" in result.output


def test_existing_file_wins_over_a_scheme_less_link(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "example.com").write_text("The ferry resumed service on Monday morning.")
    result = run("clean", "example.com")
    assert result.exit_code == 0 and "ferry resumed service" in result.output


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_empty_file_says_it_is_empty(tmp_path, content):
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["clean", str(path)])
    assert result.exit_code == 1
    assert "notes.txt is empty." in result.output
    assert "cleaning" not in result.output


def test_empty_stdin_says_it_is_empty():
    result = CliRunner().invoke(cli, ["clean", "-"], input=b"")
    assert result.exit_code == 1
    assert "standard input is empty." in result.output


@pytest.mark.parametrize(
    ("name", "content", "named"),
    [
        (
            "pic.svg",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><text>hi</text></svg>',
            "image/svg+xml",
        ),
        ("data.json", b'{"title": "x", "body": "The harbour report is out."}', "application/json"),
    ],
)
def test_svg_and_json_files_are_refused_by_type(tmp_path, name, content, named):
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["clean", str(path)])
    assert result.exit_code == 1
    assert named in result.output and "not an article" in result.output
    assert "<svg" not in result.output and "harbour" not in result.output  # not printed raw


def test_trafilatura_warnings_stay_quiet_unless_verbose(caplog: pytest.LogCaptureFixture):
    from bot.errors import NotAnArticle
    from bot.ingest import from_html

    root = logging.getLogger()
    before = root.level
    empty_page = "<html><body></body></html>"  # trafilatura warns "discarding data"
    try:
        root.setLevel(logging.WARNING)  # the CLI without -v (or a caller's default)
        with caplog.at_level(logging.WARNING, logger="trafilatura.core"):
            with pytest.raises(NotAnArticle):
                from_html(empty_page)
            logging.getLogger("trafilatura.core").error("a real problem")
        messages = [r.getMessage() for r in caplog.records]
        assert not any("discarding data" in m for m in messages)
        assert "a real problem" in messages  # errors still get through
        caplog.clear()
        root.setLevel(logging.INFO)  # -v
        with pytest.raises(NotAnArticle):
            from_html(empty_page)
        assert any("discarding data" in r.getMessage() for r in caplog.records)
    finally:
        root.setLevel(before)


def test_bad_allowlist_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FETCH_ALLOWLIST", "https://intranet.example")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["clean", "https://example.com/a"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "FETCH_ALLOWLIST" in result.output and "not a host name" in result.output
    assert "Traceback" not in result.output


def test_a_private_network_link_tells_the_operator_about_the_allowlist(tmp_path, monkeypatch):
    """Whoever runs the CLI runs the bot: a private address gets the setting that opens an
    intranet site; loopback or cloud metadata doesn't (it is never an intranet site)."""
    from click.testing import CliRunner

    from bot.cli import cli

    monkeypatch.chdir(tmp_path)
    private = CliRunner().invoke(cli, ["clean", "http://10.0.0.7/wiki"])
    assert private.exit_code == 1 and "private or internal" in private.stderr
    assert "FETCH_ALLOWLIST" in private.stderr
    metadata = CliRunner().invoke(cli, ["clean", "http://169.254.169.254/latest/meta-data/"])
    assert metadata.exit_code == 1 and "private or internal" in metadata.stderr
    assert "FETCH_ALLOWLIST" not in metadata.stderr


def test_a_link_of_another_scheme_says_which_ones_work(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    monkeypatch.chdir(tmp_path)
    for link in ("ftp://127.0.0.1/story.txt", "file:///etc/passwd"):
        result = CliRunner().invoke(cli, ["clean", link])
        assert result.exit_code == 1 and "http:// or https://" in result.stderr
        assert "No such file" not in result.stderr
