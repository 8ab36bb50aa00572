"""What is this body, and is it an article? Media types, content sniffing, charset decoding.

The one place that decides how a body is read, shared by the fetcher (a link's response) and
`from_bytes` (a file or a download). Pure functions, no I/O.
"""

from __future__ import annotations

import codecs
import json
import re
import unicodedata
from typing import Literal

from bot.errors import UnsupportedType
from bot.ingest.language import detect_language

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
    start = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if _SVG_START.match(start):
        return "image/svg+xml"  # XML text, but a drawing: never an article
    if _HTML_START.match(start):
        return "text/html"
    if b"\x00" not in head and _mostly_text(head):
        return "application/json" if _is_json(body) else "text/plain"
    return _BINARY


# An SVG opens with <svg>, perhaps after an XML prolog, a doctype and comments.
_SVG_START = re.compile(
    rb"(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!doctype\s+svg[^>]*>\s*)*<svg[\s>]",
    re.IGNORECASE | re.DOTALL,
)


def _is_json(body: bytes) -> bool:
    """A JSON document (an API response or a data file), not prose that starts with '['."""
    start = body.removeprefix(codecs.BOM_UTF8).lstrip()[:1]
    if start not in (b"{", b"["):
        return False
    try:
        json.loads(body.removeprefix(codecs.BOM_UTF8))
    except ValueError:  # JSONDecodeError and UnicodeDecodeError both are ValueErrors
        return False
    return True


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

    Pages are often mislabelled (a latin-1 header over UTF-8 bytes, or no label at all):
    a declared charset that fails strictly is second-guessed by UTF-8, then (for bytes that
    are not UTF-8) by windows-1252, the web's default, or charset-normalizer's detection when
    it finds another script. Undecodable bytes are replaced only when no clean reading exists.
    """
    declared = declared_charset(data, header_charset)
    if declared == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    # cp1252/latin-1 labels decode any bytes, so UTF-8 that parses strictly beats them.
    order = ["utf-8", declared] if declared in ("cp1252", "iso8859-1") else [declared]
    for codec in [*order, "utf-8"]:
        text = _strict(data, codec)
        if text is not None:
            return text
    text = _truncated_utf8(data)
    if text is not None:
        return text
    if declared and declared not in ("utf-8", "cp1252", "iso8859-1"):
        # A multi-byte legacy charset (EUC-JP, GBK, Big5) cut inside its last character.
        for cut in (1, 2, 3):
            text = _strict(data[:-cut], declared) if len(data) > cut else None
            if text is not None:
                return text
    # UTF-8 with a few broken bytes (spliced pages): keep it, but only when real multi-byte
    # characters show it is UTF-8; a legacy page's lone bytes are all "broken" UTF-8.
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    multibyte = sum(1 for ch in lenient if ord(ch) > 0x7F) - broken
    if broken <= max(3, len(lenient) // 1000) and multibyte >= broken:
        return lenient
    return _legacy_decode(data, declared)


def _strict(data: bytes, codec: str | None) -> str | None:
    if not codec:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _truncated_utf8(data: bytes) -> str | None:
    """UTF-8 cut inside its last character (a capped or truncated download)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            return _strict(data[: exc.start], "utf-8")
    return None


_TAG = re.compile(r"<[^>]*>")


def _letters_outside_tags(text: str) -> str:
    return "".join(ch for ch in _TAG.sub(" ", text[:50_000]) if ch.isalpha())


def _is_latin(text: str) -> bool:
    """Most of the non-ASCII letters are Latin (é, ł, ř), not Cyrillic, Greek, CJK..."""
    letters = [ch for ch in _letters_outside_tags(text) if ord(ch) > 0x7F]
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    return latin * 2 >= len(letters)


def _oddities(text: str) -> int:
    """Signs of a wrong single-byte charset: C1 controls, and symbols inside words
    ("Rz¹d" is Polish "Rząd" read as windows-1252)."""
    sample = _TAG.sub(" ", text[:50_000])
    odd = sum(1 for ch in sample if 0x80 <= ord(ch) <= 0x9F or ch == "\ufffd")
    for i in range(1, len(sample) - 1):
        ch = sample[i]
        if (
            ord(ch) > 0x7F
            and not ch.isalpha()
            and ch != "·"
            and unicodedata.category(ch) not in _WORD_INNER
            and sample[i - 1].isalpha()
        ):
            odd += sample[i + 1].isalpha()
    return odd


# Marks that do sit inside words: apostrophes (It’s), dashes, soft hyphens, combining
# accents (the Catalan middle dot "l·l" is checked by name).
_WORD_INNER = frozenset({"Pd", "Pi", "Pf", "Cf", "Mn", "Mc"})


def _foreign_in_western(text: str) -> bool:
    """Read as windows-1252 but mostly accented letters: really another script's bytes
    (Russian cp1251 comes out as "Ïðàâèòåëüñòâî")."""
    letters = _letters_outside_tags(text)
    return sum(1 for ch in letters if ord(ch) > 0x7F) * 4 > len(letters)


# Windows code pages of Latin-script languages outside windows-1252's Western Europe.
_REGIONAL_CODEPAGE = {
    **dict.fromkeys(("cs", "sk", "hu", "pl", "sl", "hr", "bs", "ro", "sq"), "cp1250"),
    **dict.fromkeys(("tr", "az"), "cp1254"),
    **dict.fromkeys(("lt", "lv", "et"), "cp1257"),
    "vi": "cp1258",
}
_REGIONAL_CONFIDENCE = 0.9
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def _regional_reading(data: bytes, western: str | None) -> str | None:
    """The page in its language's own code page, when the language (read off the
    windows-1252 decoding, whose plain letters are right) is clearly one that has one."""
    if western is None:
        return None
    visible = _TAG.sub(" ", _SCRIPT_OR_STYLE.sub(" ", western[:50_000]))
    language, confidence = detect_language(" ".join(visible.split()))
    codepage = _REGIONAL_CODEPAGE.get(language or "")
    if codepage is None or confidence < _REGIONAL_CONFIDENCE:
        return None
    return _strict(data, codepage)


def _legacy_decode(data: bytes, declared: str | None) -> str:
    """Bytes that are not UTF-8 and match no label: windows-1252 (the WHATWG default for
    unlabelled pages) unless the detector's reading, or Central European windows-1250,
    is clearly better."""
    from charset_normalizer import from_bytes  # only for a file that isn't UTF-8 (15 ms)

    western = _strict(data, "cp1252")
    best = from_bytes(data[:200_000]).best()
    guess = _valid_codec(best.encoding) if best is not None else None
    other = _strict(data, guess) if guess and guess != "cp1252" else None
    if other is not None and not _is_latin(other):
        # Another script (Cyrillic, Greek, CJK...): believe it unless the text reads as
        # ordinary Western European in windows-1252.
        if western is None or _foreign_in_western(western):
            return other
        if _oddities(western) > _oddities(other):
            return other
        return western
    # Latin script: the language tells the code page, as it told browsers (Czech "očekávaná"
    # is "oèekávaná" in windows-1252, every letter still a letter).
    regional = _regional_reading(data, western)
    if regional is not None:
        return regional
    # Otherwise windows-1252 wins ties; another charset must leave fewer symbols stuck
    # inside words (Polish "Rząd" is "Rz¹d" in windows-1252).
    readings = [text for text in (western, other, _strict(data, "cp1250")) if text is not None]
    if readings:
        return min(readings, key=_oddities)  # min keeps the first of equals: windows-1252
    # No clean reading at all: the least bad one, with replacement characters.
    fallback = next(c for c in (guess, declared, "cp1252") if c and c != "utf-8")
    return data.decode(fallback, errors="replace")
