"""Writing a recap of a discussion: the model with the `recap` prompt, or the offline engine
(when no model is configured, or when the model fails, saying so).

Its text cites messages as "[m3]"; the caller turns those into links (bot.llm.recaps).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.engines import wording
from bot.errors import LLMBadResponse, LLMError
from bot.llm.recaps import Said, discussion_text, fit_discussion
from bot.llm.usage import Usage

if TYPE_CHECKING:
    from bot.pipeline import Pipeline

log = logging.getLogger(__name__)

BOT_NAME = "articlebot"
LEFT_OUT = "The thread was too long to read whole: {count} messages in its middle were left out."


@dataclass(frozen=True, slots=True)
class Recap:
    text: str  # markdown, citations as "[m3]"
    engine: str  # "offline", or the model's provider
    model: str | None = None
    label: str | None = None
    notice: str | None = None
    usage: Usage = field(default_factory=Usage)


def write_recap(
    pipeline: Pipeline,
    messages: Sequence[Said],
    *,
    title: str = "",
    instructions: str = "",
    without_model: bool = False,
) -> Recap:
    """The recap of `messages` (a thread, oldest first); `without_model`: offline even
    when one is configured (a channel that spent its daily token budget)."""
    if without_model or pipeline.engine_for() == "offline":
        return _offline(messages)
    try:
        return _model(pipeline, messages, title, instructions)
    except LLMError as exc:
        log.warning("model failed (%s: %s); recapping with the offline engine", exc.code, exc)
        offline = _offline(messages)
        return Recap(
            offline.text,
            offline.engine,
            label=offline.label,
            notice=wording.FALLBACK_NOTICE,
            usage=exc.spent or Usage(),  # an empty reply was paid for all the same
        )


def _offline(messages: Sequence[Said]) -> Recap:
    from bot.offline.recap import recap

    written = recap(messages, bot_name=BOT_NAME)
    return Recap(written.text, "offline", label=written.label)


def _model(pipeline: Pipeline, messages: Sequence[Said], title: str, instructions: str) -> Recap:
    from bot.llm.models import complete
    from bot.llm.providers import model_label, online_provider
    from bot.llm.tokens import count_tokens

    settings = pipeline.settings
    template = pipeline.templates.get("recap")
    name = model_label(settings)
    # A thread longer than the budget: its start and its latest messages (what catching up
    # needs), saying how many in between the model didn't see.
    shown, left_out = fit_discussion(
        messages, settings.llm_context_tokens, lambda text: count_tokens(text, name)
    )
    prompt = template.format_messages(
        discussion=discussion_text(shown, bot_name=BOT_NAME),
        title=title,
        instructions=instructions,
    )
    reply = complete(pipeline.model, prompt, settings)
    if not reply.text.strip():
        raise LLMBadResponse("The language model sent an empty reply.").charge(reply.usage)
    notice = LEFT_OUT.format(count=left_out) if left_out else None
    return Recap(
        reply.text.strip(),
        online_provider(settings) or "openai",
        model=name,
        notice=notice,
        usage=reply.usage,
    )
