"""Connection machinery for the fetcher: IP-pinned sockets under one overall deadline.

`PinnedBackend` connects a host name only to the addresses the SSRF check approved, while
the URL keeps the name, so the Host header, TLS SNI and certificate checks all use the real
name (no DNS-rebinding window). `PinnedTransport` is the httpx transport over it, and
`bounded_resolver` keeps DNS lookups inside the same time budget.
"""

from __future__ import annotations

import os
import ssl
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

import httpcore
import httpx

from bot.errors import FetchTimeout
from bot.ingest.ssrf import CheckedURL, Resolver


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every wait is cut short by the fetch's overall deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def _left(self, timeout: float | None, exc: type[Exception]) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise exc("total fetch deadline passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = self._left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, left), self._deadline
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
    """Connects a host name only to the addresses the SSRF check approved for it."""

    def __init__(self, deadline: float, inner: httpcore.NetworkBackend | None = None) -> None:
        self._pins: dict[str, tuple[str, ...]] = {}
        self._deadline = deadline
        self._inner = inner or httpcore.SyncBackend()

    def pin(self, target: CheckedURL) -> None:
        self._pins[target.host] = target.addresses

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._pins.get(host)
        if not addresses:  # never fall back to a fresh DNS lookup
            raise httpcore.ConnectError("host was not checked by the SSRF guard")
        error: Exception | None = None
        for address in addresses:
            left = self._deadline - time.monotonic()
            if left <= 0:
                raise httpcore.ConnectTimeout("total fetch deadline passed")
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    left if timeout is None else min(timeout, left),
                    local_address,
                    socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")


# httpcore's exceptions and the httpx ones the client and callers expect.
_HTTPCORE_TO_HTTPX: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProxyError: httpx.ProxyError,
}
_HTTPCORE_ERRORS = tuple(_HTTPCORE_TO_HTTPX)


def _as_httpx(exc: Exception) -> httpx.TransportError:
    kind = next(v for k, v in _HTTPCORE_TO_HTTPX.items() if isinstance(exc, k))
    return kind(str(exc))


class _PinnedResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._stream
        except _HTTPCORE_ERRORS as exc:
            raise _as_httpx(exc) from exc

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


def _ca_env() -> tuple[str | None, str | None]:
    return os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")


@lru_cache(maxsize=4)
def _default_ssl_context(ca_file: str | None, ca_dir: str | None) -> ssl.SSLContext:
    # Loading the CA bundle costs ~20 ms, so share one context per CA setting
    # (httpx honours SSL_CERT_FILE / SSL_CERT_DIR, as does curl).
    return httpx.create_ssl_context()


class PinnedTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool that uses `PinnedBackend` for every socket.

    (httpx.HTTPTransport cannot take a network backend, hence this thin adapter.)
    """

    def __init__(self, backend: PinnedBackend, ssl_context: ssl.SSLContext | None = None) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context or _default_ssl_context(*_ca_env()),
            network_backend=backend,
            max_connections=4,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            response = self._pool.handle_request(core_request)
        except _HTTPCORE_ERRORS as exc:
            raise _as_httpx(exc) from exc
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_PinnedResponseStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


def bounded_resolver(resolver: Resolver, deadline: float, timeout: float, url: str) -> Resolver:
    """`resolver`, but giving up after `timeout` seconds (or at `deadline`).

    getaddrinfo cannot be cancelled or given a timeout, so the lookup runs in a daemon thread
    that is simply abandoned if it hangs.
    """

    def resolve(host: str) -> Sequence[str]:
        outcome: list[Sequence[str] | BaseException] = []

        def run() -> None:
            try:
                outcome.append(resolver(host))
            except BaseException as exc:  # handed to the waiting thread below
                outcome.append(exc)

        worker = threading.Thread(target=run, name="articlebot-dns", daemon=True)
        worker.start()
        worker.join(max(0.0, min(timeout, deadline - time.monotonic())))
        if not outcome:
            raise FetchTimeout("Looking up that site's address took too long.", url=url)
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    return resolve
