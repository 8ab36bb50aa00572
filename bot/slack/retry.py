"""Retrying Web API and response_url clients: rate-limited and failed calls are retried."""

from __future__ import annotations

from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.slack.outbound import SafeWebhookClient


def retry_handlers() -> list[RetryHandler]:
    """slack_sdk retries only connection errors by default; 429s and 5xx deserve it too."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def webhook(response_url: str) -> SafeWebhookClient:
    """A client for a slash command's or shortcut's response_url, with the same retries;
    what it sends is sanitized like every other message (bot.slack.outbound)."""
    return SafeWebhookClient(response_url, retry_handlers=retry_handlers())
