"""A streamed reply's steps as Slack shows them: a plan (`plan_update`) of tasks
(`task_update`: fetching → cleaning → writing → checking quotes), the article as a URL
source element on the task that used it. Pure: chunk dicts for chat.*Stream's `chunks`."""

from __future__ import annotations

from typing import Any, Literal

from bot.progress import Step
from bot.slack.safe_links import link_target

Chunk = dict[str, Any]
Status = Literal["pending", "in_progress", "complete", "error"]
DISPLAY_MODE = "plan"  # every step in one plan block, rather than cards between the text

PLAN_TITLES = {"summary": "Summarizing the article", "answer": "Answering from the article"}
TITLES: dict[Step, str] = {
    "fetch": "Fetching the article",
    "clean": "Cleaning the page",
    "write": "Writing",  # completed with the kind: "Writing the summary"
    "check": "Checking the quotes against the article",
}


def title(step: Step, kind: str) -> str:
    return f"Writing the {kind}" if step == "write" else TITLES[step]


def plan(kind: str) -> Chunk:
    return {"type": "plan_update", "title": PLAN_TITLES.get(kind, PLAN_TITLES["summary"])}


def task(step: Step, kind: str, status: Status, source: str | None = None) -> Chunk:
    chunk: Chunk = {"type": "task_update", "id": step, "title": title(step, kind), "status": status}
    if source and (target := link_target(source)) is not None:
        # Labelled with the real domain: a URL source can't pass for another site.
        chunk["sources"] = [{"type": "url", "url": target.href, "text": target.shown}]
    return chunk
