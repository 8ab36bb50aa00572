import json

from click.testing import CliRunner

from bot.cli import cli

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


def test_image_file_is_refused(tmp_path):
    path = tmp_path / "photo.html"  # the extension lies; the content decides
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    result = CliRunner().invoke(cli, ["clean", str(path)])
    assert result.exit_code == 1
    assert "image/png" in result.output


def test_help_everywhere():
    assert "clean" in run("--help").output
    assert "--json" in run("clean", "--help").output
