"""The HTTP front: Slack's requests in, acks out, on an async (ASGI) server.

A slow or idle client costs a coroutine, not a thread, so it can't hold up anyone's ack. A body
over the limit is refused (413) before it is read; the signature is checked on the raw bytes
before anything parses them; only a signed, well-formed request reaches Bolt, which runs on a
bounded thread pool so the event loop never waits for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's payloads are a few KB (a few hundred KB at most, for huge views): 1 MiB is generous.
MAX_BODY_BYTES = 1 << 20
SIGNATURE_MAX_AGE = 300  # seconds either way, as Slack says: older signed requests are replays
BODY_SECONDS = 10.0  # a client that takes longer than this to send its body is dropped (408)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_HEALTH = json.dumps({"ok": True, "app": "articlebot"}).encode()


class _Refused(Exception):
    """A request answered with an HTTP error before Bolt sees it."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class SlackFront:
    """The ASGI app: `/slack/events` for Slack, `/healthz` for load balancers, and with
    OAuth installs on, `/slack/install` and `/slack/oauth_redirect` for installers."""

    def __init__(
        self,
        app: App,
        *,
        signing_secret: str,
        threads: int,
        max_body: int = MAX_BODY_BYTES,
        body_seconds: float = BODY_SECONDS,
        on_shutdown: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self._on_shutdown = on_shutdown
        self._secret = signing_secret.encode()
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="ack")
        self._max_body = max_body
        self._body_seconds = body_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets here; the server closes the connection
        path, method = scope["path"], scope["method"]
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            await _respond(send, 200, _HEALTH, "application/json")
            return
        if method == "GET" and path in self._oauth_paths:
            await self._oauth(scope, send)  # an installer's browser: no signature to check
            return
        if path != EVENTS_PATH:
            await _respond(send, 404, b"not found")
            return
        if method != "POST":
            await _respond(send, 405, b"POST only", headers=[(b"allow", b"POST")])
            return
        try:
            request = await self._request(scope, receive)
        except _Refused as refused:
            # One line, no traceback: unsigned junk is expected on a public URL.
            log.info("refused %s %s: %s (%d)", method, path, refused.reason, refused.status)
            await _respond(send, refused.status, refused.reason.encode())
            return
        loop = asyncio.get_running_loop()
        response: BoltResponse = await loop.run_in_executor(self._pool, self.app.dispatch, request)
        await _respond_bolt(send, response)

    @property
    def _oauth_paths(self) -> tuple[str, ...]:
        flow = self.app.oauth_flow
        return () if flow is None else (flow.install_path, flow.redirect_uri_path)

    async def _oauth(self, scope: Scope, send: Send) -> None:
        """/slack/install (the "Add to Slack" page, a state cookie) and
        /slack/oauth_redirect (Slack sends the installer back with a code): Bolt's OAuth
        flow, on the thread pool (it calls the store and oauth.v2.access)."""
        flow = self.app.oauth_flow
        assert flow is not None
        request = BoltRequest(
            body="",
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=cast("dict[str, str | Sequence[str]]", _headers(scope)),
        )
        handle = (
            flow.handle_installation if scope["path"] == flow.install_path else flow.handle_callback
        )
        loop = asyncio.get_running_loop()
        response: BoltResponse = await loop.run_in_executor(self._pool, handle, request)
        await _respond_bolt(send, response)

    async def _request(self, scope: Scope, receive: Receive) -> BoltRequest:
        headers = _headers(scope)
        declared = (headers.get("content-length") or [""])[0]
        if declared:
            if not declared.isdigit():
                raise _Refused(400, "bad Content-Length")
            if int(declared) > self._max_body:
                raise _Refused(413, f"body over {self._max_body} bytes")
        try:
            async with asyncio.timeout(self._body_seconds):
                raw = await self._body(receive)
        except TimeoutError:
            raise _Refused(408, "body too slow") from None
        timestamp = (headers.get("x-slack-request-timestamp") or [""])[0]
        signature = (headers.get("x-slack-signature") or [""])[0]
        if not self._signed(raw, timestamp, signature):
            raise _Refused(401, "invalid or missing signature")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _Refused(400, "body is not UTF-8") from None
        try:
            request = BoltRequest(
                body=text,
                query=scope.get("query_string", b"").decode("latin-1"),
                headers=cast("dict[str, str | Sequence[str]]", headers),  # lists are sequences
            )
        except (ValueError, TypeError, AttributeError, RecursionError):
            # Bad JSON, `[1]`, `null`, `payload=x`, nesting deeper than the parser goes.
            raise _Refused(400, "body is not a Slack payload") from None
        if not isinstance(request.body, dict) or not request.body:
            raise _Refused(400, "body is not a Slack payload")
        return request

    def _signed(self, raw: bytes, timestamp: str, signature: str) -> bool:
        """Slack's v0 signature over the bytes as received. (slack_sdk's verifier decodes the
        body as UTF-8 first, which raises on junk before the signature is even compared.)"""
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > SIGNATURE_MAX_AGE:
            return False
        base = b"v0:" + timestamp.encode() + b":" + raw
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode(), signature.encode("latin-1"))

    async def _body(self, receive: Receive) -> bytes:
        """The whole body, refused as soon as it grows past the limit (chunked uploads have no
        Content-Length to check first)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Refused(400, "client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body:
                raise _Refused(413, f"body over {self._max_body} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                # The server takes no new requests now: acks in flight finish, then the
                # process's jobs (the server's own signal handling leaves no other hook).
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(None, self._pool.shutdown)
                if self._on_shutdown is not None:
                    await loop.run_in_executor(None, self._on_shutdown)
                await send({"type": "lifespan.shutdown.complete"})
                return


def _headers(scope: Scope) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in scope["headers"]:
        headers.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
    return headers


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    content_type: str = "text/plain; charset=utf-8",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    head = [(b"content-type", content_type.encode())] + (headers or [])
    await _send(send, status, head, body)


async def _respond_bolt(send: Send, response: BoltResponse) -> None:
    body = response.body.encode("utf-8") if isinstance(response.body, str) else response.body
    headers = [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, values in response.headers.items()
        if name.lower() != "content-length"
        for value in values
    ]
    await _send(send, response.status, headers, body)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    """One whole response: the headers (with the body's length), then the body."""
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
