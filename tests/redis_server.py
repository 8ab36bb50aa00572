"""A real Redis server for the tests: REDIS_URL from the environment, or our own redis-server.

    from tests.redis_server import redis_url_or_skip, unique_prefix
    url = redis_url_or_skip()      # the same server for the whole session
    prefix = unique_prefix()       # keys no other test sees

The conftest's session fixture `redis_url` calls `redis_url_or_skip()` and stops our own
server at the end (`stop_own_server()`). Without a server (no REDIS_URL and no redis-server
on PATH) Redis tests are skipped, except under CI (the `CI` variable set), where they fail:
CI must prove the Redis backend.

REDIS_URL is taken out of the environment when this module is imported, so the settings the
other tests build never point the whole bot at it by accident; tests that want Redis pass the
URL explicitly (e.g. `Settings(redis_url=url, redis_prefix=prefix)` or `REDIS_URL=` in a
worker's environment).
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis

ENV_URL = os.environ.pop("REDIS_URL", None) or None

_lock = threading.Lock()
_server: RedisServer | None = None
_unavailable: str | None = None


class RedisServer:
    """A throwaway redis-server on a free loopback port: no persistence, its own temp dir."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.dir = Path(tempfile.mkdtemp(prefix="articlebot-redis-"))
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, attempts: int = 3, *, port: int | None = None) -> None:
        """Start on `port` (a restart), or on a free port: a free port can be taken between
        choosing and binding it, hence the attempts."""
        for _ in range(attempts):
            self.port = port or _free_port()
            log = (self.dir / "redis.log").open("wb")
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.dir),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            log.close()
            if self._wait_ready():
                return
            self.stop()
        raise RuntimeError(f"redis-server did not start; see {self.dir / 'redis.log'}")

    def _wait_ready(self, timeout: float = 10.0) -> bool:
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if self.process is None or self.process.poll() is not None:
                    return False
                try:
                    client.ping()
                    return True
                except redis.ConnectionError:
                    time.sleep(0.02)
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_url() -> str | None:
    """The session's Redis server URL (starting our own on first use), or None if none."""
    global _server, _unavailable
    if ENV_URL:
        return ENV_URL
    with _lock:
        if _server is not None:
            return _server.url
        if _unavailable is not None:
            return None
        binary = shutil.which("redis-server")
        if binary is None:
            _unavailable = "no REDIS_URL set and no redis-server on PATH"
            return None
        server = RedisServer(binary)
        server.start()
        _server = server
        atexit.register(stop_own_server)  # also when used without the session fixture
        return server.url


def unavailable_reason() -> str:
    return _unavailable or "no Redis server"


def redis_url_or_skip() -> str:
    """The URL, or skip the test (fail it under CI, which must run the Redis tests)."""
    url = redis_url()
    if url is not None:
        return url
    reason = (
        f"Redis tests need a server: {unavailable_reason()} (install redis-server or set REDIS_URL)"
    )
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run them", pytrace=False)
    pytest.skip(reason)


def stop_own_server() -> None:
    global _server
    with _lock:
        if _server is not None:
            _server.stop()
            shutil.rmtree(_server.dir, ignore_errors=True)
            _server = None


def unique_prefix() -> str:
    """A key prefix no other test (or app sharing the server) uses."""
    return f"articlebot-test:{uuid.uuid4().hex}:"


def delete_prefix(url: str, prefix: str) -> None:
    """Remove a test's keys (the server may be someone's REDIS_URL: never FLUSHDB)."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
    finally:
        client.close()
