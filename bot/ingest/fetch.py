"""Fetch an article link safely: SSRF-checked, IP-pinned, size- and time-capped.

This module is the fetch policy: every hop (the first URL and each redirect) goes through
`bot.ingest.ssrf.check_url`, bodies are capped (after decompression) and the total time is
bounded, error statuses and non-article types become `bot.errors` messages. The sockets,
pinned to the addresses the check approved, are `bot.ingest.transport`'s business; what a
body is (and whether it is an article) is `bot.ingest.sniff`'s.
"""

from __future__ import annotations

import ssl
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urljoin

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
)
from bot.ingest.sniff import (
    GENERIC_TYPES,
    body_type,
    is_article_type,
    parse_content_type,
    unsupported,
)
from bot.ingest.ssrf import (
    Allowlist,
    CheckedURL,
    ParsedURL,
    Resolver,
    check_url,
    parse_url,
    system_resolver,
)
from bot.ingest.transport import PinnedBackend, PinnedTransport, bounded_resolver
from bot.settings import Settings, get_settings

_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,"
    "application/pdf;q=0.8,*/*;q=0.5"
)
# Only what we can inflate with a bounded output size (see `_BoundedDecoder`).
ACCEPT_ENCODING = "gzip, deflate"
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_FORBIDDEN_STATUSES = frozenset({401, 402, 403, 451})


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched page: raw (but decompressed) bytes plus what the server said about them."""

    url: str  # as the user gave it
    final_url: str  # after redirects
    status: int
    content_type: str  # what to read the body as: the label, unless generic or belied by the body
    charset: str | None  # from the Content-Type header
    body: bytes
    headers: httpx.Headers


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


def _size(n: int) -> str:
    """A byte limit as people say it: "10 MB", "1.5 MB", "500 bytes"."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:g} MB"
    return f"{n / 1_000:g} kB" if n >= 1_000 else f"{n} bytes"


def read_body(response: httpx.Response, max_bytes: int, deadline: float, url: str) -> bytes:
    """The body, decompressed; TooLarge past `max_bytes`, FetchTimeout past `deadline`."""
    too_large = TooLarge(
        f"That page is too large for me to read (over {_size(max_bytes)}).",
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
            "If you can read it in your browser, paste the article text instead.",
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


# --- fetch --------------------------------------------------------------------------------


def _browser_headers(settings: Settings) -> dict[str, str]:
    return {
        "User-Agent": settings.fetch_user_agent,
        "Accept": _ACCEPT,
        "Accept-Language": "en-US,en;q=0.9",
        "Accept-Encoding": ACCEPT_ENCODING,
    }


#: Refuses a hop (the first URL or a redirect) by raising, before any DNS lookup: what a caller
#: adds to the SSRF guard (Slack file downloads stay on Slack's hosts).
Permit = Callable[[ParsedURL], None]


@dataclass(frozen=True, slots=True)
class Opened:
    """The final response of `open_url`, its body not read yet."""

    url: str  # after redirects
    response: httpx.Response
    deadline: float  # for reading the body: the fetch's overall time limit


def _origin(target: CheckedURL) -> tuple[str, str, int]:
    return target.scheme, target.host, target.port


def _check_first(
    url: str, allow: Allowlist, resolver: Resolver, permit: Permit | None
) -> CheckedURL:
    if permit is not None:
        permit(parse_url(url))
    return check_url(url, allow, resolver)


def _check_hop(
    location: str,
    current: str,
    allow: Allowlist,
    resolver: Resolver | None,
    url: str,
    permit: Permit | None,
) -> CheckedURL:
    """Check a redirect target; errors name only the user's URL, never the hidden hop."""
    target = urljoin(current, location.strip())
    try:
        if permit is not None:
            permit(parse_url(target))
        return check_url(target, allow, resolver)
    except BlockedAddress as exc:
        err = BlockedAddress(
            "That link redirects to a private or internal network address, "
            "which I'm not allowed to fetch.",
            url=url,
        )
        err.reason = getattr(exc, "reason", "")  # type: ignore[attr-defined]
        err.intranet = exc.intranet
        raise err from exc
    except InvalidURL as exc:
        raise InvalidURL("That link redirects to an address I can't open.", url=url) from exc


@contextmanager
def open_url(
    url: str,
    settings: Settings,
    *,
    allow: Allowlist,
    headers: Mapping[str, str],
    resolver: Resolver | None = None,
    permit: Permit | None = None,
    origin_headers: Mapping[str, str] | None = None,
) -> Iterator[Opened]:
    """GET `url` the safe way, following redirects: every hop passes `permit` and the SSRF
    guard, and is connected only to the addresses the guard approved; the whole exchange,
    body included, is bounded by the fetch timeouts.

    `origin_headers` (credentials) go only to the first URL's origin (scheme, host, port):
    never to a host a redirect leads to. Transport failures become `bot.errors` errors.
    """
    deadline = time.monotonic() + settings.fetch_total_timeout
    resolver = bounded_resolver(
        resolver or system_resolver, deadline, settings.fetch_connect_timeout, url
    )
    target = _check_first(url, allow, resolver, permit)
    origin = _origin(target)
    backend = PinnedBackend(deadline)
    timeout = httpx.Timeout(
        settings.fetch_read_timeout,
        connect=settings.fetch_connect_timeout,
        pool=settings.fetch_connect_timeout,
    )
    client = httpx.Client(
        transport=PinnedTransport(backend),
        headers=dict(headers),
        timeout=timeout,
        follow_redirects=False,  # every hop is checked here instead
        trust_env=False,  # a proxy from the environment would bypass the pinning
    )
    try:
        with client:
            for _hop in range(settings.fetch_max_redirects + 1):
                backend.pin(target)
                extra = origin_headers if origin_headers and _origin(target) == origin else None
                with client.stream("GET", target.url, headers=extra) as response:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECT_STATUSES and location:
                        target = _check_hop(location, target.url, allow, resolver, url, permit)
                        continue
                    yield Opened(target.url, response, deadline)
                    return
    except httpx.TransportError as exc:
        raise _transport_error(exc, url) from exc
    except httpx.InvalidURL as exc:
        raise InvalidURL("That link redirects to an address I can't open.", url=url) from exc
    raise TooManyRedirects(
        f"That link redirects too many times (more than {settings.fetch_max_redirects}).",
        url=url,
    )


def fetch(
    url: str, settings: Settings | None = None, *, resolver: Resolver | None = None
) -> Fetched:
    """Download an article link: HTML/XHTML, plain text or PDF, as (decompressed) bytes.

    `resolver` replaces DNS (tests point it at a fake table). Raises only `bot.errors`
    errors: InvalidURL, BlockedAddress, NotFound, Forbidden, FetchTimeout, TooLarge,
    TooManyRedirects, UnsupportedType or FetchError.
    """
    settings = settings or get_settings()
    with open_url(
        url,
        settings,
        allow=Allowlist(settings.fetch_allowlist),
        headers=_browser_headers(settings),
        resolver=resolver,
    ) as opened:
        return _finish(url, opened.url, opened.response, settings, opened.deadline)


def _finish(
    url: str, final_url: str, response: httpx.Response, settings: Settings, deadline: float
) -> Fetched:
    status = response.status_code
    if not 200 <= status < 300:
        raise _status_error(status, url)
    declared, charset = parse_content_type(response.headers.get("content-type"))
    if declared not in GENERIC_TYPES and not is_article_type(declared):
        raise unsupported(declared, url)  # before downloading a video
    body = read_body(response, settings.fetch_max_bytes, deadline, url)
    media_type = body_type(declared, body)
    if not is_article_type(media_type):
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
