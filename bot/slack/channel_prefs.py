"""A channel's settings (bot.store.ChannelSettings), applied to one request in it.

    run = channel_prefs.for_dest(services, dest)
    result = run.summarize(article, style=None, instructions="", on_text=reply.write)

Summaries, answers and thread recaps go through it. The channel's style is the default (a
`--style` given with the request wins); its language is passed to the model as the
request's instructions would be ("in Spanish"; a language the request asks for itself
wins); its model picks the pipeline (bot.pipeline.with_model; offline stays offline);
every model token spent is counted against the channel's UTC day.

The daily budget: once a channel has used its tokens for the day, requests there are
answered by the offline engine, with a notice saying why and when the model is back
(midnight UTC). We fall back rather than refuse: the offline engine costs nothing, and a
channel still gets its summary. The budget is checked before a request, so the request
that crosses it finishes with the model.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from bot.engines import TextSink, wording
from bot.ingest.links import language_names
from bot.slack import audit
from bot.store import ChannelSettings

if TYPE_CHECKING:
    from bot.engines.recap import Recap
    from bot.ingest import Article
    from bot.llm.recaps import Said
    from bot.pipeline import Pipeline, Result
    from bot.slack.context import Destination, Services
    from bot.slack.routing import Incoming

log = logging.getLogger(__name__)

Written = TypeVar("Written", "Result", "Recap")  # what an engine wrote: it has usage, a notice

BUDGET_USED = (
    "This channel has used its daily allowance of {budget:,} AI model tokens, so this is the "
    "offline engine's version; the model is back at midnight UTC."
)
# A budget of 0: the model never answers here, so it isn't "back at midnight" either.
NO_BUDGET = (
    "This channel's daily allowance of AI model tokens is set to 0, so the offline engine "
    "writes its replies."
)
CANT_TRANSLATE = (
    "This channel's replies are set to {language}, but the offline engine only picks the "
    "article's own sentences and can't translate them."
)
# "in French", "into Brazilian Portuguese": a request naming its own language keeps it.
_IN_WORDS = re.compile(r"\b(?:in|into)\s+([^\W\d_]+(?:\s+[^\W\d_]+)?)", re.IGNORECASE)


def asks_for_language(instructions: str) -> bool:
    """Whether a request's own wishes name the language to write in ("tl;dr in French")."""
    names = language_names()
    for match in _IN_WORDS.finditer(instructions):
        words = match.group(1).lower().split()
        if words[0] in names or " ".join(words) in names:
            return True
    return False


def today() -> str:
    """The budget's day: the UTC date."""
    return datetime.now(UTC).date().isoformat()


@dataclass(frozen=True, slots=True)
class ChannelRun:
    """One request's view of its channel: which pipeline, style, language and budget."""

    services: Services
    team: str
    channel: str
    chosen: ChannelSettings

    @property
    def pipeline(self) -> Pipeline:
        chosen = self.chosen.model
        # Only a model still allowed: ALLOWED_MODELS may have shrunk (or been emptied: the
        # default model only) since it was chosen; the default model answers instead.
        if chosen and chosen not in self.services.settings.allowed_models:
            log.info("channel %s: model %s is no longer allowed", self.channel, chosen)
            chosen = None
        return self.services.pipeline.with_model(chosen)

    @property
    def online(self) -> bool:
        return self.pipeline.engine_for() != "offline"

    def over_budget(self) -> bool:
        budget = self.chosen.daily_tokens
        if budget is None or not self.online:
            return False
        return self.services.store.channel_tokens(self.team, self.channel, today()) >= budget

    def budget_notice(self) -> str:
        """Why the offline engine answered a channel over its budget."""
        budget = self.chosen.daily_tokens or 0
        return BUDGET_USED.format(budget=budget) if budget else NO_BUDGET

    def summarize(
        self,
        article: Article,
        *,
        style: str | None,
        instructions: str,
        on_text: TextSink | None,
    ) -> Result:
        offline = self.over_budget()
        if offline:  # what the model wrote already costs nothing more: given as it was
            wished, _ = self._language(instructions, offline=False)
            paid = self.pipeline.cached_summary(
                article, style=style or self.chosen.style, instructions=wished, on_text=on_text
            )
            if paid is not None:
                return paid
        extra, notes = self._language(instructions, offline)
        result = self.pipeline.summarize(
            article,
            style=style or self.chosen.style,
            instructions=extra,
            engine="offline" if offline else None,
            on_text=on_text,
        )
        return self._finish(result, offline, notes)

    def ask(
        self,
        articles: Sequence[Article],
        question: str,
        *,
        history: Sequence[Any],
        on_text: TextSink | None,
    ) -> Result:
        offline = self.over_budget()
        extra, notes = self._language("", offline)
        result = self.pipeline.ask(
            articles,
            question,
            history=history,
            instructions=extra,
            engine="offline" if offline else None,
            on_text=on_text,
        )
        return self._finish(result, offline, notes)

    def recap(self, messages: Sequence[Said], *, title: str, instructions: str) -> Recap:
        """A thread's recap (bot.engines.recap) with the channel's model, language, budget."""
        from bot.engines.recap import write_recap

        offline = self.over_budget()
        extra, notes = self._language(instructions, offline)
        written = write_recap(
            self.pipeline, messages, title=title, instructions=extra, without_model=offline
        )
        return self._finish(written, offline, notes)

    def _language(self, instructions: str, offline: bool) -> tuple[str, list[str]]:
        """The instructions with the channel's language, and the notices to add."""
        language = self.chosen.language
        if not language or asks_for_language(instructions):
            return instructions, []
        if offline or not self.online:
            return instructions, [CANT_TRANSLATE.format(language=language)]
        wish = f"in {language}"
        return (f"{wish}; {instructions}" if instructions.strip() else wish), []

    def _finish(self, result: Written, offline: bool, notes: list[str]) -> Written:
        """Count the tokens spent against the channel's day; add the notices."""
        # The offline engine spends nothing itself, but a fallback's tokens are the model's
        # calls that answered before it failed: they count too.
        spent = result.usage.total_tokens
        if not getattr(result, "cached", False) and spent:
            self.services.store.add_channel_tokens(self.team, self.channel, today(), spent)
        if offline:
            notes.insert(0, self.budget_notice())
            audit.note_reason(audit.BUDGET_SPENT)  # the audit line says why it was offline
        if not notes:
            return result
        return replace(result, notice=wording.joined(*notes, result.notice))


def for_dest(services: Services, dest: Destination) -> ChannelRun:
    """The settings of the channel (or DM) `dest` is in: its own, else the defaults."""
    team = dest.team or "-"
    chosen = services.store.channel_settings(team, dest.channel) or ChannelSettings()
    return ChannelRun(services, team, dest.channel, chosen)


def auto_channels(services: Services, incoming: Incoming) -> Collection[str]:
    """SLACK_AUTO_CHANNELS, with the channel's own offer setting over it. Read only for a
    top-level channel message that may hold a link: not a store read for every message."""
    configured = services.settings.slack_auto_channels
    if (
        incoming.source != "message"
        or incoming.dm
        or incoming.thread_ts
        or not incoming.human
        or "http" not in incoming.text
    ):
        return configured
    chosen = services.store.channel_settings(incoming.team or "-", incoming.channel)
    if chosen is None or chosen.auto_offer is None:
        return configured
    if chosen.auto_offer:
        return {*configured, incoming.channel}
    return {channel for channel in configured if channel != incoming.channel}
