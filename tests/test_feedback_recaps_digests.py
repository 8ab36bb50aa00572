"""Thread recaps and link digests are summaries too: against the fake Slack API, each
carries the 👍/👎 buttons (a canvas digest: on the message pointing to its canvas), is in
the request log (kind "recap" / "digest"), and a click on its buttons is counted there and
in `articlebot stats`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot import stats
from bot.slack import journal
from bot.slack.app import web_client
from bot.slack.digest import render
from tests.servers.articles import ArticleServer
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import CHANNEL, TEAM, USER, SlackAppHarness, harness_settings
from tests.test_digest import _entry
from tests.test_slack_digest import (
    START,
    digests,
    record_sixty_long_articles,
    record_week,
    weekly_job,
)
from tests.test_slack_feedback import _click, _feedback_of, _request_id, _thanks

pytestmark = pytest.mark.timeout(60)


def _posted_with_buttons(slack: FakeSlack) -> list[dict[str, Any]]:
    """Every feedback_buttons element the bot sent, in the order it sent them."""
    found = []
    for call in slack.calls():
        buttons = _feedback_of(call.params.get("blocks"))
        if buttons is not None:
            found.append(buttons)
    return found


def test_a_thread_recap_carries_buttons_is_logged_and_a_vote_counts(bot, articles):
    parent = bot.slack.add_message(CHANNEL, f"Worth a read: <{articles.url('/story')}>")
    for user, text in [
        ("U0BOB", "The repairs on the bridge cost 14 million, a lot for two years."),
        ("U0CAROL", "Who will pay for the extra lorry inspections?"),
        ("U0DAN", "We decided to cover the bridge story in Friday's newsletter."),
    ]:
        bot.slack.add_message(CHANNEL, text, user=user, thread_ts=parent)
    ask = bot.slack.add_message(CHANNEL, f"<@{bot.slack.bot_user_id}> recap", thread_ts=parent)
    bot.mention("recap", ts=ask, thread_ts=parent)
    bot.slack.wait_for("chat.postMessage", timeout=30)
    bot.idle()

    (buttons,) = _posted_with_buttons(bot.slack)
    (logged,) = bot.services.store.requests_since(0)
    assert logged.request_id == _request_id(buttons)
    assert (logged.team, logged.channel, logged.user) == (TEAM, CHANNEL, USER)
    assert (logged.kind, logged.style, logged.engine) == ("recap", None, "offline")

    _thanks(bot.slack, _click(bot, buttons, "down"))
    (counted,) = bot.services.store.requests_since(0)
    assert (counted.up, counted.down) == (0, 1)
    rows = dict(stats.report([counted]).by_style)
    assert rows["(recaps)"].down == 1


def test_a_digest_carries_buttons_is_logged_once_and_a_vote_counts(
    bot: SlackAppHarness, slack: FakeSlack, articles: ArticleServer
) -> None:
    record_week(slack, articles, START)
    assert bot.services is not None
    client = web_client(bot.settings)
    journal.execute(bot.services, client, weekly_job())

    (post,) = digests(slack)
    buttons = _feedback_of(post.params["blocks"])
    assert buttons is not None
    assert post.params["blocks"][-1]["type"] == "context_actions"  # under the notes
    (logged,) = bot.services.store.requests_since(0)
    assert logged.request_id == _request_id(buttons) == "digest:test.r0"
    assert (logged.team, logged.channel, logged.user) == (TEAM, CHANNEL, None)
    assert (logged.kind, logged.style, logged.engine, logged.cached) == (
        "digest",
        "tldr",
        "offline",
        False,
    )

    journal.execute(bot.services, client, weekly_job())  # delivered again: nothing more
    assert len(digests(slack)) == 1
    assert len(bot.services.store.requests_since(0)) == 1

    _thanks(slack, _click(bot, buttons, "up"))
    _thanks(slack, _click(bot, buttons, "up", user="U0BOB"))
    (counted,) = bot.services.store.requests_since(0)
    assert (counted.up, counted.down) == (2, 0)
    report = stats.report([counted])
    assert dict(report.by_style)["(digests)"].up == 2
    assert dict(report.by_channel)[(TEAM, CHANNEL)].requests == 1


def test_a_canvas_digest_has_its_buttons_on_the_message_pointing_to_it(
    slack: FakeSlack, articles: ArticleServer, tmp_path: Path
) -> None:
    settings = harness_settings(slack, tmp_path, digest_max_articles=55)
    record_sixty_long_articles(slack, articles)
    with SlackAppHarness(slack, settings) as bot:
        assert bot.services is not None
        journal.execute(bot.services, web_client(settings), weekly_job())
        (created,) = slack.calls("canvases.create")
        (note,) = digests(slack)
        assert f"/docs/{TEAM}/{created.response['canvas_id']}" in note.params["text"]
        buttons = _feedback_of(note.params["blocks"])
        assert buttons is not None
        assert "canvas" in note.params["blocks"][0]["text"]["text"]
        (logged,) = bot.services.store.requests_since(0)
        assert (logged.kind, logged.request_id) == ("digest", _request_id(buttons))


def test_a_digests_buttons_count_against_slacks_fifty_blocks() -> None:
    # heading + 48 articles + notes = 50 blocks: it fits; with its buttons, 51 don't.
    entries = tuple(_entry(n) for n in range(48))
    digest = render.Digest("C1", "p", entries, more=1, max_articles=48)
    assert render.message(digest) is not None
    assert render.message(replace(digest, request_id="digest:x.r0")) is None
    fits = render.message(replace(digest, entries=entries[:47], request_id="digest:x.r0"))
    assert fits is not None and len(fits["blocks"]) == 50
