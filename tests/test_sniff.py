"""Pure sniffing and decoding: what a body is, and its text."""

from __future__ import annotations

import gzip

import pytest

from bot.ingest.sniff import (
    classify,
    declared_charset,
    decode_text,
    parse_content_type,
    sniff_bytes,
    sniff_media_type,
)
from tests.servers.articles import ARTICLE_HTML, PNG_BYTES, TINY_PDF

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"<!DOCTYPE html><html><body>x</body></html>", "html"),
        (b"\n  <!-- c --> <html lang='en'>", "html"),
        (b"\xef\xbb\xbf<html>", "html"),
        (b"%PDF-1.7\n...", "pdf"),
        (b"Plain words, nothing else.", "text"),
        (PNG, None),
        (b"\x00\x01\x02binary", None),
    ],
)
def test_sniff_bytes(data, expected):
    assert sniff_bytes(data) == expected


def test_classify_trusts_content_over_generic_labels():
    assert classify("application/octet-stream", b"<html><p>hi</p></html>") == "html"
    assert classify("text/html; charset=utf-8", b"%PDF-1.4 ...") == "pdf"
    assert classify("text/plain", b"just text") == "text"
    assert classify("image/png", PNG) is None
    assert classify("text/html", PNG) is None  # a mislabelled image is still not an article
    assert classify("application/json", b'{"a": 1}') is None


def test_charset_from_header_then_meta():
    page = b'<html><head><meta charset="windows-1251"></head>'
    assert declared_charset(page) == "cp1251"
    assert declared_charset(page, "utf-8") == "utf-8"
    assert declared_charset(b"<html>", "no-such-codec") is None


def test_decode_uses_declared_charset():
    text = "Привет, мир"
    page = b'<meta charset="windows-1251">' + text.encode("cp1251")
    assert text in decode_text(page)


def test_decode_mislabelled_latin1_header_over_utf8_bytes():
    data = "Café über naïve – “quotes”".encode()
    assert decode_text(data, "iso-8859-1") == "Café über naïve – “quotes”"


def test_decode_bad_utf8_keeps_the_rest():
    data = ("Good text. " * 200).encode() + b"\xff\xfe broken " + "déjà vu".encode()
    out = decode_text(data, "utf-8")
    assert out.startswith("Good text.") and out.endswith("déjà vu")


def test_decode_unlabelled_legacy_encoding_is_detected():
    text = "Le gouvernement a annoncé une réforme très attendue des retraites. " * 20
    out = decode_text(text.encode("cp1252"))
    assert "réforme très attendue" in out


# --- media types ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        (ARTICLE_HTML, "text/html"),
        (b"\xef\xbb\xbf  <!doctype HTML><p>x", "text/html"),
        (b"<?xml version='1.0'?>\n<html xmlns='x'>", "text/html"),
        (b"<p>Short paragraph</p>", "text/html"),
        (TINY_PDF, "application/pdf"),
        (PNG_BYTES, "image/png"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8", "image/webp"),
        (gzip.compress(b"x"), "application/gzip"),
        (b"Plain words in a file.\n", "text/plain"),
        (b"", "text/plain"),
        (bytes(range(256)) * 4, "application/octet-stream"),
    ],
)
def test_sniff_media_type(body: bytes, media_type: str) -> None:
    assert sniff_media_type(body) == media_type


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        ("text/html; charset=UTF-8", ("text/html", "utf-8")),
        ('Text/HTML;  Charset="iso-8859-1"', ("text/html", "iso-8859-1")),
        ("application/x-pdf", ("application/pdf", None)),
        ("text/plain;format=flowed", ("text/plain", None)),
        (None, ("", None)),
    ],
)
def test_parse_content_type(header: str | None, parsed: tuple[str, str | None]) -> None:
    assert parse_content_type(header) == parsed
