"""Pure sniffing and decoding: what a body is, and its text."""

from __future__ import annotations

import gzip

import pytest

from bot.ingest.sniff import (
    classify,
    declared_charset,
    decode_text,
    kind_of,
    parse_content_type,
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
def test_what_a_body_looks_like(data, expected):
    assert kind_of(sniff_media_type(data)) == expected


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
        (gzip.compress(b"x", mtime=0), "application/gzip"),  # one id in every xdist process
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


# --- unlabelled and mislabelled legacy charsets (audit regressions) ------------------------


def _page(text: str, title: str = "Le café") -> str:
    # The page of the audit's repro (/tmp/audit2/cp.html): ASCII furniture, a short story.
    return (
        f"<html><head><title>{title.split()[-1].title()}</title></head><body>"
        f"<nav>Home | World | Sport</nav><article><h1>{title}</h1><p>{text}</p></article>"
        "<footer>(c) 2024 Paper</footer></body></html>"
    )


FRENCH = (
    "Le café « Chez Noël » a rouvert ses portes vendredi après trois mois de travaux, a "
    "annoncé la mairie à la presse.</p><p>Les habitués ont salué le retour des crêpes à prix "
    "doux et du vin chaud servi en terrasse."
)
ENGLISH = "The mayor said “we are ready” on Tuesday — finally. It’s done, at €20 a head."


@pytest.mark.parametrize("header", [None, "utf-8"])
@pytest.mark.parametrize("text", [FRENCH, ENGLISH])
def test_short_unlabelled_windows_1252_is_not_mojibake(text, header):
    # charset-normalizer alone reads this French as cp1250 ("aprčs ... ŕ la presse"), and
    # the English has too few non-ASCII bytes to stop a "mostly UTF-8" reading with U+FFFD.
    out = decode_text(_page(text).encode("cp1252"), header)
    assert text in out
    assert "\ufffd" not in out


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (
            "Правительство объявило о новой реформе пенсионной системы, которую давно ждали.",
            "cp1251",
        ),
        ("Η κυβέρνηση ανακοίνωσε την Παρασκευή τη μεταρρύθμιση του συνταξιοδοτικού.", "cp1253"),
        ("Rząd ogłosił w piątek długo oczekiwaną reformę systemu emerytalnego.", "cp1250"),
        # Latin scripts whose letters stay letters in windows-1252: told by their language.
        (
            "Vláda ve čtvrtek schválila očekávanou novelu zákona o daních, která má podle "
            "ministra financí přinést do rozpočtu další miliardy korun.",
            "cp1250",
        ),
        (
            "A kormány csütörtökön elfogadta a várt adótörvény-módosítást, amely a "
            "pénzügyminiszter szerint további milliárdokat hoz a költségvetésbe.",
            "cp1250",
        ),
        (
            "Hükümet perşembe günü beklenen vergi yasası değişikliğini onayladı. Maliye "
            "bakanına göre değişiklik bütçeye milyarlarca lira ek gelir getirecek.",
            "cp1254",
        ),
        ("東京都は火曜日、新しい予算案を承認した。知事は「これは必要だ」と述べた。", "shift_jis"),
        ("北京市政府周二宣布了新的预算方案，其中包括公园和图书馆的资金。", "gbk"),
    ],
)
@pytest.mark.parametrize("header", [None, "utf-8"])
def test_other_scripts_unlabelled_or_mislabelled_as_utf8(text, codec, header):
    assert text in decode_text(_page(text, title="News").encode(codec), header)


def test_utf8_cut_inside_its_last_character_drops_only_that_character():
    data = "Café au lait — “ok”".encode()[:-2]  # the closing quote loses two of its bytes
    assert decode_text(data) == "Café au lait — “ok"


def test_spliced_utf8_still_beats_a_legacy_reading():
    data = "Crème brûlée, naïve résumé. ".encode() * 5 + b"\xff end"
    out = decode_text(data)
    assert out.startswith("Crème brûlée, naïve résumé.") and out.endswith("\ufffd end")


# --- types that look like text but are not articles -----------------------------------------


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><text>hi</text></svg>',
            "image/svg+xml",
        ),
        (b"<!-- drawn by hand -->\n<svg width='10'></svg>", "image/svg+xml"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n<svg>',
            "image/svg+xml",
        ),
        (
            b'{"title": "x", "body": "The harbour authority published its report."}',
            "application/json",
        ),
        (b'\n  [1, 2, {"a": null}]\n', "application/json"),
        (b"[Updated] The council voted on Tuesday.", "text/plain"),
        (b"{not json} but prose in braces", "text/plain"),
    ],
)
def test_svg_and_json_are_recognised(body: bytes, media_type: str) -> None:
    assert sniff_media_type(body) == media_type


def test_svg_and_json_are_not_articles_even_labelled_as_text():
    svg = b"<svg xmlns='http://www.w3.org/2000/svg'><text>hello</text></svg>"
    assert classify("text/plain", svg) is None
    assert classify(None, b'{"a": 1}') is None
    assert classify("text/html", b'{"a": 1}') is None


def test_a_declared_multibyte_charset_cut_inside_its_last_character() -> None:
    text = "日本語の記事です。東京で会議が開かれた。"
    for codec in ("euc-jp", "gbk", "big5"):
        try:
            data = text.encode(codec)
        except UnicodeEncodeError:
            continue
        cut = data[:-1]  # half of the last character lost, as in a capped download
        decoded = decode_text(cut, codec)
        assert decoded == cut[: len(cut) - 1].decode(codec), codec
