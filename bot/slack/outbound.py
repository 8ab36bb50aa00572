"""The one way out: every message the bot sends passes `safe_links` on its way to Slack.

`SafeWebClient` is the bot's Web API client (bot.slack.app.web_client, and Bolt's per-request
client through `use_safe_client`); `SafeWebhookClient` posts to response_urls. Whatever code
builds a payload, chat.* and views.* calls leave with their text, markdown and blocks made
safe (see bot.slack.safe_links), canvases with their markdown made safe too (Slack's canvas
mentions kept), and chat.postMessage never unfurls media.

Streams need memory: a link can arrive split across chat.appendStream calls, and what was
appended can't be taken back. So the client keeps a `StreamSanitizer` per open stream: text
that might be the start of a link is held back until it is complete (or made inert), and
goes out with the next append or when the stream stops. An append whose text is all held
back is answered here, without a call to Slack.
"""

from __future__ import annotations

import json as jsonlib
import re
import threading
from collections import OrderedDict
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient, WebhookResponse

from bot.slack.safe_links import StreamSanitizer, sanitize, sanitize_payload

_STREAMS = frozenset({"chat.startStream", "chat.appendStream", "chat.stopStream"})
MAX_OPEN_STREAMS = 512  # a stream never stopped (its job died) is forgotten past this many


_CANVASES = ("canvases.", "conversations.canvases.")
# Slack's canvas syntax for a mention of a person or a channel: no URL, nothing to make safe
# (the markdown sanitizer would take `![](…)` for an image and remove it).
_CANVAS_REFS = re.compile(r"!\[\]\((?:@[UWB][A-Z0-9]+|#[CGD][A-Z0-9]+)\)")


def _outbound(method: str) -> bool:
    return method.startswith(("chat.", "views.", *_CANVASES))


def sanitize_canvas(markdown: str) -> str:
    """Canvas markdown made safe like a message's, its mention syntax kept."""
    out, last = [], 0
    for ref in _CANVAS_REFS.finditer(markdown):
        out += [sanitize(markdown[last : ref.start()], "markdown"), ref.group()]
        last = ref.end()
    out.append(sanitize(markdown[last:], "markdown"))
    return "".join(out)


def _canvas_body(body: dict[str, Any] | None) -> dict[str, Any] | None:
    """canvases.create / .edit: the markdown of `document_content` (and of each change)."""
    if body is None:
        return None
    out = dict(body)
    if "document_content" in out:
        out["document_content"] = _document(out["document_content"])
    changes = out.get("changes")
    if isinstance(changes, str):
        out["changes"] = jsonlib.dumps(_canvas_changes(jsonlib.loads(changes)))
    elif isinstance(changes, list):
        out["changes"] = _canvas_changes(changes)
    return out


def _canvas_changes(changes: Any) -> Any:
    if not isinstance(changes, list):
        return changes
    return [
        {**change, "document_content": _document(change["document_content"])}
        if isinstance(change, dict) and "document_content" in change
        else change
        for change in changes
    ]


def _document(content: Any) -> Any:
    """A document_content object (a JSON string in form-encoded calls)."""
    if isinstance(content, str):
        try:
            decoded = jsonlib.loads(content)
        except ValueError:
            return content
        return jsonlib.dumps(_document(decoded))
    if isinstance(content, dict) and isinstance(content.get("markdown"), str):
        return {**content, "markdown": sanitize_canvas(content["markdown"])}
    return content


class SafeWebClient(WebClient):
    """A WebClient whose every message payload is sanitized (see module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._streams: OrderedDict[tuple[str, str], StreamSanitizer] = OrderedDict()
        self._streams_lock = threading.Lock()

    @classmethod
    def like(cls, client: WebClient) -> SafeWebClient:
        """A safe client with the same token, URL and settings as `client`."""
        safe = cls(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            headers=client.headers,
            logger=client.logger,
            retry_handlers=client.retry_handlers,
        )
        safe.default_params = dict(client.default_params)  # team_id, when Bolt set one
        return safe

    def api_call(
        self,
        api_method: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> SlackResponse:
        if not _outbound(api_method):
            return super().api_call(api_method, json=json, params=params, data=data, **kwargs)
        if api_method.startswith(_CANVASES):
            json, params, data = (_canvas_body(body) for body in (json, params, data))
            return super().api_call(api_method, json=json, params=params, data=data, **kwargs)
        if api_method in _STREAMS:
            return self._stream_call(api_method, json, params, data, kwargs)
        json, params, data = (_clean(body) for body in (json, params, data))
        if api_method == "chat.postMessage":
            body = json if json is not None else params if params is not None else data
            if body is not None:
                body.setdefault("unfurl_media", False)  # no remote image, even by unfurl
        if api_method in ("chat.update", "chat.delete"):
            self._forget(json or params or data or {})  # the stream's message is replaced
        return super().api_call(api_method, json=json, params=params, data=data, **kwargs)

    # --- streams ------------------------------------------------------------------------

    def _stream_call(
        self,
        method: str,
        json: dict[str, Any] | None,
        params: dict[str, Any] | None,
        data: dict[str, Any] | None,
        kwargs: dict[str, Any],
    ) -> SlackResponse:
        body = dict(json if json is not None else params if params is not None else data or {})
        channel = str(body.get("channel") or "")
        if method == "chat.startStream":
            stream = StreamSanitizer()
        else:
            stream = self._stream_for(channel, str(body.get("ts") or ""))
        shown = _take_stream_text(body, stream)
        if method == "chat.stopStream":
            shown += stream.close()
            self._forget(body)
        body = sanitize_payload(body)  # blocks (the footer) and anything else it carries
        if method == "chat.appendStream" and not shown and not body.get("chunks"):
            # All held back (an unfinished link): nothing to show yet, nothing to send.
            return self._answered(method, {"channel": channel, "ts": body.get("ts")})
        if shown and method == "chat.stopStream" and body.get("blocks"):
            # Slack takes no markdown_text beside blocks: the held-back text goes first.
            self._send("chat.appendStream", {"channel": channel, "ts": body["ts"]}, shown, kwargs)
            shown = ""
        response = self._send(method, body, shown, kwargs, form=json is None)
        if method == "chat.startStream" and response.get("ts"):
            self._remember(channel, str(response["ts"]), stream)
        return response

    def _send(
        self,
        method: str,
        body: dict[str, Any],
        text: str,
        kwargs: dict[str, Any],
        *,
        form: bool = False,
    ) -> SlackResponse:
        if text:
            body = {**body, "markdown_text": text}
        if form:
            return super().api_call(method, params=body, **kwargs)
        return super().api_call(method, json=body, **kwargs)

    def _stream_for(self, channel: str, ts: str) -> StreamSanitizer:
        with self._streams_lock:
            # A stream this process didn't start (a job run again after a restart): its
            # text so far is unknown, so each piece is judged on its own, made inert at
            # its edges by the sanitizer.
            return self._streams.get((channel, ts)) or StreamSanitizer()

    def _remember(self, channel: str, ts: str, stream: StreamSanitizer) -> None:
        with self._streams_lock:
            self._streams[(channel, ts)] = stream
            while len(self._streams) > MAX_OPEN_STREAMS:
                self._streams.popitem(last=False)

    def _forget(self, body: dict[str, Any]) -> None:
        with self._streams_lock:
            self._streams.pop((str(body.get("channel") or ""), str(body.get("ts") or "")), None)

    def _answered(self, method: str, data: dict[str, Any]) -> SlackResponse:
        return SlackResponse(
            client=self,
            http_verb="POST",
            api_url=f"{self.base_url}{method}",
            req_args={},
            data={"ok": True, **data},
            headers={},
            status_code=200,
        ).validate()


def _take_stream_text(body: dict[str, Any], stream: StreamSanitizer) -> str:
    """Feed a stream call's markdown (markdown_text, then markdown_text chunks) through the
    stream's sanitizer; remove it from `body` and return what may be shown now."""
    shown = stream.feed(str(body.pop("markdown_text", None) or ""))
    chunks = body.get("chunks")
    if isinstance(chunks, list):
        kept = []
        for chunk in chunks:
            if isinstance(chunk, dict) and chunk.get("type") == "markdown_text":
                shown += stream.feed(str(chunk.get("text") or ""))
            else:
                kept.append(chunk)
        if kept:
            body["chunks"] = kept
        else:
            body.pop("chunks")
    return shown


def _clean(body: dict[str, Any] | None) -> dict[str, Any] | None:
    return sanitize_payload(body) if body is not None else None


class SafeWebhookClient(WebhookClient):
    """A response_url client whose payloads are sanitized like SafeWebClient's."""

    def send_dict(
        self, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> WebhookResponse:
        return super().send_dict(sanitize_payload(body), headers=headers)


MAX_REQUEST_CLIENTS = 256  # workspaces (OAuth: a token each) whose client is kept for reuse

_request_clients: OrderedDict[tuple[Any, ...], SafeWebClient] = OrderedDict()
_request_clients_lock = threading.Lock()


def use_safe_client(context: BoltContext, next: Any) -> None:
    """Bolt middleware: listeners' `client` (and the `say` built on it) is a SafeWebClient.

    Bolt makes a plain WebClient for each request; listeners post only fixed notes with
    it, but every message leaves through the same door. The safe one is made once per
    token and workspace and shared (a client is safe to share between threads, and nothing
    on the ack path changes its token: Bolt's authorization sets it on its own per-request
    client, before this runs), not built again, at ~40 us of CPU, for every ack."""
    client = context.client
    if client is not None and not isinstance(client, SafeWebClient):
        context["client"] = _request_client(client)
    next()


def _request_client(client: WebClient) -> SafeWebClient:
    key = (
        client.token,
        client.base_url,
        client.timeout,
        client.proxy,
        tuple(sorted(client.default_params.items())),
        tuple(sorted(client.headers.items())),
    )
    with _request_clients_lock:
        safe = _request_clients.get(key)
        if safe is not None and safe.logger is client.logger and safe.ssl is client.ssl:
            _request_clients.move_to_end(key)
            return safe
        safe = SafeWebClient.like(client)
        _request_clients[key] = safe
        while len(_request_clients) > MAX_REQUEST_CLIENTS:
            _request_clients.popitem(last=False)
        return safe
