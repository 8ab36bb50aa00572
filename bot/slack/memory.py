"""What the bot remembers of a conversation, and the rules for writing it, in one place.

Three verbs, so the thread rules live here and not at each call site:

    memory.engage(conversation, user)      # the bot answers here: follow-ups need no mention
    memory.remember(conversation, articles=..., question=..., answer=...)
    memory.recall(conversation, speaker=user) -> ThreadMemory

Backed by the shared store (bot.store), so every HTTP worker and job process sees the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.store import ArticleLike, ArticleRef, Conversation, ConversationMemory


@dataclass(frozen=True, slots=True)
class ThreadMemory:
    """What the bot knows of one conversation when a message arrives (plain data: routing
    decides from it without touching the store).

    engaged: the bot answered (or is answering) here, so follow-ups need no mention.
    participants: who has posted here since it was engaged, the speaker included (known
        only when recalled for a speaker: the store counts people as it notes them).
    articles: this conversation's own articles, the latest first.
    latest: the channel's (or DM's) latest article, whatever thread it was in.
    """

    engaged: bool = False
    participants: frozenset[str] = frozenset()
    articles: tuple[ArticleRef, ...] = ()
    latest: ArticleRef | None = None


class Memory:
    """The thread rules over a store: who is engaged, who speaks, what was read and said."""

    def __init__(self, store: ConversationMemory) -> None:
        self._store = store

    def engage(self, conversation: Conversation, user: str | None) -> None:
        """The bot answers in this thread: later messages there are follow-ups without a
        mention, and `user` is one of its people. Only threads: a channel or DM as a whole
        is never engaged."""
        if conversation.thread_ts is None:
            return
        self._store.mark_engaged(conversation)
        if user:
            self._store.note_participant(conversation, user)

    def remember(
        self,
        conversation: Conversation,
        *,
        articles: Iterable[ArticleLike] = (),
        question: str | None = None,
        answer: str | None = None,
    ) -> None:
        """What the conversation is about (its articles) and what was said (its turns)."""
        for article in articles:
            ref = ArticleRef(article.content_hash, article.url, article.title)
            self._store.remember_article(conversation, ref)
        if question:
            self._store.append_turn(conversation, "user", question)
        if answer is not None:
            self._store.append_turn(conversation, "assistant", answer)

    def recall(self, conversation: Conversation, *, speaker: str | None = None) -> ThreadMemory:
        """The conversation as the bot knows it. `speaker` (who just posted) is counted
        among the thread's people when the bot is part of it; threads it isn't part of
        keep no record of who talks there."""
        engaged = conversation.thread_ts is not None and self._store.is_engaged(conversation)
        people: set[str] = set()
        if engaged and speaker:
            people = self._store.note_participant(conversation, speaker)
        return ThreadMemory(
            engaged=engaged,
            participants=frozenset(people),
            articles=tuple(self._store.articles_for(conversation)),
            latest=self._store.latest_article(conversation.team, conversation.channel),
        )

    def articles(self, conversation: Conversation) -> list[ArticleRef]:
        """Only the conversation's own articles (a job waiting for its thread's article)."""
        return self._store.articles_for(conversation)
