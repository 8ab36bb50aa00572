"""The HTTP front under hostile traffic: slow clients, huge bodies, junk, other workspaces.

Everything goes over real sockets to the app on uvicorn (the protocol production runs)."""

from __future__ import annotations

import hmac
import http.client
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from hashlib import sha256
from urllib.parse import urlencode, urlparse

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.slack import server
from bot.slack.http_front import MAX_BODY_BYTES
from tests.servers.slack_app import (
    CHANNEL,
    SECRET,
    TEAM,
    SlackAppHarness,
    harness_settings,
)


def _address(bot: SlackAppHarness) -> tuple[str, int]:
    url = urlparse(bot.url)
    assert url.hostname and url.port
    return url.hostname, url.port


def _raw(bot: SlackAppHarness, request: bytes, *, timeout: float = 10) -> bytes:
    """Send `request` as is; everything the server answers before it closes or goes quiet."""
    with socket.create_connection(_address(bot), timeout=timeout) as sock:
        sock.sendall(request)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and _complete(answer):
                    break
        except TimeoutError:
            pass
        return answer


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


@contextmanager
def _slow_clients(bot: SlackAppHarness, count: int) -> Iterator[list[socket.socket]]:
    """`count` connections that each trickle a request's header lines, one per 0.5 s, and
    never finish (the audit's slowloris)."""
    stop = threading.Event()
    socks = [socket.create_connection(_address(bot)) for _ in range(count)]
    lines = [b"POST /slack/events HTTP/1.1\r\n", b"Host: x\r\n"] + [
        f"X-Pad-{n}: {n}\r\n".encode() for n in range(1000)
    ]

    def trickle() -> None:
        for line in lines:
            for sock in socks:
                with suppress(OSError):
                    sock.sendall(line)
            if stop.wait(0.5):
                return

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        yield socks
    finally:
        stop.set()
        thread.join(5)
        for sock in socks:
            sock.close()


def test_slow_clients_dont_hold_up_good_requests(bot: SlackAppHarness) -> None:
    """200 connections trickling headers (the audit hung every good request with 65) while
    signed requests keep being acked in time."""
    with _slow_clients(bot, 200):
        time.sleep(1)  # they are all connected and mid-headers
        started = time.monotonic()
        statuses = [bot.command("/summarize", "help")[0] for _ in range(20)]
        elapsed = time.monotonic() - started
    assert statuses == [200] * 20
    assert elapsed < 3 * 20  # each inside Slack's 3 s (the bench measures the real p99)


def test_a_client_that_never_finishes_its_headers_is_dropped(
    bot: SlackAppHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "HEADER_SECONDS", 0.3)
    with (
        socket.create_connection(_address(bot), timeout=5) as idle,
        socket.create_connection(_address(bot), timeout=5) as trickling,
    ):
        trickling.sendall(b"POST /slack/events HTTP/1.1\r\n")
        for _ in range(6):  # keeps sending, never finishes
            time.sleep(0.2)
            try:
                trickling.sendall(b"X-Slow: 1\r\n")
            except OSError:
                break
        assert idle.recv(1) == b""  # closed by the server
        assert trickling.recv(1) == b""
    assert bot.command("/summarize", "help")[0] == 200  # the server is fine


def test_a_huge_body_is_refused_before_it_is_read(bot: SlackAppHarness) -> None:
    """Content-Length says 100 MB: 413 comes back although no byte of the body was sent."""
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {100_000_000}\r\n\r\n"
    ).encode()
    answer = _raw(bot, head, timeout=5)
    assert _status(answer) == 413


def test_a_chunked_body_is_cut_off_at_the_limit(bot: SlackAppHarness) -> None:
    host, port = _address(bot)
    conn = http.client.HTTPConnection(host, port, timeout=10)
    chunk = b"x" * 65536

    def body() -> Iterator[bytes]:
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk

    try:
        conn.request("POST", "/slack/events", body=body(), encode_chunked=True)
        status = conn.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        pytest.fail("the server hung up without answering 413")
    finally:
        conn.close()
    assert status == 413


MALFORMED: list[tuple[str, bytes, str]] = [
    ("bad json", b'{"type": "event_callback", ', "application/json"),
    ("bad utf-8", b'{"text": "\xff\xfe"}', "application/json"),
    ("a list", b"[1]", "application/json"),
    ("null", b"null", "application/json"),
    ("form payload not json", b"payload=x", "application/x-www-form-urlencoded"),
    ("form payload a list", b"payload=%5B1%5D", "application/x-www-form-urlencoded"),
    ("deep nesting", b"[" * 100_000 + b"]" * 100_000, "application/json"),
    ("deep object", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "application/json"),
    ("empty", b"", "application/json"),
    ("a string", b'"event"', "application/json"),
]


def _post(
    bot: SlackAppHarness, body: bytes, content_type: str, *, signed: bool
) -> tuple[int, bytes]:
    headers = {"Content-Type": content_type}
    if signed:
        ts = str(int(time.time()))
        headers["X-Slack-Request-Timestamp"] = ts
        # Signed as Slack signs: HMAC over the raw bytes, whatever they are.
        base = b"v0:" + ts.encode() + b":" + body
        headers["X-Slack-Signature"] = "v0=" + hmac.new(SECRET.encode(), base, sha256).hexdigest()
    host, port = _address(bot)
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("name, body, content_type", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_bodies_get_401_unsigned_and_400_signed_with_one_log_line(
    bot: SlackAppHarness,
    caplog: pytest.LogCaptureFixture,
    name: str,
    body: bytes,
    content_type: str,
) -> None:
    caplog.set_level(logging.INFO)
    assert _post(bot, body, content_type, signed=False)[0] == 401
    status, _ = _post(bot, body, content_type, signed=True)
    assert status == 400
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert not problems, [r.getMessage() for r in problems]  # no traceback, no error
    refused = [r for r in caplog.records if r.getMessage().startswith("refused POST")]
    assert len(refused) == 2
    assert bot.slack.calls("chat.postMessage") == []


def test_the_signature_is_checked_on_the_raw_bytes(bot: SlackAppHarness) -> None:
    """Odd spacing and key order: the bytes as sent are what is signed, not a re-encoding."""
    body = bot.event_body(
        {"type": "app_mention", "user": "U0ALICE", "text": "hi", "ts": "1.0", "channel": CHANNEL}
    )
    spaced = json.dumps(json.loads(body), indent=3, sort_keys=True).encode()
    assert _post(bot, spaced, "application/json", signed=True)[0] == 200
    tampered_ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=tampered_ts, body=spaced)
    host, port = _address(bot)
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request(
        "POST",
        "/slack/events",
        body=spaced + b" ",  # one byte more than was signed
        headers={
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": tampered_ts,
            "X-Slack-Signature": signature,
        },
    )
    assert conn.getresponse().status == 401
    conn.close()


def test_forged_requests_are_refused_with_401_before_bolt(
    bot: SlackAppHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Served as `serve --http` builds it, Bolt doesn't check signatures again (CPU on every
    ack): SlackFront's check is the only one, so none of these may reach the app."""
    from slack_bolt.middleware.request_verification import RequestVerification

    assert not any(isinstance(m, RequestVerification) for m in bot.app._middleware_list)
    reached: list[object] = []
    dispatch = bot.app.dispatch
    monkeypatch.setattr(
        bot.app, "dispatch", lambda request: reached.append(request) or dispatch(request)
    )
    form = urlencode(
        {
            "team_id": TEAM,
            "channel_id": CHANNEL,
            "user_id": "U0EVE",
            "command": "/summarize",
            "text": "https://example.com/x",
            "trigger_id": "t1",
        }
    )
    other = form.replace("U0EVE", "U0BOB")
    now = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=now, body=other)
    forged = {
        "no signature": {},
        "wrong secret": {
            "X-Slack-Request-Timestamp": now,
            "X-Slack-Signature": SignatureVerifier("guess").generate_signature(
                timestamp=now, body=form
            ),
        },
        "another body's signature": {
            "X-Slack-Request-Timestamp": now,
            "X-Slack-Signature": signature,
        },
        "replayed": {
            "X-Slack-Request-Timestamp": str(int(time.time()) - 600),
            "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(
                timestamp=str(int(time.time()) - 600), body=form
            ),
        },
    }
    host, port = _address(bot)
    for name, headers in forged.items():
        conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.request(
            "POST",
            "/slack/events",
            body=form.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        )
        assert conn.getresponse().status == 401, name
        conn.close()
    assert reached == []
    assert bot.command("/summarize", "")[0] == 200  # a signed one does reach it
    assert len(reached) == 1


def test_an_app_not_behind_slack_front_keeps_bolts_signature_check(slack, tmp_path) -> None:
    from slack_bolt.middleware.request_verification import RequestVerification

    from bot.slack.app import create_app
    from bot.slack.context import Services

    settings = harness_settings(slack, tmp_path)
    services = Services(settings=settings, pipeline=None, store=None, pool=None)  # type: ignore[arg-type]
    app = create_app(settings, services=services, verify_token=False)
    assert any(isinstance(m, RequestVerification) for m in app._middleware_list)


def test_health_and_unknown_paths(bot: SlackAppHarness) -> None:
    host, port = _address(bot)
    for method, path, status in (
        ("GET", "/healthz", 200),
        ("HEAD", "/healthz", 200),
        ("GET", "/slack/events", 405),
        ("GET", "/admin", 404),
        ("POST", "/other", 404),
    ):
        conn = http.client.HTTPConnection(host, port, timeout=5)
        conn.request(method, path)
        assert conn.getresponse().status == status, (method, path)
        conn.close()


def test_requests_for_another_workspace_are_dropped(slack, tmp_path) -> None:
    settings = harness_settings(slack, tmp_path, slack_team_id=TEAM)
    with SlackAppHarness(slack, settings) as bot:
        status, ours = bot.command("/summarize", "help")
        assert status == 200 and "summarize" in ours.lower()  # our workspace: the usage

        other = {
            "team_id": "T0OTHER",
            "command": "/summarize",
            "text": "help",
            "user_id": "U0EVE",
            "channel_id": "C1",
            "trigger_id": "t9",
            "response_url": slack.response_url(),
        }
        assert bot.post(urlencode(other), "application/x-www-form-urlencoded") == (200, "")

        mention = json.loads(
            bot.event_body(
                {
                    "type": "app_mention",
                    "user": "U0EVE",
                    "text": f"<@{slack.bot_user_id}> hi",
                    "ts": "5.0",
                    "channel": CHANNEL,
                }
            )
        )
        mention["team_id"] = "T0OTHER"
        mention["authorizations"][0]["team_id"] = "T0OTHER"
        assert bot.post(json.dumps(mention), "application/json") == (200, "")
        bot.idle()
        assert [c.method for c in slack.calls() if c.method != "auth.test"] == []

        mention["team_id"] = TEAM  # the same mention from our workspace is answered
        mention["event_id"] = "Ev0OURS"
        mention["authorizations"][0]["team_id"] = TEAM
        assert bot.post(json.dumps(mention), "application/json")[0] == 200
        bot.idle()
        assert [c.method for c in slack.calls() if c.method != "auth.test"] != []
