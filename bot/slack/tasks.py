"""Jobs as typed messages: what a listener asks a worker to do.

Each job is a small frozen model that serializes to JSON (`dumps` / `loads`), so the
process that acks Slack can hand it to any worker process, on any machine: the job
process beside it, or `articlebot worker`s reading a Redis queue. A job carries its own id:
the job ledger (bot.slack.journal) keys what it already posted on it, so a job run again
after its worker died edits its placeholder instead of posting twice.

A job made while a Slack request is handled is named after that request (`begin_request`,
called by bot.slack.middleware): Slack's retry of an event makes the same job, with the
same id, so a retry that gets in after a crash (the job was queued, the event not yet
marked handled) finds its job queued or answered already instead of making a second one.

    job = Summarize(dest=dest, parsed=parse_input(text), name="/summarize")
    services.submit(job)          # on the pool or queue; Busy when full
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from slack_sdk import WebClient

from bot.ingest.links import ParsedInput
from bot.logs import current_request_id
from bot.slack import jobs, settings_jobs, thread_recap
from bot.slack.context import Destination, Services
from bot.store import ArticleRef, Tenant

log = logging.getLogger(__name__)


@dataclass
class _Request:
    """The Slack request a listener is handling: what its jobs are named after."""

    seed: str | None
    request_id: str | None
    made: Iterator[int] = field(default_factory=itertools.count)
    on_queued: Callable[[], None] | None = None
    tenant: Tenant | None = None  # the workspace it came from (its jobs carry it)


_request: ContextVar[_Request | None] = ContextVar("articlebot_request", default=None)


def begin_request(
    seed: str | None,
    request_id: str | None = None,
    *,
    on_queued: Callable[[], None] | None = None,
    tenant: Tenant | None = None,
) -> None:
    """This thread now handles a Slack request: jobs made from here on are named `seed.0`,
    `seed.1`, … in the order they are made (the same on every delivery of the request),
    or get random ids when `seed` is None; `on_queued` runs each time one is queued.

    Set, not scoped to a block: Bolt runs a request's listener only after every global
    middleware has returned (its `next()` passes control on; it doesn't call the
    listener), on the same thread. The next request on the thread replaces it."""
    _request.set(_Request(seed, request_id, on_queued=on_queued, tenant=tenant))


def forget_request() -> None:
    """This thread handles no Slack request any more (jobs made now get random ids)."""
    _request.set(None)


@contextmanager
def handling(seed: str | None, request_id: str | None = None) -> Iterator[None]:
    """`begin_request` for the length of a block (tests, and code that makes jobs itself)."""
    token = _request.set(_Request(seed, request_id))
    try:
        yield
    finally:
        _request.reset(token)


def queued(job: Job) -> None:
    """`job` is in its queue now (durably where the queue is): tell the request it was
    made for (bot.slack.middleware marks the Slack event handled)."""
    current = _request.get()
    if current is None or current.on_queued is None or current.seed is None:
        return
    if job.id.startswith(f"{current.seed}."):
        current.on_queued()


def _new_id() -> str:
    current = _request.get()
    if current is None or current.seed is None:
        return uuid4().hex
    return f"{current.seed}.{next(current.made)}"


def _request_tenant() -> Tenant | None:
    current = _request.get()
    return current.tenant if current is not None else None


def _request_id() -> str | None:
    """The id bound for log lines, else the request's (whose log binding Bolt's order ends
    before the listener runs)."""
    bound = current_request_id()
    if bound is not None:
        return bound
    current = _request.get()
    return current.request_id if current is not None else None


class _Job(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(default_factory=_new_id)
    name: str = "job"  # where it came from, for logs: "/summarize", "event", "shortcut"…
    # The Slack event or trigger id being handled when the job was made: the worker's log
    # lines carry it too, so one request can be followed across processes.
    request_id: str | None = Field(default_factory=_request_id)
    # The workspace (and org) of the request: whose bot token answers, whose cache it uses.
    tenant: Tenant | None = Field(default_factory=_request_tenant)
    # It answers about an article in its thread (not a help text or a note): once it is
    # queued, the thread is engaged (bot.slack.memory) and follow-ups need no mention.
    engages_thread: ClassVar[bool] = False
    # It talks to Slack in its workspace (OAuth: with that workspace's bot token).
    needs_client: ClassVar[bool] = True
    # Its run writes the request's audit line (bot.slack.audit), when it is a request.
    audited: ClassVar[bool] = True

    def run(self, services: Services, client: WebClient) -> None:
        raise NotImplementedError

    def not_installed(self, services: Services) -> None:
        """Dropped because its workspace has no installation: stop what would make more
        jobs for it (Slack's uninstall event, which forgets everything, may never come)."""

    def workspace(self) -> Tenant | None:
        """Whose job it is: the request's workspace, else its destination's team (a job made
        outside any request), else nobody's (None)."""
        if self.tenant is not None:
            return self.tenant
        dest = getattr(self, "dest", None)
        team = dest.team if isinstance(dest, Destination) else None
        return Tenant(team) if team else None


class Summarize(_Job):
    """Summarize each link (or the paste, or the shared files) of a message."""

    engages_thread: ClassVar[bool] = True
    kind: Literal["summarize"] = "summarize"
    dest: Destination
    parsed: ParsedInput
    files: tuple[dict[str, Any], ...] = ()
    style: str | None = None

    def run(self, services: Services, client: WebClient) -> None:
        jobs.summarize(services, client, self.dest, self.parsed, files=self.files, style=self.style)
        _settle_parked(services, self.dest)


class SummarizeRef(_Job):
    """Summarize an article remembered earlier ("Summarize the last article I shared")."""

    engages_thread: ClassVar[bool] = True
    kind: Literal["summarize_ref"] = "summarize_ref"
    dest: Destination
    ref: ArticleRef
    style: str | None = None
    instructions: str = ""  # "summarize it in Spanish": "in Spanish"

    def run(self, services: Services, client: WebClient) -> None:
        jobs.summarize_ref(
            services, client, self.dest, self.ref, style=self.style, instructions=self.instructions
        )
        _settle_parked(services, self.dest)


class Ask(_Job):
    """Answer a question from articles the conversation already has."""

    engages_thread: ClassVar[bool] = True
    kind: Literal["ask"] = "ask"
    dest: Destination
    question: str
    articles: tuple[ArticleRef, ...]

    def run(self, services: Services, client: WebClient) -> None:
        jobs.ask(services, client, self.dest, self.question, self.articles)
        _settle_parked(services, self.dest)


class AskAboutLinks(_Job):
    """`/ask <link> <question>`: read the links, then answer."""

    kind: Literal["ask_about_links"] = "ask_about_links"
    dest: Destination
    question: str
    urls: tuple[str, ...]

    def run(self, services: Services, client: WebClient) -> None:
        jobs.ask_about_links(services, client, self.dest, self.question, self.urls)


class AskAboutMessage(_Job):
    """A message that brings its own article and asks about it ("@bot <link> Who paid for
    it?", a PDF shared with a question): read it as a summary would, then answer; the
    thread remembers the article for the follow-ups."""

    engages_thread: ClassVar[bool] = True
    kind: Literal["ask_about_message"] = "ask_about_message"
    dest: Destination
    question: str
    parsed: ParsedInput
    files: tuple[dict[str, Any], ...] = ()

    def run(self, services: Services, client: WebClient) -> None:
        jobs.ask_about_message(
            services, client, self.dest, self.question, self.parsed, files=self.files
        )
        _settle_parked(services, self.dest)


class ParkQuestion(_Job):
    """A follow-up in a thread whose article is still being read. The listener parks it with
    the thread (bot.slack.parked), and the job reading the article answers it once the
    article is remembered; this job itself is queued `parked.wait_seconds` later, as the
    safety net for a read that never ended."""

    engages_thread: ClassVar[bool] = True
    audited: ClassVar[bool] = False  # the job that answers it writes the request's line
    kind: Literal["park_question"] = "park_question"
    dest: Destination
    question: str

    def run(self, services: Services, client: WebClient) -> None:
        from bot.slack import parked  # it imports this module

        parked.fallback(services, self)


class AskWhenReady(_Job):
    """A follow-up in a thread still being read, as versions before ParkQuestion queued it
    (their job waited for the article): one still in a queue after an upgrade is parked."""

    engages_thread: ClassVar[bool] = True
    audited: ClassVar[bool] = False  # as ParkQuestion
    kind: Literal["ask_when_ready"] = "ask_when_ready"
    dest: Destination
    question: str

    def run(self, services: Services, client: WebClient) -> None:
        from bot.slack import parked  # it imports this module

        job = ParkQuestion(
            id=f"{self.id}.park",
            name=self.name,
            request_id=self.request_id,
            tenant=self.tenant,
            dest=self.dest,
            question=self.question,
        )
        parked.park(services, job, admitted=True)  # its limits were applied when queued


class FromThreadStart(_Job):
    """A mention in a thread the bot has no article for: the article is found in the thread
    (its first message, else the latest link shared there)."""

    engages_thread: ClassVar[bool] = True
    kind: Literal["from_thread_start"] = "from_thread_start"
    dest: Destination
    request: str
    bot_user_id: str | None = None  # tells the bot's own messages apart; else auth.test

    def run(self, services: Services, client: WebClient) -> None:
        jobs.from_thread_start(
            services, client, self.dest, self.request, bot_user_id=self.bot_user_id
        )
        _settle_parked(services, self.dest)


class RecapThread(_Job):
    """Recap a thread's discussion ("@articlebot recap", the "Recap thread" shortcut)."""

    kind: Literal["recap_thread"] = "recap_thread"
    dest: Destination
    instructions: str = ""  # "recap in French": "in French"
    bot_user_id: str | None = None  # tells the bot's own messages apart; else auth.test

    def run(self, services: Services, client: WebClient) -> None:
        thread_recap.recap_thread(
            services,
            client,
            self.dest,
            instructions=self.instructions,
            bot_user_id=self.bot_user_id,
        )


class Post(_Job):
    """A short note (help, "no article yet") where the conversation is."""

    kind: Literal["post"] = "post"
    dest: Destination
    text: str
    # It says the message asked for nothing the bot can do yet (usage, no article): editing
    # that message asks again (bot.slack.edits).
    fixable: bool = False

    def run(self, services: Services, client: WebClient) -> None:
        jobs.post(services, client, self.dest, self.text, fixable=self.fixable)


class Respond(_Job):
    """A payload for a slash command's or shortcut's response_url."""

    kind: Literal["respond"] = "respond"
    response_url: str
    payload: dict[str, Any]

    def run(self, services: Services, client: WebClient) -> None:
        jobs.respond(services, client, self.response_url, self.payload)


class OfferSummary(_Job):
    """Auto mode: an ephemeral "Summarize" button for whoever shared a link."""

    kind: Literal["offer_summary"] = "offer_summary"
    channel: str
    user: str
    ts: str
    url: str

    def run(self, services: Services, client: WebClient) -> None:
        jobs.offer_summary(services, client, self.channel, self.user, self.ts, self.url)


class Digest(_Job):
    """A channel's link digest for a period (scheduled, or `/summarize digest since:…`)."""

    kind: Literal["digest"] = "digest"
    dest: Destination
    oldest: float  # seconds since the epoch: messages oldest <= ts < latest
    latest: float
    period: str  # how the digest names it: "30 Nov – 7 Dec", "since Monday"
    scheduled: bool = False

    def run(self, services: Services, client: WebClient) -> None:
        from bot.slack.digest import job
        from bot.slack.digest.periods import Window

        window = Window(
            datetime.fromtimestamp(self.oldest, UTC), datetime.fromtimestamp(self.latest, UTC)
        )
        job.run(services, client, self.dest, window, self.period, scheduled=self.scheduled)

    def not_installed(self, services: Services) -> None:
        if self.scheduled and self.dest.team:
            services.store.clear_digest(self.dest.team, self.dest.channel)
            log.warning("%s digests stopped: not installed", self.dest.channel)


class SetDigest(_Job):
    """`/summarize digest daily|weekly|off` where only admins may change channel settings:
    the asker checked (users.info), then the schedule changed (bot.slack.digest.command)."""

    kind: Literal["set_digest"] = "set_digest"
    team: str
    channel: str
    user: str
    enterprise: str | None = None
    every: Literal["daily", "weekly", "off"]
    response_url: str | None = None

    def run(self, services: Services, client: WebClient) -> None:
        from bot.slack.digest import command  # it imports this module

        command.change_by_job(services, client, self)


class OpenSettings(_Job):
    """`/articlebot settings` or an App Home button: the channel settings modal (for
    `channel`; None: with a channel picker), or why this person may not change them."""

    kind: Literal["open_settings"] = "open_settings"
    team: str
    user: str
    trigger_id: str
    channel: str | None = None
    response_url: str | None = None
    in_channel: bool = False  # the command typed in `channel`: Slack checked who sees it

    def run(self, services: Services, client: WebClient) -> None:
        settings_jobs.open_settings(
            services,
            client,
            team=self.team,
            user=self.user,
            trigger_id=self.trigger_id,
            channel=self.channel,
            response_url=self.response_url,
            in_channel=self.in_channel,
        )


class ReloadSettings(_Job):
    """The modal's channel picker changed: show that channel's settings in it."""

    kind: Literal["reload_settings"] = "reload_settings"
    team: str
    view_id: str
    view_hash: str
    channel: str
    user: str = ""  # who picked it: the channel's settings are shown only if they see it

    def run(self, services: Services, client: WebClient) -> None:
        settings_jobs.reload_settings(
            services,
            client,
            team=self.team,
            user=self.user,
            view_id=self.view_id,
            view_hash=self.view_hash,
            channel=self.channel,
        )


class PublishHome(_Job):
    """App Home for one person: the workspace's channel settings."""

    kind: Literal["publish_home"] = "publish_home"
    team: str
    user: str

    def run(self, services: Services, client: WebClient) -> None:
        settings_jobs.publish_home(services, client, team=self.team, user=self.user)


class SetAdminsOnly(_Job):
    """App Home's switch of who may change channel settings (only a workspace admin may)."""

    kind: Literal["set_admins_only"] = "set_admins_only"
    team: str
    user: str
    trigger_id: str
    on: bool

    def run(self, services: Services, client: WebClient) -> None:
        settings_jobs.set_admins_only(
            services,
            client,
            team=self.team,
            user=self.user,
            trigger_id=self.trigger_id,
            on=self.on,
        )


class ForgetWorkspace(_Job):
    """The app was uninstalled from a workspace (or its bot token revoked): delete its
    installation and everything kept for it (bot.slack.listeners.lifecycle)."""

    needs_client: ClassVar[bool] = False  # its token is gone
    kind: Literal["forget_workspace"] = "forget_workspace"
    who: Tenant

    def run(self, services: Services, client: WebClient) -> None:
        from bot.slack.oauth import forget_workspace  # Bolt's OAuth: only when it's needed

        forget_workspace(services.store, services.workspaces, self.who)


def _settle_parked(services: Services, dest: Destination) -> None:
    """After a job that reads its thread's article: questions parked there meanwhile are
    answered, or told the article couldn't be read (bot.slack.parked)."""
    from bot.slack import parked  # it imports this module

    parked.settle(services, dest)


Job = Annotated[
    Summarize
    | SummarizeRef
    | Ask
    | AskAboutLinks
    | AskAboutMessage
    | ParkQuestion
    | AskWhenReady
    | FromThreadStart
    | RecapThread
    | Post
    | Respond
    | OfferSummary
    | Digest
    | SetDigest
    | OpenSettings
    | ReloadSettings
    | PublishHome
    | SetAdminsOnly
    | ForgetWorkspace,
    Field(discriminator="kind"),
]

_ADAPTER: TypeAdapter[Job] = TypeAdapter(Job)


def dumps(job: Job) -> str:
    return job.model_dump_json()


def loads(data: str | bytes) -> Job:
    """The job a message carries; pydantic's ValidationError when it isn't one."""
    return _ADAPTER.validate_json(data)
