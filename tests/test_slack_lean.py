"""Bolt's dispatch without its per-call keyword arguments (bot.slack.lean): the same answers,
less CPU per ack (bench/README.md, "The Slack app under load")."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.listener_matcher.builtins import BuiltinListenerMatcher

from bot.slack.lean import Direct
from tests.servers.slack_app import SlackAppHarness

_BUILDERS = (
    "slack_bolt.middleware.custom_middleware",
    "slack_bolt.listener.custom_listener",
    "slack_bolt.listener_matcher.builtins",
    "slack_bolt.listener_matcher.custom_listener_matcher",
)


@pytest.fixture
def kwargs_built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time Bolt builds a function's keyword arguments: that function's name."""
    built: list[str] = []
    for name in _BUILDERS:
        module = importlib.import_module(name)
        real = module.build_required_kwargs

        def counting(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
            func = kwargs.get("this_func")
            built.append(getattr(func, "__name__", "?"))
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, "build_required_kwargs", counting)
    return built


def test_a_command_and_a_mention_build_bolts_kwargs_once_each(
    bot: SlackAppHarness, kwargs_built: list[str]
) -> None:
    # Before: 8 for /summarize (3 middleware, 3 assistant matchers, the command's matcher,
    # the listener), 10 for a mention.
    status, body = bot.command("/summarize", "")
    assert status == 200 and "How to use" in body  # answered as before
    assert kwargs_built == ["handle_summarize_command"]
    kwargs_built.clear()
    assert bot.mention("hello", ts="1700000000.000200")[0] == 200
    assert kwargs_built == ["handle_app_mention"]


def test_every_listener_matches_on_the_body(bot: SlackAppHarness) -> None:
    """If Bolt changes how it builds its matchers, this says the shortcut no longer applies."""
    for listener in bot.app._listeners:
        assert not any(type(m) is BuiltinListenerMatcher for m in listener.matchers)


def test_direct_middleware_gets_what_it_asks_for_and_can_answer() -> None:
    seen: dict[str, Any] = {}

    def middleware(context: BoltContext, body: dict[str, Any], next: Any) -> Any:
        seen.update(context=context, body=body)
        return BoltResponse(status=200, body="dropped") if body.get("drop") else next()

    request = BoltRequest(body='{"drop": true}', headers={"content-type": ["application/json"]})
    called: list[bool] = []
    response = Direct(middleware).process(
        req=request, resp=BoltResponse(status=200), next=lambda: called.append(True)
    )
    assert response is not None and response.body == "dropped" and not called
    assert seen == {"context": request.context, "body": {"drop": True}}


def test_direct_refuses_a_middleware_asking_for_more() -> None:
    def middleware(client: Any, next: Any) -> None: ...

    with pytest.raises(TypeError, match="client"):
        Direct(middleware)
