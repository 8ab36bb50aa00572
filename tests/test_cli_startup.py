"""`articlebot` starts fast because it imports only what the command in hand needs (issue 10).

Each probe runs the real entry point (bot.cli:main) in a fresh interpreter and lists which
heavy libraries ended up in sys.modules: behaviour, not timing, so the machine's load can't
make it flaky. `bench/startup.py` measures the seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.quick_settings import NAMES as SETTING_NAMES

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Each costs from tens of milliseconds (rich) to half a second (langchain_core + langsmith).
MODEL_AND_SLACK = ("langchain_core", "langsmith", "openai", "tiktoken", "slack_bolt", "slack_sdk")
STORES = ("redis",)  # only with REDIS_URL; the CLI keeps nothing
HTML_AND_PDF = ("trafilatura", "htmldate", "courlan", "pypdf")
TERMINAL = ("rich",)
SETTINGS = ("pydantic", "pydantic_settings", "dotenv")  # clean reads bot.quick_settings
LANGUAGE = ("numpy", "py3langid", "justext", "lxml")
# Only for what a paste doesn't need: a legacy charset, a title to compare, JSON log lines.
EXTRAS = ("charset_normalizer", "rapidfuzz", "pythonjsonlogger")

PROBE = """
import atexit, json, sys
WATCHED = json.loads(sys.argv[1])
# atexit: click ends the run with SystemExit, and what a command imported is there by then.
atexit.register(lambda: print(json.dumps(sorted(m for m in WATCHED if m in sys.modules))))
sys.argv = ["articlebot", *sys.argv[2:]]
from bot.cli import main
main()
"""


def _imported(tmp_path: Path, *args: str) -> tuple[list[str], str]:
    """Run `articlebot ARGS` and return the watched modules it imported, and its output."""
    watched = [*MODEL_AND_SLACK, *STORES, *HTML_AND_PDF, *TERMINAL, *SETTINGS, *LANGUAGE, *EXTRAS]
    env = {k: v for k, v in os.environ.items() if k.lower() not in SETTING_NAMES}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(watched), *args],
        cwd=tmp_path,  # no .env of ours in the way
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    *output, last = result.stdout.rstrip("\n").split("\n")
    return json.loads(last), "\n".join(output)


def test_importing_the_cli_loads_no_heavy_library(tmp_path: Path) -> None:
    code = (
        "import sys, bot.cli; "
        f"print(sorted(m for m in {[*MODEL_AND_SLACK, *HTML_AND_PDF, *TERMINAL, *SETTINGS]!r} "
        "if m in sys.modules))"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_load_nothing_heavy(tmp_path: Path, flag: str) -> None:
    imported, output = _imported(tmp_path, flag)
    assert imported == []  # not even pydantic: the settings are read only by a command
    if flag == "--version":
        assert output.startswith("articlebot, version")
    else:  # every command still registered, though none of their libraries loaded
        listed = output.split("Commands:")[1].split()
        for command in ("ask", "chat", "clean", "prompts", "serve", "summarize", "worker"):
            assert command in listed


@pytest.mark.parametrize("fixture", ["paste_quotes.txt", "paste_metered_en.txt"])
def test_cleaning_a_paste_loads_no_settings_language_html_model_or_slack_library(
    tmp_path: Path, fixture: str
) -> None:
    paste = tmp_path / "paste.txt"
    paste.write_bytes((FIXTURES / fixture).read_bytes())
    imported, output = _imported(tmp_path, "clean", str(paste))
    assert output.strip()  # it did clean the paste
    # Nothing watched at all: not pydantic (bot.quick_settings), not numpy (the plain text
    # says no language), not trafilatura, charset_normalizer, the model, Slack or Redis.
    assert imported == []


def test_cleaning_a_paste_to_json_loads_the_language_model(tmp_path: Path) -> None:
    paste = tmp_path / "paste.txt"
    paste.write_bytes((FIXTURES / "paste_metered_en.txt").read_bytes())
    imported, output = _imported(tmp_path, "clean", "--json", str(paste))
    assert json.loads(output)["language"] == "en"  # --json shows it: the model ran
    assert {"numpy", "py3langid"} <= set(imported)
    assert not set(imported) & {*MODEL_AND_SLACK, *STORES, *HTML_AND_PDF, *SETTINGS}


def test_cleaning_an_html_file_loads_no_settings_model_pdf_or_slack_library(
    tmp_path: Path,
) -> None:
    imported, output = _imported(tmp_path, "clean", str(FIXTURES / "html_article_en.html"))
    assert output.strip()
    assert "trafilatura" in imported  # the HTML path does need it: the probe sees imports
    # numpy comes with trafilatura (its language filter imports py3langid), not with us.
    assert not set(imported) & {*MODEL_AND_SLACK, *STORES, "pypdf", *TERMINAL, *SETTINGS}


def test_a_dot_env_of_plain_values_is_read_without_pydantic(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "OPENAI_API_KEY=sk-not-read-by-clean\nINGEST_MAX_CHARS=5000\nLOG_LEVEL=error\n",
        encoding="utf-8",
    )
    paste = tmp_path / "paste.txt"
    paste.write_text("A line of a story that goes on. " * 400, encoding="utf-8")
    imported, output = _imported(tmp_path, "clean", str(paste))
    assert len(output) <= 5000  # INGEST_MAX_CHARS from .env was applied
    assert "dotenv" in imported and not {"pydantic", "pydantic_settings"} & set(imported)


def test_a_link_still_reads_the_whole_settings(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("FETCH_ALLOWLIST=https://not-a-host\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", "clean", "example.com/a"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "bad setting FETCH_ALLOWLIST" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["summarize"], ["ask", "_", "Who met on Tuesday?"]])
def test_the_offline_engine_loads_no_model_client_or_langchain(
    tmp_path: Path, command: list[str]
) -> None:
    """With no key the offline engine answers: openai and LangChain (seconds of start-up)
    stay unloaded; the templates are read and checked without them."""
    paste = tmp_path / "paste.txt"
    paste.write_bytes((FIXTURES / "paste_metered_en.txt").read_bytes())
    args = [paste.name if arg == "_" else arg for arg in command]
    if command == ["summarize"]:
        args.append(paste.name)
    imported, output = _imported(tmp_path, *args)
    assert "council" in output  # it summarized / answered (the engine's label is on stderr)
    assert not set(imported) & {"openai", "langchain_core", "langsmith", "tiktoken"}
