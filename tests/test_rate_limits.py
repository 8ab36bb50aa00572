"""Abuse controls through the real app (signed requests, the fake Slack Web API, a local
article server): per-person and per-channel token buckets, the cap on requests in progress,
shared by replicas on one Redis. The buckets' arithmetic is in tests/test_store.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.slack import jobs
from bot.store import Conversation
from tests.servers.slack_app import CHANNEL, TEAM, USER, SlackAppHarness, harness_settings

pytestmark = pytest.mark.timeout(90)

# Tight limits, so a handful of requests crosses them; the rest of the settings as usual.
LIMITED = {
    "rate_limit_user_requests": 20,  # per 10 minutes: one token every 30 s
    "rate_limit_user_burst": 2,
    "rate_limit_channel_requests": 0,
    "max_jobs_per_user": 0,
}


def _harness(slack: Any, tmp_path: Path, **overrides: Any) -> SlackAppHarness:
    return SlackAppHarness(slack, harness_settings(slack, tmp_path, **{**LIMITED, **overrides}))


def _fetched(articles: Any) -> list[str]:
    return [path for path, _ in articles.requests]


def _ack_text(body: str) -> str:
    """An ack's text (Bolt sends a bare text ack as plain text)."""
    return json.loads(body)["text"] if body.startswith("{") else body


def test_a_request_past_the_burst_is_told_to_wait_and_is_not_queued(slack, articles, tmp_path):
    with _harness(slack, tmp_path) as bot:
        acks = [bot.command("/summarize", articles.url(f"/story?n={n}")) for n in range(3)]
        bot.idle()
        assert acks[:2] == [(200, ""), (200, "")]
        status, body = acks[2]
        assert status == 200
        assert "Please wait about 30 seconds" in _ack_text(body)  # the ack is the asker's only
        assert _fetched(articles) == ["/story", "/story"]  # the third was never queued
        bot.wait_for_update(count=2)
        # Nothing else is lost: someone else in the channel is still answered.
        assert bot.command("/summarize", articles.url("/story?n=9"), user="U0BOB") == (200, "")
        bot.idle()
    assert len(_fetched(articles)) == 3
    assert not [c for c in slack.calls("response_url") if "wait" in str(c.params)]


def test_acknowledgements_and_help_texts_never_count(slack, articles, tmp_path):
    with _harness(slack, tmp_path) as bot:
        assert bot.command("/summarize", articles.url("/story")) == (200, "")  # one token
        bot.idle()
        (reply,) = [
            c for c in slack.calls() if c.method in ("chat.postMessage", "chat.startStream")
        ]
        thread = reply.response["ts"]
        for n in range(3):
            # Thanks in a DM, thanks to the bot in its thread, and help: none is work.
            bot.message("thanks!", ts=f"1800000001.00010{n}", channel="D0DM", channel_type="im")
            bot.mention("thanks!", ts=f"1800000002.00010{n}", thread_ts=thread)
            bot.mention("what can you do?", ts=f"1800000003.00010{n}")
            bot.command("/summarize", "")  # the usage text
        bot.idle()
        assert bot.command("/summarize", articles.url("/story?n=2")) == (200, "")  # token two
        _, body = bot.command("/summarize", articles.url("/story?n=3"))
        assert "Please wait" in _ack_text(body)


def test_a_channel_limit_covers_everyone_in_it(slack, articles, tmp_path):
    limits = {"rate_limit_user_requests": 0, "rate_limit_channel_requests": 10}  # one a minute
    with _harness(slack, tmp_path, rate_limit_channel_burst=2, **limits) as bot:
        for user in ("U0ANN", "U0BOB"):
            assert bot.command("/ask", f"{articles.url('/story')} who?", user=user) == (200, "")
        _, body = bot.command("/ask", f"{articles.url('/story')} why?", user="U0CAT")
        assert "This channel has asked me for a lot" in _ack_text(body)
        assert "about 60 seconds" in _ack_text(body)
        other = bot.command("/ask", f"{articles.url('/story')} why?", user="U0CAT", channel="C0B")
        assert other == (200, "")  # other channels have their own
        bot.idle()


def test_a_mention_past_the_limit_gets_one_private_note_and_no_reply(slack, articles, tmp_path):
    with _harness(slack, tmp_path, rate_limit_user_burst=1) as bot:
        link = articles.url("/story")
        bot.mention(f"<{link}>", ts="1800000010.000100")
        bot.idle()
        for n in range(2, 5):  # a flood: refused each time, told once
            assert bot.mention(f"<{link}?n={n}>", ts=f"1800000010.00010{n}")[0] == 200
        bot.idle()
        store = bot.services.store
    (note,) = slack.calls("chat.postEphemeral")
    assert note.params["user"] == USER and note.params["channel"] == CHANNEL
    # In the channel: Slack shows an ephemeral message in a thread only once the thread has
    # replies, and a refused top-level mention's thread has none.
    assert not note.params.get("thread_ts")
    assert "Please wait about 30 seconds" in note.params["text"]
    assert _fetched(articles) == ["/story"]
    # No placeholder, no thread the bot now listens in: the refused request left nothing.
    replied = {c.params.get("thread_ts") for c in slack.calls() if c.method != "chat.postEphemeral"}
    assert not replied & {f"1800000010.00010{n}" for n in range(2, 5)}
    for n in range(2, 5):
        assert not store.is_engaged(Conversation(TEAM, CHANNEL, f"1800000010.00010{n}"))


def test_a_cap_on_requests_in_progress_frees_when_a_job_fails(slack, articles, tmp_path):
    # A link that drips bytes until the fetch's time runs out: a job that runs, then fails.
    limits = {"rate_limit_user_requests": 0, "max_jobs_per_user": 1, "fetch_total_timeout": 2}
    with _harness(slack, tmp_path, **limits) as bot:
        assert bot.command("/summarize", articles.url("/drip")) == (200, "")
        _, body = bot.command("/summarize", articles.url("/story"))
        assert "You already have 1 request" in _ack_text(body)  # while the first runs
        bot.idle()
        failed = [c for c in slack.calls() if "took too long" in str(c.params)]
        assert failed, "the first job should have failed on its slow link"
        assert bot.command("/summarize", articles.url("/story")) == (200, "")  # slot freed
        _, body = bot.command("/summarize", articles.url("/story?n=2"))
        assert "You already have 1 request" in _ack_text(body)  # and taken again
        bot.idle()


def test_the_cap_frees_when_a_job_raises(slack, articles, tmp_path, monkeypatch):
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug in the job")

    limits = {"rate_limit_user_requests": 0, "max_jobs_per_user": 1}
    with _harness(slack, tmp_path, **limits) as bot:
        monkeypatch.setattr(jobs, "summarize", explode)  # a corner: a job that crashes
        assert bot.command("/summarize", articles.url("/story")) == (200, "")
        bot.idle()
        monkeypatch.undo()
        assert bot.command("/summarize", articles.url("/story")) == (200, "")
        bot.idle()


def test_limits_off_let_everything_through(slack, articles, tmp_path):
    off = {"rate_limit_user_requests": 0, "rate_limit_channel_requests": 0, "max_jobs_per_user": 0}
    with _harness(slack, tmp_path, **off) as bot:
        acks = [bot.command("/summarize", articles.url(f"/story?n={n}")) for n in range(8)]
        bot.idle()
    assert acks == [(200, "")] * 8


def test_two_replicas_on_one_redis_share_the_limits(
    slack, articles, tmp_path, redis_url, redis_prefix
):
    settings = {**LIMITED, "redis_url": redis_url, "redis_prefix": redis_prefix}
    first = SlackAppHarness(slack, harness_settings(slack, tmp_path / "a", **settings))
    second = SlackAppHarness(slack, harness_settings(slack, tmp_path / "b", **settings))
    with first, second:
        assert first.command("/summarize", articles.url("/story?n=1")) == (200, "")
        assert second.command("/summarize", articles.url("/story?n=2")) == (200, "")
        for replica in (first, second):  # the burst of 2 is spent, whichever replica asks
            _, body = replica.command("/summarize", articles.url("/story?n=3"))
            assert "Please wait" in _ack_text(body)
        first.idle()
        second.idle()
    assert len(_fetched(articles)) == 2
