"""Who has posted in a thread the bot is part of, so it can tell a one-to-one thread from a
conversation between several people (where it answers only questions).

Kept in the store's shared cache under a namespaced key, so every HTTP worker and the job
process see the same list; the store has no dedicated table for it (yet).
"""

from __future__ import annotations

import json

from bot.store import Cache, Conversation

MAX_KEPT = 50  # more than enough to know "more than one"


def _key(conversation: Conversation) -> str:
    return f"participants:{conversation.key}"


def note(cache: Cache, conversation: Conversation, user: str | None) -> set[str]:
    """Add `user` to the thread's participants; returns them all (the user included)."""
    raw = cache.get_answer(_key(conversation))
    people: set[str] = set(json.loads(raw)) if raw else set()
    if user and user not in people and len(people) < MAX_KEPT:
        people.add(user)
        cache.put_answer(_key(conversation), json.dumps(sorted(people)))
    return people | ({user} if user else set())
