"""Who has posted in a thread the bot is part of, so it can tell a one-to-one thread from a
conversation between several people (where it answers only questions).

Kept in the shared store, so every HTTP worker and the job process see the same people.
"""

from __future__ import annotations

from bot.store import Conversation, ConversationMemory


def note(memory: ConversationMemory, conversation: Conversation, user: str | None) -> set[str]:
    """Add `user` to the thread's participants; returns them all (the user included)."""
    return memory.note_participant(conversation, user) if user else set()
