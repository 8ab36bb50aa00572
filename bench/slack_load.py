"""Slack app under load, in HTTP mode as deployed, against a fake Slack and a slow fake model.

    python -m bench.slack_load [--requests 200] [--concurrency 50] [--model-latency 5]
                               [--slow-clients 200]

1. Ack latency: N signed /summarize commands (each a different pasted article), C at a
   time; each must be acked (HTTP 200) well within Slack's 3 s while the model takes
   `--model-latency` seconds to start answering. Reports p50 / p99 and how many answers
   arrived exactly once.
   With --slow-clients N, N more connections trickle request headers (one line a second,
   never finishing, reconnecting when dropped) all through the run: the slowloris flood.
2. Time to first streamed text: @mentions with a pasted article; from the request to the
   first stream call carrying words at Slack (a stream opens earlier, with its steps),
   against the fake model's first-token delay.

Everything runs on 127.0.0.1; the servers stop when the run ends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from slack_sdk.signature import SignatureVerifier

from tests.servers.fake_openai import FakeOpenAI, Reply
from tests.servers.fake_slack import FakeSlack

SECRET = "bench-signing-secret"
ROOT = Path(__file__).resolve().parent.parent
SUMMARY = "**Bridge reopens**\n- The repairs took 18 months.\n- Cyclists get their own lane."
# Load, not abuse: 200 people in one channel, and one person's streams one after another,
# must all be answered (the abuse limits have their own tests).
UNLIMITED = {
    "RATE_LIMIT_USER_REQUESTS": "0",
    "RATE_LIMIT_CHANNEL_REQUESTS": "0",
    "MAX_JOBS_PER_USER": "0",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _article(i: int) -> str:
    return "\n".join(
        f"Paragraph {p} of story {i}: the council of town number {i} met on Tuesday and "
        f"agreed a budget of {i * 7 + p} million for roads, schools and the river bridge."
        for p in range(6)
    )


def _post(url: str, body: str, content_type: str) -> tuple[int, float]:
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    request = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
        },
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        return response.status, time.perf_counter() - started


def _command_body(slack_url: str, i: int) -> str:
    form = {
        "team_id": "T0TEST",
        "channel_id": "C0LOAD",
        "user_id": f"U{i:06d}",
        "command": "/summarize",
        "text": _article(i),
        "response_url": f"{slack_url}/response/{i}",
        "trigger_id": f"t{i}",
    }
    return urlencode(form)


async def _timed_post(url: str, body: str) -> tuple[int, float]:
    """One signed form POST over its own connection: (status, seconds from connect to the
    whole answer), as Slack measures an ack."""
    parts = urlsplit(url)
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    data = body.encode()
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(data)}\r\nX-Slack-Request-Timestamp: {ts}\r\n"
        f"X-Slack-Signature: {signature}\r\nConnection: close\r\n\r\n"
    ).encode()
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(head + data)
        answer = await asyncio.wait_for(reader.read(), timeout=30)  # to the close
    finally:
        writer.close()
    return int(answer.split(b" ", 2)[1]), time.perf_counter() - started


def load(
    urls: list[str], slack_url: str, requests: int, concurrency: int
) -> list[tuple[int, float]]:
    """The load generator: `requests` signed /summarize, `concurrency` at a time, spread over
    `urls`. One event loop in a process of its own: 50 client threads fighting over one GIL
    added tens of ms to the latencies they measured (the app's acks, not the client's, are
    what Slack's 3 s is about)."""

    async def run() -> list[tuple[int, float]]:
        gate = asyncio.Semaphore(concurrency)

        async def one(i: int) -> tuple[int, float]:
            async with gate:
                return await _timed_post(urls[i % len(urls)], _command_body(slack_url, i))

        return list(await asyncio.gather(*(one(i) for i in range(requests))))

    return asyncio.run(run())


def _slow_clients(port: int, count: int, stop: Any) -> None:
    """`count` connections that each send one header line a second and never finish their
    request; one the server drops is replaced. Runs in its own process until `stop` is set."""
    socks: list[socket.socket | None] = [None] * count
    line = 0
    while not stop.is_set():
        for n in range(count):
            try:
                if socks[n] is None:
                    socks[n] = socket.create_connection(("127.0.0.1", port), timeout=5)
                    socks[n].sendall(b"POST /slack/events HTTP/1.1\r\n")  # type: ignore[union-attr]
                socks[n].sendall(f"X-Slow-{line}: 1\r\n".encode())  # type: ignore[union-attr]
            except OSError:
                if socks[n] is not None:
                    socks[n].close()  # type: ignore[union-attr]
                socks[n] = None
        line += 1
        stop.wait(1.0)
    for sock in socks:
        if sock is not None:
            sock.close()


def _mention(url: str, i: int) -> tuple[int, float]:
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0TEST",
            "event_id": f"EvTTFT{i:06d}",
            "event_time": int(time.time()),
            "event": {
                "type": "app_mention",
                "user": "U0ALICE",
                "text": "<@U0BOT> " + _article(10_000 + i),
                "ts": f"1800000000.{i:06d}",
                "channel": "C0TTFT",
            },
        }
    )
    return _post(url, body, "application/json")


def _wait_for_text(slack: FakeSlack, after: int, timeout: float) -> None:
    """Until the stream opened after the first `after` calls carries words: a stream opens
    with its steps (plan and task chunks) before the model has said anything, and the
    previous mention's stream may still be appending."""
    deadline = time.monotonic() + timeout
    ts = None
    while time.monotonic() < deadline:
        for call in slack.calls()[after:]:
            if call.method == "chat.startStream" and ts is None and call.ok:
                ts = call.response.get("ts")
            ours = call.response.get("ts") == ts or call.params.get("ts") == ts
            streaming = call.method in ("chat.startStream", "chat.appendStream")
            if ts and ours and streaming and str(call.params.get("markdown_text") or "").strip():
                return
        time.sleep(0.005)
    raise TimeoutError("no streamed text")


def _start_server(slack: FakeSlack, model: FakeOpenAI, port: int, store: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "OPENAI_API_KEY": "sk-bench",
        "OPENAI_BASE_URL": model.base_url,
        "OPENAI_MODEL": "fake-model",
        "LLM_TIMEOUT": "60",
        "STORE_PATH": store,
        **UNLIMITED,
    }
    log = Path(store).with_suffix(".log")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe nobody reads: a full pipe would stall the server's logging.
        stderr=log.open("w"),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the app did not start: " + log.read_text()[-2000:])


def answered_by_asker(slack: FakeSlack) -> dict[str, int]:
    """Final replies by who asked (each placeholder's last update names the asker)."""
    answered: dict[str, int] = {}
    for call in slack.calls("chat.update"):
        blocks = call.params.get("blocks") or []
        asked = [b for b in blocks if b.get("type") == "context"][:1]
        if asked:
            who = asked[0]["elements"][0]["text"].split(">")[0]
            answered[who] = answered.get(who, 0) + 1
    return answered


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--model-latency", type=float, default=5.0)
    parser.add_argument(
        "--first-token",
        type=float,
        default=1.0,
        help="fake model's first-token delay for the streaming test",
    )
    parser.add_argument("--streams", type=int, default=10)
    parser.add_argument(
        "--warm-up", type=float, default=10.0, help="seconds between start and load"
    )
    parser.add_argument(
        "--slow-clients", type=int, default=0, help="slowloris connections during the run"
    )
    args = parser.parse_args(argv)

    port = _free_port()
    url = f"http://127.0.0.1:{port}/slack/events"
    with (
        FakeSlack() as slack,
        FakeOpenAI() as model,
        tempfile.TemporaryDirectory() as tmp,
    ):
        model.default = Reply(SUMMARY, first_token_delay=args.model_latency)
        server = _start_server(slack, model, port, str(Path(tmp) / "store.sqlite3"))
        # Steady state, as a deployed app is: the job processes finish importing and warming
        # up (seconds of CPU on these 2 cores) before the load starts, not during it.
        time.sleep(args.warm_up)
        spawn = multiprocessing.get_context("spawn")
        stop = spawn.Event()
        flood = spawn.Process(target=_slow_clients, args=(port, args.slow_clients, stop))
        if args.slow_clients:
            flood.start()
            time.sleep(3)  # all connected, mid-headers
        try:
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as proc:
                acks = proc.submit(load, [url], slack.url, args.requests, args.concurrency).result()
            latencies = [seconds * 1000 for _, seconds in acks]
            ok = sum(1 for status, _ in acks if status == 200)
            # Every answer is the placeholder's final update, which names who asked.
            deadline = time.monotonic() + args.model_latency * 4 + 60
            while time.monotonic() < deadline:
                if len(answered_by_asker(slack)) >= args.requests:
                    break
                time.sleep(0.5)
            time.sleep(2)  # late duplicates would show up here
            answered = answered_by_asker(slack)
            once = sum(1 for count in answered.values() if count == 1)

            model.default = Reply(SUMMARY, first_token_delay=args.first_token, chunk_chars=8)
            gaps = []
            for i in range(args.streams):
                before = len(slack.calls())
                started = time.monotonic()
                _mention(url, i)
                _wait_for_text(slack, before, timeout=30)
                gaps.append((time.monotonic() - started - args.first_token) * 1000)
        finally:
            stop.set()
            if args.slow_clients:
                flood.join(10)
            server.terminate()
            server.wait(timeout=90)  # the drain may take its full 25 s, then gunicorn stops

    print("| metric | result | target |\n|---|---|---|")
    print(f"| slash commands acked with 200 | {ok} / {args.requests} | all |")
    print(f"| ack latency p50 | {statistics.median(latencies):.0f} ms | |")
    print(f"| ack latency p99 | {_percentile(latencies, 0.99):.0f} ms | < 100 ms |")
    print(f"| answers arrived exactly once | {once} / {args.requests} | {args.requests} |")
    print(
        f"| first streamed text after the model's first token (median / max of "
        f"{args.streams}) | {statistics.median(gaps):.0f} / {max(gaps):.0f} ms | < 250 ms |"
    )
    print(
        f"\n({args.concurrency} concurrent, model latency {args.model_latency:g} s, "
        f"first token {args.first_token:g} s; {args.slow_clients} slow clients; "
        f"uvicorn workers under gunicorn, {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
