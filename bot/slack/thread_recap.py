"""The recap job: read a thread, recap its discussion (bot.engines.recap), post it in the
thread with each point linked to the message(s) it comes from.

The recap doesn't engage the thread: asking for one is not starting a conversation with the
bot, so people go on talking there without it answering.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from slack_sdk import WebClient

from bot.errors import ArticlebotError
from bot.ingest import Article
from bot.llm.recaps import Said, cited, link_citations
from bot.results import Result
from bot.slack import audit, channel_prefs, feedback, journal, threads
from bot.slack.context import Destination, Services
from bot.slack.jobs import told_on_failure
from bot.slack.replies import Reply

log = logging.getLogger(__name__)

NOTHING_TO_RECAP = "There's no discussion in this thread to recap yet."
CANT_READ = "I couldn't read this thread: invite me to its channel first (`/invite @articlebot`)."
TOO_LONG = "This thread is very long: the recap covers its first {count} messages."
MAX_LINKS = 20  # permalinks looked up for one recap (one chat.getPermalink each)


def recap_thread(
    services: Services,
    client: WebClient,
    dest: Destination,
    *,
    instructions: str = "",
    bot_user_id: str | None = None,
) -> None:
    """Recap the discussion in `dest`'s thread, into that thread."""
    scope = journal.current_scope()  # a re-run edits what an earlier run posted
    reply = Reply(client, dest, stream=services.settings.slack_stream, journal=scope)
    started = time.monotonic()  # for the request log's duration
    with told_on_failure(reply, "recap"):
        reply.start("Reading the thread…")
        result = _recap(services, client, dest, instructions, bot_user_id)
        audit.note_result(result)
        reply.finish(result)  # with the 👍/👎 buttons, like every summary
        feedback.record(
            services.store, reply.request_id, dest, result, style=None, start=started, kind="recap"
        )


def _recap(
    services: Services,
    client: WebClient,
    dest: Destination,
    instructions: str,
    bot_user_id: str | None,
) -> Result:
    thread_ts = dest.thread_ts or ""
    try:
        thread = threads.read(client, dest.channel, thread_ts)
    except threads.SLACK_ERRORS as exc:
        log.info("couldn't read the thread: %s", exc)
        raise ArticlebotError(CANT_READ) from exc
    if bot_user_id is None:
        bot_user_id = threads.bot_user(client)
    said = threads.discussion(thread.messages, bot_user_id)
    if not [s for s in said[1:] if not s.from_bot]:
        raise ArticlebotError(NOTHING_TO_RECAP)
    source = _source(services, dest, thread.messages, bot_user_id)
    title = source.title or source.url or ""
    # The channel's settings: its model, language and daily budget (bot.slack.channel_prefs).
    run = channel_prefs.for_dest(services, dest)
    written = run.recap(said, title=title, instructions=instructions)
    ts_of = {s.ref: str(m.get("ts")) for s, m in _by_ref(said, thread.messages)}
    links = threads.Permalinks(client, dest.channel, thread_ts)
    linked: dict[str, str] = {}
    for ref in cited(written.text)[:MAX_LINKS]:
        if ref in ts_of and (link := links.markdown(ts_of[ref])):
            linked[ref] = link
    notice = written.notice
    if not thread.complete:
        notice = " ".join(filter(None, [TOO_LONG.format(count=len(thread.messages)), notice]))
    return Result(
        kind="summary",
        text=link_citations(written.text, linked),
        article=source,
        engine=written.engine,
        model=written.model,
        label=written.label,
        notice=notice,
        usage=written.usage,
        articles=(source,),
    )


def _by_ref(
    said: Sequence[Said], messages: Sequence[threads.Message]
) -> list[tuple[Said, threads.Message]]:
    """Each recap line's message (refs are positions in the thread: "m3" is the third)."""
    return [(s, messages[int(s.ref[1:]) - 1]) for s in said if 0 < int(s.ref[1:]) <= len(messages)]


def _source(
    services: Services,
    dest: Destination,
    messages: Sequence[threads.Message],
    bot_user_id: str | None,
) -> Article:
    """What the footer names: the thread's article as the bot remembers it, else the link
    found in the thread (not fetched: the recap is of the talk, not of the article)."""
    remembered = services.memory.articles(dest.conversation)
    if remembered:
        ref = remembered[0]
        return Article(text="", source_kind="html", url=ref.url, title=ref.title or None)
    found = threads.find_article(messages, bot_user_id)
    if found is not None and found.parsed.kind == "link":
        return Article(text="", source_kind="html", url=found.parsed.urls[0])
    return Article(text="", source_kind="text", title="This thread")
