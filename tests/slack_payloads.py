"""Checks of what the bot sends against Slack's limits, and whole replies as payloads, for the
tests (the bot itself builds payloads one message at a time: bot.slack.format)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.slack.format import (
    MAX_BLOCKS,
    MAX_CONTEXT_ELEMENTS,
    MAX_MARKDOWN_TOTAL,
    MAX_SECTION_TEXT,
    MESSAGE_LIMIT,
    Block,
    Payload,
    error_text,
    message_payload,
    neutralize_mentions,
    part_blocks,
    split_message,
)


def reply_payloads(
    markdown: str, footer: Sequence[Block] | None = None, *, limit: int = MESSAGE_LIMIT
) -> list[Payload]:
    """A whole reply as one or more message payloads: each part but the last says it
    continues, the footer goes on the last one."""
    parts = split_message(markdown, limit)
    return [
        message_payload(part, part_blocks(number, len(parts), footer or ()))
        for number, part in enumerate(parts, start=1)
    ]


def markdown_text_payloads(markdown: str, *, limit: int = MESSAGE_LIMIT) -> list[Payload]:
    """A reply as `markdown_text` payloads (no blocks, no text: Slack refuses the mix)."""
    return [
        {"markdown_text": neutralize_mentions(part), "unfurl_links": False, "unfurl_media": False}
        for part in split_message(markdown, limit)
    ]


def error_payload(exc: BaseException) -> Payload:
    """An error message ready for chat.postEphemeral (add channel, user) or respond()."""
    text = error_text(exc)
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


def payload_problems(payload: Payload, *, text_limit: int = MESSAGE_LIMIT) -> list[str]:
    """Which of Slack's limits a payload breaks (empty when it is fine to send)."""
    problems: list[str] = []
    text = payload.get("text") or ""
    blocks = payload.get("blocks") or []
    if "markdown_text" in payload:
        if "text" in payload or "blocks" in payload:
            problems.append("markdown_text cannot be combined with text or blocks")
        if len(payload["markdown_text"]) > MAX_MARKDOWN_TOTAL:
            problems.append(f"markdown_text longer than {MAX_MARKDOWN_TOTAL}")
    elif not text.strip():
        problems.append("no text: notifications need a plain fallback")
    if len(text) > text_limit:
        problems.append(f"text longer than {text_limit}")
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"more than {MAX_BLOCKS} blocks")
    markdown_total = 0
    for block in blocks:
        kind = block.get("type")
        if kind == "markdown":
            markdown_total += len(block.get("text", ""))
        elif kind == "section" and len(block.get("text", {}).get("text", "")) > MAX_SECTION_TEXT:
            problems.append(f"section text longer than {MAX_SECTION_TEXT}")
        elif kind == "context" and len(block.get("elements", [])) > MAX_CONTEXT_ELEMENTS:
            problems.append(f"more than {MAX_CONTEXT_ELEMENTS} context elements")
    if markdown_total > MAX_MARKDOWN_TOTAL:
        problems.append(f"markdown blocks longer than {MAX_MARKDOWN_TOTAL} in total")
    if markdown_total > text_limit:
        problems.append(f"markdown longer than {text_limit}")
    return problems
