"""Fetch an article link safely: SSRF-checked, IP-pinned, size- and time-capped.

Every hop (the first URL and each redirect) goes through `bot.ingest.ssrf.check_url`, and the
connection is made only to the addresses that check approved: a custom httpcore network
backend maps the host name to those pinned IPs, while the URL keeps the host name, so the Host
header, TLS SNI and certificate verification all use the real name (no DNS rebinding window).
"""

from __future__ import annotations

import os
import re
import ssl
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from typing import Any
from urllib.parse import urljoin

import httpcore
import httpx

from bot.errors import (
    BlockedAddress,
    FetchError,
    FetchTimeout,
    Forbidden,
    InvalidURL,
    NotFound,
    TooLarge,
    TooManyRedirects,
    UnsupportedType,
)
from bot.ingest.ssrf import Allowlist, CheckedURL, Resolver, check_url, system_resolver
from bot.settings import Settings, get_settings

ARTICLE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", "application/pdf"})
# Types that say nothing about the body: sniff it instead.
GENERIC_TYPES = frozenset(
    {
        "",
        "application/octet-stream",
        "binary/octet-stream",
        "application/unknown",
        "application/x-unknown",
        "unknown/unknown",
        "application/download",
        "application/x-download",
        "application/force-download",
    }
)
_TYPE_ALIASES = {"application/x-pdf": "application/pdf", "application/acrobat": "application/pdf"}

_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,"
    "application/pdf;q=0.8,*/*;q=0.5"
)
# Only what we can inflate with a bounded output size (see `_BoundedDecoder`).
_ACCEPT_ENCODING = "gzip, deflate"
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_FORBIDDEN_STATUSES = frozenset({401, 402, 403, 451})


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched page: raw (but decompressed) bytes plus what the server said about them."""

    url: str  # as the user gave it
    final_url: str  # after redirects
    status: int
    content_type: str  # lower-case media type without parameters (sniffed when generic)
    charset: str | None  # from the Content-Type header
    body: bytes
    headers: httpx.Headers


# --- connection pinning -------------------------------------------------------------------


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


# --- body decoding ------------------------------------------------------------------------


class _BoundedDecoder:
    """Inflates gzip/deflate without ever producing more than asked (stops gzip bombs)."""

    def __init__(self, encoding: str) -> None:
        self._raw_deflate_fallback = encoding == "deflate"
        self._zlib: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)

    def feed(self, data: bytes, limit: int) -> bytes:
        """Decoded bytes for `data`, at most `limit` of them (more input may stay unread)."""
        if self._zlib is None:
            return data
        try:
            out = self._zlib.decompress(data, limit)
        except zlib.error:
            if not self._raw_deflate_fallback:
                raise
            # "deflate" is sometimes sent raw, without the zlib header: retry the first chunk.
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._zlib.decompress(data, limit)
        self._raw_deflate_fallback = False
        return out

    def flush(self) -> bytes:
        return self._zlib.flush() if self._zlib is not None else b""


def _read_body(response: httpx.Response, max_bytes: int, deadline: float, url: str) -> bytes:
    too_large = TooLarge(
        f"That page is too large for me to read (over {max_bytes // 1_000_000 or 1} MB).",
        url=url,
    )
    declared = response.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > max_bytes:
        raise too_large
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
        raise FetchError("The site sent the page in a compressed format I can't read.", url=url)
    decoder = _BoundedDecoder(encoding)
    body = bytearray()
    wire = 0
    try:
        for chunk in response.iter_raw():
            wire += len(chunk)
            body += decoder.feed(chunk, max_bytes - len(body) + 1)
            if len(body) > max_bytes or wire > max_bytes:
                raise too_large
            if time.monotonic() > deadline:
                raise FetchTimeout("The site took too long to send the page.", url=url)
        body += decoder.flush()
    except zlib.error as exc:
        raise FetchError("The site sent a damaged (badly compressed) page.", url=url) from exc
    if len(body) > max_bytes:
        raise too_large
    return bytes(body)


# --- content types ------------------------------------------------------------------------

_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p)"
    rb"[\s>/]|<!--|<\?xml[^>]*>\s*(?:<!doctype\s+html|<html)",
    re.IGNORECASE,
)
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"Rar!", "application/x-rar-compressed"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"ID3", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
    (b"\x1a\x45\xdf\xa3", "video/webm"),
    (b"%!PS", "application/postscript"),
    (b"\x7fELF", "application/x-executable"),
    (b"MZ", "application/x-msdownload"),
)


def sniff_media_type(body: bytes) -> str:
    """Guess a body's media type from its first bytes (for missing/generic Content-Type)."""
    head = body[:1024]
    if b"%PDF-" in head:
        return "application/pdf"
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}[head[8:12]]
    if head[4:8] == b"ftyp":
        return "video/mp4"
    for magic, media_type in _SIGNATURES:
        if head.startswith(magic):
            return media_type
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if _HTML_START.match(text):
        return "text/html"
    if b"\x00" not in head[:4096] and _mostly_text(head):
        return "text/plain"
    return "application/octet-stream"


def _mostly_text(head: bytes) -> bool:
    if not head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(head) < 0.02


def parse_content_type(value: str | None) -> tuple[str, str | None]:
    """(lower-case media type, charset or None) from a Content-Type header value."""
    if not value:
        return "", None
    media_type, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, arg = param.partition("=")
        if name.strip().lower() == "charset" and arg.strip().strip("\"'"):
            charset = arg.strip().strip("\"'").lower()
    media_type = media_type.strip().lower()
    return _TYPE_ALIASES.get(media_type, media_type), charset


def _describe(media_type: str) -> str:
    major, _, minor = media_type.partition("/")
    if major in ("image", "video", "font"):
        return {"image": "an image", "video": "a video", "font": "a font file"}[major]
    if major == "audio":
        return "an audio file"
    if any(word in minor for word in ("zip", "rar", "7z", "tar", "compressed")):
        return "an archive"
    if any(word in minor for word in ("json", "xml", "csv", "yaml")) or minor == "csv":
        return "a data file"
    if any(word in minor for word in ("javascript", "css", "ecmascript")):
        return "a code file"
    if any(word in minor for word in ("word", "excel", "powerpoint", "officedocument", "opendoc")):
        return "an office document"
    return "a file"


def unsupported(media_type: str, url: str) -> UnsupportedType:
    """The error for a non-article type, naming it (sanitised: it comes from the server)."""
    shown = re.sub(r"[^a-z0-9.+/-]", "", media_type)[:80] or "unknown type"
    return UnsupportedType(
        f"That link points to {_describe(shown)} ({shown}), not an article.", url=url
    )


# --- statuses -----------------------------------------------------------------------------


def _status_error(status: int, url: str) -> FetchError:
    try:
        phrase = f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        phrase = str(status)
    if status in (404, 410):
        return NotFound(f"That page doesn't exist (the site answered {phrase}).", url=url)
    if status in _FORBIDDEN_STATUSES:
        return Forbidden(
            f"That page is paywalled or needs a login (the site answered {phrase}). "
            "Try pasting the article text instead.",
            url=url,
        )
    if status == 429:
        return FetchError(
            "The site is refusing requests right now (429 Too Many Requests). Try again later.",
            url=url,
        )
    if status >= 500:
        return FetchError(f"The site had a problem ({phrase}). Try again later.", url=url)
    return FetchError(f"The site refused the request ({phrase}).", url=url)


def _transport_error(exc: httpx.TransportError, url: str) -> FetchError:
    if isinstance(exc, httpx.TimeoutException):
        return FetchTimeout("The site took too long to respond.", url=url)
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return FetchError(
                "I couldn't connect to that site securely (its certificate isn't valid).", url=url
            )
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectError):
        return FetchError("I couldn't connect to that site.", url=url)
    return FetchError("The site sent a response I couldn't understand.", url=url)


# --- DNS ----------------------------------------------------------------------------------


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


# --- fetch --------------------------------------------------------------------------------


def _browser_headers(settings: Settings) -> dict[str, str]:
    return {
        "User-Agent": settings.fetch_user_agent,
        "Accept": _ACCEPT,
        "Accept-Language": "en-US,en;q=0.9",
        "Accept-Encoding": _ACCEPT_ENCODING,
    }


def _check_hop(
    location: str, current: str, allow: Allowlist, resolver: Resolver | None, url: str
) -> CheckedURL:
    """Check a redirect target; errors name only the user's URL, never the hidden hop."""
    target = urljoin(current, location.strip())
    try:
        return check_url(target, allow, resolver)
    except BlockedAddress as exc:
        err = BlockedAddress(
            "That link redirects to a private or internal network address, "
            "which I'm not allowed to fetch.",
            url=url,
        )
        err.reason = getattr(exc, "reason", "")  # type: ignore[attr-defined]
        raise err from exc
    except InvalidURL as exc:
        raise InvalidURL("That link redirects to an address I can't open.", url=url) from exc


def fetch(
    url: str, settings: Settings | None = None, *, resolver: Resolver | None = None
) -> Fetched:
    """Download an article link: HTML/XHTML, plain text or PDF, as (decompressed) bytes.

    `resolver` replaces DNS (tests point it at a fake table). Raises only `bot.errors`
    errors: InvalidURL, BlockedAddress, NotFound, Forbidden, FetchTimeout, TooLarge,
    TooManyRedirects, UnsupportedType or FetchError.
    """
    settings = settings or get_settings()
    allow = Allowlist(settings.fetch_allowlist)
    deadline = time.monotonic() + settings.fetch_total_timeout
    resolver = bounded_resolver(
        resolver or system_resolver, deadline, settings.fetch_connect_timeout, url
    )
    target = check_url(url, allow, resolver)
    backend = PinnedBackend(deadline)
    timeout = httpx.Timeout(
        settings.fetch_read_timeout,
        connect=settings.fetch_connect_timeout,
        pool=settings.fetch_connect_timeout,
    )
    client = httpx.Client(
        transport=PinnedTransport(backend),
        headers=_browser_headers(settings),
        timeout=timeout,
        follow_redirects=False,  # every hop is checked here instead
        trust_env=False,  # a proxy from the environment would bypass the pinning
    )
    try:
        with client:
            for _hop in range(settings.fetch_max_redirects + 1):
                backend.pin(target)
                with client.stream("GET", target.url) as response:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECT_STATUSES and location:
                        target = _check_hop(location, target.url, allow, resolver, url)
                        continue
                    return _finish(url, target.url, response, settings, deadline)
    except httpx.TransportError as exc:
        raise _transport_error(exc, url) from exc
    except httpx.InvalidURL as exc:
        raise InvalidURL("That link redirects to an address I can't open.", url=url) from exc
    raise TooManyRedirects(
        f"That link redirects too many times (more than {settings.fetch_max_redirects}).",
        url=url,
    )


def _finish(
    url: str, final_url: str, response: httpx.Response, settings: Settings, deadline: float
) -> Fetched:
    status = response.status_code
    if not 200 <= status < 300:
        raise _status_error(status, url)
    media_type, charset = parse_content_type(response.headers.get("content-type"))
    generic = media_type in GENERIC_TYPES
    if not generic and media_type not in ARTICLE_TYPES:
        raise unsupported(media_type, url)  # before downloading a video
    body = _read_body(response, settings.fetch_max_bytes, deadline, url)
    if generic:
        media_type = sniff_media_type(body)
        if media_type not in ARTICLE_TYPES:
            if media_type == "application/octet-stream":
                raise UnsupportedType("That link points to a binary file, not an article.", url=url)
            raise unsupported(media_type, url)
    return Fetched(
        url=url,
        final_url=final_url,
        status=status,
        content_type=media_type,
        charset=charset,
        body=body,
        headers=httpx.Headers(response.headers),
    )
