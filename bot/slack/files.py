"""Downloading a file shared in Slack: with the bot token, from Slack's own file hosts only.

The download goes through the article fetcher's client (`bot.ingest.fetch.open_url`): every
hop is SSRF-checked and connected only to the addresses the check approved. On top of that,
every hop must be one of Slack's hosts, over https, and the token goes only to the host the
file's URL names, never to one a redirect leads to.

A SLACK_API_URL that isn't Slack's (a test server, a proxy) is the one exception: its own
origin (scheme, host and port) is then the only place files may come from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from bot.errors import (
    BlockedAddress,
    FetchError,
    FetchTimeout,
    IngestError,
    InvalidURL,
    TooLarge,
    TooManyRedirects,
)
from bot.ingest.fetch import ACCEPT_ENCODING, open_url, read_body
from bot.ingest.ssrf import Allowlist, ParsedURL, Resolver, parse_url
from bot.settings import Settings

log = logging.getLogger(__name__)

# Domains Slack serves its API and files from (commercial and GovSlack), and its CDNs.
SLACK_DOMAINS = ("slack.com", "slack-gov.com")
_SLACK_OWNED = (*SLACK_DOMAINS, "slack-edge.com", "slack-files.com")

NOT_SLACKS = "That file isn't hosted by Slack, so I won't download it with my token."
LEFT_SLACK = "Slack's download link for that file led away from Slack, so I stopped there."
PRIVATE = (
    "Slack's download link for that file led to a private or internal network address, "
    "so I stopped there."
)
NO_PERMISSION = "I don't have permission to read that file (files:read)."


class FileRefused(IngestError):
    """A file URL (or a redirect of its download) outside the hosts files may come from."""

    code = "file_refused"


def _on(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == domain or host.endswith(f".{domain}") for domain in domains)


@dataclass(frozen=True, slots=True)
class FileHosts:
    """Where a shared file may be downloaded from, derived from SLACK_API_URL."""

    token_hosts: frozenset[str]  # a file URL's host: the bot token goes there
    redirect_domains: tuple[str, ...]  # where a download may be redirected (no token)
    scheme: str = "https"
    port: int = 443
    trusted: tuple[str, ...] = ()  # a configured test/proxy host the SSRF guard would refuse

    @classmethod
    def for_api(cls, api_url: str) -> FileHosts:
        parsed = parse_url(api_url)
        host = parsed.host.rstrip(".")
        if not _on(host, SLACK_DOMAINS):  # a test server or a proxy: its origin, only
            return cls(frozenset({host}), (), parsed.scheme, parsed.port, (host,))
        # files.slack.com for every workspace, files-edu for Enterprise (education) orgs;
        # GovSlack (slack-gov.com) serves from files.<its domain>.
        domain = ".".join(host.split(".")[-2:])
        hosts = {"files.slack.com", "files-edu.slack.com", "files-gov.slack.com"}
        hosts.add(f"files.{domain}")
        return cls(frozenset(hosts), _SLACK_OWNED)

    def _same_scheme_and_port(self, url: ParsedURL) -> bool:
        return url.scheme == self.scheme and url.port == self.port

    def check_file_url(self, url: ParsedURL) -> None:
        """Where the download starts (and the token goes): one of Slack's file hosts."""
        if not (self._same_scheme_and_port(url) and url.host.rstrip(".") in self.token_hosts):
            log.warning("refused a file URL on %s (not a Slack file host)", url.host)
            raise FileRefused(NOT_SLACKS)

    def check_redirect(self, url: ParsedURL) -> None:
        """Where a download may be redirected: Slack's hosts, over https, and nowhere else."""
        host = url.host.rstrip(".")
        on_slack = host in self.token_hosts or _on(host, self.redirect_domains)
        if not (self._same_scheme_and_port(url) and on_slack):
            log.warning("refused a file download redirected to %s (not Slack)", url.host)
            raise FileRefused(LEFT_SLACK)


def download(
    url: str, token: str, settings: Settings, *, resolver: Resolver | None = None
) -> bytes:
    """The bytes of a Slack file URL (url_private), fetched with the bot token.

    Raises FileRefused (not Slack's), BlockedAddress (an internal address), TooLarge,
    IngestError (no permission) or FetchError.
    """
    hosts = FileHosts.for_api(settings.slack_api_url)
    try:
        hosts.check_file_url(parse_url(url))
    except InvalidURL as exc:
        raise FileRefused(NOT_SLACKS) from exc
    limit = settings.fetch_max_bytes
    try:
        with open_url(
            url,
            settings,
            allow=Allowlist(hosts.trusted),
            headers={"User-Agent": settings.fetch_user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            resolver=resolver,
            permit=hosts.check_redirect,  # every hop; the file hosts are among its hosts
            origin_headers={"Authorization": f"Bearer {token}"},
        ) as opened:
            status = opened.response.status_code
            if status in (401, 403, 404):
                raise IngestError(NO_PERMISSION)
            if not 200 <= status < 300:
                raise FetchError(f"Slack couldn't send that file (HTTP {status}). Try again later.")
            return read_body(opened.response, limit, opened.deadline, url)
    except BlockedAddress as exc:  # the SSRF guard, on the file URL or a redirect
        raise BlockedAddress(PRIVATE) from exc
    except InvalidURL as exc:
        raise FileRefused(LEFT_SLACK) from exc
    except TooLarge as exc:
        raise TooLarge(f"That file is larger than {limit:,} bytes.") from exc
    except TooManyRedirects as exc:
        raise FetchError("Slack's download link for that file redirects too many times.") from exc
    except FetchTimeout as exc:
        raise FetchTimeout("Slack took too long to send that file. Try again later.") from exc
    except FetchError as exc:
        if isinstance(exc.__cause__, httpx.TransportError):
            raise FetchError("I couldn't download that file from Slack.") from exc
        raise
