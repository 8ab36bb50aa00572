"""Tell what a body is (HTML, PDF or text) and decode it to text. Pure functions."""

from __future__ import annotations

import codecs
import re
from typing import Literal

from charset_normalizer import from_bytes

Kind = Literal["html", "pdf", "text"]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown"})
PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
# Labels servers put on anything; the body decides.
GENERIC_TYPES = frozenset(
    {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
)

_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|article|div|p)\b",
    re.IGNORECASE | re.DOTALL,
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.IGNORECASE)
_XML_CHARSET = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([\w:.-]+)""", re.IGNORECASE)

# Magic numbers of common non-article files, for a clear "that's an image" message.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"RIFF", "application/octet-stream"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"%!PS", "application/postscript"),
)


def media_type(content_type: str | None) -> str:
    """`text/html; charset=utf-8` -> `text/html`."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def sniff_bytes(data: bytes) -> Kind | None:
    """What the body itself looks like, or None for a binary we don't read."""
    head = data[:2048]
    if head.lstrip()[:5] == b"%PDF-" or head[:1024].find(b"%PDF-") != -1:
        return "pdf"
    if any(head.startswith(magic) for magic, _ in _MAGIC):
        return None
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        body = head.lstrip(codecs.BOM_UTF8)
        return "html" if _HTML_START.match(body) else "text"
    if _HTML_START.match(head):
        return "html"
    if b"\x00" in head:
        return None  # NUL bytes: binary, not text
    return "text"


def guess_binary_type(data: bytes) -> str:
    """A media type for a body we won't read, for error messages."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    return "application/octet-stream"


def classify(content_type: str | None, data: bytes) -> Kind | None:
    """Decide how to read a body from its declared type and its first bytes."""
    declared = media_type(content_type)
    sniffed = sniff_bytes(data)
    if declared in PDF_TYPES:
        return "pdf" if sniffed == "pdf" else sniffed
    if declared in HTML_TYPES:
        return "pdf" if sniffed == "pdf" else ("html" if sniffed else None)
    if declared in TEXT_TYPES:
        return sniffed
    if declared in GENERIC_TYPES or declared.startswith("text/") or declared.endswith("+xml"):
        return sniffed
    return None


def _valid_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


def declared_charset(data: bytes, header_charset: str | None = None) -> str | None:
    """Charset from the HTTP header, else a BOM, else the page's own <meta> or XML prolog."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for candidate in (header_charset, _match(_META_CHARSET, data), _match(_XML_CHARSET, data)):
        codec = _valid_codec(candidate)
        if codec:
            return codec
    return None


def _match(pattern: re.Pattern[bytes], data: bytes) -> str | None:
    found = pattern.search(data[:8192])
    return found.group(1).decode("ascii", "ignore") if found else None


def decode_text(data: bytes, header_charset: str | None = None) -> str:
    """Decode a body, trusting the declared charset only if the bytes agree with it.

    Pages are often mislabelled (a latin-1 header over UTF-8 bytes, or no label at all),
    so a declared charset that fails strictly is second-guessed by UTF-8 and then by
    charset-normalizer's detection; as a last resort undecodable bytes are replaced.
    """
    declared = declared_charset(data, header_charset)
    if declared == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    # cp1252/latin-1 labels decode any bytes, so UTF-8 that parses strictly beats them.
    order = ["utf-8", declared] if declared in ("cp1252", "iso8859-1") else [declared]
    for codec in [*order, "utf-8"]:
        if not codec:
            continue
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    # Mostly-UTF-8 with a few broken bytes (truncated or spliced pages): keep the UTF-8.
    lenient = data.decode("utf-8", errors="replace")
    if lenient.count("\ufffd") <= max(3, len(lenient) // 1000):
        return lenient
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        return data.decode(best.encoding, errors="replace")
    return data.decode(declared or "utf-8", errors="replace")
