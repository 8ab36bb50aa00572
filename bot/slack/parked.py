"""Follow-ups typed while their thread's article is still being read: parked with the
thread, answered by the job that reads it. Nothing waits or polls for the article.

    park(services, job)            # the listener: queue the safety net, park, look again
    drain(services, conversation)  # the reader, once the article is remembered: Ask each
    settle(services, dest)         # the reader, when it ends: Ask each, or say it couldn't
    ParkQuestion.run -> fallback   # the safety net, once the read should have ended

Exactly once: a parked question is taken from the store atomically (one taker gets it), and
whoever takes it answers it with a job whose id is the question's own (`answer_id`). The
safety net, queued with a delay beside every parked question, answers with that same id, so
the job journal (bot.slack.journal) skips it when the reader's answer ran or runs: a reader
that died between taking a question and queueing its answer costs a late answer, not a lost
one, and one that died before taking it takes it on its retry.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from bot.slack import audit, journal, limits, tasks
from bot.slack.context import Destination, Services
from bot.slack.worker import Busy
from bot.store import ArticleRef, Conversation

log = logging.getLogger(__name__)

# Past the fetch timeout (and this much more, for cleaning and extraction) a read that
# hasn't remembered its article has failed without saying so: its job was given up or lost.
GRACE_SECONDS = 5.0
COULD_NOT_READ = (
    "Sorry, I couldn't read the article in this thread, so I can't answer that. "
    "Send me the link again or paste the article, then ask again."
)


def wait_seconds(services: Services) -> float:
    """How long a parked question waits before its safety net answers it anyway."""
    return services.settings.fetch_total_timeout + GRACE_SECONDS


def answer_id(parked_id: str) -> str:
    """The id of the job that answers a parked question, whoever queues it."""
    return f"{parked_id}.answer"


def park(services: Services, job: tasks.ParkQuestion, *, admitted: bool = False) -> None:
    """Park `job`'s question with its thread (from the listener, which planned it).

    The safety net first, through the limits like any request (refused: nothing is parked,
    the caller tells the asker); then the one store write; then a second look at the
    thread, for an article remembered since the listener's: its reader has drained
    already, so the question is answered from here. `admitted`: queued before (a job of an
    older version that waited for its article), the limits were applied then."""
    delay = wait_seconds(services)
    if admitted:
        assert services.pool is not None
        services.pool.submit(job, delay=delay)
    else:
        services.submit(job, delay=delay)
    conversation = job.dest.conversation
    services.store.park(conversation, job.id, tasks.dumps(job))
    drain(services, conversation)


def drain(services: Services, conversation: Conversation) -> int:
    """Answer every question parked in `conversation`, once its article is remembered; how
    many were queued. The article's reader calls this right after remembering it."""
    if conversation.thread_ts is None:
        return 0  # only threads park questions
    articles = tuple(services.memory.articles(conversation))
    if not articles:
        return 0
    queued = 0
    for question in _take(services, conversation):
        queued += _answer(services, question, _ask(question, articles))
    return queued


def settle(services: Services, dest: Destination) -> None:
    """A job that reads a thread's article has ended (answered, failed, found none): what is
    still parked there is answered from the article, else told it couldn't be read."""
    conversation = dest.conversation
    if conversation.thread_ts is None:
        return
    if services.memory.articles(conversation):
        drain(services, conversation)
        return
    for question in _take(services, conversation):
        audit.ended(services.settings, question, "failed", "no_article")
        note = COULD_NOT_READ
        if question.dest.user:
            note = f"<@{question.dest.user}> {note}"
        _answer(services, question, tasks.Post(**_answering(question), text=note))


def fallback(services: Services, job: tasks.ParkQuestion) -> None:
    """The safety net: `job`'s question, once its thread's read should have ended. Answered
    from the article if it was remembered meanwhile, else from the thread's start (read
    again), unless its answer ran already."""
    conversation = job.dest.conversation
    services.store.take_parked(conversation, ids=[job.id])  # no reader answers it now
    if services.store.job_marks(answer_id(job.id)).get(journal.DONE):
        return  # a reader took it and answered
    # Not taken (it may still be queued, or its taker died): queued again under the same id,
    # which the journal runs at most once.
    articles = tuple(services.memory.articles(conversation))
    if articles:
        answer: tasks.Job = _ask(job, articles)
    else:
        log.info("%s %s: the thread's article was never read; reading the thread", job.name, job.id)
        answer = tasks.FromThreadStart(**_answering(job), request=job.question)
    _answer(services, job, answer)


def _take(services: Services, conversation: Conversation) -> list[tasks.ParkQuestion]:
    taken = []
    for entry in services.store.take_parked(conversation):
        try:
            job = tasks.loads(entry.payload)
        except ValidationError:  # parked by another version: its safety net answers it
            log.error("parked question %s can't be read; left to its safety net", entry.id)
            continue
        if isinstance(job, tasks.ParkQuestion):
            taken.append(job)
    return taken


def _ask(question: tasks.ParkQuestion, articles: tuple[ArticleRef, ...]) -> tasks.Ask:
    return tasks.Ask(**_answering(question), question=question.question, articles=articles)


def _answering(question: tasks.ParkQuestion) -> dict[str, Any]:
    """What the job answering `question` shares with it: where, whose, which request; its
    id is the question's own (`answer_id`)."""
    return {
        "id": answer_id(question.id),
        "name": question.name,
        "request_id": question.request_id,
        "tenant": question.tenant,
        "dest": question.dest,
    }


def _answer(services: Services, question: tasks.ParkQuestion, answer: tasks.Job) -> int:
    """Queue `answer` (1), or leave it to the question's safety net (0). The asker's job slot,
    held since the question was parked, is free once its answer is queued."""
    assert services.pool is not None
    try:
        services.pool.submit(answer)
    except Busy:
        log.warning("%s %s: the queue is full; its safety net will answer", answer.kind, answer.id)
        return 0
    limits.release(services.settings, services.store, question)
    return 1
