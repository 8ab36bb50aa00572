"""Ways of delivering a reply into Slack, each against the Web API client alone (the way
httpx separates its transports from the client): streamed into a thread, a placeholder
edited in place, or privately to the asker. `bot.slack.replies.Reply` picks one and
switches when Slack says no."""

from bot.slack.sinks.base import Sink
from bot.slack.sinks.placeholder import PlaceholderSink
from bot.slack.sinks.private import PrivateSink
from bot.slack.sinks.stream import StreamSink
from bot.slack.sinks.target import NOT_A_MEMBER, NotAMember, Target

__all__ = [
    "NOT_A_MEMBER",
    "NotAMember",
    "PlaceholderSink",
    "PrivateSink",
    "Sink",
    "StreamSink",
    "Target",
]
