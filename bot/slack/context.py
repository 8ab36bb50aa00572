"""Where a reply goes, and the long-lived services every listener shares."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.slack.channel_access import ChannelKinds
from bot.slack.memory import Memory
from bot.store import Conversation, Store, Tenant

if TYPE_CHECKING:
    from bot.slack.oauth import Workspaces
    from bot.slack.tasks import Job
    from bot.slack.worker import WorkerPool


@dataclass(frozen=True, slots=True)
class Destination:
    """A place in Slack to answer: a channel, maybe a thread, maybe only the asker's eyes."""

    channel: str
    user: str | None = None  # who asked
    team: str | None = None
    thread_ts: str | None = None  # reply inside this thread
    ephemeral: bool = False  # only the asker sees it
    response_url: str | None = None  # slash commands and shortcuts: a way to reach the asker
    assistant: bool = False  # the agent/assistant view: status line instead of a placeholder
    dm: bool = False  # a DM with the bot (or its assistant view): one person, one inbox
    preface: str | None = None  # shown above the reply, e.g. who asked (slash commands)
    # The thread is the asking message's own and may have no replies yet: Slack shows an
    # ephemeral message in a thread only once the thread has replies, so notes for the
    # asker alone go to the channel (`note_thread_ts`).
    new_thread: bool = False
    # The person's message that asked (events): a fixable error told about it is kept under
    # it, so that editing the message asks again (bot.slack.edits).
    asked_ts: str | None = None
    # Asked again by editing that message: the error note told the first time, in `channel`,
    # taken back as the job starts (None: none, or it was told privately).
    replaces: str | None = None

    @property
    def note_thread_ts(self) -> str | None:
        """Where an ephemeral note to the asker goes: the thread, unless it may not exist."""
        return None if self.new_thread else self.thread_ts

    @property
    def conversation(self) -> Conversation:
        """The memory key: a thread, or the channel/DM itself when not in a thread."""
        return Conversation(self.team or "-", self.channel, self.thread_ts)


@dataclass(slots=True)
class Services:
    settings: Settings
    pipeline: Pipeline
    store: Store
    pool: WorkerPool | None  # a job runner's is set once its queue is (None: no queueing)
    # Installed workspaces and their bot tokens (OAuth); None with one SLACK_BOT_TOKEN.
    workspaces: Workspaces | None = None
    # What conversations.info said of channels lately (who may see their settings).
    channel_kinds: ChannelKinds = field(default_factory=ChannelKinds)

    def for_tenant(self, tenant: Tenant | None) -> Services:
        """These services as one workspace's job sees them: its own caches (memory is keyed
        by team already). No tenant: one workspace's install, its scope "local" as the CLI."""
        if tenant is None or self.pipeline is None:  # tests may build services without one
            return self
        return replace(self, pipeline=self.pipeline.for_scope(tenant.scope))

    @property
    def memory(self) -> Memory:
        """The thread rules (engaged, participants, articles, turns) over the store."""
        return Memory(self.store)

    def submit(self, job: Job, *, delay: float = 0.0) -> None:
        """Hand `job` (bot.slack.tasks) to the pool or queue, to run now or `delay` seconds
        from now; Busy when full, RateLimited (a Busy, from bot.slack.limits) when its asker
        or channel is over a limit."""
        if self.pool is None:
            raise RuntimeError("this process has no job queue")
        from bot.slack import limits  # imported here: it imports the tasks, which import us

        limits.submit(self, job, delay=delay)
