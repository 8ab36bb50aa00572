"""A reply only the asker sees: through the slash command's response_url (at most five
posts), else chat.postEphemeral."""

from __future__ import annotations

from bot.progress import Step
from bot.slack import format as fmt
from bot.slack.retry import webhook
from bot.slack.sinks.base import Sink
from bot.slack.sinks.target import Target

RESPONSE_URL_POSTS = 5  # Slack accepts at most this many posts to one response_url


class PrivateSink:
    def __init__(self, target: Target, note: str | None = None) -> None:
        """`note`: why a reply meant for the channel went private, shown above it."""
        self.target = target
        self.note = note

    def start(self, status: str) -> None:
        pass  # an ephemeral message can't be edited later: nothing until the text is final

    def progress(self, note: str) -> None:
        pass

    def step(self, name: Step, source: str | None) -> None:
        pass

    def write(self, text: str, delta: str) -> Sink:
        return self

    def parts(self, text: str) -> list[str]:
        return fmt.split_message(text, self.target.limit)

    def finish(self, streamed: str, parts: list[str], footer: list[fmt.Block]) -> str | None:
        target, dest = self.target, self.target.dest
        for i, part in enumerate(parts, start=1):
            if target.recorded(f"private{i}"):
                continue  # sent by an earlier run of the job
            payload = fmt.message_payload(part, fmt.part_blocks(i, len(parts), footer))
            if i == 1 and self.note:
                payload["blocks"] = [fmt.context_block(self.note), *payload["blocks"]]
            if dest.response_url and i <= RESPONSE_URL_POSTS:
                webhook(dest.response_url).send(
                    text=payload["text"], blocks=payload["blocks"], response_type="ephemeral"
                )
            elif dest.user:
                target.post_privately(text=payload["text"], blocks=payload["blocks"])
            target.record(f"private{i}", "1")
        return None

    def fail(self, message: str, streamed: str) -> str | None:
        return self.target.tell(message)
