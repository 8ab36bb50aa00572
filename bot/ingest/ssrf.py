"""SSRF guard: decide whether a URL may be fetched, and which addresses to connect to.

The fetcher must connect only to the addresses returned in `CheckedURL.addresses` (it pins
them), so a DNS answer that changes between the check and the connection cannot slip through.

Hosts are normalised the way browsers do before they are judged: odd IPv4 spellings
(``2130706433``, ``0177.0.0.1``, ``0x7f.1``, ``127.1``), trailing dots, brackets, percent
escapes and IPv4 addresses embedded in IPv6 (mapped, compatible, 6to4, NAT64).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from bot.errors import BlockedAddress, InvalidURL, UnknownHost

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Turns a host name into the IP addresses (as strings) it resolves to.
Resolver = Callable[[str], Sequence[str]]

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# Explicit tables (rather than `ip.is_global`) so the verdict does not change between
# Python patch releases, and so each refusal can name its reason in logs.
_BLOCKED_V4: tuple[tuple[ipaddress.IPv4Network, str], ...] = (
    (_V4("0.0.0.0/8"), "unspecified"),
    (_V4("10.0.0.0/8"), "private"),
    (_V4("100.64.0.0/10"), "carrier-grade NAT"),
    (_V4("127.0.0.0/8"), "loopback"),
    (_V4("169.254.0.0/16"), "link-local"),
    (_V4("172.16.0.0/12"), "private"),
    (_V4("192.0.0.0/24"), "reserved"),
    (_V4("192.0.2.0/24"), "documentation"),
    (_V4("192.88.99.0/24"), "reserved"),
    (_V4("192.168.0.0/16"), "private"),
    (_V4("198.18.0.0/15"), "benchmarking"),
    (_V4("198.51.100.0/24"), "documentation"),
    (_V4("203.0.113.0/24"), "documentation"),
    (_V4("224.0.0.0/4"), "multicast"),
    (_V4("255.255.255.255/32"), "broadcast"),
    (_V4("240.0.0.0/4"), "reserved"),
)

_BLOCKED_V6: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (_V6("::/128"), "unspecified"),
    (_V6("::1/128"), "loopback"),
    (_V6("64:ff9b:1::/48"), "private"),  # local-use NAT64
    (_V6("100::/64"), "reserved"),  # discard-only
    (_V6("2001::/32"), "reserved"),  # Teredo: the tunnel endpoint is not ours to judge
    (_V6("2001::/23"), "reserved"),
    (_V6("2001:db8::/32"), "documentation"),
    (_V6("3fff::/20"), "documentation"),
    (_V6("fc00::/7"), "private"),
    (_V6("fe80::/10"), "link-local"),
    (_V6("fec0::/10"), "private"),  # deprecated site-local
    (_V6("ff00::/8"), "multicast"),
)

_GLOBAL_UNICAST_V6 = _V6("2000::/3")
_NAT64 = _V6("64:ff9b::/96")
_IPV4_COMPATIBLE = _V6("::/96")
_IPV4_TRANSLATED = _V6("::ffff:0:0:0/96")

_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")

# What inet_aton may be handed: digits, hex digits, 'x' and dots (it ignores anything after a
# space on some platforms, so nothing else gets through).
_IPV4_CHARS = re.compile(r"[0-9a-fx.]+")
# WHATWG: a host whose last label is a number must be an IPv4 address, or the URL is invalid.
_NUMERIC_LABEL = re.compile(r"(?:[0-9]+|0x[0-9a-f]*)")
_HOST_CHARS = re.compile(r"[^\x00-\x20#%/:<>?@\[\\\]^|\x7f]+")

_BLOCKED_MESSAGE = (
    "That link points to a private or internal network address, which I'm not allowed to fetch."
)
# Where an intranet site may live; each surface says how to allow one (bot.errors.BlockedAddress).
INTRANET_REASONS = frozenset({"private", "carrier-grade NAT"})


@dataclass(frozen=True, slots=True)
class CheckedURL:
    """A URL that passed the guard, and the only addresses the fetcher may connect to."""

    url: str  # normalised: IP literals in canonical form, IDNA host, no fragment
    scheme: str
    host: str  # as the HTTP client sees it (IDNA, IPv6 without brackets)
    port: int
    addresses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ParsedURL:
    """A syntactically acceptable http(s) URL, before any DNS lookup."""

    url: str
    scheme: str
    host: str
    port: int
    ip: IPAddress | None  # set when the host is an IP literal (in any spelling)


class Allowlist:
    """Hosts and networks the operator lets through on purpose (setting `fetch_allowlist`).

    Entries are host names (exact; ``*.example.com`` or ``.example.com`` for subdomains),
    IP addresses or CIDR networks.
    """

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self.networks: list[IPNetwork] = []
        self.hosts: set[str] = set()
        self.suffixes: list[str] = []
        for raw in entries:
            entry = raw.strip().lower().rstrip(".")
            if not entry:
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            if entry.startswith(("*.", ".")):
                self.suffixes.append("." + _idna(entry.lstrip("*.")))
            else:
                self.hosts.add(_idna(entry))

    def allows_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return host in self.hosts or any(host.endswith(suffix) for suffix in self.suffixes)

    def allows_ip(self, ip: IPAddress) -> bool:
        candidates = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and (v4 := embedded_ipv4(ip)) is not None:
            candidates.append(v4)
        return any(
            c in net for c in candidates for net in self.networks if c.version == net.version
        )


def _idna(name: str) -> str:
    """The ASCII (punycode) form of a host name, as httpx will send it."""
    try:
        return httpx.URL(f"http://{name}/").raw_host.decode("ascii")
    except (httpx.InvalidURL, UnicodeError):
        return name


def parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Read an IPv4 address in any spelling inet_aton accepts (decimal, octal, hex, short).

    Returns None when `host` is not an IPv4 literal; raises InvalidURL when it ends in a number
    but is not a valid address (browsers refuse those too).
    """
    host = host.lower().rstrip(".")
    labels = host.split(".")
    if not labels or not _NUMERIC_LABEL.fullmatch(labels[-1]):
        return None
    if _IPV4_CHARS.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            pass
    raise InvalidURL("That link's address isn't a valid IP address.")


def parse_ip_host(host: str) -> IPAddress | None:
    """The IP address a URL host denotes, or None when it is a name. Pure (no DNS)."""
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        try:
            # int() drops any %zone: the zone never makes an address safe.
            return ipaddress.IPv6Address(int(ipaddress.IPv6Address(host)))
        except ValueError as exc:
            raise InvalidURL("That link's address isn't a valid IP address.") from exc
    return parse_ipv4(host)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, translated, compatible, NAT64, 6to4)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or ip in _IPV4_TRANSLATED or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def blocked_reason(ip: IPAddress) -> str | None:
    """Why the bot may not connect to `ip` ("loopback", "private"...), or None if it may."""
    if isinstance(ip, ipaddress.IPv4Address):
        return next((reason for net, reason in _BLOCKED_V4 if ip in net), None)
    ip = ipaddress.IPv6Address(int(ip))  # drop any %scope
    for net, reason in _BLOCKED_V6[:2]:
        if ip in net:
            return reason
    if (v4 := embedded_ipv4(ip)) is not None:
        return blocked_reason(v4)
    found = next((reason for net, reason in _BLOCKED_V6 if ip in net), None)
    if found is None and ip not in _GLOBAL_UNICAST_V6:
        found = "reserved"
    return found


# Web servers refuse longer request lines (8 KB is the common default), and httpx any URL over
# 64 KB with a message about the site name.
MAX_URL_CHARS = 8_192


def parse_url(url: str) -> ParsedURL:
    """Check the URL's shape and normalise its host. Pure (no DNS); raises InvalidURL."""
    text = url.strip()
    if len(text) > MAX_URL_CHARS:
        raise InvalidURL(
            f"That link is too long to open (over {MAX_URL_CHARS:,} characters).", url=url
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL("That link isn't a valid web address.", url=url) from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidURL("I can only open web links that start with http:// or https://.", url=url)
    netloc = parts.netloc
    if "@" in netloc or parts.username is not None or parts.password is not None:
        raise InvalidURL(
            "That link has a username or password in it; please share it without them.", url=url
        )
    raw_host = unquote(parts.hostname or "")
    if not raw_host:
        raise InvalidURL("That link has no site name in it.", url=url)
    if not _HOST_CHARS.fullmatch(raw_host) and ":" not in raw_host:
        raise InvalidURL("That link's site name isn't valid.", url=url)
    try:
        ip = parse_ip_host(raw_host)
    except InvalidURL as exc:
        raise InvalidURL(exc.message, url=url) from exc
    if ip is not None:
        netloc_host = f"[{ip.compressed}]" if ip.version == 6 else str(ip)
    else:
        netloc_host = raw_host.lower()
    default_port = 443 if scheme == "https" else 80
    netloc = netloc_host if port in (None, default_port) else f"{netloc_host}:{port}"
    normalised = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    try:
        httpx_url = httpx.URL(normalised)
    except httpx.InvalidURL as exc:
        raise InvalidURL("That link isn't a valid web address.", url=url) from exc
    host = httpx_url.raw_host.decode("ascii")
    return ParsedURL(str(httpx_url), scheme, host, port or default_port, ip)


def system_resolver(host: str) -> list[str]:
    """Resolve `host` with the operating system's resolver (every address, v4 and v6)."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _blocked(url: str, reason: str) -> BlockedAddress:
    err = BlockedAddress(_BLOCKED_MESSAGE, url=url)
    err.reason = reason  # type: ignore[attr-defined]  # for logs, never shown to the user
    err.intranet = reason in INTRANET_REASONS
    log.info("blocked a link (%s)", reason)  # the reason only: a URL may carry tokens
    return err


def check_url(
    url: str,
    allowlist: Allowlist | Iterable[str] = (),
    resolver: Resolver | None = None,
) -> CheckedURL:
    """Refuse URLs the bot may not fetch; return the normalised URL and addresses to pin.

    Raises InvalidURL (bad shape), BlockedAddress (forbidden address; every address a name
    resolves to is checked) or UnknownHost (the name does not resolve).
    """
    allow = allowlist if isinstance(allowlist, Allowlist) else Allowlist(allowlist)
    parsed = parse_url(url)
    if parsed.ip is not None:
        if not allow.allows_ip(parsed.ip) and (reason := blocked_reason(parsed.ip)):
            raise _blocked(url, reason)
        return CheckedURL(parsed.url, parsed.scheme, parsed.host, parsed.port, (parsed.host,))
    host_allowed = allow.allows_host(parsed.host)
    bare = parsed.host.rstrip(".")
    if not host_allowed and (bare in _LOCAL_NAMES or bare.endswith(".localhost")):
        raise _blocked(url, "loopback")
    try:
        answers = (resolver or system_resolver)(parsed.host)
    except (OSError, UnicodeError) as exc:
        raise UnknownHost(
            "I couldn't find that site: its name doesn't resolve to an address.", url=url
        ) from exc
    addresses: list[str] = []
    for answer in answers:
        try:
            ip = ipaddress.ip_address(answer)
        except ValueError:
            continue
        if not host_allowed and not allow.allows_ip(ip) and (reason := blocked_reason(ip)):
            raise _blocked(url, reason)
        addresses.append(ip.compressed)
    if not addresses:
        raise UnknownHost(
            "I couldn't find that site: its name doesn't resolve to an address.", url=url
        )
    return CheckedURL(parsed.url, parsed.scheme, parsed.host, parsed.port, tuple(addresses))
