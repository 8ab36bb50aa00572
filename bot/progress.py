"""Where a request is up to — fetching, cleaning, writing, checking quotes — reported from
wherever that happens (ingest, the engines) to whoever shows it (a Slack reply), without a
callback threaded through every signature: the job sets a reporter for its thread.

    with progress.reporting(reply.step):
        article = pipeline.article_from_url(url)   # reports "fetch", then "clean"

Nothing is reported where no reporter is set (the CLI, tests), and a reporter that fails
never fails the work it reports on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

Step = Literal["fetch", "clean", "write", "check"]
Reporter = Callable[[Step, str | None], None]  # (step, the article's URL when known)

log = logging.getLogger(__name__)

_current: ContextVar[Reporter | None] = ContextVar("articlebot_progress", default=None)


def step(name: Step, source: str | None = None) -> None:
    """The request has moved on to `name` (the step before it is done)."""
    reporter = _current.get()
    if reporter is None:
        return
    try:
        reporter(name, source)
    except Exception:
        log.exception("couldn't report progress")


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    token = _current.set(reporter)
    try:
        yield
    finally:
        _current.reset(token)
