"""Scaled out on Redis: two `serve --http` replicas, 1, 2 and 4 `articlebot worker`s.

    python -m bench scaleout [--requests 200] [--concurrency 50] [--model-latency 5]
                             [--workers 1,2,4] [--threads 8]

For each worker count, a fresh cluster on one real redis-server (Debian's `redis-server` on
PATH): N signed /summarize commands (each a different pasted article), C at a time,
alternating between the two replicas, while the fake model takes `--model-latency` seconds
per answer. Reports ack p50 / p99, how many answers arrived exactly once, and completed
answers per minute (from the first ack to the last answer), which should grow with the
workers: each runs `--threads` jobs at once.

Everything runs on 127.0.0.1; the servers stop when the run ends.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench.slack_load import (
    SECRET,
    SUMMARY,
    UNLIMITED,
    _free_port,
    _percentile,
    answered_by_asker,
    load,
)
from tests.servers.fake_openai import FakeOpenAI, Reply
from tests.servers.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parent.parent


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _healthy(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("a replica exited: " + log.read_text()[-2000:])
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("a replica never became healthy: " + log.read_text()[-2000:])


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def run(workers: int, args: argparse.Namespace, redis_url: str, tmp: Path) -> dict[str, float]:
    with FakeSlack() as slack, FakeOpenAI() as model:
        model.default = Reply(SUMMARY, first_token_delay=args.model_latency)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))},
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "SLACK_HTTP_WORKERS": "1",
            "OPENAI_API_KEY": "sk-bench",
            "OPENAI_BASE_URL": model.base_url,
            "OPENAI_MODEL": "fake-model",
            "LLM_TIMEOUT": "60",
            "REDIS_URL": redis_url,
            "REDIS_PREFIX": f"bench{workers}-{os.getpid()}:",  # nothing cached from a run before
            "LOG_LEVEL": "WARNING",
            **UNLIMITED,
        }
        procs: list[subprocess.Popen] = []
        try:
            urls = []
            for replica in range(2):
                port = _free_port()
                log = tmp / f"web{replica}-{workers}.log"
                cmd = ["serve", "--http", "--host", "127.0.0.1", "--port", str(port)]
                procs.append(_start(cmd, env, log))
                _healthy(port, procs[-1], log)
                urls.append(f"http://127.0.0.1:{port}/slack/events")
            for n in range(workers):
                cmd = ["worker", "--threads", str(args.threads)]
                procs.append(_start(cmd, env, tmp / f"worker{n}-{workers}.log"))
            time.sleep(5)  # workers import and warm up before the load starts
            started = time.monotonic()
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
                acks = pool.submit(load, urls, slack.url, args.requests, args.concurrency)
                results = acks.result()
            deadline = time.monotonic() + args.requests * args.model_latency / workers + 120
            answered: dict[str, int] = {}
            last = started
            while time.monotonic() < deadline:
                now = answered_by_asker(slack)
                if len(now) > len(answered):
                    last = time.monotonic()
                answered = now
                if len(answered) >= args.requests:
                    break
                time.sleep(0.2)
            time.sleep(3)  # late duplicates would show up here
            answered = answered_by_asker(slack)
        finally:
            _stop(procs)
    latencies = [seconds * 1000 for _, seconds in results]
    return {
        "workers": workers,
        "acked": sum(1 for status, _ in results if status == 200),
        "p50": statistics.median(latencies),
        "p99": _percentile(latencies, 0.99),
        "once": sum(1 for count in answered.values() if count == 1),
        "per_minute": len(answered) / max(last - started, 1e-9) * 60,
        "seconds": last - started,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--model-latency", type=float, default=5.0)
    parser.add_argument("--workers", default="1,2,4", help="worker counts to run, e.g. 1,2,4")
    parser.add_argument("--threads", type=int, default=8, help="jobs at once per worker")
    args = parser.parse_args(argv)

    from tests.redis_server import RedisServer

    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("scaleout: needs redis-server on PATH (Debian: apt-get install redis-server)")
    server = RedisServer(binary)
    server.start()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for workers in (int(n) for n in args.workers.split(",")):
                rows.append(run(workers, args, server.url, Path(tmp)))
                print(f"  {workers} worker(s) done", file=sys.stderr, flush=True)
    finally:
        server.stop()
    base = rows[0]["per_minute"] / rows[0]["workers"]
    print(
        "| workers | acked | ack p50 | ack p99 | answered exactly once | answers / min "
        "| vs. linear |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        linear = row["per_minute"] / (base * row["workers"])
        print(
            f"| {row['workers']} | {row['acked']} / {args.requests} | {row['p50']:.0f} ms "
            f"| {row['p99']:.0f} ms | {row['once']} / {args.requests} "
            f"| {row['per_minute']:.0f} | {linear:.2f} |"
        )
    print(
        f"\n({args.requests} signed /summarize, {args.concurrency} concurrent, round-robin over "
        f"2 replicas; model latency {args.model_latency:g} s; {args.threads} threads per "
        f"worker; {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
