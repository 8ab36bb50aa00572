"""`/summarize digest …`: turn a channel's link digest on or off, or ask for a catch-up.

    /summarize digest daily | weekly   every day (or week) at DIGEST_HOUR, in this channel
    /summarize digest off              no more digests here
    /summarize digest                  what is set here, and how to use it
    /summarize digest since:monday     a catch-up now (since:yesterday, :2026-12-01, :3d…)

Schedules are changed in the listener (one store write) and announced in the channel; where
only admins may change a channel's settings, in a job, once users.info says who asks. A
catch-up is a job like any request (rate limits apply) and posts in the channel, where
everyone who missed the links can read it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.settings import Settings
from bot.slack import journal, limits, settings_jobs, tasks
from bot.slack.context import Destination, Services
from bot.slack.digest import periods
from bot.slack.retry import webhook
from bot.slack.worker import Busy
from bot.store import DigestSchedule

NOT_ADMIN = (
    "Only workspace admins and owners can turn link digests on or off in this workspace. "
    "Ask one of them."
)
CANT_CHECK = (
    "I couldn't check whether you're a workspace admin (Slack said `{error}`), so I didn't "
    "change the digest. Please try again in a minute."
)
NOT_A_CHANNEL = "Digests are for channels: use `/summarize digest` in the channel you want one for."
_FIRST_WORD = re.compile(r"\s*digest\b", re.I)


@dataclass(frozen=True, slots=True)
class DigestCommand:
    action: Literal["status", "daily", "weekly", "off", "since", "unknown"]
    since: str = ""  # what followed "since:" (or "since ")
    word: str = ""  # what wasn't understood


def is_digest(text: str) -> bool:
    """Whether a /summarize command is about digests (its first word is "digest")."""
    return bool(_FIRST_WORD.match(text))


def parse(text: str) -> DigestCommand:
    """What `/summarize digest <text>` asks for (pure)."""
    rest = _FIRST_WORD.sub("", text, count=1).strip()
    word = rest.split()[0].lower() if rest else ""
    if word in ("", "status", "help"):
        return DigestCommand("status")
    if word in ("daily", "weekly", "off"):
        return DigestCommand(word)  # type: ignore[arg-type]
    if word in ("stop", "none", "disable"):
        return DigestCommand("off")
    if word.startswith("since:") or word == "since":
        return DigestCommand("since", since=rest[5:].lstrip(": ").strip())
    return DigestCommand("unknown", word=rest.split()[0])


def help_text(settings: Settings) -> str:
    when = _when(settings)
    return (
        "*Link digests*: every article link shared in this channel, each summarized once, "
        "with who shared it and links back to the messages.\n"
        f"• `/summarize digest daily` posts one every day at {when['daily']}\n"
        f"• `/summarize digest weekly` posts one every {when['weekly']}\n"
        "• `/summarize digest off` stops them\n"
        "• `/summarize digest since:monday` posts a catch-up now "
        "(also `since:yesterday`, `since:2026-12-01`, `since:3d`)\n"
        "I need to be a member of the channel to read it (`/invite @articlebot`)."
    )


def _when(settings: Settings) -> dict[str, str]:
    hour = f"{settings.digest_hour:02d}:00 {settings.digest_timezone}"
    return {"daily": hour, "weekly": f"{settings.digest_weekday.capitalize()} at {hour}"}


def describe_since(moment: datetime) -> str:
    """How a catch-up names its period: "since Monday 7 Dec", "since Mon 7 Dec, 14:30 CET"
    (a time of day with its zone: DIGEST_TIMEZONE is rarely everyone's)."""
    day = f"{moment.day} {moment:%b}"
    if (moment.hour, moment.minute) == (0, 0):
        return f"since {moment:%A} {day}"
    return f"since {moment:%a} {day}, {moment:%H:%M} {moment:%Z}".rstrip()


def handle(ack: Ack, command: dict[str, Any], services: Services) -> None:
    """The listener's part: parse, store or queue, ack (no Web API call)."""
    settings, store = services.settings, services.store
    team, channel = command.get("team_id") or "-", command["channel_id"]
    user = command.get("user_id")
    asked = parse(command.get("text") or "")
    if asked.action == "unknown":
        ack(text=f"I don't know `digest {asked.word}`.\n\n{help_text(settings)}")
        return
    if channel.startswith("D"):  # no status either: "this channel has no digest" in a DM
        ack(text=NOT_A_CHANNEL)
        return
    if asked.action == "status":
        current = store.get_digest(team, channel)
        if current is None:
            state = "This channel has no link digest."
        else:
            when = _when(settings)[current.every]
            state = f"This channel gets a {current.every} link digest ({when})."
        ack(text=f"{state}\n\n{help_text(settings)}")
        return
    if asked.action in ("daily", "weekly", "off"):
        change = tasks.SetDigest(
            team=team,
            channel=channel,
            user=user or "",
            enterprise=command.get("enterprise_id") or None,
            every=asked.action,
            response_url=command.get("response_url"),
        )
        if not settings_jobs.admins_only(services, team):
            reply = change_schedule(services, change)  # one store write: within the ack
            ack(text=reply["text"], response_type=reply.get("response_type"))
            return
        # Kept to admins (as channel settings are: a digest spends the model's tokens):
        # who is asking is Slack's to say, which is a Web API call, so a job's.
        limits.submit_and_ack(services, change, ack)
        return
    _catch_up(ack, services, command, asked.since)


def change_schedule(services: Services, change: tasks.SetDigest) -> dict[str, str]:
    """Turn the channel's digest on, off or to another cadence; the reply to the command
    (announced in the channel when something changed)."""
    store, settings = services.store, services.settings
    team, channel, user, every = change.team, change.channel, change.user, change.every
    if every == "off":
        if store.clear_digest(team, channel):
            return {
                "response_type": "in_channel",
                "text": f"<@{user}> turned off this channel's link digest.",
            }
        return {"text": "This channel has no link digest to turn off."}
    current = store.get_digest(team, channel)
    if current is not None and current.every == every:
        # Not announced again, and the schedule kept as it is: a new start time would
        # skip a posting due this minute that no scheduler has queued yet.
        when = _when(settings)[every]
        return {"text": f"This channel already gets a {every} link digest ({when})."}
    schedule = DigestSchedule(
        team, channel, every, time.time(), user=user or None, enterprise=change.enterprise
    )
    store.set_digest(schedule)
    return {
        "response_type": "in_channel",
        "text": (
            f"<@{user}> turned on a {every} link digest: {_when(settings)[every]}, I'll post "
            "the articles shared here, each with a one-line gist and who shared it. "
            "`/summarize digest off` stops it."
        ),
    }


def change_by_job(services: Services, client: WebClient, change: tasks.SetDigest) -> None:
    """`change_schedule` where only admins may: users.info first (fail closed), then the
    change; either way the asker hears back under their command."""
    refused = settings_jobs.refusal(
        services, client, change.user, change.team, NOT_ADMIN, CANT_CHECK
    )
    if refused:
        reply = {"text": refused, "response_type": "ephemeral"}
    else:
        reply = {"response_type": "ephemeral", **change_schedule(services, change)}
    if change.response_url and journal.once("told"):
        webhook(change.response_url).send_dict(reply)


def _catch_up(ack: Ack, services: Services, command: dict[str, Any], since: str) -> None:
    team, channel = command.get("team_id") or "-", command["channel_id"]
    user = command.get("user_id")
    now = datetime.now(ZoneInfo(services.settings.digest_timezone))
    try:
        moment = periods.parse_since(since, now)
    except periods.SinceError as exc:
        ack(text=str(exc))
        return
    period = describe_since(moment)
    job = tasks.Digest(
        name="/summarize digest",
        dest=Destination(
            channel=channel,
            team=team,
            user=user,
            response_url=command.get("response_url"),
            preface=f"<@{user}> asked for the links shared {period}",
        ),
        oldest=moment.timestamp(),
        latest=now.timestamp(),
        period=period,
    )
    try:
        services.submit(job)
    except Busy as exc:
        ack(text=limits.notice(exc))
        return
    ack(
        text=f"Collecting the articles shared here {period}; the digest will appear in the channel."
    )
