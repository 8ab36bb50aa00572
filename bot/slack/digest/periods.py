"""When a digest is due, and what `since:` means: pure date arithmetic, no Slack, no store.

Days start at midnight and scheduled digests go out at DIGEST_HOUR, both in DIGEST_TIMEZONE.
A daily digest posted at 09:00 covers the 24 hours before it; a weekly one, posted on
DIGEST_WEEKDAY, the 7 days before. Arithmetic is on local dates, so a period that spans a
daylight-saving change is still "yesterday 09:00 to today 09:00".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from bot.store import DigestSchedule

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_DAYS = 90  # `since:` reaches back at most this far (a digest is a catch-up, not an archive)

_RELATIVE = re.compile(r"(\d{1,4})\s*(h|hours?|d|days?|w|weeks?)", re.I)
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
SINCE_HELP = (
    "Try `since:yesterday`, `since:monday` (any weekday), `since:2026-12-01`, "
    "`since:3d`, `since:12h` or `since:2w`."
)


class SinceError(ValueError):
    """A `since:` the bot can't read; the message says so, for the person who typed it."""


@dataclass(frozen=True, slots=True)
class Window:
    """The messages a digest covers: oldest <= ts < latest (aware datetimes)."""

    oldest: datetime
    latest: datetime

    def describe(self) -> str:
        """ "30 Nov – 7 Dec", or one day's "7 Dec" (the day the window starts)."""
        first = _day(self.oldest)
        last = _day(self.latest - timedelta(microseconds=1))
        return first if first == last else f"{first} – {last}"


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b}"


def parse_since(text: str, now: datetime) -> datetime:
    """The moment `since:<text>` names, in `now`'s time zone (`now` must be aware).

    today, yesterday, a weekday (the most recent one, today included: "since monday" on a
    Monday is this morning), an ISO date (YYYY-MM-DD), or a span back from now: 12h, 3d, 2w.
    Days start at midnight. SinceError for anything else, the future, or past MAX_DAYS.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    word = text.strip().lower().removeprefix("since:").strip()
    zone = now.tzinfo
    today = now.date()
    moment: datetime
    if word in ("today", "this morning"):
        moment = _midnight(today, zone)
    elif word == "yesterday":
        moment = _midnight(today - timedelta(days=1), zone)
    elif (day := _weekday(word)) is not None:
        moment = _midnight(today - timedelta(days=(today.weekday() - day) % 7), zone)
    elif match := _DATE.fullmatch(word):
        try:
            moment = _midnight(date(*(int(part) for part in match.groups())), zone)
        except ValueError:
            raise SinceError(f"`{word}` isn't a date. {SINCE_HELP}") from None
    elif match := _RELATIVE.fullmatch(word):
        amount, unit = int(match.group(1)), match.group(2)[0].lower()
        hours = amount * {"h": 1, "d": 24, "w": 24 * 7}[unit]
        if hours > MAX_DAYS * 24:
            raise SinceError(f"I can look back at most {MAX_DAYS} days.")
        moment = now - timedelta(hours=hours)
    else:
        raise SinceError(f"I don't understand `since:{word}`. {SINCE_HELP}" if word else SINCE_HELP)
    if moment >= now:
        raise SinceError("That's in the future: pick a moment in the past.")
    if now - moment > timedelta(days=MAX_DAYS):
        raise SinceError(f"I can look back at most {MAX_DAYS} days.")
    return moment


def _weekday(word: str) -> int | None:
    if len(word) < 3:
        return None
    for index, name in enumerate(WEEKDAYS):
        if name.startswith(word) or (word.endswith("s") and name == word[:-1]):
            return index
    return None


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def last_posting(every: str, now: datetime, *, hour: int, weekday: str) -> datetime:
    """The most recent moment (<= now) a digest of this cadence is posted."""
    zone = now.tzinfo
    if zone is None:
        raise ValueError("now must be timezone-aware")
    day = now.date()
    if every == "weekly":
        day -= timedelta(days=(day.weekday() - WEEKDAYS.index(weekday)) % 7)
    at = datetime.combine(day, time(hour), tzinfo=zone)
    if at > now:
        at = datetime.combine(day - timedelta(days=7 if every == "weekly" else 1), time(hour), zone)
    return at


def period_ending(every: str, posting: datetime) -> Window:
    """What the digest posted at `posting` covers: the day or week before it."""
    days = 7 if every == "weekly" else 1
    start = datetime.combine(posting.date() - timedelta(days=days), posting.timetz())
    return Window(oldest=start, latest=posting)


def due(schedule: DigestSchedule, now: datetime, *, hour: int, weekday: str) -> Window | None:
    """The period whose digest is due now, or None: the latest posting time has passed,
    after the digest was turned on (switching it on at 10:00 doesn't post 09:00's at once).
    Missed postings (every worker was down) are not made up: only the latest is due."""
    posting = last_posting(schedule.every, now, hour=hour, weekday=weekday)
    if posting.timestamp() <= schedule.since:
        return None
    return period_ending(schedule.every, posting)
