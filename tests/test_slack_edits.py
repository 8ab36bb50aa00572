"""Fixing a request by editing it (bot.slack.edits), end to end: signed events over real
HTTP into the app, fake Slack recording what the bot posts, local article pages.

A message the bot answered with a fixable error (a link that doesn't exist, no article in
it) is answered again when its author edits its text, and the error note goes; every other
`message_changed` (a successful request's edit, an unfurl, the bot's own edits, someone
else's, Slack's retry of an edit already answered) changes nothing.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.servers.slack_app import CHANNEL, USER, SlackAppHarness, text_of

pytestmark = pytest.mark.timeout(60)

DM = {"channel": "D0DM", "channel_type": "im"}


def _now_ts(offset: float = 0.0) -> str:
    """A message ts from just now: edits count only within a day of the message."""
    return f"{time.time() + offset:.6f}"


def _edit(
    bot: SlackAppHarness,
    ts: str,
    old: str,
    new: str,
    *,
    channel: str = CHANNEL,
    channel_type: str = "channel",
    user: str = USER,
    editor: str | None = None,
    event_id: str | None = None,
    message: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    """Slack's `message_changed` event for an edit of the message at `ts`."""
    edit_ts = _now_ts()
    event = {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": channel,
        "channel_type": channel_type,
        "ts": edit_ts,
        "event_ts": edit_ts,
        "message": {
            "type": "message",
            "user": user,
            "text": new,
            "ts": ts,
            "edited": {"user": editor or user, "ts": edit_ts},
            **(message or {}),
        },
        "previous_message": {"type": "message", "user": user, "text": old, "ts": ts},
    }
    return bot.event(event, event_id=event_id, headers=headers)


def _dm_texts(bot: SlackAppHarness) -> list[str]:
    return [m.get("text") or "" for m in bot.slack.messages("D0DM")]


def _fail_in_dm(bot: SlackAppHarness, articles: Any, ts: str) -> str:
    """A DM with a link that doesn't exist: its error note (a message in the DM)."""
    bad = f"<{articles.url('/nope')}>"
    bot.message(bad, ts=ts, **DM)
    bot.idle()
    (note,) = bot.slack.messages("D0DM")
    assert "doesn't exist" in note["text"] and "Check the link" in note["text"]
    return bad


def _summaries(bot: SlackAppHarness) -> int:
    return sum("bridge" in text.lower() for text in _dm_texts(bot))


def _fix_in_dm(bot: SlackAppHarness, articles: Any, ts: str, bad: str) -> None:
    """The author's own fix of the link still asks again: what came before used nothing up."""
    _edit(bot, ts, bad, f"<{articles.url('/story')}>", channel="D0DM", channel_type="im")
    bot.idle()
    assert _summaries(bot) == 1 and not any("doesn't exist" in t for t in _dm_texts(bot))


# --- the fix ----------------------------------------------------------------------------------


def test_fixing_the_link_by_editing_the_dm_answers_it_and_replaces_the_error(bot, articles):
    ts = _now_ts()
    bad = _fail_in_dm(bot, articles, ts)
    status, _ = _edit(
        bot, ts, bad, f"<{articles.url('/story')}>", channel="D0DM", channel_type="im"
    )
    assert status == 200
    bot.idle()
    texts = _dm_texts(bot)
    assert not any("doesn't exist" in text for text in texts)  # the stale error is gone
    assert _summaries(bot) == 1  # the summary of the fixed link
    assert len(bot.slack.calls("chat.delete")) == 1


def test_a_mention_that_named_no_article_is_answered_once_a_link_is_edited_in(bot, articles):
    """`@articlebot summarize` with the link forgotten: the "no article" note in the thread is
    taken back and the edited message is summarized there, as a new mention would be."""
    ts = _now_ts()
    bot.mention("summarize this", ts=ts)
    bot.idle()
    (note,) = bot.slack.calls("chat.postMessage")
    assert note.params["thread_ts"] == ts and "don't have an article" in note.params["text"]
    mention = f"<@{bot.slack.bot_user_id}>"
    _edit(bot, ts, f"{mention} summarize this", f"{mention} summarize <{articles.url('/story')}>")
    bot.idle()
    (deleted,) = bot.slack.calls("chat.delete")
    assert deleted.params["ts"] == note.response["ts"]
    (stop,) = bot.slack.calls("chat.stopStream")
    assert stop.params["channel"] == CHANNEL
    (start,) = bot.slack.calls("chat.startStream")
    assert start.params["thread_ts"] == ts
    assert "bridge" in bot.slack.streamed_text(stop.params["ts"]).lower()


def test_a_mention_with_a_broken_link_is_asked_again_when_the_link_is_fixed(bot, articles):
    """The brief's example: the error was told privately (an ephemeral note, which Slack
    lets no one edit and forgets on reload); the edit gets the summary in the thread."""
    ts = _now_ts()
    bot.mention(f"summarize <{articles.url('/nope')}>", ts=ts)
    bot.idle()
    (private,) = bot.slack.calls("chat.postEphemeral")
    assert "Check the link" in text_of(private)
    failed = len(bot.slack.calls("chat.stopStream"))  # the steps shown, then taken back
    mention = f"<@{bot.slack.bot_user_id}>"
    old = f"{mention} summarize <{articles.url('/nope')}>"
    _edit(bot, ts, old, f"{mention} summarize <{articles.url('/story')}>")
    bot.idle()
    (stop,) = bot.slack.calls("chat.stopStream")[failed:]
    assert "bridge" in bot.slack.streamed_text(stop.params["ts"]).lower()
    assert bot.slack.message(CHANNEL, stop.params["ts"])["thread_ts"] == ts


def test_an_edit_that_is_still_wrong_is_told_again_and_can_be_fixed_again(bot, articles):
    ts = _now_ts()
    bad = _fail_in_dm(bot, articles, ts)
    worse = f"<{articles.url('/still-nope')}>"
    _edit(bot, ts, bad, worse, channel="D0DM", channel_type="im")
    bot.idle()
    (note,) = _dm_texts(bot)  # the first note replaced by the second
    assert "doesn't exist" in note
    _edit(bot, ts, worse, f"<{articles.url('/story')}>", channel="D0DM", channel_type="im")
    bot.idle()
    assert _summaries(bot) == 1 and not any("doesn't exist" in t for t in _dm_texts(bot))


def test_a_message_is_asked_again_a_few_times_at_most(bot, articles):
    ts = _now_ts()
    text = _fail_in_dm(bot, articles, ts)
    for n in range(5):
        edited = f"<{articles.url(f'/nope{n}')}>"
        _edit(bot, ts, text, edited, channel="D0DM", channel_type="im")
        bot.idle()
        text = edited
    runs = [path for path, _ in articles.requests if path.startswith("/nope")]
    assert len(runs) == 1 + 3  # the first request and three re-runs


# --- noise --------------------------------------------------------------------------------------


def test_editing_a_message_answered_well_does_nothing(bot, articles):
    ts = _now_ts()
    link = f"<{articles.url('/story')}>"
    bot.message(link, ts=ts, **DM)
    bot.idle()
    assert _summaries(bot) == 1
    calls = len(bot.slack.calls())
    _edit(bot, ts, link, f"{link} thanks", channel="D0DM", channel_type="im")
    bot.idle()
    assert len(bot.slack.calls()) == calls and _summaries(bot) == 1


def test_an_unfurl_added_to_a_failed_message_does_nothing(bot, articles):
    ts = _now_ts()
    bad = _fail_in_dm(bot, articles, ts)
    calls = len(bot.slack.calls())
    unfurl = {"attachments": [{"title": "Not found", "from_url": articles.url("/nope")}]}
    _edit(bot, ts, bad, bad, channel="D0DM", channel_type="im", message=unfurl)
    bot.idle()
    assert len(bot.slack.calls()) == calls
    _fix_in_dm(bot, articles, ts, bad)


def test_the_bots_own_edits_do_nothing(bot, articles):
    """chat.update echoes (the bot's own messages changing), and bots' edits: a bot message
    is never a request, even one claiming the asking message's ts."""
    ts = _now_ts()
    bad = _fail_in_dm(bot, articles, ts)
    (note,) = bot.slack.messages("D0DM")
    calls = len(bot.slack.calls())
    fixed = f"<{articles.url('/story')}>"
    ours = {"bot_id": bot.slack.bot_id}
    dm: dict[str, Any] = {"channel": "D0DM", "channel_type": "im"}
    _edit(bot, note["ts"], "_Reading…_", note["text"], user=bot.slack.bot_user_id, **dm)
    _edit(bot, ts, bad, fixed, user=bot.slack.bot_user_id, message=ours, **dm)
    _edit(bot, ts, bad, fixed, user=bot.slack.bot_user_id, **dm)
    _edit(bot, ts, bad, fixed, message={"bot_id": "B0OTHER"}, **dm)  # another app's
    _edit(bot, ts, bad, fixed, message={"subtype": "bot_message"}, **dm)
    bot.idle()
    assert len(bot.slack.calls()) == calls
    _fix_in_dm(bot, articles, ts, bad)


def test_someone_elses_edit_does_nothing(bot, articles):
    """Slack lets only the author edit; a forged payload must not make the bot act."""
    ts = _now_ts()
    bad = _fail_in_dm(bot, articles, ts)
    calls = len(bot.slack.calls())
    fixed = f"<{articles.url('/story')}>"
    _edit(bot, ts, bad, fixed, channel="D0DM", channel_type="im", user="U0MALLORY")
    _edit(bot, ts, bad, fixed, channel="D0DM", channel_type="im", editor="U0MALLORY")
    bot.idle()
    assert len(bot.slack.calls()) == calls
    _fix_in_dm(bot, articles, ts, bad)


def test_edits_where_the_bot_told_nothing_do_nothing(bot, articles):
    ts = _now_ts()
    _edit(bot, ts, "lunch?", f"lunch? <{articles.url('/story')}>", message={"thread_ts": ts})
    _edit(bot, ts, "hi", f"<{articles.url('/story')}>", channel="D0DM", channel_type="im")
    bot.idle()
    assert [call.method for call in bot.slack.calls() if call.method != "auth.test"] == []
    assert articles.requests == []


def test_an_edit_a_day_later_does_nothing(bot, articles):
    ts = _now_ts(-2 * 86_400)
    bad = _fail_in_dm(bot, articles, ts)
    calls = len(bot.slack.calls())
    _edit(bot, ts, bad, f"<{articles.url('/story')}>", channel="D0DM", channel_type="im")
    bot.idle()
    assert len(bot.slack.calls()) == calls


# --- exactly once ---------------------------------------------------------------------------------


def test_slacks_retry_of_the_edit_is_answered_once(bot, articles):
    ts = _now_ts()
    bad = _fail_in_dm(bot, articles, ts)
    fixed = f"<{articles.url('/story')}>"
    for retry in ("", "1", "2"):
        headers = {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"}
        status, _ = _edit(
            bot,
            ts,
            bad,
            fixed,
            channel="D0DM",
            channel_type="im",
            event_id="EvEDIT1",
            headers=headers if retry else None,
        )
        assert status == 200
    bot.idle()
    assert _summaries(bot) == 1
    assert [path for path, _ in articles.requests].count("/story") == 1


def test_a_re_run_job_run_again_after_a_crash_takes_the_old_note_back_once(slack) -> None:
    """The job an edit makes is an ordinary job: run again after its worker died, it finds
    in its journal that the old note is gone already (and resumes its reply as any job)."""
    from slack_sdk import WebClient

    from bot.slack import edits
    from bot.slack.context import Destination
    from bot.slack.journal import Journal
    from bot.store import SQLiteStore

    client = WebClient(token=slack.token, base_url=slack.api_url)
    note = client.chat_postMessage(channel="D0DM", text=":warning: That page doesn't exist.")
    dest = Destination(channel="D0DM", user=USER, dm=True, asked_ts="1.1", replaces=note["ts"])
    with SQLiteStore() as store:
        for _run in range(2):
            edits.take_back(client, Journal(store, "ev:EvEDIT.0"), dest)
    assert [call.params["ts"] for call in slack.calls("chat.delete")] == [note["ts"]]
    assert slack.messages("D0DM") == []


def test_an_edit_that_asks_nothing_leaves_the_next_edit_free_to_fix_it(bot, articles):
    """The first edit takes the mention out (nothing to answer: a channel message not for the
    bot); the second puts it back with the link. The first must not use the note up."""
    ts = _now_ts()
    bot.mention("summarize this", ts=ts)
    bot.idle()
    (note,) = bot.slack.calls("chat.postMessage")
    mention = f"<@{bot.slack.bot_user_id}>"
    _edit(bot, ts, f"{mention} summarize this", "summarize this")
    bot.idle()
    assert not bot.slack.calls("chat.delete")
    _edit(bot, ts, "summarize this", f"{mention} summarize <{articles.url('/story')}>")
    bot.idle()
    (deleted,) = bot.slack.calls("chat.delete")
    assert deleted.params["ts"] == note.response["ts"]
