"""The agent / assistant view: suggested prompts, and a status line while working."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Assistant, Say, SetSuggestedPrompts
from slack_sdk import WebClient

from bot.ingest.links import parse_input
from bot.slack.context import Destination, Services
from bot.slack.listeners.events import DM_HELP, _handle

GREETING = "Hi! Send me an article link or paste an article, and I'll summarize it."
# Clicking a prompt posts its message as the user's, as is: each must make sense on its own
# (no "Summarize this article: " waiting for a link). Kept equal to manifest.json's
# assistant_view.suggested_prompts (a test checks), and each has an answer in events._job_for.
SUGGESTED_PROMPTS = [
    {"title": "What can you do?", "message": "What can you do?"},
    {"title": "Summarize my last article", "message": "Summarize the last article I shared"},
    {"title": "Using me in channels", "message": "How do I use you in channels?"},
]


def register(app: App, services: Services) -> None:
    assistant = Assistant()

    @assistant.thread_started
    def started(say: Say, set_suggested_prompts: SetSuggestedPrompts) -> None:
        say(GREETING)
        set_suggested_prompts(prompts=SUGGESTED_PROMPTS, title="Try one of these")

    @assistant.thread_context_changed
    def context_changed() -> None:
        """Which channel the user is viewing doesn't change what we answer from; Bolt's
        default handler would call the heavily rate-limited conversations.replies."""

    @assistant.user_message
    def user_message(payload: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        dest = Destination(
            channel=payload["channel"],
            user=payload.get("user"),
            team=payload.get("team") or body.get("team_id"),
            thread_ts=payload.get("thread_ts") or payload.get("ts"),
            assistant=True,
            dm=True,
        )
        parsed = parse_input(payload.get("text") or "")
        _handle(services, client, dest, parsed, payload.get("files") or [], help_text=DM_HELP)

    app.use(assistant)
