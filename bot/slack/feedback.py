"""👍/👎 under every summary and answer (thread recaps and link digests included): Slack's
`feedback_buttons` in a `context_actions` block, and the request log entry each reply leaves
for `articlebot stats`.

A button's value carries the reply's request id (its job's id and the reply's place in the
job: a job run again after a crash logs the same request, never a second one). A click is
stored against that id, one vote per person, the latest winning.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.llm.usage import Usage
from bot.slack.format import Block
from bot.store import RequestRecord, Vote

if TYPE_CHECKING:
    from bot.pipeline import Result
    from bot.slack.context import Destination
    from bot.store import RequestLog

log = logging.getLogger(__name__)

ACTION_ID = "feedback"
MAX_VALUE = 2_000  # Slack's limit on a feedback button's value
_VOTES: dict[str, Vote] = {"up": 1, "down": -1}
THANKS: dict[Vote, str] = {
    1: "Thanks for the feedback! :thumbsup:",
    -1: "Thanks for the feedback! :thumbsdown: Noted; it helps whoever runs me tune the answers.",
}


def block(request_id: str) -> Block:
    """The context_actions block with the 👍/👎 buttons for one reply."""
    return {
        "type": "context_actions",
        "elements": [
            {
                "type": "feedback_buttons",
                "action_id": ACTION_ID,
                "positive_button": {
                    "text": {"type": "plain_text", "text": "👍"},
                    "accessibility_label": "This reply was useful",
                    "value": f"up {request_id}"[:MAX_VALUE],
                },
                "negative_button": {
                    "text": {"type": "plain_text", "text": "👎"},
                    "accessibility_label": "This reply was not useful",
                    "value": f"down {request_id}"[:MAX_VALUE],
                },
            }
        ],
    }


def parse(value: str | None) -> tuple[Vote, str] | None:
    """(vote, request id) from a clicked button's value; None for anything else."""
    kind, _, request_id = (value or "").partition(" ")
    vote = _VOTES.get(kind)
    return (vote, request_id) if vote is not None and request_id else None


def record(
    log_store: RequestLog,
    request_id: str,
    dest: Destination,
    result: Result,
    *,
    style: str | None,
    start: float,
    kind: str | None = None,
) -> None:
    """Log one finished reply (`kind`: what it was, when not the result's own: "recap");
    never at the cost of the reply itself."""
    kind = kind or result.kind
    log_reply(
        log_store,
        request_id,
        dest,
        kind=kind,
        style=style if kind == "summary" else None,
        results=[result],
        start=start,
    )


def log_reply(
    log_store: RequestLog,
    request_id: str,
    dest: Destination,
    *,
    kind: str,
    style: str | None,
    results: Sequence[Result],
    start: float,
) -> None:
    """Log a reply made of one or more results (a digest's gists, each a summary): their
    tokens and cost add up; cached only when every one came from the cache."""
    usage = sum((r.usage for r in results), Usage())
    engines = {r.engine for r in results}
    models = [r.model for r in results if r.model]
    entry = RequestRecord(
        request_id=request_id,
        team=dest.team or "-",
        channel=dest.channel,
        user=dest.user,
        kind=kind,
        style=style,
        engine=engines.pop() if len(engines) == 1 else (None if not engines else "mixed"),
        model=models[0] if models else None,
        cached=bool(results) and all(r.cached for r in results),
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cost_usd=usage.cost_usd,
        duration_ms=round((time.monotonic() - start) * 1000),
        at=time.time(),
    )
    try:
        log_store.log_request(entry)
    except Exception:
        log.exception("couldn't log the request for stats")
