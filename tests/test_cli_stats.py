"""`articlebot stats` on a SQLite store with a few recorded replies and votes: the tables and
the JSON say the same totals, per channel and per style, and honour --days and --team."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.settings import get_settings
from bot.store import RequestRecord, SQLiteStore

DAY = 86_400.0


@pytest.fixture
def store_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """STORE_PATH for the CLI, filled as the bot would have: five replies, some votes."""
    path = tmp_path / "store.sqlite3"
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("STORE_PATH", str(path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    now = time.time()

    def reply(rid: str, channel: str, style: str | None, **fields: object) -> RequestRecord:
        values: dict[str, object] = {
            "request_id": rid,
            "team": "T1",
            "channel": channel,
            "user": "U1",
            "kind": "summary" if style else "answer",
            "style": style,
            "engine": "openai",
            "model": "gpt-4o-mini",
            "prompt_tokens": 1_000,
            "completion_tokens": 100,
            "cost_usd": 0.001,
            "at": now - 60,
            **fields,
        }
        return RequestRecord(**values)  # type: ignore[arg-type]

    with SQLiteStore(path) as store:
        store.log_request(reply("a", "C0NEWS", "bullets"))
        store.log_request(
            reply(
                "b",
                "C0NEWS",
                "bullets",
                cached=True,
                prompt_tokens=0,
                completion_tokens=0,
                cost_usd=0.0,
            )
        )
        store.log_request(reply("c", "C0NEWS", None))
        store.log_request(reply("d", "C0DEV", "tldr", engine="offline", model=None, cost_usd=None))
        store.log_request(reply("old", "C0DEV", "tldr", at=now - 10 * DAY))  # outside --days 7
        store.log_request(reply("e", "C0ELSE", "bullets", team="T2"))
        store.vote("T1", "a", "U1", 1)
        store.vote("T1", "a", "U2", 1)
        store.vote("T1", "c", "U1", -1)
        store.vote("T1", "d", "U3", 1)
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["stats", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_stats_json_totals_per_channel_and_style(store_file: Path) -> None:
    data = json.loads(_run("--days", "7", "--json"))
    assert data["days"] == 7
    total = data["total"]
    assert total["requests"] == 5
    assert total["cache_hits"] == 1
    assert (total["prompt_tokens"], total["completion_tokens"]) == (4_000, 400)
    assert total["cost_usd"] == pytest.approx(0.003)  # a cache hit costs nothing
    assert (total["up"], total["down"]) == (3, 1)
    channels = {(row["team"], row["channel"]): row for row in data["by_channel"]}
    assert list(channels) == [("T1", "C0NEWS"), ("T1", "C0DEV"), ("T2", "C0ELSE")]  # busiest first
    news = channels[("T1", "C0NEWS")]
    assert (news["requests"], news["cache_hits"], news["up"], news["down"]) == (3, 1, 2, 1)
    dev = channels[("T1", "C0DEV")]
    assert dev["requests"] == 1 and dev["cost_usd"] is None  # the offline engine costs nothing
    styles = {row["style"]: row for row in data["by_style"]}
    assert {name: row["requests"] for name, row in styles.items()} == {
        "bullets": 3,
        "(answers)": 1,
        "tldr": 1,
    }
    assert (styles["(answers)"]["up"], styles["(answers)"]["down"]) == (0, 1)


def test_stats_days_and_team_narrow_it(store_file: Path) -> None:
    assert json.loads(_run("--days", "30", "--json"))["total"]["requests"] == 6
    only = json.loads(_run("--days", "7", "--team", "T2", "--json"))
    assert only["total"]["requests"] == 1
    assert [row["channel"] for row in only["by_channel"]] == ["C0ELSE"]


def test_stats_prints_tables(store_file: Path) -> None:
    out = _run("--days", "7")
    assert "since" in out and "(7 days)" in out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("team"))
    assert header.split()[:4] == ["team", "channel", "requests", "cache"]
    news = next(line for line in lines if "C0NEWS" in line).split()
    # team, channel, requests, cache hits, tokens in, tokens out, cost, 👍, 👎
    assert news == ["T1", "C0NEWS", "3", "1", "2,000", "200", "0.0020", "2", "1"]
    answers = next(line for line in lines if line.startswith("(answers)")).split()
    assert answers[1] == "1" and answers[-2:] == ["0", "1"]
    dev = next(line for line in lines if "C0DEV" in line).split()
    assert dev[6] == "-"  # no known price


def test_stats_on_an_empty_store_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "empty.sqlite3"
    SQLiteStore(path).close()  # the bot ran, and nobody asked it anything yet
    monkeypatch.setenv("STORE_PATH", str(path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    try:
        assert "No summaries or answers" in _run()
        assert json.loads(_run("--json"))["total"]["requests"] == 0
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("store_path", [None, "elsewhere/bot.sqlite3"])
def test_stats_without_a_store_says_where_it_looked_and_creates_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store_path: str | None
) -> None:
    monkeypatch.chdir(tmp_path)  # a folder with no .env and no data/
    monkeypatch.delenv("REDIS_URL", raising=False)
    if store_path is None:
        monkeypatch.delenv("STORE_PATH", raising=False)
    else:
        monkeypatch.setenv("STORE_PATH", store_path)
    get_settings.cache_clear()
    try:
        for args in ([], ["--json"]):
            result = CliRunner().invoke(cli, ["stats", *args])
            assert result.exit_code == 1, result.output
            expected = tmp_path / (store_path or "data/articlebot.sqlite3")
            assert f"No store found at {expected}" in result.output
            assert "STORE_PATH" in result.output and "REDIS_URL" in result.output
            assert "No summaries or answers" not in result.output
    finally:
        get_settings.cache_clear()
    assert list(tmp_path.iterdir()) == []  # no data/ folder, no empty database


def test_stats_for_a_team_the_store_never_saw_says_so(store_file: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--team", "TNOPE"])
    assert result.exit_code == 0
    assert "No summaries or answers in this period" in result.stdout
    assert "no requests from team TNOPE at all" in result.stderr
    known = CliRunner().invoke(cli, ["stats", "--team", "T2", "--days", "0.0001"])
    assert "No summaries or answers" in known.stdout and "at all" not in known.stderr
