"""A fake OpenAI-compatible chat server on 127.0.0.1, speaking the real wire protocol.

    with FakeOpenAI() as server:
        server.script(Failure(429), Reply("Hello"))   # first request 429, then a reply
        model = build_chat_model(server.settings())    # the real openai client, via base_url
        ...
        server.requests[-1]["messages"]                # every request body it received

Serves POST /v1/chat/completions (OpenAI and compatible servers) and
POST /openai/deployments/<name>/chat/completions (Azure), as plain JSON or as SSE
(`data: {...}` chunks, a usage chunk when `stream_options.include_usage`, `data: [DONE]`).
Responses come from the scripted queue first, then from `server.default`.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bot.settings import Settings

Body = dict[str, Any]
TextSource = str | Callable[[Body], str]
_AZURE_PATH = re.compile(r"^/openai/deployments/([^/]+)/chat/completions$")


@dataclass
class Reply:
    """A successful completion: text (or a function of the request body), or structured data.

    `structured` answers a tool call (when the request offers tools) or a json_schema
    response_format (as JSON content); without either it is sent as JSON text.
    """

    text: TextSource = "OK"
    structured: dict[str, Any] | None = None
    usage: tuple[int, int] | None = None  # (prompt, completion); None: counted from words
    send_usage: bool = True  # False: like servers that never report usage
    first_token_delay: float = 0.0
    chunk_chars: int = 6
    finish_reason: str = "stop"  # "length": cut at max_tokens, as a real server says it


@dataclass
class Failure:
    """An HTTP error in OpenAI's error format. Tiny `retry-after-ms` by default keeps tests fast."""

    status: int = 500
    message: str = "The server had an error while processing your request."
    headers: dict[str, str] = field(default_factory=lambda: {"retry-after-ms": "10"})
    code: str | None = None  # OpenAI's error code ("context_length_exceeded"); else by status


@dataclass
class Raw:
    """Any bytes at all, e.g. a truncated JSON body."""

    body: bytes
    status: int = 200
    content_type: str = "application/json"


Response = Reply | Failure | Raw


def _words(text: str) -> int:
    return len(text.split())


def _prompt_words(body: Body) -> int:
    total = 0
    for message in body.get("messages", []):
        content = message.get("content") or ""
        if isinstance(content, list):  # content parts
            content = " ".join(str(part.get("text", "")) for part in content)
        total += _words(str(content)) + 4
    return total


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, owner: FakeOpenAI) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client giving up on a slow reply (timeout test) is expected.
        if not isinstance(sys.exception(), ConnectionError):
            super().handle_error(request, client_address)


class FakeOpenAI:
    """Start/stop the fake server (a context manager); script it per test."""

    def __init__(self, model: str = "fake-model") -> None:
        self.model = model
        self.default: Response = Reply()
        self.requests: list[Body] = []
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self._queue: list[Response] = []
        self._lock = threading.Lock()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # --- lifecycle ---
    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    # --- scripting ---
    def script(self, *responses: Response) -> None:
        """Answer the next requests with these, in order; then fall back to `default`."""
        with self._lock:
            self._queue.extend(responses)

    def reply_with(self, text: TextSource) -> None:
        self.default = Reply(text)

    def next_response(self) -> Response:
        with self._lock:
            return self._queue.pop(0) if self._queue else self.default

    def record(self, path: str, headers: dict[str, str], body: Body) -> None:
        with self._lock:
            self.paths.append(path)
            self.headers.append(headers)
            self.requests.append(body)

    # --- reading what was received ---
    def messages(self, index: int = -1) -> list[Body]:
        return list(self.requests[index]["messages"])

    def system_prompt(self, index: int = -1) -> str:
        return "\n".join(
            str(m["content"]) for m in self.messages(index) if m["role"] in ("system", "developer")
        )

    def user_prompt(self, index: int = -1) -> str:
        return "\n".join(str(m["content"]) for m in self.messages(index) if m["role"] == "user")

    def settings(self, **overrides: Any) -> Settings:
        """Settings pointing the real client at this server, with quick timeouts."""
        values: dict[str, Any] = {
            "openai_api_key": "sk-test-secret-123",
            "openai_base_url": self.base_url,
            "openai_model": self.model,
            "llm_timeout": 5.0,
            "llm_max_retries": 2,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if path != "/v1/chat/completions" and not _AZURE_PATH.match(path):
            self._send_json(404, {"error": {"message": f"Unknown path {path}", "type": "nf"}})
            return
        try:
            body: Body = json.loads(raw)
        except ValueError:
            self._send_json(400, {"error": {"message": "Body is not JSON", "type": "invalid"}})
            return
        owner.record(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        response = owner.next_response()
        if isinstance(response, Failure):
            self._send_failure(response)
        elif isinstance(response, Raw):
            self._send_bytes(response.status, response.body, response.content_type)
        elif body.get("stream"):
            self._stream(response, body)
        else:
            self._complete(response, body)

    # --- plain responses ---
    def _send_bytes(
        self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_json(self, status: int, payload: Body, headers: dict[str, str] | None = None) -> None:
        self._send_bytes(status, json.dumps(payload).encode(), "application/json", headers)

    def _send_failure(self, failure: Failure) -> None:
        kind = {429: "rate_limit_exceeded", 401: "invalid_api_key"}.get(failure.status, "server")
        code = failure.code or kind
        payload = {"error": {"message": failure.message, "type": kind, "code": code}}
        self._send_json(failure.status, payload, failure.headers)

    # --- the completion itself ---
    def _content_and_tools(self, reply: Reply, body: Body) -> tuple[str | None, list[Body] | None]:
        if reply.structured is None:
            text = reply.text(body) if callable(reply.text) else reply.text
            return text, None
        arguments = json.dumps(reply.structured)
        tools = body.get("tools") or []
        if tools:
            choice = body.get("tool_choice")
            name = tools[0]["function"]["name"]
            if isinstance(choice, dict):
                name = choice.get("function", {}).get("name", name)
            call = {"id": "call_1", "type": "function", "function": {"name": name}}
            call["function"]["arguments"] = arguments
            return None, [call]
        return arguments, None

    def _usage(self, reply: Reply, body: Body, content: str | None, tools: Any) -> Body:
        if reply.usage is not None:
            prompt, completion = reply.usage
        else:
            prompt = _prompt_words(body)
            completion = _words(content or json.dumps(tools))
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }

    def _base(self, obj: str) -> Body:
        return {
            "id": "chatcmpl-fake",
            "object": obj,
            "created": int(time.time()),
            "model": self.server.owner.model,
            "system_fingerprint": "fp_fake",
        }

    def _complete(self, reply: Reply, body: Body) -> None:
        content, tools = self._content_and_tools(reply, body)
        time.sleep(reply.first_token_delay)
        message: Body = {"role": "assistant", "content": content, "refusal": None}
        if tools:
            message["tool_calls"] = tools
        payload = self._base("chat.completion")
        payload["choices"] = [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if tools else reply.finish_reason,
                "logprobs": None,
            }
        ]
        if reply.send_usage:
            payload["usage"] = self._usage(reply, body, content, tools)
        self._send_json(200, payload)

    def _chunk(self, delta: Body, finish: str | None = None) -> bytes:
        payload = self._base("chat.completion.chunk")
        payload["choices"] = [{"index": 0, "delta": delta, "finish_reason": finish}]
        return b"data: " + json.dumps(payload).encode() + b"\n\n"

    def _stream(self, reply: Reply, body: Body) -> None:
        content, tools = self._content_and_tools(reply, body)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")  # the stream ends when the socket closes
        self.end_headers()
        self.close_connection = True
        self.wfile.write(self._chunk({"role": "assistant", "content": ""}))
        self.wfile.flush()
        time.sleep(reply.first_token_delay)
        step = max(1, reply.chunk_chars)
        if tools:  # the call's arguments arrive in pieces, as OpenAI streams them
            call = tools[0]
            arguments = call["function"]["arguments"]
            head = {**call, "function": {"name": call["function"]["name"], "arguments": ""}}
            self.wfile.write(self._chunk({"tool_calls": [{"index": 0, **head}]}))
            for start in range(0, len(arguments), step):
                piece = {"index": 0, "function": {"arguments": arguments[start : start + step]}}
                self.wfile.write(self._chunk({"tool_calls": [piece]}))
                self.wfile.flush()
        text = content or ""
        for start in range(0, len(text), step):
            self.wfile.write(self._chunk({"content": text[start : start + step]}))
            self.wfile.flush()
        self.wfile.write(self._chunk({}, "tool_calls" if tools else reply.finish_reason))
        if reply.send_usage and (body.get("stream_options") or {}).get("include_usage"):
            payload = self._base("chat.completion.chunk")
            payload["choices"] = []
            payload["usage"] = self._usage(reply, body, content, tools)
            self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


@pytest.fixture(name="fake_openai")
def fake_openai_server() -> Iterator[FakeOpenAI]:
    """A running fake OpenAI server as the `fake_openai` fixture (import `fake_openai_server`
    into a test module, or register this module as a plugin in conftest.py)."""
    with FakeOpenAI() as server:
        yield server
