"""When a message in a conversation the bot is part of is for the bot, and what it asks.

Pure text in, decisions out. A thread the bot answered in is often a conversation between
people too: "thanks!", "lol", or "<@U0BOB> can you look?" are not questions for the bot.
"""

from __future__ import annotations

import re

from bot.ingest.links import TLDR, is_question
from bot.llm.followups import is_greeting, is_small_talk

_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_WORDS = re.compile(r"[^\W\d_]+|\+1", re.UNICODE)
_HELP = re.compile(
    r"^\W*(?P<ask>help|what can you do|what do you do|how (?:do|can|should) i use you|"
    r"how to use you)\b(?P<rest>.*)$",
    re.I | re.S,
)
HELP_MAX_EXTRA_WORDS = 5  # "how do I use you in channels?" yes; a long question about a topic, no
_CHANNEL_HELP = re.compile(r"\b(in (a |the )?channels?|in threads?|with my team)\b", re.I)
_SUMMARIZE_LAST = re.compile(
    rf"^\W*(summari[sz]e|{TLDR}|recap)\s+(of\s+)?(the|my)\s+(last|latest|previous|most recent)"
    r"\s+(article|link|story|page|one)\b",
    re.I,
)


def mentions(text: str) -> set[str]:
    """User ids mentioned in a message."""
    return set(_USER_MENTION.findall(text))


def is_acknowledgement(text: str) -> bool:
    """Thanks, ok, lol, an emoji or two: something that needs no answer (the same small
    talk the CLI chat answers without searching, `bot.llm.followups`)."""
    text = _USER_MENTION.sub(" ", text)
    return is_small_talk(text) and not is_greeting(text)  # "hi" gets a hello back


def for_the_bot(text: str, *, bot_user_id: str | None, several_people: bool) -> bool:
    """Whether a message in an engaged thread (no mention of the bot) is meant for the bot.

    Never acknowledgements, nor messages addressed to someone else. With several people in
    the thread, only questions: statements there are usually for each other.
    """
    others = mentions(text) - {bot_user_id}
    if others:
        return False
    if is_acknowledgement(text):
        return False
    return not several_people or is_question(_USER_MENTION.sub(" ", text))


def help_topic(text: str) -> str | None:
    """ "channels" or "general" when the message asks how to use the bot, else None."""
    match = _HELP.match(text.strip())
    if not match:
        return None
    extra = _WORDS.findall(match["rest"])
    if (match["ask"].lower() == "help" and extra) or len(extra) > HELP_MAX_EXTRA_WORDS:
        return None  # "help me understand the costs" is a question about the article
    return "channels" if _CHANNEL_HELP.search(text) else "general"


def asks_to_summarize_last(text: str) -> bool:
    """ "Summarize the last article I shared" (a suggested prompt, or typed)."""
    return bool(_SUMMARIZE_LAST.match(text))
