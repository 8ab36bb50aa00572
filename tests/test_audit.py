"""The audit log through the real app (signed requests, the fake Slack Web API, a local
article server, the fake model): one JSON line per request, with who, where, which source,
how it ended and what it cost, and never the article, the question or a secret."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.logs import setup_logging
from bot.slack import channel_prefs
from tests.servers.articles import STORY_PARAGRAPHS, TINY_PDF
from tests.servers.fake_openai import Reply
from tests.servers.slack_app import (
    CHANNEL,
    SECRET,
    TEAM,
    USER,
    SlackAppHarness,
    harness_settings,
    model_harness,
)

pytestmark = pytest.mark.timeout(120)

QUESTION = "What did Mayor Ana Ruiz promise the shop owners on Bridge Street?"
PASTE = "\n\n".join(
    [
        "The Zanzibar ferry timetable changes next month, the harbour office said on Friday.",
        "Morning crossings move to half past six, and the last boat leaves an hour earlier.",
        "Quayside traders worry that day visitors will stay a shorter time in the old town.",
        "The island council asked the operator to keep one late boat on Saturdays in summer, "
        "when concerts in the fort end after ten, but the operator has not answered yet.",
        "A second company has applied for a licence to run a fast catamaran from next year.",
    ]
)
PRIVATE_PATH = "/story?session=PRIVATE-TOKEN-42"


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_one_line_per_request_with_source_outcome_and_no_text(slack, articles, tmp_path):
    audit_file = tmp_path / "audit" / "requests.jsonl"
    settings = harness_settings(
        slack,
        tmp_path,
        audit_log_path=str(audit_file),
        fetch_max_bytes=200_000,
        rate_limit_user_burst=6,
    )
    pdf = slack.add_file("harbour-secret-plans.pdf", TINY_PDF)
    with SlackAppHarness(slack, settings) as bot:
        requests = [
            lambda: bot.command("/summarize", articles.url(PRIVATE_PATH)),
            lambda: bot.command("/ask", f"{articles.url('/story')} {QUESTION}"),
            lambda: bot.command("/summarize", "http://169.254.169.254/latest/meta-data/"),
            lambda: bot.command("/summarize", PASTE),
            lambda: bot.command("/summarize", articles.url("/huge")),
            lambda: bot.message(
                "",
                ts="1800000020.1",
                channel="D0DM",
                channel_type="im",
                subtype="file_share",
                files=[pdf],
            ),
            lambda: bot.command("/summarize", articles.url("/story?n=7")),  # past the burst
        ]
        for send in requests:  # one at a time: the lines come in this order
            assert send()[0] == 200
            bot.idle()
        # Acknowledgements and help are not requests: no line.
        bot.message("thanks!", ts="1800000021.1", channel="D0DM", channel_type="im")
        bot.command("/summarize", "")
        bot.idle()

    lines = _lines(audit_file)
    assert len(lines) == 7
    for line in lines:
        assert line["event"] == "request" and line["team"] == TEAM and line["user"] == USER
        assert line["job_id"] and line["timestamp"].endswith("Z")
        assert set(line["tokens"]) == {"prompt", "completion", "total", "estimated"}
    link, ask, ssrf, paste, huge, pdf_line, limited = lines
    local = [{"kind": "url", "host": "127.0.0.1"}]
    assert (link["surface"], link["action"], link["channel"]) == (
        "/summarize",
        "summarize",
        "C0NEWS",
    )
    assert link["sources"] == local
    assert (link["outcome"], link["reason"], link["replies"]) == ("answered", None, 1)
    assert link["engine"] == "offline" and link["cost_usd"] is None
    assert (ask["action"], ask["sources"], ask["outcome"]) == ("ask_about_links", local, "answered")
    assert ssrf["sources"] == [{"kind": "url", "host": "169.254.169.254"}]
    assert (ssrf["outcome"], ssrf["reason"], ssrf["replies"]) == ("refused", "blocked_address", 0)
    assert paste["sources"] == [{"kind": "paste", "host": None}]
    assert paste["outcome"] == "answered"
    assert (huge["outcome"], huge["reason"]) == ("refused", "too_large")
    assert (pdf_line["channel"], pdf_line["surface"]) == ("D0DM", "event")
    assert pdf_line["sources"] == [{"kind": "pdf", "host": None}]
    assert pdf_line["outcome"] == "answered"
    assert (limited["outcome"], limited["reason"], limited["sources"]) == (
        "refused",
        "rate_limited_user",
        local,
    )

    written = audit_file.read_text()
    never = [
        QUESTION,
        "Ana Ruiz",
        "PRIVATE-TOKEN-42",  # a link's path and query
        "Zanzibar",
        "half past six",
        "Harbour report",  # the PDF's title and text
        "harbour-secret-plans",  # the file's name
        "annual report",
        "Millford",
        slack.token,
        SECRET,
        *(paragraph[:40] for paragraph in STORY_PARAGRAPHS),
    ]
    for text in never:
        assert text not in written, text


def test_tokens_cost_and_model_come_from_the_model_run(slack, model, articles, tmp_path):
    model.default = Reply("- The bridge reopened after repairs.", usage=(1200, 80))
    audit_file = tmp_path / "audit.jsonl"
    prices = {model.model: (1.0, 2.0)}  # USD per 1M tokens in, out
    with model_harness(
        slack, model, tmp_path, audit_log_path=str(audit_file), llm_prices=prices
    ) as bot:
        bot.command("/summarize", articles.url("/story"))
        bot.idle()
    (line,) = _lines(audit_file)
    assert (line["engine"], line["model"], line["outcome"]) == ("openai", model.model, "answered")
    assert line["tokens"] == {"prompt": 1200, "completion": 80, "total": 1280, "estimated": False}
    assert line["cost_usd"] == pytest.approx((1200 * 1.0 + 80 * 2.0) / 1_000_000)


def test_a_reply_the_model_spoiled_is_still_counted_and_charged(slack, model, articles, tmp_path):
    # An empty reply is no summary (the offline engine writes it), but it was paid for: the
    # audit line, the stats and the channel's daily budget all count it.
    model.default = Reply("", usage=(1200, 80))
    audit_file = tmp_path / "audit.jsonl"
    prices = {model.model: (1.0, 2.0)}
    with model_harness(
        slack, model, tmp_path, audit_log_path=str(audit_file), llm_prices=prices
    ) as bot:
        bot.command("/summarize", articles.url("/story"))
        bot.idle()
        store = bot.services.store  # type: ignore[union-attr]
        spent_today = store.channel_tokens(TEAM, CHANNEL, channel_prefs.today())
        (logged,) = store.requests_since(0, TEAM)
    (line,) = _lines(audit_file)
    assert (line["engine"], line["outcome"]) == ("offline", "answered")
    assert line["reason"] == "model_failed"  # was null: a stand-in looked like a choice
    assert line["tokens"] == {"prompt": 1200, "completion": 80, "total": 1280, "estimated": False}
    assert line["cost_usd"] == pytest.approx((1200 * 1.0 + 80 * 2.0) / 1_000_000)
    assert spent_today == 1280
    assert (logged.prompt_tokens, logged.completion_tokens) == (1200, 80)


@pytest.fixture
def text_logging() -> Iterator[None]:
    """The root logger as `articlebot serve` sets it up with LOG_FORMAT=text; restored after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    setup_logging("INFO", "text")
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_audit_lines_are_json_on_stderr_whatever_the_log_format(
    slack, articles, tmp_path, capsys, text_logging
):
    with SlackAppHarness(slack, harness_settings(slack, tmp_path, audit_log_path=None)) as bot:
        bot.command("/summarize", articles.url("/story"))
        bot.idle()
    err = capsys.readouterr().err.splitlines()
    audit_lines = [json.loads(line) for line in err if line.startswith("{")]
    assert [line["action"] for line in audit_lines] == ["summarize"]
    assert audit_lines[0]["logger"] == "articlebot.audit"
    assert not [line for line in err if line.startswith("INFO articlebot.audit")]  # not as text too

    settings = harness_settings(slack, tmp_path / "off", audit_log=False, audit_log_path=None)
    with SlackAppHarness(slack, settings) as bot:
        bot.command("/summarize", articles.url("/story?n=2"))
        bot.idle()
    assert not [line for line in capsys.readouterr().err.splitlines() if line.startswith("{")]


@pytest.fixture
def json_logging() -> Iterator[None]:
    """The root logger as `articlebot serve` sets it up with LOG_FORMAT=json; restored after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    setup_logging("INFO", "json")
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


# ISO 8601 in UTC, to the millisecond: the one timestamp format of every JSON line.
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
BASE_KEYS = {"timestamp", "level", "logger", "message"}


def test_every_json_line_on_stderr_shares_the_base_keys(
    slack, articles, tmp_path, capsys, json_logging
):
    """A collector filtering on `level` or parsing one timestamp format sees every line:
    the audit's, the app's and uvicorn's (whose colour copy of the message is dropped)."""
    with SlackAppHarness(slack, harness_settings(slack, tmp_path, audit_log_path=None)) as bot:
        bot.command("/summarize", articles.url("/story"))
        bot.idle()
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\u001b" not in err  # no ANSI colour codes, raw or escaped
    lines = [json.loads(line) for line in err.splitlines()]  # every line is JSON
    for line in lines:
        assert set(line) >= BASE_KEYS, line
        assert TIMESTAMP.match(line["timestamp"]), line["timestamp"]
        assert "color_message" not in line
    loggers = {line["logger"] for line in lines}
    assert "uvicorn.error" in loggers  # its lines are in the set checked
    (audit,) = [line for line in lines if line["logger"] == "articlebot.audit"]
    assert (audit["level"], audit["message"]) == ("INFO", "request")
    assert (audit["event"], audit["action"]) == ("request", "summarize")
    assert audit["outcome"] == "answered"
    assert audit["request_id"] and audit["job_id"] and audit["tokens"]["total"] == 0


def test_the_audit_file_keeps_its_schema_with_the_same_timestamps(slack, articles, tmp_path):
    audit_file = tmp_path / "audit.jsonl"
    with SlackAppHarness(slack, harness_settings(slack, tmp_path)) as bot:
        bot.command("/summarize", articles.url("/story"))
        bot.idle()
    (line,) = _lines(audit_file)
    assert TIMESTAMP.match(line["timestamp"])
    assert not BASE_KEYS - {"timestamp"} & set(line)  # no level, logger or message there
    assert line["event"] == "request"
