"""Cache keys: one article per normalized URL, one answer per everything that shapes it."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track where a click came from; the page is the same without them.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_")
_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mkt_tok", "ref_src", "cmpid"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_url(url: str) -> str:
    """The same page written differently gets the same key.

    Lower-cases scheme and host, drops default ports, fragments and tracking parameters, and
    sorts the rest of the query. Path case is kept: servers may treat it as significant.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # a malformed port: keep the URL as given rather than guess
        return url.strip()
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    if parts.username:  # credentials in a URL are part of what was asked for; keep them apart
        netloc = f"{parts.username}@{netloc}"
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name.lower() not in _TRACKING_PARAMS and not name.lower().startswith(_TRACKING_PREFIXES)
    )
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def answer_key(
    content_hash: str,
    *,
    style: str,
    instructions: str,
    engine: str,
    template_version: str,
) -> str:
    """One key per (article, style, instructions or question, engine/model, prompt version).

    Whitespace in the instructions is normalized so "tl;dr  please" and "tl;dr please" share
    an entry; wording is otherwise kept exactly, since the model sees it exactly.
    """
    parts = [content_hash, style, " ".join(instructions.split()), engine, template_version]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()
