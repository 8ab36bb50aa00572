"""Bolt's dispatch with less work per request, the same behaviour.

Bolt calls every function-style middleware and listener matcher with keyword arguments it
builds from scratch each time (`build_required_kwargs`: ~30 values, `say`, `respond` and the
payload views among them), whatever the function asks for: 8 to 15 times a request, a
quarter of the ack's CPU. On the two cores that ack 50 requests at once, CPU per ack is the
ack p99 (bench/README.md). So here:

- `Direct`: our global middleware, called with only `body`, `context` and `next`;
- `AssistantEventsOnly`: Bolt's `Assistant` middleware (three listener matchers, each with
  its own kwargs) for the events it can handle only, passing everything else straight on;
- `match_on_body`: the listeners' own matchers (`app.command(…)`, `app.event(…)`: each a
  function of the body) called with the body.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from slack_bolt import App, Assistant, BoltRequest, BoltResponse
from slack_bolt.listener_matcher import ListenerMatcher
from slack_bolt.listener_matcher.builtins import BuiltinListenerMatcher
from slack_bolt.middleware import Middleware

_DIRECT_ARGS = frozenset({"body", "context", "next"})
# Every event Bolt's Assistant has a listener for (its matchers in slack_bolt.request
# .payload_utils: assistant_thread_started, _context_changed, and "message" in a DM thread).
_ASSISTANT_EVENTS = frozenset(
    {"assistant_thread_started", "assistant_thread_context_changed", "message"}
)


class Direct(Middleware):
    """A global middleware function of `body`, `context` and/or `next`, called with just those."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.arg_names = tuple(inspect.signature(func).parameters)
        unknown = set(self.arg_names) - _DIRECT_ARGS
        if unknown:
            raise TypeError(f"{func.__qualname__} asks for {sorted(unknown)}: use app.middleware")

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        given = {"body": req.body, "context": req.context, "next": next}
        return self.func(**{name: given[name] for name in self.arg_names})

    @property
    def name(self) -> str:
        return f"Direct({self.func.__module__}.{self.func.__qualname__})"


class AssistantEventsOnly(Assistant):
    """Bolt's Assistant, tried only on the events its listeners are for."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        body = req.body
        event = body.get("event") if body.get("type") == "event_callback" else None
        if not isinstance(event, dict) or event.get("type") not in _ASSISTANT_EVENTS:
            next()  # a command, an action, a mention: none of the assistant's business
            return None
        return super().process(req=req, resp=resp, next=next)


class _BodyMatcher(ListenerMatcher):
    def __init__(self, func: Callable[[dict[str, Any]], bool]) -> None:
        self.func = func

    def matches(self, req: BoltRequest, resp: BoltResponse) -> bool:
        return self.func(req.body)


def match_on_body(app: App) -> int:
    """Each registered listener's built-in matchers (functions of `body` alone) called with
    the body; returns how many were replaced. Call once, after the listeners are registered."""
    replaced = 0
    for listener in app._listeners:  # no public way to reach them
        for i, matcher in enumerate(listener.matchers):
            if type(matcher) is BuiltinListenerMatcher and list(matcher.arg_names) == ["body"]:
                listener.matchers[i] = _BodyMatcher(matcher.func)  # type: ignore[index, arg-type]
                replaced += 1
    return replaced
