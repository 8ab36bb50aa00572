"""What is this body, and is it an article? Media types, content sniffing, charset decoding.

The one place that decides how a body is read, shared by the fetcher (a link's response) and
`from_bytes` (a file or a download). Pure functions, no I/O.
"""

from __future__ import annotations

import codecs
import re
from typing import Literal

from charset_normalizer import from_bytes

from bot.errors import UnsupportedType

Kind = Literal["html", "pdf", "text"]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown"})
PDF_TYPES = frozenset({"application/pdf"})
ARTICLE_TYPES = HTML_TYPES | TEXT_TYPES | PDF_TYPES
# Labels that say nothing about the body: sniff it instead.
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
_BINARY = "application/octet-stream"

# --- labels -------------------------------------------------------------------------------


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


def is_article_type(media_type: str) -> bool:
    """A type we read as an article: HTML/XHTML, plain text or markdown, PDF."""
    return media_type in ARTICLE_TYPES


def kind_of(media_type: str) -> Kind | None:
    """How an article type is read (None for anything else)."""
    if media_type in HTML_TYPES:
        return "html"
    if media_type in PDF_TYPES:
        return "pdf"
    if media_type in TEXT_TYPES:
        return "text"
    return None


# --- bodies -------------------------------------------------------------------------------

_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|meta|title|link|style|script|iframe|article|main"
    rb"|section|header|nav|div|span|font|table|h[1-6]|a|b|br|p)"
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
_RIFF = {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}


def sniff_media_type(body: bytes) -> str:
    """Guess a body's media type from its first bytes."""
    head = body[:1024]
    if b"%PDF-" in head:
        return "application/pdf"
    if head[:4] == b"RIFF" and head[8:12] in _RIFF:
        return _RIFF[head[8:12]]
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # UTF-16 text is full of NUL bytes: look at it as UTF-8 instead.
        head = head.decode("utf-16", "ignore").encode("utf-8")
    else:
        for magic, media_type in _SIGNATURES:
            if head.startswith(magic) and _strong(magic, head):
                return media_type
    if _HTML_START.match(head.removeprefix(codecs.BOM_UTF8).lstrip()):
        return "text/html"
    if b"\x00" not in head and _mostly_text(head):
        return "text/plain"
    return _BINARY


def _strong(magic: bytes, head: bytes) -> bool:
    # Short ASCII magics ("BM", "MZ", "ID3") also start sentences: trust them on binary only.
    return len(magic) > 3 or not magic.isascii() or b"\x00" in head


def _mostly_text(head: bytes) -> bool:
    if not head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(head) < 0.02


def body_type(content_type: str | None, data: bytes) -> str:
    """The media type to read a body as: its label, unless the label is generic or the
    body contradicts it (a PDF or an image served as text/html)."""
    declared, _ = parse_content_type(content_type)
    if declared not in GENERIC_TYPES and not is_article_type(declared):
        return declared  # an image label is believed without looking
    sniffed = sniff_media_type(data)
    if declared in HTML_TYPES and sniffed in TEXT_TYPES:
        return declared  # HTML that doesn't open with a tag is still HTML
    return sniffed


def sniff_bytes(data: bytes) -> Kind | None:
    """What the body itself looks like, or None for a binary we don't read."""
    return kind_of(sniff_media_type(data))


def classify(content_type: str | None, data: bytes) -> Kind | None:
    """Decide how to read a body from its declared type and its first bytes."""
    return kind_of(body_type(content_type, data))


# --- the "not an article" message ---------------------------------------------------------


def describe_type(media_type: str) -> str:
    """'an image (image/png)': a non-article type in words (sanitised: servers send it)."""
    shown = re.sub(r"[^a-z0-9.+/-]", "", media_type.lower())[:80]
    if shown in GENERIC_TYPES:
        return "a binary file"
    major, _, minor = shown.partition("/")
    if major in ("image", "video", "font", "audio"):
        noun = {"image": "an image", "video": "a video", "font": "a font file"}.get(
            major, "an audio file"
        )
    elif any(word in minor for word in ("zip", "rar", "7z", "tar", "compressed")):
        noun = "an archive"
    elif any(word in minor for word in ("json", "xml", "csv", "yaml")):
        noun = "a data file"
    elif any(word in minor for word in ("javascript", "css", "ecmascript")):
        noun = "a code file"
    elif any(w in minor for w in ("word", "excel", "powerpoint", "officedocument", "opendoc")):
        noun = "an office document"
    else:
        noun = "a file"
    return f"{noun} ({shown})"


def unsupported(media_type: str, url: str | None = None) -> UnsupportedType:
    """The error for a body that is not an article, naming its type."""
    what = describe_type(media_type)
    if url:
        return UnsupportedType(f"That link points to {what}, not an article.", url=url)
    return UnsupportedType(
        f"That's {what}, not an article. I read web pages, plain text and PDFs.", url=url
    )


# --- charsets -----------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.IGNORECASE)
_XML_CHARSET = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([\w:.-]+)""", re.IGNORECASE)


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
