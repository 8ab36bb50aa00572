"""The digest job: read the channel's period, read and summarize each article once, post
one message (or a canvas when that would be too long).

Each article is summarized through the pipeline in the short style (`tldr`), so the answer
cache serves a link summarized before, and a digest run again costs no model tokens.
"""

from __future__ import annotations

import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.errors import ArticlebotError
from bot.ingest import Article
from bot.pipeline import Result
from bot.slack import audit, channel_prefs, feedback, journal
from bot.slack.context import Destination, Services
from bot.slack.digest import render
from bot.slack.digest.collect import Share, SharedLink, read_channel, shared_links
from bot.slack.digest.periods import Window
from bot.slack.retry import webhook

log = logging.getLogger(__name__)

STYLE = "tldr"  # the short summary style: a gist is one line
READERS = 4  # articles read and summarized at once
CANT_READ = (
    "I can't read this channel's messages, so I can't make a digest of it. "
    "Invite me first (`/invite @articlebot`)."
)


# Slack's answers when the bot can't read a channel any more: removed from it, the channel
# archived, or deleted (or private and left). A schedule there would fail every period.
GONE = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
STOPPED = (
    "I stopped the {every} link digest of <#{channel}>: I can't read that channel any more "
    "(I'm not a member, or it was archived or deleted). To have it again, invite me "
    "(`/invite @articlebot`) and use `/summarize digest {every}` there."
)


@dataclass(frozen=True, slots=True)
class _Read:
    link: SharedLink
    article: Article
    result: Result


def run(
    services: Services,
    client: WebClient,
    dest: Destination,
    window: Window,
    period: str,
    *,
    scheduled: bool,
) -> None:
    """Post the digest of `window` in `dest.channel`. Scheduled: nothing is posted when no
    article was shared (a quiet week needs no message); asked for: the asker is told."""
    if scheduled and services.store.get_digest(dest.team or "-", dest.channel) is None:
        log.info("digest for %s: turned off since it was queued", dest.channel)
        return
    started = time.monotonic()  # for the request log's duration
    me = client.auth_test()
    try:
        messages = read_channel(client, dest.channel, window)
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.warning("digest: can't read %s: %s", dest.channel, error)
        if scheduled and error in GONE:
            _stop(services, client, dest)
        _tell_asker(client, dest, CANT_READ, scheduled=scheduled)
        return
    links = shared_links(messages, bot_user_id=me.get("user_id"), workspace_url=me.get("url"))
    cap = services.settings.digest_max_articles
    candidates = links[: cap * 2]  # bounds the fetches; most links people share are articles
    # The channel's model, language and daily budget, as for any summary asked for there.
    channel = channel_prefs.for_dest(services, dest)
    spent = channel.over_budget()  # then every gist is the offline engine's: say why
    read, unread = _read_all(channel, candidates)
    for item in read:  # the audit line counts every summary's tokens (in this thread's record)
        audit.note_result(item.result)
    if spent:  # the gists were written in reader threads, where the record isn't seen
        audit.note_reason(audit.BUDGET_SPENT)
    if not read:
        log.info("digest: no articles in %s (%s)", dest.channel, period)
        _tell_asker(client, dest, f"No articles were shared here {period}.", scheduled=scheduled)
        return
    permalinks = _Permalinks(client, dest.channel, me.get("url"))
    listed = read[:cap]
    digest = render.Digest(
        channel=dest.channel,
        period=period,
        entries=tuple(_entry(item, permalinks) for item in listed),
        more=len(read) - len(listed) + len(links) - len(candidates),
        unread=unread,
        notice=channel.budget_notice() if spent else None,
        max_articles=cap,
        engine="offline" if all(i.result.engine == "offline" for i in listed) else None,
        preface=dest.preface,
        request_id=_request_id(),
    )
    if not journal.once("digest"):  # a re-run after its worker died: posted already
        return
    payload = render.message(digest)
    if payload is not None:
        client.chat_postMessage(channel=dest.channel, **payload)
    else:
        _post_canvas(client, dest, digest, me.get("url"), me.get("team_id"))
    # One request in `articlebot stats`, with every gist's tokens (a re-run is all cache
    # hits, and posts nothing: it isn't logged again over the first run's costs).
    feedback.log_reply(
        services.store,
        digest.request_id or "",
        dest,
        kind="digest",
        style=STYLE,
        results=[item.result for item in read],
        start=started,
    )


def _stop(services: Services, client: WebClient, dest: Destination) -> None:
    """A scheduled digest of a channel the bot can't read: turned off (it would fail every
    period, unseen), and whoever turned it on told why, in a DM."""
    team = dest.team or "-"
    schedule = services.store.get_digest(team, dest.channel)
    if schedule is None:
        return
    # Told first, then turned off: a job that dies in between runs again, finds the
    # schedule still on, and only turns it off (the journal says the DM went).
    if schedule.user and journal.once("digest-stopped"):
        text = STOPPED.format(every=schedule.every, channel=dest.channel)
        try:
            dm = client.conversations_open(users=schedule.user)["channel"]["id"]
            client.chat_postMessage(channel=dm, text=text)
        except (SlackApiError, SlackRequestError) as exc:  # turned off anyway; logged
            log.info("digest: couldn't tell who turned it on: %s", exc)
    services.store.clear_digest(team, dest.channel)
    log.warning("digest of %s turned off: the bot can't read it", dest.channel)


def _request_id() -> str:
    """What the digest's feedback buttons and request log entry know it by: the same on
    every run of its job (bot.slack.journal)."""
    scope = journal.current_scope()
    return scope.request_id if scope is not None else uuid.uuid4().hex


def _tell_asker(client: WebClient, dest: Destination, text: str, *, scheduled: bool) -> None:
    """Only the asker sees it: through the command's response_url (which works where the
    bot isn't a member), else an ephemeral message."""
    if scheduled or not dest.user or not journal.once("digest-note"):
        return
    try:
        if dest.response_url:
            webhook(dest.response_url).send(text=text, response_type="ephemeral")
        else:
            client.chat_postEphemeral(channel=dest.channel, user=dest.user, text=text)
    except (SlackApiError, SlackRequestError) as exc:  # nowhere left to say it but the log
        log.info("digest: couldn't tell the asker: %s", exc)


def _read_all(
    channel: channel_prefs.ChannelRun, links: list[SharedLink]
) -> tuple[list[_Read], int]:
    """The links that are articles, read and summarized, in the order they were shared, and
    how many links weren't (or couldn't be read)."""
    if not links:
        return [], 0
    with ThreadPoolExecutor(
        max_workers=min(READERS, len(links)), thread_name_prefix="digest"
    ) as pool:
        results = list(pool.map(lambda link: _read_one(channel, link), links))
    read = [item for item in results if item is not None]
    return _merged(read), len(links) - len(read)


def _merged(read: list[_Read]) -> list[_Read]:
    """Two links to one article (a mirror, an AMP page, a redirect) are one entry: the
    first link, with every share of both."""
    by_text: dict[str, _Read] = {}
    for item in read:
        first = by_text.get(item.article.content_hash)
        if first is None:
            by_text[item.article.content_hash] = item
            continue
        shares = sorted([*first.link.shares, *item.link.shares], key=lambda s: float(s.ts))
        first.link.shares[:] = list({share.ts: share for share in shares}.values())
    return list(by_text.values())


def _read_one(channel: channel_prefs.ChannelRun, link: SharedLink) -> _Read | None:
    try:
        article = channel.services.pipeline.article_from_url(link.url)
        # The short style whatever the channel's: a digest entry is a one-line gist.
        result = channel.summarize(article, style=STYLE, instructions="", on_text=None)
    except ArticlebotError as exc:  # not an article, blocked, gone: left out, counted
        log.info("digest: left out a link on %s: %s", _host(link.url), type(exc).__name__)
        return None
    except Exception:
        log.exception("digest: reading a link on %s failed", _host(link.url))
        return None
    return _Read(link, article, result)


def _host(url: str) -> str:
    return urlsplit(url).hostname or "?"


def _entry(item: _Read, permalinks: _Permalinks) -> render.Entry:
    link, article = item.link, item.article
    shown = link.shares[: render.SHARES_LINKED]
    return render.Entry(
        title=article.title or _host(link.url),
        url=link.url,
        gist=render.one_line(item.result.text),
        sharers=tuple(link.sharers),
        links_back=tuple(
            render.LinkBack(share.user, permalinks.get(share), share.thread_ts is not None)
            for share in shown
        ),
    )


class _Permalinks:
    """Links back to messages: chat.getPermalink, else built from the workspace's URL."""

    def __init__(self, client: WebClient, channel: str, workspace_url: str | None) -> None:
        self.client = client
        self.channel = channel
        self.workspace_url = (workspace_url or "").rstrip("/")

    def get(self, share: Share) -> str | None:
        try:
            found = self.client.chat_getPermalink(channel=self.channel, message_ts=share.ts)
            return str(found["permalink"])
        except (SlackApiError, KeyError) as exc:
            log.info("digest: no permalink from Slack (%s); building one", exc)
            return self._built(share)

    def _built(self, share: Share) -> str | None:
        if not self.workspace_url:
            return None
        url = f"{self.workspace_url}/archives/{self.channel}/p{share.ts.replace('.', '')}"
        if share.thread_ts:
            url += f"?thread_ts={share.thread_ts}&cid={self.channel}"
        return url


def _post_canvas(
    client: WebClient,
    dest: Destination,
    digest: render.Digest,
    workspace_url: str | None,
    team_id: str | None,
) -> None:
    """The digest in a canvas the channel can read, and a short message pointing to it.
    Where canvases aren't available (a plan or admin setting), as many articles as fit one
    message, the rest counted in its note."""
    try:
        created = client.canvases_create(
            title=digest.title,
            document_content={"type": "markdown", "markdown": render.canvas_markdown(digest)},
        )
        canvas_id = str(created["canvas_id"])
        client.canvases_access_set(
            canvas_id=canvas_id, access_level="read", channel_ids=[dest.channel]
        )
    except SlackApiError as exc:
        log.warning("digest: no canvas (%s); posting what fits", exc.response.get("error"))
        client.chat_postMessage(channel=dest.channel, **_what_fits(digest))
        return
    url = None
    if workspace_url and team_id:
        url = f"{workspace_url.rstrip('/')}/docs/{team_id}/{canvas_id}"
    client.chat_postMessage(channel=dest.channel, **render.canvas_note(digest, url))


def _what_fits(digest: render.Digest) -> dict:
    entries = digest.entries
    while entries:
        entries = entries[:-1]
        shorter = replace(
            digest, entries=entries, more=digest.more + len(digest.entries) - len(entries)
        )
        payload = render.message(shorter)
        if payload is not None:
            return payload
    raise RuntimeError("an empty digest always fits")  # pragma: no cover
