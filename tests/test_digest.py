"""Link digests, the pure parts: what `since:` means, when a digest is due, which links a
week of messages shared (once each), and how a digest is written (message or canvas)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.settings import Settings
from bot.slack.digest import command, render
from bot.slack.digest.collect import shared_links
from bot.slack.digest.periods import SinceError, Window, due, last_posting, parse_since
from bot.store import DigestSchedule

BERLIN = ZoneInfo("Europe/Berlin")
# Wednesday 9 December 2026, 15:30 in Berlin.
NOW = datetime(2026, 12, 9, 15, 30, tzinfo=BERLIN)


def _local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", _local(2026, 12, 9)),
        ("yesterday", _local(2026, 12, 8)),
        ("since:yesterday", _local(2026, 12, 8)),
        ("monday", _local(2026, 12, 7)),
        ("Mon", _local(2026, 12, 7)),
        ("wednesday", _local(2026, 12, 9)),  # today is Wednesday: since this morning
        ("thursday", _local(2026, 12, 3)),  # the last one, a week minus a day ago
        ("fridays", _local(2026, 12, 4)),
        ("2026-12-01", _local(2026, 12, 1)),
        ("3d", NOW - timedelta(days=3)),
        ("12h", NOW - timedelta(hours=12)),
        ("2w", NOW - timedelta(weeks=2)),
        (" 5 days ", NOW - timedelta(days=5)),
    ],
)
def test_since_names_a_moment_in_the_digest_time_zone(text: str, expected: datetime) -> None:
    assert parse_since(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("soon", "don't understand"),
        ("", "since:yesterday"),
        ("2026-13-01", "isn't a date"),
        ("2026-12-10", "future"),
        ("tomorrow", "don't understand"),
        ("2025-01-01", "at most 90 days"),
        ("200d", "at most 90 days"),
        ("mo", "don't understand"),  # too short to be a day's name
    ],
)
def test_since_refuses_what_it_cannot_read_in_words(text: str, says: str) -> None:
    with pytest.raises(SinceError, match=says):
        parse_since(text, NOW)


def test_since_needs_an_aware_now() -> None:
    with pytest.raises(ValueError):
        parse_since("3d", datetime(2026, 12, 9))


def test_daily_and_weekly_postings_and_their_periods() -> None:
    assert last_posting("daily", NOW, hour=9, weekday="monday") == _local(2026, 12, 9, 9)
    early = _local(2026, 12, 9, 8, 59)
    assert last_posting("daily", early, hour=9, weekday="monday") == _local(2026, 12, 8, 9)
    assert last_posting("weekly", NOW, hour=9, weekday="monday") == _local(2026, 12, 7, 9)
    monday_early = _local(2026, 12, 7, 8)
    assert last_posting("weekly", monday_early, hour=9, weekday="monday") == _local(2026, 11, 30, 9)
    weekly = DigestSchedule("T1", "C1", "weekly", since=0)
    assert due(weekly, NOW, hour=9, weekday="monday") == Window(
        _local(2026, 11, 30, 9), _local(2026, 12, 7, 9)
    )


def test_a_period_across_a_clock_change_is_still_yesterday_to_today() -> None:
    # Clocks went back at 03:00 on Sunday 25 October 2026 in Berlin: 24 Oct 09:00 to
    # 25 Oct 09:00 lasted 25 hours.
    daily = DigestSchedule("T1", "C1", "daily", since=0)
    window = due(daily, _local(2026, 10, 25, 10), hour=9, weekday="monday")
    assert window == Window(_local(2026, 10, 24, 9), _local(2026, 10, 25, 9))
    assert window is not None
    assert window.latest.timestamp() - window.oldest.timestamp() == 25 * 3600


def test_a_digest_turned_on_after_the_posting_hour_waits_for_the_next() -> None:
    turned_on = _local(2026, 12, 9, 10).timestamp()
    daily = DigestSchedule("T1", "C1", "daily", since=turned_on)
    assert due(daily, NOW, hour=9, weekday="monday") is None
    assert due(daily, _local(2026, 12, 10, 9), hour=9, weekday="monday") == Window(
        _local(2026, 12, 9, 9), _local(2026, 12, 10, 9)
    )


def test_windows_describe_their_days() -> None:
    assert Window(_local(2026, 11, 30, 9), _local(2026, 12, 7, 9)).describe() == "30 Nov – 7 Dec"
    assert Window(_local(2026, 12, 8), _local(2026, 12, 9)).describe() == "8 Dec"
    assert command.describe_since(_local(2026, 12, 7)) == "since Monday 7 Dec"
    assert command.describe_since(_local(2026, 12, 9, 3, 30)) == "since Wed 9 Dec, 03:30 CET"


@pytest.mark.parametrize(
    ("text", "action", "since"),
    [
        ("digest", "status", ""),
        ("DIGEST help", "status", ""),
        ("digest daily", "daily", ""),
        ("digest weekly", "weekly", ""),
        ("digest off", "off", ""),
        ("digest stop", "off", ""),
        ("digest since:monday", "since", "monday"),
        ("digest since: 3d", "since", "3d"),
        ("digest since yesterday", "since", "yesterday"),
        ("digest hourly", "unknown", ""),
    ],
)
def test_digest_commands_parse(text: str, action: str, since: str) -> None:
    parsed = command.parse(text)
    assert (parsed.action, parsed.since) == (action, since)


def test_only_digest_as_the_first_word_is_a_digest_command() -> None:
    assert command.is_digest("digest weekly") and command.is_digest("  Digest")
    assert not command.is_digest("https://example.com/digest")
    assert not command.is_digest("digests of the week https://example.com")


# --- links in messages ------------------------------------------------------------------------


def _message(ts: str, text: str, user: str = "U1", **extra: object) -> dict[str, object]:
    return {"type": "message", "ts": ts, "user": user, "text": text, **extra}


def test_links_are_found_once_across_messages_and_threads_with_every_share() -> None:
    broadcast = _message("7.0", "https://news.test/e", subtype="thread_broadcast", thread_ts="1.0")
    messages = [
        _message("3.0", "<https://news.test/a?utm_source=x|same>", user="U2", thread_ts="1.0"),
        _message("1.0", "look https://news.test/a and https://news.test/b", thread_ts="1.0"),
        _message("2.0", "<https://NEWS.test/a#comments>", user="U3"),
        _message("4.0", "mine <https://news.test/c>", user="UBOT", bot_id="B1"),
        _message("5.0", "joined <https://news.test/d>", subtype="channel_join"),
        _message("6.0", "<https://acme.slack.com/archives/C1/p1>"),
        broadcast,
        broadcast,
    ]
    links = shared_links(messages, bot_user_id="UBOT")
    assert [link.url for link in links] == [
        "https://news.test/a",
        "https://news.test/b",
        "https://news.test/e",
    ]
    first = links[0]
    assert [(s.ts, s.user, s.thread_ts) for s in first.shares] == [
        ("1.0", "U1", None),  # the thread's parent is not "in a thread"
        ("2.0", "U3", None),
        ("3.0", "U2", "1.0"),
    ]
    assert first.sharers == ["U1", "U3", "U2"]
    assert len(links[2].shares) == 1  # a broadcast reply counted once


# --- writing it ---------------------------------------------------------------------------------


def _entry(n: int, **overrides: object) -> render.Entry:
    values: dict[str, object] = {
        "title": f"Story {n}",
        "url": f"https://news.test/{n}",
        "gist": "The council agreed the budget.",
        "sharers": ("U1", "U2"),
        "links_back": (
            render.LinkBack("U1", "https://acme.slack.com/archives/C1/p1"),
            render.LinkBack("U2", "https://acme.slack.com/archives/C1/p2?thread_ts=1", True),
        ),
    }
    values.update(overrides)
    return render.Entry(**values)  # type: ignore[arg-type]


def test_a_message_names_sharers_links_back_and_shows_real_domains() -> None:
    evil = _entry(
        1,
        title="<!channel> [Your bank](https://evil.example)",
        gist="Click <https://evil.example|bank.com> now",
    )
    digest = render.Digest("C1", "30 Nov – 7 Dec", (evil, _entry(2)), more=3, unread=1)
    payload = render.message(digest)
    assert payload is not None
    first = payload["blocks"][1]["text"]["text"]
    assert "<!channel>" not in first and "&lt;!channel&gt;" in first  # escaped: no ping
    assert "<https://evil.example|bank.com>" not in first
    assert "(<https://news.test/1|news.test>)" in first
    assert "<@U1> (<https://acme.slack.com/archives/C1/p1|acme.slack.com>)" in first
    assert "<@U2> in a thread (" in first
    note = payload["blocks"][-1]["elements"][0]["text"]
    assert "3 more articles" in note and "at most 20" in note and "1 link wasn't an article" in note
    assert "<#C1>" in payload["blocks"][0]["text"]["text"]


def test_sharers_past_the_linked_ones_are_named_once() -> None:
    backs = tuple(render.LinkBack(f"U{i}", f"https://acme.slack.com/p{i}") for i in range(5))
    entry = _entry(1, sharers=tuple(f"U{i}" for i in range(5)), links_back=backs[:3])
    text = render._entry_mrkdwn(1, entry)
    assert "also <@U3>, <@U4>" in text


def test_one_line_gists() -> None:
    assert render.one_line("• First point.\n• Second   point.") == "First point. Second point."
    long = "word " * 200
    cut = render.one_line(long)
    assert len(cut) <= render.GIST_CHARS and cut.endswith("…")


def test_too_many_articles_for_a_message_go_to_a_canvas() -> None:
    entries = tuple(_entry(n) for n in range(60))
    digest = render.Digest("C1", "30 Nov – 7 Dec", entries, max_articles=60)
    assert render.message(digest) is None  # over 50 blocks
    long_gists = tuple(_entry(n, gist="x " * 140) for n in range(40))
    assert render.message(render.Digest("C1", "p", long_gists)) is None  # over MESSAGE_CHARS
    markdown = render.canvas_markdown(digest)
    assert markdown.count("\n## ") == 60
    assert "![](@U1) ([acme.slack.com](https://acme.slack.com/archives/C1/p1))" in markdown
    assert "![](#C1)" in markdown


def test_canvas_text_from_articles_stays_inert() -> None:
    entry = _entry(
        1,
        title="# Big ![](@U999) [bank](https://evil.example)",
        gist="![x](https://evil.example/i.png) see [bank.com](https://evil.example)",
    )
    markdown = render.canvas_markdown(render.Digest("C1", "p", (entry,)))
    assert "![](@U999)" not in markdown
    shown = "([evil.example](https://evil.example))"  # the safe form: the domain shown
    assert "](https://evil.example)" not in markdown.replace(shown, "")
    assert "\n## 1. \\# Big" in markdown


def test_timestamps_are_utc_agnostic() -> None:
    window = Window(datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC))
    assert window.describe() == "1 Dec"


@pytest.mark.parametrize("written", ["Monday", "MONDAY", "monday"])
def test_the_digest_weekday_is_read_whatever_its_case(
    written: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_WEEKDAY", written)
    assert Settings(_env_file=None).digest_weekday == "monday"
