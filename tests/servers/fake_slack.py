"""A fake Slack Web API on 127.0.0.1, for tests: the real slack_sdk WebClient talks to it.

    with FakeSlack() as slack:
        client = WebClient(token=slack.token, base_url=slack.api_url)
        client.chat_postMessage(channel="C1", text="hi")
        (call,) = slack.wait_for("chat.postMessage")

Like bolt-python's own test servers, it answers POST (and GET) /api/<method> with JSON
{"ok": ...}; it accepts form-encoded or JSON bodies and checks the Bearer token. It keeps
the messages it was sent (conversations.replies returns them), follows chat streams
(chat.startStream/appendStream/stopStream; `streamed_text(ts)`) with their task and plan
chunks as Slack documents them (`stream_chunks(ts)`, `stream_tasks(ts)`; a workspace without
them is `refuse_chunks()`), pages threads and gives permalinks (conversations.replies with a
cursor, chat.getPermalink), serves shared files at
their url_private (token required, as Slack does), takes posts to response_urls
(`response_url()`), opens, updates and publishes views (`home(user)`; a modal's hash is
checked on update), describes the users `add_user` made (users.info) and the conversations
`add_channel` made (conversations.info; conversations.members, paged; a private one the bot
isn't in is channel_not_found; `drop_scope` makes an install without channels:read,
groups:read, mpim:read or im:read answer missing_scope), and records every call
thread-safely.

Many workspaces, as OAuth installs make them: Slack's authorize page (`/oauth/v2/authorize`,
approving for the workspace `approve_next` names) sends the installer back to the app's
redirect URL with a code, which `oauth.v2.access` (client ID and secret checked, as Slack
does) trades for that workspace's bot token; with `rotating=True` the token expires and a
refresh token (`grant_type=refresh_token`) gets the next one. Every token answers for its own
workspace (`auth.test`, `Call.team`).

It enforces Slack's limits the way Slack answers them, so tests catch limit bugs:
text over 40,000 chars (4,000 on chat.update) -> msg_too_long; over 50 blocks, section text
over 3,000, markdown blocks over 12,000 in total -> invalid_blocks; markdown_text together
with text or blocks -> invalid_arguments; appending to a stopped stream ->
message_not_in_streaming_state. Any method can be scripted to fail next (`fail_next`),
including a 429 with Retry-After (`rate_limit_next`).
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

# Slack's documented limits (independent of bot.slack.format on purpose: this is "Slack").
MAX_TEXT = 40_000
MAX_UPDATE_TEXT = 4_000
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3_000
MAX_MARKDOWN_TOTAL = 12_000
MAX_RESPONSE_URL_POSTS = 5

# Fields that form-encoded calls carry as JSON strings.
_JSON_FIELDS = frozenset(
    {"blocks", "attachments", "chunks", "metadata", "prompts", "view", "unfurls"}
)
_POSTING = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update"})
_LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in</body></html>"


@dataclass(frozen=True, slots=True)
class Call:
    """One request the server answered."""

    method: str  # "chat.postMessage", ..., "file.download" or "response_url"
    params: dict[str, Any]
    headers: dict[str, str]
    status: int
    response: dict[str, Any]

    team: str | None = None  # the workspace of the token it carried

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))


@dataclass(slots=True)
class _Scripted:
    error: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


@dataclass(slots=True)
class _Stream:
    channel: str
    thread_ts: str
    text: str = ""
    active: bool = True
    display_mode: str = "timeline"  # Slack's default task_display_mode
    chunks: list[dict[str, Any]] = field(default_factory=list)  # task/plan/blocks, in order


# Streaming chunks (https://docs.slack.dev/reference/methods/chat.appendStream): their types,
# and what a task_update may say.
_CHUNK_TYPES = frozenset({"markdown_text", "task_update", "plan_update", "blocks"})
_TASK_STATUSES = frozenset({"pending", "in_progress", "complete", "error"})
_DISPLAY_MODES = frozenset({"timeline", "plan"})


class FakeSlack:
    """The server. Use as a context manager (or the `fake_slack` fixture)."""

    def __init__(
        self,
        token: str = "xoxb-test-token",
        *,
        team_id: str = "T0TEST",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
    ) -> None:
        self.token = token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self._lock = threading.Condition()
        self._calls: list[Call] = []
        self._scripted: dict[str, list[_Scripted]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}  # channel -> messages, in order
        self._streams: dict[str, _Stream] = {}  # ts -> stream
        self._files: dict[str, tuple[dict[str, Any], bytes]] = {}
        self._redirects: dict[str, str] = {}  # file id -> where its download redirects
        self._response_uses: dict[str, int] = {}  # response_url path -> posts so far
        self._canvases: dict[str, dict[str, Any]] = {}
        self._refuse_chunks: str | None = None  # the error for task/plan chunks, when refused
        self._users: dict[str, dict[str, Any]] = {}  # users.info answers, by user id
        self._channels: dict[str, _Channel] = {}  # conversations.info/.members, by id
        self._dropped_scopes: set[str] = set()  # scopes the install didn't grant
        self._views: dict[str, dict[str, Any]] = {}  # open modals and home tabs, by view id
        # OAuth: the app's credentials, every token's workspace and expiry, codes, refreshes.
        self.client_id = "1111.2222"
        self.client_secret = "fake-client-secret"
        self._tokens: dict[str, _Grant] = {token: _Grant(team_id)}
        self._codes: dict[str, tuple[_Install, str]] = {}  # code -> (install, redirect_uri)
        self._refresh: dict[str, _Install] = {}  # refresh token -> its install
        self._next_install: _Install | None = None
        self._caller: _Grant | None = None  # the token of the call being answered
        self.redirect_url: str | None = None  # the app's Redirect URL, as its settings say
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def api_url(self) -> str:
        """What WebClient(base_url=...) wants."""
        return f"{self.url}/api/"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what tests read ----------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if method is None or call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait for `count` calls of `method` and return them; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [call for call in self._calls if call.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = sorted({call.method for call in self._calls})
                    raise AssertionError(
                        f"expected {count} {method} call(s) within {timeout}s, got "
                        f"{len(found)}; calls seen: {seen}"
                    )
                self._lock.wait(left)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages in a channel (posted, updated, streamed), oldest first."""
        with self._lock:
            return [dict(message) for message in self._messages.get(channel, [])]

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._find(channel, ts)
            return dict(found) if found else None

    def streamed_text(self, ts: str) -> str:
        """All markdown appended to the stream whose message has this ts."""
        with self._lock:
            return self._streams[ts].text

    def stream_chunks(self, ts: str) -> list[dict[str, Any]]:
        """Every task_update / plan_update / blocks chunk the stream was sent, in order."""
        with self._lock:
            return [dict(chunk) for chunk in self._streams[ts].chunks]

    def stream_tasks(self, ts: str) -> dict[str, dict[str, Any]]:
        """Each task of the stream as it stands now (its last task_update), by id, in the
        order the tasks first appeared: what Slack's plan block shows."""
        tasks: dict[str, dict[str, Any]] = {}
        for chunk in self.stream_chunks(ts):
            if chunk["type"] == "task_update":
                tasks[chunk["id"]] = {**tasks.get(chunk["id"], {}), **chunk}
        return tasks

    def stream_display_mode(self, ts: str) -> str:
        with self._lock:
            return self._streams[ts].display_mode

    # --- scripting ----------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error: str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` calls of `method` answer {"ok": false, "error": error}."""
        with self._lock:
            self._scripted.setdefault(method, []).append(
                _Scripted(error, status, dict(headers or {}), times)
            )

    def refuse_chunks(self, error: str = "invalid_arguments") -> None:
        """From now on, stream calls carrying task or plan chunks answer `error`, as a
        workspace without Slack's AI features might (markdown still streams)."""
        with self._lock:
            self._refuse_chunks = error

    def rate_limit_next(self, method: str, retry_after: int = 1, *, times: int = 1) -> None:
        """HTTP 429 with Retry-After, as Slack rate-limits."""
        self.fail_next(
            method,
            "ratelimited",
            status=429,
            headers={"Retry-After": str(retry_after)},
            times=times,
        )

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str = "U0USER",
        thread_ts: str | None = None,
        name: str | None = None,
        ts: str | None = None,
        **extra: Any,
    ) -> str:
        """A message someone else posted (for conversations.history and .replies); returns
        its ts (`ts` to date it, e.g. a week of history; `extra`: subtype, bot_id…).
        `name`: the poster's display name, in the `user_profile` Slack sends with it."""
        with self._lock:
            ts = ts or self._next_ts()
            message: dict[str, Any] = {
                "type": "message",
                "user": user,
                "text": text,
                "ts": ts,
                **extra,
            }
            if thread_ts:
                message["thread_ts"] = thread_ts
            if name:
                message["user_profile"] = {"display_name": name, "real_name": name}
            self._messages.setdefault(channel, []).append(message)
            return ts

    def canvas(self, canvas_id: str) -> dict[str, Any]:
        """A canvas made with canvases.create: title, markdown, and who may read it."""
        with self._lock:
            return dict(self._canvases[canvas_id])

    def response_url(self) -> str:
        """A fresh response_url (as slash commands and shortcuts carry) served by this server.

        Posts to it are recorded as "response_url" calls (no token: the URL is the secret);
        like Slack, each URL takes at most 5 posts.
        """
        with self._lock:
            return f"{self.url}/response/{next(self._ids)}"

    def add_file(
        self,
        name: str,
        content: bytes,
        *,
        mimetype: str = "application/pdf",
        filetype: str = "",
        redirect_to: str | None = None,
    ) -> dict[str, Any]:
        """A shared file: files.info describes it and its url_private serves `content` (or,
        with `redirect_to`, answers 302 to there, as a hostile or moved download might)."""
        with self._lock:
            file_id = f"F{next(self._ids):08d}"
            url = f"{self.url}/files-pri/{self.team_id}-{file_id}/{name}"
            info = {
                "id": file_id,
                "name": name,
                "title": name,
                "mimetype": mimetype,
                "filetype": filetype or name.rsplit(".", 1)[-1],
                "size": len(content),
                "url_private": url,
                "url_private_download": f"{url}?download=1",
            }
            self._files[file_id] = (info, content)
            if redirect_to is not None:
                self._redirects[file_id] = redirect_to
            return dict(info)

    # --- OAuth: many workspaces -----------------------------------------------------------

    def approve_next(
        self,
        team_id: str,
        *,
        enterprise_id: str | None = None,
        rotating: bool = False,
        expires_in: int = 43_200,
    ) -> None:
        """The next visit to the authorize page installs the app in `team_id` (the workspace
        the installer picks on Slack's page)."""
        with self._lock:
            self._next_install = _Install(team_id, enterprise_id, "U0ADMIN", rotating, expires_in)

    def authorize(self, query: dict[str, Any]) -> tuple[int, str]:
        """Slack's authorize page, approved: (302, where the browser goes next)."""
        redirect = str(query.get("redirect_uri") or self.redirect_url or "")
        if query.get("client_id") != self.client_id or not redirect:
            return 400, "invalid_client_id or missing redirect_uri"
        install = self._next_install or _Install(self.team_id)
        self._next_install = None
        code = f"code-{next(self._ids)}"
        self._codes[code] = (install, redirect)
        state = query.get("state")
        return 302, f"{redirect}?code={code}" + (f"&state={state}" if state else "")

    def token_for(self, team_id: str) -> list[str]:
        """Every bot token issued for `team_id` so far (oldest first)."""
        with self._lock:
            return [token for token, grant in self._tokens.items() if grant.team_id == team_id]

    def _grant(self, install: _Install) -> dict[str, Any]:
        number = next(self._ids)
        prefix = "xoxe.xoxb-" if install.rotating else "xoxb-"
        token = f"{prefix}{install.team_id}-{number}"
        expires_at = time.time() + install.expires_in if install.rotating else None
        self._tokens[token] = _Grant(install.team_id, expires_at)
        answer: dict[str, Any] = {
            "access_token": token,
            "token_type": "bot",
            "scope": "chat:write,commands",
            "bot_user_id": self.bot_user_id,
            "app_id": "A0APP",
            "team": {"id": install.team_id, "name": f"Team {install.team_id}"},
            "enterprise": (
                {"id": install.enterprise_id, "name": "Org"} if install.enterprise_id else None
            ),
            "is_enterprise_install": False,
            "authed_user": {"id": install.user_id},
        }
        if install.rotating:
            refresh = f"xoxe-1-{install.team_id}-{number}"
            self._refresh[refresh] = install
            answer |= {"refresh_token": refresh, "expires_in": install.expires_in}
        return answer

    def _oauth_v2_access(self, params: dict[str, Any], basic: str) -> dict[str, Any]:
        client_id, secret = params.get("client_id"), params.get("client_secret")
        if basic:
            decoded = base64.b64decode(basic).decode("utf-8")
            client_id, _, secret = decoded.partition(":")
        if client_id != self.client_id:
            raise _ApiError("invalid_client_id")
        if secret != self.client_secret:
            raise _ApiError("bad_client_secret")
        if params.get("grant_type") == "refresh_token":
            install = self._refresh.pop(str(params.get("refresh_token") or ""), None)
            if install is None:
                raise _ApiError("invalid_refresh_token")
            return self._grant(replace(install, expires_in=43_200))  # Slack's 12 hours
        found = self._codes.pop(str(params.get("code") or ""), None)
        if found is None:
            raise _ApiError("invalid_code")
        install, redirect = found
        if params.get("redirect_uri") and params["redirect_uri"] != redirect:
            raise _ApiError("bad_redirect_uri")
        return self._grant(install)

    # --- the API ------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def _find(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self._messages.get(channel, []) if m["ts"] == ts), None)

    def _post(self, channel: str, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "text": params.get("text") or params.get("markdown_text") or "",
            "ts": self._next_ts(),
            **extra,
        }
        if params.get("blocks"):
            message["blocks"] = params["blocks"]
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        self._messages.setdefault(channel, []).append(message)
        return message

    def answer(
        self, method: str, params: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """(status, body, headers) for one API call; called with the lock held."""
        scripted = self._scripted.get(method)
        if scripted:
            first = scripted[0]
            first.times -= 1
            if first.times <= 0:
                scripted.pop(0)
            return first.status, {"ok": False, "error": first.error}, first.headers
        problem = _limit_error(method, params)
        if problem:
            error, detail = problem
            return 200, {"ok": False, "error": error, "errors": [detail]}, {}
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return 404, {"ok": False, "error": "unknown_method"}, {}
        return 200, {"ok": True, **handler(params)}, {}

    def _api_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        team_id = self._caller.team_id if self._caller else self.team_id
        return {
            "url": "https://fake.slack.test/",
            "team": "Fake Team",
            "user": "articlebot",
            "team_id": team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _api_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = _require(params, "channel")
        message = self._post(channel, params)
        return {"channel": channel, "ts": message["ts"], "message": dict(message)}

    def _api_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        _require(params, "channel")
        _require(params, "user")
        return {"message_ts": self._next_ts()}

    def _api_conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """A DM with one person (im:write): its channel id, the same every time."""
        users = _require(params, "users")
        if "," in users:
            raise _ApiError("not_implemented")  # a group DM: nothing here opens one
        return {"channel": {"id": "D" + users.removeprefix("U")}}

    def _api_chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = _require(params, "channel"), _require(params, "ts")
        message = self._find(channel, ts)
        if message is None:
            raise _ApiError("message_not_found")
        self._messages[channel].remove(message)
        return {"channel": channel, "ts": ts}

    def _api_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = _require(params, "channel"), _require(params, "ts")
        message = self._find(channel, ts)
        if message is None:
            raise _ApiError("message_not_found")
        if "text" in params:
            message["text"] = params["text"]
        if "blocks" in params:
            message["blocks"] = params["blocks"]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {"channel": channel, "ts": ts, "text": message["text"], "message": dict(message)}

    def _api_chat_startStream(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, thread_ts = _require(params, "channel"), _require(params, "thread_ts")
        mode = params.get("task_display_mode") or "timeline"
        if mode not in _DISPLAY_MODES:
            raise _ApiError("invalid_arguments")
        chunks = self._stream_chunks(params)
        message = self._post(channel, {"thread_ts": thread_ts})
        stream = _Stream(channel, thread_ts, _stream_markdown(params), display_mode=mode)
        stream.chunks += chunks
        self._streams[message["ts"]] = stream
        message["text"] = stream.text
        return {"channel": channel, "ts": message["ts"]}

    def _api_chat_appendStream(self, params: dict[str, Any]) -> dict[str, Any]:
        stream, message = self._stream(params)
        stream.chunks += self._stream_chunks(params)
        stream.text += _stream_markdown(params)
        message["text"] = stream.text
        return {"channel": stream.channel, "ts": message["ts"]}

    def _api_chat_stopStream(self, params: dict[str, Any]) -> dict[str, Any]:
        stream, message = self._stream(params)
        stream.chunks += self._stream_chunks(params)
        stream.text += _stream_markdown(params)
        stream.active = False
        message["text"] = stream.text
        if params.get("blocks"):
            message["blocks"] = params["blocks"]
        return {"channel": stream.channel, "ts": message["ts"], "message": dict(message)}

    def _stream_chunks(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """A stream call's task, plan and blocks chunks, checked as Slack checks them
        (invalid_chunks), or refused where the workspace takes none (`refuse_chunks`)."""
        chunks = params.get("chunks")
        if chunks is None:
            return []
        if not isinstance(chunks, list) or not all(_valid_chunk(c) for c in chunks):
            raise _ApiError("invalid_chunks")
        kept = [dict(c) for c in chunks if c["type"] != "markdown_text"]
        if kept and self._refuse_chunks:
            raise _ApiError(self._refuse_chunks)
        return kept

    def _stream(self, params: dict[str, Any]) -> tuple[_Stream, dict[str, Any]]:
        channel, ts = _require(params, "channel"), _require(params, "ts")
        stream = self._streams.get(ts)
        message = self._find(channel, ts)
        if stream is None or message is None:
            raise _ApiError("message_not_found")
        if not stream.active:
            raise _ApiError("message_not_in_streaming_state")
        return stream, message

    def _api_assistant_threads_setStatus(self, params: dict[str, Any]) -> dict[str, Any]:
        _require(params, "channel_id")
        _require(params, "thread_ts")
        if "status" not in params:
            raise _ApiError("invalid_arguments")
        return {}

    def _api_assistant_threads_setSuggestedPrompts(self, params: dict[str, Any]) -> dict[str, Any]:
        _require(params, "channel_id")
        prompts = params.get("prompts")
        if not isinstance(prompts, list) or not 1 <= len(prompts) <= 4:
            raise _ApiError("invalid_arguments")
        return {}

    def _api_assistant_threads_setTitle(self, params: dict[str, Any]) -> dict[str, Any]:
        _require(params, "channel_id")
        _require(params, "title")
        return {}

    def _api_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id") and not params.get("interactivity_pointer"):
            raise _ApiError("invalid_arguments")
        return {"view": self._keep_view(_check_view(params, "modal"))}

    def _api_views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = params.get("view_id")
        if not view_id and not params.get("external_id"):
            raise _ApiError("invalid_arguments")
        old = self._views.get(str(view_id))
        if old is None:
            raise _ApiError("not_found")
        if params.get("hash") and params["hash"] != old["hash"]:
            raise _ApiError("hash_conflict")  # the view changed since the caller read it
        view = _check_view(params, "modal")
        return {"view": self._keep_view(view, view_id=str(view_id))}

    def _api_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        _require(params, "user_id")
        view = _check_view(params, "home")
        return {"view": self._keep_view(view, user=str(params["user_id"]))}

    def _keep_view(
        self, view: dict[str, Any], *, view_id: str | None = None, user: str | None = None
    ) -> dict[str, Any]:
        kept = {
            **view,
            "id": view_id or f"V{next(self._ids):08d}",
            "hash": f"{next(self._ts)}.hash",
            "team_id": self.team_id,
        }
        if user is not None:
            kept["user"] = user
        self._views[kept["id"]] = kept
        return dict(kept)

    def home(self, user: str) -> dict[str, Any] | None:
        """The App Home view last published for `user`."""
        with self._lock:
            found = [v for v in self._views.values() if v.get("user") == user]
            return dict(found[-1]) if found else None

    def add_user(self, user_id: str, *, is_admin: bool = False, is_owner: bool = False) -> None:
        """A workspace member users.info describes (unknown users: user_not_found)."""
        with self._lock:
            self._users[user_id] = {
                "id": user_id,
                "team_id": self.team_id,
                "name": user_id.lower(),
                "is_admin": is_admin,
                "is_owner": is_owner,
                "is_primary_owner": False,
                "is_bot": False,
            }

    def remove_user(self, user_id: str) -> None:
        """`user_id` leaves the workspace: users.info answers user_not_found again."""
        with self._lock:
            self._users.pop(user_id, None)

    def add_channel(
        self,
        channel_id: str,
        *,
        kind: str = "public",
        members: list[str] | tuple[str, ...] = (),
        bot_member: bool = True,
        name: str | None = None,
    ) -> None:
        """A conversation conversations.info describes and conversations.members lists:
        `kind` "public", "private", "mpim" or "im" (an im's one member is the person the bot
        talks to). As Slack, a private conversation the bot isn't in is channel_not_found."""
        if kind not in _SCOPE_OF_KIND:
            raise ValueError(f"unknown conversation kind {kind!r}")
        with self._lock:
            self._channels[channel_id] = _Channel(
                channel_id, kind, list(members), bot_member, name or channel_id.lower()
            )

    def set_members(self, channel_id: str, members: list[str]) -> None:
        """Someone joined or left: conversations.members lists `members` from now on."""
        with self._lock:
            self._channels[channel_id].members = list(members)

    def drop_scope(self, scope: str) -> None:
        """The install didn't grant `scope` (an app installed before it was asked for):
        conversations.info and .members needing it answer missing_scope, as Slack does."""
        with self._lock:
            self._dropped_scopes.add(scope)

    def _conversation(self, params: dict[str, Any]) -> _Channel:
        """The conversation a conversations.* call names, checked as Slack checks it: the
        scope of its kind first, then whether the bot can see it at all."""
        found = self._channels.get(_require(params, "channel"))
        if found is None:
            # Slack can't tell which scope an unknown ID needs: with none of them, the error
            # is the scope's; with the public one, the channel isn't there.
            if "channels:read" in self._dropped_scopes:
                raise _ApiError("missing_scope", needed="channels:read")
            raise _ApiError("channel_not_found")
        needed = _SCOPE_OF_KIND[found.kind]
        if needed in self._dropped_scopes:
            raise _ApiError("missing_scope", needed=needed)
        if found.kind != "public" and not found.bot_member:
            raise _ApiError("channel_not_found")
        return found

    def _api_conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        found = self._conversation(params)
        private = found.kind in ("private", "mpim")
        described: dict[str, Any] = {
            "id": found.id,
            "created": 1_700_000_000,
            "is_im": found.kind == "im",
            "is_mpim": found.kind == "mpim",
            "is_private": private,
            "is_archived": False,
        }
        if found.kind == "im":
            described["user"] = found.members[0] if found.members else None
        else:
            described |= {
                "name": found.name,
                "is_channel": found.kind in ("public", "private"),
                "is_group": found.kind == "private",
                "is_member": found.bot_member,
            }
        return {"channel": described}

    def _api_conversations_members(self, params: dict[str, Any]) -> dict[str, Any]:
        """A conversation's members, paged (limit, cursor) like Slack: the last page's
        next_cursor is empty."""
        found = self._conversation(params)
        members = [*found.members, *([self.bot_user_id] if found.bot_member else [])]
        page, more = _page([{"id": m} for m in members], params)
        return {
            "members": [m["id"] for m in page],
            "response_metadata": more.get("response_metadata") or {"next_cursor": ""},
        }

    def _api_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        found = self._users.get(_require(params, "user"))
        if found is None:
            raise _ApiError("user_not_found")
        return {"user": dict(found)}

    def _api_files_info(self, params: dict[str, Any]) -> dict[str, Any]:
        found = self._files.get(_require(params, "file"))
        if found is None:
            raise _ApiError("file_not_found")
        return {"file": dict(found[0])}

    def _api_conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        """A thread, parent first, oldest first; paged (limit, cursor) like Slack, and
        `oldest`/`latest` bound the replies (the parent always comes on the first page)."""
        channel, ts = _require(params, "channel"), _require(params, "ts")
        thread = sorted(
            (
                self._with_replies(channel, m)
                for m in self._messages.get(channel, [])
                if m["ts"] == ts or m.get("thread_ts") == ts
            ),
            key=lambda m: float(m["ts"]),
        )
        if not thread:
            raise _ApiError("thread_not_found")
        parent, replies = thread[0], [m for m in thread[1:] if _in_range(m, params)]
        page, more = _page([parent, *replies], params)
        return {"messages": page, "has_more": bool(more), **more}

    def _api_conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """A channel's messages (not thread replies, unless broadcast), newest first,
        within oldest/latest (exclusive unless `inclusive`), paged by limit and cursor."""
        channel = _require(params, "channel")
        if channel not in self._messages:
            raise _ApiError("channel_not_found")
        top = [
            self._with_replies(channel, m)
            for m in self._messages[channel]
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]
        top = sorted((m for m in top if _in_range(m, params)), key=lambda m: -float(m["ts"]))
        page, more = _page(top, params)
        return {"messages": page, "has_more": bool(more), **more}

    def _with_replies(self, channel: str, message: dict[str, Any]) -> dict[str, Any]:
        """A message as Slack lists it: a thread's parent carries reply_count."""
        out = dict(message)
        if out.get("thread_ts", out["ts"]) == out["ts"]:
            replies = [
                m
                for m in self._messages.get(channel, [])
                if m.get("thread_ts") == out["ts"] and m["ts"] != out["ts"]
            ]
            if replies:
                out["thread_ts"] = out["ts"]
                out["reply_count"] = len(replies)
                out["latest_reply"] = max(m["ts"] for m in replies)
        return out

    def _api_chat_getPermalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = _require(params, "channel"), _require(params, "message_ts")
        message = self._find(channel, ts)
        if message is None:
            raise _ApiError("message_not_found")
        link = f"https://fake.slack.test/archives/{channel}/p{ts.replace('.', '')}"
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != ts:
            link += f"?thread_ts={thread_ts}&cid={channel}"
        return {"channel": channel, "permalink": link}

    def _api_canvases_create(self, params: dict[str, Any]) -> dict[str, Any]:
        content = params.get("document_content") or {}
        if not isinstance(content, dict) or content.get("type") != "markdown":
            raise _ApiError("invalid_arguments")
        canvas_id = f"F{next(self._ids):08d}"
        self._canvases[canvas_id] = {
            "title": params.get("title"),
            "markdown": str(content.get("markdown") or ""),
            "channels": [],
            "users": [],
            "access_level": None,
        }
        return {"canvas_id": canvas_id}

    def _api_canvases_access_set(self, params: dict[str, Any]) -> dict[str, Any]:
        canvas = self._canvases.get(_require(params, "canvas_id"))
        if canvas is None:
            raise _ApiError("canvas_not_found")
        level = _require(params, "access_level")
        if level not in ("read", "write", "owner"):
            raise _ApiError("invalid_arguments")
        canvas["access_level"] = level
        for name in ("channel_ids", "user_ids"):
            value = params.get(name) or ""
            ids = value if isinstance(value, list) else [v for v in str(value).split(",") if v]
            canvas["channels" if name == "channel_ids" else "users"] += ids
        return {}

    def respond(self, path: str, params: dict[str, Any]) -> tuple[int, str, dict[str, str]]:
        """(status, plain-text body, headers) for a post to a response_url; called with the
        lock held. `fail_next("response_url", ...)` scripts failures (429s included)."""
        scripted = self._scripted.get("response_url")
        if scripted:
            first = scripted[0]
            first.times -= 1
            if first.times <= 0:
                scripted.pop(0)
            return first.status, first.error, first.headers
        uses = self._response_uses.get(path, 0) + 1
        self._response_uses[path] = uses
        if uses > MAX_RESPONSE_URL_POSTS:
            return 404, "used_url", {}
        problem = _limit_error("response_url", params)
        if problem:
            return 400, problem[0], {}
        if not (params.get("text") or params.get("blocks") or params.get("delete_original")):
            return 400, "no_text", {}
        return 200, "ok", {}

    def download(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, str]:
        """(status, body, content type) for a url_private download; called with the lock held.
        A redirect is (302, location, "")."""
        parts = path.split("/")  # "", "files-pri", "<team>-<file id>", name
        file_id = parts[2].split("-", 1)[-1] if len(parts) > 3 else ""
        if file_id in self._redirects:
            return 302, self._redirects[file_id].encode(), ""
        if headers.get("authorization") != f"Bearer {self.token}":
            return 200, _LOGIN_PAGE, "text/html; charset=utf-8"  # what Slack serves, not a 401
        found = self._files.get(file_id)
        if found is None:
            return 404, b"not found", "text/plain"
        return 200, found[1], found[0]["mimetype"]

    def record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            self._lock.notify_all()


class _ApiError(Exception):
    def __init__(self, error: str, **detail: str) -> None:
        super().__init__(error)
        self.error = error
        self.detail = detail  # more fields of the answer, e.g. missing_scope's "needed"


# The read scope each kind of conversation needs (conversations.info, .members).
_SCOPE_OF_KIND = {
    "public": "channels:read",
    "private": "groups:read",
    "mpim": "mpim:read",
    "im": "im:read",
}


@dataclass(slots=True)
class _Channel:
    id: str
    kind: str  # a key of _SCOPE_OF_KIND
    members: list[str]
    bot_member: bool
    name: str


def _in_range(message: dict[str, Any], params: dict[str, Any]) -> bool:
    """Whether a message's ts is inside a history/replies call's oldest..latest."""
    ts = float(message["ts"])
    inclusive = str(params.get("inclusive") or "").lower() in ("1", "true")
    if params.get("oldest"):
        oldest = float(params["oldest"])
        if ts < oldest or (ts == oldest and not inclusive):
            return False
    if params.get("latest"):
        latest = float(params["latest"])
        if ts > latest or (ts == latest and not inclusive):
            return False
    return True


def _page(items: list[dict[str, Any]], params: dict[str, Any]) -> tuple[list, dict[str, Any]]:
    """One page of `items` (cursor: an offset, as opaque to the client as Slack's), and the
    response_metadata for the next one ({} on the last page)."""
    cursor = str(params.get("cursor") or "")
    if cursor and not cursor.startswith("off:"):
        raise _ApiError("invalid_cursor")
    start = int(cursor[4:]) if cursor else 0
    limit = max(1, min(int(params.get("limit") or 100), 999))
    end = start + limit
    more = {"response_metadata": {"next_cursor": f"off:{end}"}} if end < len(items) else {}
    return items[start:end], more


def _require(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not value:
        raise _ApiError("channel_not_found" if name == "channel" else "invalid_arguments")
    return str(value)


def _valid_chunk(chunk: Any) -> bool:
    if not isinstance(chunk, dict) or chunk.get("type") not in _CHUNK_TYPES:
        return False
    kind = chunk["type"]
    if kind == "markdown_text":
        return isinstance(chunk.get("text"), str)
    if kind == "plan_update":
        return isinstance(chunk.get("title"), str) and bool(chunk["title"])
    if kind == "blocks":
        return isinstance(chunk.get("blocks"), list)
    sources = chunk.get("sources", [])
    return (
        isinstance(chunk.get("id"), str)
        and bool(chunk["id"])
        and isinstance(chunk.get("title"), str)
        and chunk.get("status") in _TASK_STATUSES
        and isinstance(sources, list)
        and all(
            isinstance(s, dict)
            and s.get("type") == "url"
            and isinstance(s.get("url"), str)
            and isinstance(s.get("text"), str)
            for s in sources
        )
    )


MAX_VIEW_BLOCKS = 100
MAX_TITLE = 24


def _check_view(params: dict[str, Any], kind: str) -> dict[str, Any]:
    """A view as Slack checks it: a JSON object of the right type, a title on modals (at
    most 24 characters), at most 100 blocks, unique block_ids, private_metadata <= 3,000."""
    view = params.get("view")
    if not isinstance(view, dict) or view.get("type") != kind:
        raise _ApiError("invalid_arguments")
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or len(blocks) > MAX_VIEW_BLOCKS:
        raise _ApiError("invalid_blocks")
    ids = [b.get("block_id") for b in blocks if isinstance(b, dict) and b.get("block_id")]
    if len(ids) != len(set(ids)) or not all(isinstance(b, dict) and b.get("type") for b in blocks):
        raise _ApiError("invalid_blocks")
    if kind == "modal":
        title = (view.get("title") or {}).get("text") or ""
        if not title or len(title) > MAX_TITLE:
            raise _ApiError("invalid_arguments")
        has_input = any(b.get("type") == "input" for b in blocks)
        if has_input and not view.get("submit"):
            raise _ApiError("invalid_arguments")  # Slack: an input block needs a submit button
    if len(str(view.get("private_metadata") or "")) > 3_000:
        raise _ApiError("invalid_arguments")
    return view


def _stream_markdown(params: dict[str, Any]) -> str:
    """The markdown a stream call adds: markdown_text, or the text of markdown_text chunks."""
    text = str(params.get("markdown_text") or "")
    for chunk in params.get("chunks") or []:
        if isinstance(chunk, dict) and chunk.get("type") == "markdown_text":
            text += str(chunk.get("text") or "")
    return text


def _limit_error(method: str, params: dict[str, Any]) -> tuple[str, str] | None:
    """(error, detail) when the call breaks one of Slack's message limits."""
    text = params.get("text")
    blocks = params.get("blocks")
    markdown = params.get("markdown_text")
    if markdown is not None and (text or blocks):
        return "invalid_arguments", "markdown_text cannot be used with text or blocks"
    if markdown is not None and len(markdown) > MAX_MARKDOWN_TOTAL:
        return "msg_too_long", f"markdown_text over {MAX_MARKDOWN_TOTAL} characters"
    for chunk in params.get("chunks") or []:
        if isinstance(chunk, dict) and len(str(chunk.get("text") or "")) > MAX_MARKDOWN_TOTAL:
            return "msg_too_long", f"chunk text over {MAX_MARKDOWN_TOTAL} characters"
    if method in _POSTING and not (text or blocks or markdown or params.get("attachments")):
        return "no_text", "text, blocks or markdown_text is required"
    text_limit = MAX_UPDATE_TEXT if method == "chat.update" else MAX_TEXT
    if text and len(text) > text_limit:
        return "msg_too_long", f"text over {text_limit} characters"
    if blocks is None:
        return None
    if not isinstance(blocks, list):
        return "invalid_blocks_format", "blocks must be a JSON array"
    if len(blocks) > MAX_BLOCKS:
        return "invalid_blocks", f"more than {MAX_BLOCKS} blocks"
    markdown_total = 0
    for index, block in enumerate(blocks):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind is None:
            return "invalid_blocks", f"block {index} has no type"
        if kind == "markdown":
            markdown_total += len(str(block.get("text") or ""))
        if kind == "section":
            section_text = (block.get("text") or {}).get("text") or ""
            if len(section_text) > MAX_SECTION_TEXT:
                return "invalid_blocks", f"section {index} text over {MAX_SECTION_TEXT}"
    if markdown_total > MAX_MARKDOWN_TOTAL:
        return "invalid_blocks", f"markdown blocks over {MAX_MARKDOWN_TOTAL} characters in total"
    return None


# --- OAuth ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Install:
    team_id: str
    enterprise_id: str | None = None
    user_id: str = "U0ADMIN"
    rotating: bool = False
    expires_in: int = 43_200  # Slack's 12 hours


@dataclass(frozen=True, slots=True)
class _Grant:
    team_id: str
    expires_at: float | None = None


# --- HTTP ---------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # the default 5 drops bursts of connects (1 s SYN retry)

    def __init__(self, owner: FakeSlack) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exception(), ConnectionError):  # clients hanging up is normal
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; don't wait 40 ms

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path.startswith("/files-pri/"):
            self._download(url.path)
        elif url.path == "/oauth/v2/authorize":
            self._authorize(_form(url.query))
        else:
            self._api(url.path, _form(url.query))

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        params = _form(url.query)
        if "json" in (self.headers.get("Content-Type") or ""):
            try:
                params.update(json.loads(body or "{}"))
            except json.JSONDecodeError:
                self._send(200, {"ok": False, "error": "invalid_json"}, {})
                return
        else:
            params.update(_form(body))
        if url.path.startswith("/response/"):
            self._respond(url.path, params)
        else:
            self._api(url.path, params)

    def _respond(self, path: str, params: dict[str, Any]) -> None:
        owner = self.server.owner
        headers = {name.lower(): value for name, value in self.headers.items()}
        with owner._lock:
            status, text, extra = owner.respond(path, params)
        result = {"ok": status == 200, "error": None if status == 200 else text}
        owner.record(Call("response_url", {**params, "url": path}, headers, status, result))
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _authorize(self, query: dict[str, Any]) -> None:
        owner = self.server.owner
        with owner._lock:
            status, where = owner.authorize(query)
        owner.record(Call("oauth.authorize", query, {}, status, {"ok": status == 302}))
        self.send_response(status)
        if status == 302:
            self.send_header("Location", where)
        data = b"" if status == 302 else where.encode()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _api(self, path: str, params: dict[str, Any]) -> None:
        owner = self.server.owner
        headers = {name.lower(): value for name, value in self.headers.items()}
        method = path.removeprefix("/api/")
        authorization = headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ") or params.pop("token", "")
        extra: dict[str, str]
        team = None
        with owner._lock:
            grant = owner._tokens.get(token)
            team = grant.team_id if grant else None
            if method == "oauth.v2.access":  # the app's credentials, not a token
                basic = authorization.removeprefix("Basic ") if authorization else ""
                try:
                    status, body, extra = (
                        200,
                        {"ok": True, **owner._oauth_v2_access(params, basic)},
                        {},
                    )
                except _ApiError as exc:
                    status, body, extra = 200, {"ok": False, "error": exc.error}, {}
            elif not path.startswith("/api/"):
                status, body, extra = 404, {"ok": False, "error": "unknown_method"}, {}
            elif not token:
                status, body, extra = 200, {"ok": False, "error": "not_authed"}, {}
            elif grant is None:
                status, body, extra = 200, {"ok": False, "error": "invalid_auth"}, {}
            elif grant.expires_at is not None and grant.expires_at <= time.time():
                status, body, extra = 200, {"ok": False, "error": "token_expired"}, {}
            else:
                owner._caller = grant
                try:
                    status, body, extra = owner.answer(method, params)
                except _ApiError as exc:
                    status, body, extra = 200, {"ok": False, "error": exc.error, **exc.detail}, {}
                finally:
                    owner._caller = None
        owner.record(Call(method, params, headers, status, body, team))
        self._send(status, body, extra)

    def _download(self, path: str) -> None:
        owner = self.server.owner
        headers = {name.lower(): value for name, value in self.headers.items()}
        with owner._lock:
            status, body, content_type = owner.download(path, headers)
        owner.record(Call("file.download", {"path": path}, headers, status, {"ok": status == 200}))
        self.send_response(status)
        if status == 302:
            self.send_header("Location", body.decode())
            body = b""
        else:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _form(encoded: str) -> dict[str, Any]:
    """Form fields; the ones Slack takes as JSON strings are decoded (as Slack does)."""
    params: dict[str, Any] = {}
    for name, values in parse_qs(encoded, keep_blank_values=True).items():
        value: Any = values[-1]
        if name in _JSON_FIELDS:
            # Left a string when it is not JSON: the limit checks report it as malformed.
            with contextlib.suppress(json.JSONDecodeError):
                value = json.loads(value)
        params[name] = value
    return params


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A running FakeSlack; point a WebClient at `fake_slack.api_url` with `fake_slack.token`."""
    with FakeSlack() as server:
        yield server
