"""`articlebot summarize --from-file LIST`: every source of a list in turn, for scripts (a
nightly summary of links, 50 files): one result each, failures said and counted, not fatal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli

SEED = Path(__file__).parent / "fixtures" / "seed_paywall.txt"

pytestmark = pytest.mark.usefixtures("offline_cli")


def _run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def _list(tmp_path: Path, *lines: str) -> Path:
    listed = tmp_path / "links.txt"
    listed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return listed


def test_each_source_is_summarized_as_one_json_line_with_its_source(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone.txt")
    listed = _list(tmp_path, "# tonight's reading", str(SEED), "", missing, str(SEED))
    result = _run("summarize", "--from-file", str(listed), "--json")
    assert result.exit_code == 1  # one of them failed
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["source"] for row in rows] == [str(SEED), missing, str(SEED)]
    alone = json.loads(_run("summarize", str(SEED), "--json").stdout)
    assert rows[0]["summary"] == alone["summary"] and rows[2]["summary"] == alone["summary"]
    assert rows[1]["error"]["code"] == "ingest" and "gone.txt" in rows[1]["error"]["message"]


def test_a_list_that_all_works_exits_zero_with_a_heading_each(tmp_path: Path) -> None:
    result = _run("summarize", "--from-file", str(_list(tmp_path, str(SEED), str(SEED))))
    assert result.exit_code == 0, result.output
    assert result.stdout.count(f"## {SEED}") == 2
    alone = _run("summarize", str(SEED)).stdout
    assert alone.strip() in result.stdout


def test_the_list_can_come_from_stdin_but_not_name_it(tmp_path: Path) -> None:
    result = _run("summarize", "--from-file", "-", "--json", stdin=f"{SEED}\n-\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert "summary" in rows[0] and rows[1]["error"]["code"] == "ingest"
    assert result.exit_code == 1


@pytest.mark.parametrize("args", [[], [str(SEED), "--from-file", "-"]])
def test_one_source_or_a_list_is_a_usage_error_otherwise(args: list[str]) -> None:
    result = _run("summarize", *args, "--json", stdin="")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "usage"
