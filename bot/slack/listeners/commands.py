"""Slash commands: /summarize and /ask. Acked at once; the work runs on the pool."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App

from bot.errors import NOT_ARTICLE_MESSAGES, PromptError
from bot.ingest.links import (
    PASTE_MIN_WORDS,
    ParsedInput,
    TypedLink,
    is_question,
    only_wishes,
    parse_input,
    typed_link,
    word_weight,
)
from bot.llm.asking import asks_about_link
from bot.slack import limits, tasks
from bot.slack.context import Destination, Services
from bot.slack.digest import command as digest_command
from bot.slack.format import escape_mrkdwn

SUMMARIZE_HELP = (
    "*How to use /summarize*\n"
    "• `/summarize https://example.com/story` (or `example.com/story`) summarizes a link "
    "for the channel\n"
    "• `/summarize https://example.com/story in 3 bullets for a CFO` adds instructions\n"
    "• `/summarize https://example.com/story who paid for it?` answers the question from "
    "the article instead (as `/ask` does)\n"
    "• `/summarize` followed by a pasted article summarizes the text "
    "(`/summarize tldr` or `/summarize in 3 bullets` before it says how)\n"
    "• add `--private` to get the summary just for you\n"
    "• `--style tldr` (or `detailed`, or a style your admin added) picks the kind of summary\n"
    "• `/summarize digest` sets up a daily or weekly digest of the links shared in a channel"
)
# After saying why a text was refused: how to ask, in one line.
SUMMARIZE_USAGE = (
    "Send `/summarize <link>`, or `/summarize` followed by the article's text "
    "(`/summarize help` shows more)."
)
NOT_A_LINK_OR_ARTICLE = "I couldn't find a link or an article in that text."
NEEDS_A_SOURCE = "Which article? Send its link (or paste its text) with that."
ASK_INSTEAD = (
    "To ask about the latest article summarized here, use `/ask` and your question; about "
    "a link, `/summarize <link>` and your question."
)
_BARE_SCHEME = re.compile(r"<?https?:/*>?", re.IGNORECASE)
# A link with another scheme (ftp://, file://, javascript:); "example.com/story" is opened.
NOT_A_WEB_LINK = (
    "I can only open web links that start with https:// (or http://), "
    "like `/summarize https://example.com/story`."
)
ASK_NOT_A_WEB_LINK = (
    "I can only open web links that start with https:// (or http://), "
    "like `/ask https://example.com/story who paid for it?`."
)
_HELP_WORDS = frozenset({"help", "-h", "--help", "?"})
_COUNT_CHARS = 4096  # a text longer than this is more than a few words
ASK_HELP = (
    "*How to use /ask*\n"
    "• `/ask what did the minister promise?` asks about the latest article summarized here\n"
    "• `/ask https://example.com/story who paid for it?` asks about a specific link"
)
NOTHING_YET = (
    "I haven't summarized an article in this conversation yet. "
    "Try `/summarize <link>` first, or `/ask <link> <question>`."
)

_PRIVATE = re.compile(r"(?:^|\s)(?:--private|-p)(?=\s|$)")
_STYLE = re.compile(r"(?:^|\s)--style[ =]([\w-]+)(?=\s|$)")


def split_options(text: str) -> tuple[str, bool, str | None]:
    """`--private` and `--style S` out of a command's text.

    A pasted article is most of the text and rarely has either: a substring test (C speed)
    spares it the regex passes, which cost more than the rest of the ack."""
    private = False
    if "-p" in text:  # in both `--private` and `-p`
        private = bool(_PRIVATE.search(text))
        text = _PRIVATE.sub(" ", text) if private else text
    style = None
    if "--style" in text:
        style_match = _STYLE.search(text)
        style = style_match.group(1) if style_match else None
        text = _STYLE.sub(" ", text) if style_match else text
    return text.strip(), private, style


def unknown_style(style: str, styles: list[str]) -> str:
    listed = ", ".join(f"`{name}`" for name in styles)
    return f"I don't know the summary style `{escape_mrkdwn(style)}`. Try one of: {listed}."


def _destination(command: dict[str, Any], private: bool, preface: str) -> Destination:
    return Destination(
        preface=None if private else preface,
        channel=command["channel_id"],
        user=command.get("user_id"),
        team=command.get("team_id"),
        ephemeral=private,
        response_url=command.get("response_url"),
    )


def handle_summarize_command(ack: Ack, command: dict[str, Any], services: Services) -> None:
    if digest_command.is_digest(command.get("text") or ""):
        digest_command.handle(ack, command, services)
        return
    text, private, style = split_options(command.get("text") or "")
    styles = services.pipeline.templates.styles()
    parsed, typed = _read_command(text, styles)
    if parsed.kind not in ("link", "paste"):
        ack(text=_not_summarizable(text, typed, styles))
        return
    if style is not None:
        try:  # a dictionary lookup: say so now, before any placeholder or fetch
            services.pipeline.templates.summary(style)
        except PromptError:
            ack(text=unknown_style(style, services.pipeline.templates.styles()))
            return
    job: tasks.Job
    if parsed.kind == "link" and style is None and asks_about_link(parsed.instruction):
        # "/summarize <link> who paid?": the question is answered, as `/ask` would (a
        # `--style` asks for a summary whatever follows the link).
        question = parsed.instruction
        asked = f"<@{command.get('user_id')}> asked: {escape_mrkdwn(question)}"
        dest = _destination(command, private, asked)
        job = tasks.AskAboutLinks(dest=dest, question=question, urls=parsed.urls, name="/summarize")
    else:
        dest = _destination(command, private, f"<@{command.get('user_id')}> asked for a summary")
        job = tasks.Summarize(dest=dest, parsed=parsed, style=style, name="/summarize")
    limits.submit_and_ack(services, job, ack)


def _read_command(
    text: str, styles: list[str] | None = None
) -> tuple[ParsedInput, TypedLink | None]:
    """A command's text as a message would carry it: Slack leaves "example.com/story" in a
    command's text as typed (its clients make it a link only in messages), so a link typed
    without https:// is read as the link it is. Also the link found when it has another
    scheme (ftp://, javascript:…), for the refusal to say so; None otherwise."""
    parsed = parse_input(text, styles=styles)
    if parsed.kind != "message":  # a link already, a pasted article (its words are prose), empty
        return parsed, None
    typed = typed_link(text)
    if typed is None or not typed.web:
        return parsed, typed
    return parse_input(typed.spelled_out(), styles=styles), None


def _not_summarizable(text: str, other_link: TypedLink | None, styles: list[str]) -> str:
    """The ack for a /summarize with no link and no article: the help when that was asked
    for (or nothing was typed), else why the text isn't summarized and how to ask."""
    if not text.strip() or text.strip().lower() in _HELP_WORDS:
        return SUMMARIZE_HELP
    if other_link is not None:
        return NOT_A_WEB_LINK
    if _BARE_SCHEME.fullmatch(text.strip()) or only_wishes(text, styles):
        # "/summarize tldr", "/summarize https://": how to summarize, but of what?
        return f"{NEEDS_A_SOURCE}\n{SUMMARIZE_USAGE}"
    if len(text) <= _COUNT_CHARS and is_question(text):  # "/summarize who paid?"
        return ASK_INSTEAD
    # A prefix is counted: a long line of junk on the ack path needn't be counted whole.
    if len(text) <= _COUNT_CHARS and word_weight(text) < PASTE_MIN_WORDS:
        return f"{NOT_ARTICLE_MESSAGES['too_short']}\n{SUMMARIZE_USAGE}"
    return f"{NOT_A_LINK_OR_ARTICLE}\n{SUMMARIZE_USAGE}"


def handle_ask_command(ack: Ack, command: dict[str, Any], services: Services) -> None:
    text, private, _ = split_options(command.get("text") or "")
    parsed, other_link = _read_command(text)
    if other_link is not None:
        ack(text=ASK_NOT_A_WEB_LINK)
        return
    question = parsed.instruction if parsed.kind == "link" else text
    if not question:
        ack(text=ASK_HELP)
        return
    asked = f"<@{command.get('user_id')}> asked: {escape_mrkdwn(question)}"
    dest = _destination(command, private, asked)
    job: tasks.Job
    if parsed.kind == "link":
        job = tasks.AskAboutLinks(dest=dest, question=question, urls=parsed.urls, name="/ask")
    else:
        latest = services.store.latest_article(dest.team or "-", dest.channel)
        if latest is None:
            ack(text=NOTHING_YET)
            return
        job = tasks.Ask(dest=dest, question=question, articles=(latest,), name="/ask")
    limits.submit_and_ack(services, job, ack)


def register(app: App, services: Services) -> None:
    app.command("/summarize")(handle_summarize_command)
    app.command("/ask")(handle_ask_command)
