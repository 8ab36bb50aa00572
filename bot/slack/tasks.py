"""Jobs as typed messages: what a listener asks a worker to do.

Each job is a small frozen model that serializes to JSON (`dumps` / `loads`), so the
process that acks Slack can hand it to any worker process, on any machine: the job
process beside it, or `articlebot worker`s reading a Redis queue. A job carries its own id:
the job ledger (bot.slack.journal) keys what it already posted on it, so a job run again
after its worker died edits its placeholder instead of posting twice.

    job = Summarize(dest=dest, parsed=parse_input(text), name="/summarize")
    services.submit(job)          # on the pool or queue; Busy when full
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from slack_sdk import WebClient

from bot.ingest.links import ParsedInput
from bot.logs import current_request_id
from bot.slack import jobs
from bot.slack.context import Destination, Services
from bot.store import ArticleRef


def _new_id() -> str:
    return uuid4().hex


class _Job(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(default_factory=_new_id)
    name: str = "job"  # where it came from, for logs: "/summarize", "event", "shortcut"…
    # The Slack event or trigger id being handled when the job was made: the worker's log
    # lines carry it too, so one request can be followed across processes.
    request_id: str | None = Field(default_factory=current_request_id)

    def run(self, services: Services, client: WebClient) -> None:
        raise NotImplementedError


class Summarize(_Job):
    """Summarize each link (or the paste, or the shared files) of a message."""

    kind: Literal["summarize"] = "summarize"
    dest: Destination
    parsed: ParsedInput
    files: tuple[dict[str, Any], ...] = ()
    style: str | None = None

    def run(self, services: Services, client: WebClient) -> None:
        jobs.summarize(services, client, self.dest, self.parsed, files=self.files, style=self.style)


class SummarizeRef(_Job):
    """Summarize an article remembered earlier ("Summarize the last article I shared")."""

    kind: Literal["summarize_ref"] = "summarize_ref"
    dest: Destination
    ref: ArticleRef
    style: str | None = None

    def run(self, services: Services, client: WebClient) -> None:
        jobs.summarize_ref(services, client, self.dest, self.ref, style=self.style)


class Ask(_Job):
    """Answer a question from articles the conversation already has."""

    kind: Literal["ask"] = "ask"
    dest: Destination
    question: str
    articles: tuple[ArticleRef, ...]

    def run(self, services: Services, client: WebClient) -> None:
        jobs.ask(services, client, self.dest, self.question, self.articles)


class AskAboutLinks(_Job):
    """`/ask <link> <question>`: read the links, then answer."""

    kind: Literal["ask_about_links"] = "ask_about_links"
    dest: Destination
    question: str
    urls: tuple[str, ...]

    def run(self, services: Services, client: WebClient) -> None:
        jobs.ask_about_links(services, client, self.dest, self.question, self.urls)


class AskWhenReady(_Job):
    """A follow-up in a thread whose article is still being read."""

    kind: Literal["ask_when_ready"] = "ask_when_ready"
    dest: Destination
    question: str

    def run(self, services: Services, client: WebClient) -> None:
        jobs.ask_when_ready(services, client, self.dest, self.question)


class FromThreadStart(_Job):
    """A mention in a thread the bot hasn't seen: the article is its first message."""

    kind: Literal["from_thread_start"] = "from_thread_start"
    dest: Destination
    request: str

    def run(self, services: Services, client: WebClient) -> None:
        jobs.from_thread_start(services, client, self.dest, self.request)


class Post(_Job):
    """A short note (help, "no article yet") where the conversation is."""

    kind: Literal["post"] = "post"
    dest: Destination
    text: str

    def run(self, services: Services, client: WebClient) -> None:
        jobs.post(services, client, self.dest, self.text)


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


Job = Annotated[
    Summarize
    | SummarizeRef
    | Ask
    | AskAboutLinks
    | AskWhenReady
    | FromThreadStart
    | Post
    | Respond
    | OfferSummary,
    Field(discriminator="kind"),
]
# Jobs that answer about an article in a thread (not help texts or notes).
REPLIES = (Summarize, SummarizeRef, Ask, AskWhenReady, FromThreadStart)

_ADAPTER: TypeAdapter[Job] = TypeAdapter(Job)


def dumps(job: Job) -> str:
    return job.model_dump_json()


def loads(data: str | bytes) -> Job:
    """The job a message carries; pydantic's ValidationError when it isn't one."""
    return _ADAPTER.validate_json(data)
