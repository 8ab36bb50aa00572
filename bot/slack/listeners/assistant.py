"""The agent / assistant view: suggested prompts, and a status line while working."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Say, SetSuggestedPrompts
from slack_sdk import WebClient

from bot.slack.context import Services
from bot.slack.lean import AssistantEventsOnly
from bot.slack.listeners.events import dispatch
from bot.slack.routing import Incoming

GREETING = "Hi! Send me an article link or paste an article, and I'll summarize it."
# Clicking a prompt posts its message as the user's, as is: each must make sense on its own
# (no "Summarize this article: " waiting for a link). Kept equal to manifest.json's
# assistant_view.suggested_prompts (a test checks), and each has an answer in bot.slack.routing.
SUGGESTED_PROMPTS = [
    {"title": "What can you do?", "message": "What can you do?"},
    {"title": "Summarize my last article", "message": "Summarize the last article I shared"},
    {"title": "Using me in channels", "message": "How do I use you in channels?"},
]


def handle_thread_started(say: Say, set_suggested_prompts: SetSuggestedPrompts) -> None:
    say(GREETING)
    set_suggested_prompts(prompts=SUGGESTED_PROMPTS, title="Try one of these")


def handle_thread_context_changed() -> None:
    """Which channel the user is viewing doesn't change what we answer from; Bolt's
    default handler would call the heavily rate-limited conversations.replies."""


def handle_user_message(
    payload: dict[str, Any], body: dict[str, Any], client: WebClient, services: Services
) -> None:
    dispatch(services, client, Incoming.from_assistant(payload, body))


def register(app: App, services: Services) -> None:
    assistant = AssistantEventsOnly()
    assistant.thread_started(handle_thread_started)
    assistant.thread_context_changed(handle_thread_context_changed)
    assistant.user_message(handle_user_message)
    app.use(assistant)
