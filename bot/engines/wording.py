"""How the bot words what it adds to an engine's text: notes under an answer, notices
about what it couldn't do. Pure: no engine, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

NOTHING_TO_SUMMARIZE = (
    "There's nothing in that text to summarize: only page furniture "
    "(bylines, credits, prompts) is left."
)
NOT_SAID = "The article doesn't say."
NO_BACKING = "_No passage of the article came with this answer to back it up._"


def grounded_answer(
    prose: str, found: bool, quotes: Sequence[str], dropped: int, unbacked_note: str | None
) -> str:
    """A model's answer as shown: its words, the quotes that checked out, and a note for
    each thing a reader should know (quotes left out, none given, names they don't back)."""
    text = prose
    if found and quotes:
        text += "\n\n" + "\n".join(f"> {q}" for q in quotes)
    if dropped:
        what, them = ("a quote", "it") if dropped == 1 else (f"{dropped} quotes", "them")
        text += f"\n\n_I couldn't verify {what} against the article, so I left {them} out._"
    elif found and not quotes:
        text += "\n\n" + NO_BACKING
    if unbacked_note:
        text += "\n\n" + unbacked_note
    return text


# A summary the model was still writing when it reached LLM_MAX_OUTPUT_TOKENS.
CUT_NOTICE = "The AI model reached the longest reply it may write, so this summary ends early."
CUT_ANSWER_NOTICE = (
    "The AI model reached the longest reply it may write, so this answer ends early."
)

# Said once, without the error's details (an HTTP status means nothing to a reader; the
# log has it): the offline engine answered because the model didn't.
FALLBACK_NOTICE = "The AI model didn't answer, so this is the offline engine's version."
FALLBACK_LABEL = "the AI model didn't answer"


def fallback_label(label: str) -> str:
    """An offline label that says the model didn't answer, in place of "no AI model":
    "Offline summary (extractive): the AI model didn't answer"."""
    for said in (", no AI model)", " (no AI model)"):
        if label.endswith(said):
            label = label.removesuffix(said) + (")" if said.startswith(",") else "")
            break
    return f"{label}: {FALLBACK_LABEL}"


def style_notice(asked: str, produced: str) -> str:
    """A user's own template needs a model; say so instead of quietly ignoring it."""
    return f"The offline engine can't write the '{asked}' style, so this is its {produced} summary."


# How an instructions notice says what it left out (the CLI looks for it: bot.cli.summarize).
COULD_NOT_FOLLOW = "couldn't follow"


def instructions_notice(reading: Any) -> str:
    """Which of the user's wishes the offline engine followed and which it couldn't, each
    named as written ("6 bullets", "in Spanish")."""
    could_not = f"{COULD_NOT_FOLLOW} {_quoted(reading.ignored, 'or')}"
    if reading.followed:
        return (
            "The offline engine only picks sentences from the article: it followed "
            f"{_quoted(reading.followed, 'and')} but {could_not}."
        )
    return f"The offline engine only picks sentences from the article, so it {could_not}."


def joined(*notices: str | None) -> str | None:
    return " ".join(n for n in notices if n) or None


def _quoted(parts: Sequence[str], conjunction: str) -> str:
    quoted = [f"“{part}”" for part in parts]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} {conjunction} {quoted[-1]}"
