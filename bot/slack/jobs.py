"""The slow part of every surface, run on the worker pool: read, then summarize or answer."""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from slack_sdk import WebClient

from bot import progress
from bot.errors import ArticlebotError, IngestError, NotAnArticle, TooLarge
from bot.ingest import Article
from bot.ingest.links import TLDR, ParsedInput
from bot.pipeline import Result
from bot.slack import audit, channel_prefs, edits, feedback, journal, threads
from bot.slack import files as slack_files
from bot.slack.context import Destination, Services
from bot.slack.format import UNEXPECTED, offer_payload, thread_title
from bot.slack.memory import Memory
from bot.slack.replies import Reply
from bot.slack.retry import webhook
from bot.slack.sinks.target import Target
from bot.store import ArticleRef, Conversation

log = logging.getLogger(__name__)

MAX_LINKS = 3  # links summarized from one message; more is usually a list, not a request
MAX_BUTTON_VALUE = 2_000  # Slack's limit on a button's value

Remember = Callable[[Sequence[Article]], None]


def _reply(
    services: Services, client: WebClient, dest: Destination, kind: str = "summary"
) -> Reply:
    # Each reply keeps its own record in the job's journal (a re-run edits, never reposts).
    scope = journal.current_scope()
    return Reply(client, dest, stream=services.settings.slack_stream, journal=scope, kind=kind)


def _fail(services: Services, reply: Reply, exc: ArticlebotError) -> None:
    """Tell what went wrong; one the asker can fix by editing their message is kept for
    that edit (bot.slack.edits)."""
    if reply.fail(exc) and edits.fixable(exc):
        edits.remember(services.store, reply.dest, reply.note_ts)


def summarize(
    services: Services,
    client: WebClient,
    dest: Destination,
    parsed: ParsedInput,
    *,
    files: Sequence[dict[str, Any]] = (),
    style: str | None = None,
) -> None:
    """Summarize each link (or the paste, or the shared files) into `dest`."""
    style = style or parsed.style  # a --style wins over a style named before a paste
    try:
        articles = list(_sources(services, client, parsed, files))
    except ArticlebotError as exc:
        audit.note_error(exc)
        _fail(services, _reply(services, client, dest), exc)
        return
    for load in articles:
        _run(
            services,
            client,
            dest,
            partial(_summarize_loaded, services, dest, load, style, parsed.instruction),
            style=_logged_style(services, dest, style),
        )


def _answer(
    services: Services,
    dest: Destination,
    articles: list[Article],
    question: str,
    history: Any,
    reply: Reply,
    remember: Remember,
) -> Result:
    remember(articles)
    reply.status("Writing…")
    progress.step("write", articles[0].url if articles else None)
    # The channel's settings: its model, language and daily budget (bot.slack.channel_prefs).
    run = channel_prefs.for_dest(services, dest)
    return run.ask(articles, question, history=history, on_text=reply.write)


def _summarize_loaded(
    services: Services,
    dest: Destination,
    load: Any,
    style: str | None,
    instructions: str,
    reply: Reply,
    remember: Remember,
) -> Result:
    article = load()
    # Remembered before the model writes: a follow-up typed meanwhile is about this article.
    remember([article])
    reply.status("Writing…")
    progress.step("write", article.url)
    # The channel's settings: its style (a --style wins), language, model and daily budget.
    run = channel_prefs.for_dest(services, dest)
    return run.summarize(article, style=style, instructions=instructions, on_text=reply.write)


def ask(
    services: Services,
    client: WebClient,
    dest: Destination,
    question: str,
    articles: Sequence[Article | ArticleRef],
) -> None:
    """Answer `question` from `articles`, with the conversation so far as context."""
    history = services.store.history(dest.conversation, limit=10)
    try:
        loaded = [load_article(services, ref) for ref in articles]
    except ArticlebotError as exc:
        audit.note_error(exc)
        _fail(services, _reply(services, client, dest), exc)
        return
    _run(
        services,
        client,
        dest,
        partial(_answer, services, dest, loaded, question, history),
        question=question,
        status="Looking through the article…",
    )


def load_article(services: Services, ref: Article | ArticleRef) -> Article:
    """An article remembered by reference: from the cache, or fetched again if it expired."""
    if isinstance(ref, Article):
        return ref
    article = services.pipeline.article_by_hash(ref.content_hash)
    if article is not None:
        return article
    if ref.url:
        return services.pipeline.article_from_url(ref.url)
    raise NotAnArticle("I no longer have that article; please send the link or paste it again.")


def ask_about_links(
    services: Services,
    client: WebClient,
    dest: Destination,
    question: str,
    urls: Sequence[str],
) -> None:
    """`/ask <link> <question>`: read the links first, then answer."""
    try:
        articles = [services.pipeline.article_from_url(url) for url in urls[:MAX_LINKS]]
    except ArticlebotError as exc:
        audit.note_error(exc)
        _fail(services, _reply(services, client, dest), exc)
        return
    ask(services, client, dest, question, articles)


def ask_about_message(
    services: Services,
    client: WebClient,
    dest: Destination,
    question: str,
    parsed: ParsedInput,
    *,
    files: Sequence[dict[str, Any]] = (),
) -> None:
    """A message with its own article and a question about it: each link (or file) read
    as for a summary (cached the same way, under the reply's "Reading the article…"),
    then one answer from them all."""
    history = services.store.history(dest.conversation, limit=10)
    try:
        loaders = _sources(services, client, parsed, files)
    except ArticlebotError as exc:
        audit.note_error(exc)
        _fail(services, _reply(services, client, dest), exc)
        return

    def produce(reply: Reply, remember: Remember) -> Result:
        articles = [load() for load in loaders]
        return _answer(services, dest, articles, question, history, reply, remember)

    _run(services, client, dest, produce, question=question)


_SUMMARY_REQUEST = re.compile(rf"^\W*(summari[sz]e|{TLDR}|sum (it )?up|recap|digest)\b", re.I)
NO_ARTICLE_IN_THREAD = (
    "I couldn't find an article in this thread. Mention me with a link, or paste the article."
)


def from_thread_start(
    services: Services,
    client: WebClient,
    dest: Destination,
    request: str,
    *,
    bot_user_id: str | None = None,
) -> None:
    """A mention inside a thread the bot has no article for: read the thread and take the
    article found in it (its first message's, else the latest link shared there).

    One read of the thread (conversations.replies, which Slack rate-limits hard for most
    apps), only here; everything after goes through the bot's own memory.
    """
    try:
        thread = threads.read(client, dest.channel, dest.thread_ts or "")
    except threads.SLACK_ERRORS as exc:
        log.info("couldn't read the thread: %s", exc)
        thread = threads.Thread(())
    # The bot's own replies there carry links too (their source lines): never the article.
    bot_user_id = bot_user_id or threads.bot_user(client)
    found = threads.find_article(thread.messages, bot_user_id) if thread.messages else None
    if found is None:
        audit.note_error(NotAnArticle(NO_ARTICLE_IN_THREAD))
        if journal.once("no-article"):
            response = client.chat_postMessage(
                channel=dest.channel, thread_ts=dest.thread_ts, text=NO_ARTICLE_IN_THREAD
            )
            edits.remember(services.store, dest, response.get("ts"))  # a link edited in
        return
    parsed, files = found.parsed, found.files
    if not request or _SUMMARY_REQUEST.match(request):
        # The request here says what is wanted now, not the style named with the paste.
        asked = replace(parsed, instruction=request, style=None)
        summarize(services, client, dest, asked, files=files)
        return
    try:
        articles = [load() for load in _sources(services, client, parsed, files)]
    except ArticlebotError as exc:
        audit.note_error(exc)
        _fail(services, _reply(services, client, dest), exc)
        return
    ask(services, client, dest, request, articles)


def post(
    services: Services, client: WebClient, dest: Destination, text: str, *, fixable: bool = False
) -> None:
    """A short note (help, "no article yet") where the conversation is; `fixable`: one that
    editing the asking message can make moot (it then asks again: bot.slack.edits)."""
    if journal.once("post"):
        response = client.chat_postMessage(
            channel=dest.channel, thread_ts=dest.thread_ts, text=text
        )
        if fixable:
            edits.remember(services.store, dest, response.get("ts"))


def respond(services: Services, client: WebClient, response_url: str, payload: dict) -> None:
    """A reply through a slash command's or shortcut's response_url."""
    if journal.once("respond"):
        webhook(response_url).send_dict(payload)


def summarize_ref(
    services: Services,
    client: WebClient,
    dest: Destination,
    ref: ArticleRef,
    *,
    style: str | None,
    instructions: str = "",
) -> None:
    """Summarize an article remembered earlier ("Summarize the last article I shared",
    "summarize it" in its thread)."""
    load = partial(load_article, services, ref)
    produce = partial(_summarize_loaded, services, dest, load, style, instructions)
    logged = _logged_style(services, dest, style)
    # Read already (a follow-up in its thread): not "Reading the article…" again.
    _run(services, client, dest, produce, status="Looking through the article…", style=logged)


def offer_summary(
    services: Services, client: WebClient, channel: str, user: str, ts: str, url: str
) -> None:
    """Auto mode: an ephemeral "Summarize" button for the person who shared a link."""
    value = f"{ts} {url}"
    if len(value) > MAX_BUTTON_VALUE:  # Slack would refuse the whole message
        log.info("link too long for a Summarize button (%d chars); no offer", len(url))
        return
    if not journal.once("offer"):
        return
    client.chat_postEphemeral(channel=channel, user=user, **offer_payload(url, value))


def _logged_style(services: Services, dest: Destination, style: str | None) -> str:
    """The style a summary is written in, for the request log: the one asked for, else the
    channel's, else the default."""
    return (
        style
        or channel_prefs.for_dest(services, dest).chosen.style
        or services.settings.summary_style
    )


def _run(
    services: Services,
    client: WebClient,
    dest: Destination,
    produce: Any,
    *,
    question: str | None = None,
    status: str = "Reading the article…",
    style: str | None = None,
) -> None:
    """Start a reply, produce it (`produce(reply, remember)`), finish it; errors in words.
    A finished reply is logged for `articlebot stats` (`style`: a summary's)."""
    memory = services.memory
    reply = _reply(services, client, dest, "summary" if question is None else "answer")
    started = time.monotonic()  # for the request log's duration
    # An assistant thread's first article names it in the History tab (read before the
    # job remembers the article).
    untitled = dest.assistant and bool(dest.thread_ts) and not memory.articles(dest.conversation)

    def remember(articles: Sequence[Article]) -> None:
        memory.remember(dest.conversation, articles=articles)
        # Questions typed in the thread while this article was read are answered now.
        from bot.slack import parked  # it imports the tasks, which import us

        try:
            parked.drain(services, dest.conversation)
        except Exception:  # never the summary's failure: the job's end, or the safety net, retry
            log.exception("couldn't answer the questions parked in %s", dest.channel)

    with told_on_failure(reply, "reply", services):
        reply.start(status)  # where the bot isn't a member, the reply goes privately (Reply)
        # Engaged from the first moment: a follow-up typed while this reply is still being
        # written must not need a mention.
        memory.engage(dest.conversation, dest.user)
        with progress.reporting(reply.step):  # fetching, cleaning, … as the reply's steps
            result: Result = produce(reply, remember)
        audit.note_result(result)
        _remember(memory, dest.conversation, result, question)  # before the reply shows
        first_ts = reply.finish(result)
        if untitled:
            _title_thread(client, dest, result.article)
        feedback.record(services.store, reply.request_id, dest, result, style=style, start=started)
        if first_ts and not dest.thread_ts and not reply.dest.ephemeral:
            # A top-level reply (/summarize, /ask, a DM) starts a thread: replies there are
            # follow-ups about the same article, without a mention.
            thread = Conversation(dest.team or "-", dest.channel, first_ts)
            _remember(memory, thread, result, question)
            memory.engage(thread, dest.user)


def _title_thread(client: WebClient, dest: Destination, article: Article) -> None:
    """Best effort: a thread without a title still works."""
    title = thread_title(article)
    if not title:
        return
    Target.safe(
        client.assistant_threads_setTitle,
        channel_id=dest.channel,
        thread_ts=dest.thread_ts or "",
        title=title,
    )


@contextlib.contextmanager
def told_on_failure(reply: Reply, what: str, services: Services | None = None) -> Iterator[None]:
    """Whatever goes wrong while a reply is written is said in the reply, in words (the
    traceback of an unexpected error goes to the log, never to Slack). With `services`, a
    failure an edit of the asking message can fix is kept for that edit."""
    try:
        yield
    except ArticlebotError as exc:
        audit.note_error(exc)
        if services is not None:
            _fail(services, reply, exc)
        else:
            reply.fail(exc)
    except Exception as exc:
        log.exception("%s failed", what)
        audit.note_error(exc)
        reply.fail(ArticlebotError(UNEXPECTED))


def _remember(
    memory: Memory, conversation: Conversation, result: Result, question: str | None
) -> None:
    articles = result.articles or (result.article,)
    memory.remember(conversation, articles=articles, question=question, answer=result.text)


def _sources(
    services: Services,
    client: WebClient,
    parsed: ParsedInput,
    files: Sequence[dict[str, Any]],
) -> list[Any]:
    """Loaders for each article a message carries, fetched lazily on the worker."""
    loaders: list[Any] = []
    for file in files:
        loaders.append(lambda file=file: read_slack_file(services, client, file))
    if parsed.kind == "paste":
        loaders.append(lambda: services.pipeline.article_from_text(parsed.text))
    elif parsed.kind == "link":
        for url in parsed.urls[:MAX_LINKS]:
            loaders.append(lambda url=url: services.pipeline.article_from_url(url))
    if not loaders:
        raise NotAnArticle("Give me an article link, paste the article, or share a PDF.")
    return loaders


def read_slack_file(services: Services, client: WebClient, file: dict[str, Any]) -> Article:
    """Download a shared snippet or PDF with the bot token, then read it like any file.

    The token goes only to Slack's own file host (or the configured API origin, for tests
    and proxies), and every hop of the download is checked (`bot.slack.files`).
    """
    url = file.get("url_private_download") or file.get("url_private")
    if not url:
        raise IngestError("I couldn't open that file.")
    limit = services.settings.fetch_max_bytes
    if int(file.get("size") or 0) > limit:
        raise TooLarge(f"That file is larger than {limit:,} bytes.")
    data = slack_files.download(str(url), client.token or "", services.settings)
    if data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        # Slack answers a file download it won't allow with its HTML login page.
        raise IngestError(slack_files.NO_PERMISSION)
    title = file.get("title") or file.get("name")
    return services.pipeline.articles.from_file(
        data, "That file", file.get("mimetype"), title=str(title) if title else None
    )
