"""The real articlebot Slack app, wired to fake Slack and (optionally) a fake model, for tests.

    with SlackAppHarness(fake_slack, articles) as bot:
        status = bot.command("/summarize", articles.url("/article"))   # signed, over real HTTP
        bot.slack.wait_for("chat.update")

Requests are signed with the app's signing secret and sent over real HTTP to the app's HTTP
front, served by uvicorn as in production (HTTP mode), or dispatched like Socket Mode requests
(`dispatch`, no signature).
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from itertools import count
from typing import Any
from urllib.parse import urlencode

import uvicorn
from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.settings import Settings
from bot.slack.app import create_app
from bot.slack.runtime import build_services
from bot.slack.server import HeaderDeadline, slack_front
from bot.slack.worker import ThreadWorkerPool
from tests.servers.fake_slack import FakeSlack

SECRET = "test-signing-secret"
TEAM = "T0TEST"
USER = "U0ALICE"
CHANNEL = "C0NEWS"


class FrontServer:
    """An ASGI app on a real uvicorn server (with the production protocol) in a thread."""

    def __init__(self, asgi_app: Any) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        config = uvicorn.Config(
            asgi_app, http=HeaderDeadline, lifespan="on", log_config=None, access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "uvicorn didn't start"
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()


def harness_settings(slack: FakeSlack, tmp_path: Any, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": slack.token,
        "slack_signing_secret": SECRET,
        "slack_api_url": slack.api_url,
        "store_path": str(tmp_path / "store.sqlite3"),
        "fetch_allowlist": ["127.0.0.1"],
        "engine": "auto",
        "slack_worker_threads": 8,
        "slack_job_process": False,  # jobs on threads: same code, no process start per test
        # The audit log on, as by default, but in a file: a job still running when its test
        # ends doesn't write into the next test's captured output.
        "audit_log_path": str(tmp_path / "audit.jsonl"),
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def model_harness(slack: FakeSlack, model: Any, tmp_path: Any, **overrides: Any) -> SlackAppHarness:
    """The app with the fake OpenAI server (`model`) as its model; no retries unless asked."""
    values: dict[str, Any] = {
        "openai_api_key": "sk-test",
        "openai_base_url": model.base_url,
        "openai_model": model.model,
        "llm_max_retries": 0,
        **overrides,
    }
    return SlackAppHarness(slack, harness_settings(slack, tmp_path, **values))


class SlackAppHarness:
    def __init__(self, slack: FakeSlack, settings: Settings) -> None:
        self.slack = slack
        self.settings = settings
        pool = (
            None if settings.slack_job_process else ThreadWorkerPool(settings.slack_worker_threads)
        )
        self.services = build_services(settings, pool=pool) if pool else None
        # As `articlebot serve --http` builds it: only SlackFront checks signatures.
        self.app: App = create_app(settings, services=self.services, signatures_checked=True)
        self._server = FrontServer(slack_front(self.app, settings))
        self._ids = count(1)

    @property
    def url(self) -> str:
        return self._server.url

    def __enter__(self) -> SlackAppHarness:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()
        if self.services is not None and isinstance(self.services.pool, ThreadWorkerPool):
            # Jobs queued for later (a parked question's safety net) would run in a later
            # test, logging into its captured output.
            self.services.pool._later.stop()

    def idle(self, timeout: float = 20.0) -> None:
        """Wait until every job the app queued has finished: after it, a reply that hasn't
        been posted never will be (the proof that something was *not* answered)."""
        assert self.services is not None, "only with jobs on threads"
        pool = self.services.pool
        assert isinstance(pool, ThreadWorkerPool)
        assert pool.wait_idle(timeout), f"jobs still running after {timeout}s"

    def wait_for_update(
        self, *, with_blocks: bool = True, count: int = 1, timeout: float = 20.0
    ) -> list[Any]:
        """The first `count` chat.update calls that carry blocks (final replies, not previews)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [
                call
                for call in self.slack.calls("chat.update")
                if bool(call.params.get("blocks")) == with_blocks
            ]
            if len(found) >= count or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert len(found) >= count, f"expected {count} final chat.update(s), got {len(found)}"
        return found[:count]

    # --- requests -------------------------------------------------------------------------

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str = SECRET,
        headers: dict[str, str] | None = None,
        path: str = "/slack/events",
    ) -> tuple[int, str]:
        """A signed POST over real HTTP; returns (status, body)."""
        ts = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
        request = urllib.request.Request(
            self.url + path,
            data=body.encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": signature,
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode("utf-8")

    def command(
        self, name: str, text: str, *, user: str = USER, channel: str = CHANNEL, **kwargs: Any
    ) -> tuple[int, str]:
        form = {
            "token": "legacy",
            "team_id": TEAM,
            "channel_id": channel,
            "channel_name": "news",
            "user_id": user,
            "user_name": "alice",
            "command": name,
            "text": text,
            "response_url": f"{self.slack.url}/response/{next(self._ids)}",
            "trigger_id": f"trigger-{next(self._ids)}",
            "api_app_id": "A0APP",
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **kwargs)

    def message(
        self,
        text: str,
        *,
        ts: str,
        thread_ts: str | None = None,
        user: str = USER,
        channel: str = CHANNEL,
        channel_type: str = "channel",
        **extra: Any,
    ) -> tuple[int, str]:
        """A `message` event as a person posts it (in a thread when thread_ts is given)."""
        event = {
            "type": "message",
            "channel_type": channel_type,
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            **({"thread_ts": thread_ts} if thread_ts else {}),
            **extra,
        }
        return self.event(event)

    def mention(
        self, text: str, *, ts: str, thread_ts: str | None = None, channel: str = CHANNEL
    ) -> tuple[int, str]:
        """An app_mention event: "@articlebot <text>"."""
        event = {
            "type": "app_mention",
            "user": USER,
            "text": f"<@{self.slack.bot_user_id}> {text}",
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
            **({"thread_ts": thread_ts} if thread_ts else {}),
        }
        return self.event(event)

    def event_body(self, event: dict[str, Any], *, event_id: str | None = None) -> str:
        return json.dumps(
            {
                "token": "legacy",
                "team_id": TEAM,
                "api_app_id": "A0APP",
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._ids):08d}",
                "event_time": int(time.time()),
                "event": event,
                "authorizations": [
                    {"team_id": TEAM, "user_id": self.slack.bot_user_id, "is_bot": True}
                ],
            }
        )

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, **kwargs: Any
    ) -> tuple[int, str]:
        return self.post(self.event_body(event, event_id=event_id), "application/json", **kwargs)

    def interactive(self, payload: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def dispatch(self, body: str, content_type: str = "application/json") -> Any:
        """Like a Socket Mode delivery: straight into the app, no HTTP, no signature."""
        return self.app.dispatch(
            BoltRequest(body=body, headers={"content-type": [content_type]}, mode="socket_mode")
        )


def mention_body(slack: FakeSlack, event_id: str, channel: str, text: str) -> str:
    """An Events API app_mention, as Slack sends it (and repeats it, unchanged, on retry)."""
    return json.dumps(
        {
            "team_id": TEAM,
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": {
                "type": "app_mention",
                "user": USER,
                "text": f"<@{slack.bot_user_id}> {text}",
                "ts": "1700000400.000100",
                "channel": channel,
                "event_ts": "1700000400.000100",
            },
            "authorizations": [{"team_id": TEAM, "user_id": slack.bot_user_id, "is_bot": True}],
        }
    )


def text_of(call: Any) -> str:
    """Everything visible in a posted/updated/streamed message: text, markdown, sections,
    context."""
    params = call.params
    parts = [params.get("text") or "", params.get("markdown_text") or ""]
    for block in params.get("blocks") or []:
        if block.get("type") == "markdown":
            parts.append(block.get("text", ""))
        elif block.get("type") == "section":
            parts.append((block.get("text") or {}).get("text", ""))
        elif block.get("type") == "context":
            parts.extend(element.get("text", "") for element in block.get("elements", []))
    return "\n".join(parts)
