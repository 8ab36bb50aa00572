"""A real HTTP server on 127.0.0.1 serving the pages the fetcher must cope with.

    with ArticleServer() as server:
        fetch(server.url("/article"), settings)

It counts accepted TCP connections (`server.connections`) so SSRF tests can prove that a
refused URL never reached the network, and records each request's headers.
"""

from __future__ import annotations

import contextlib
import gzip
import ssl
import sys
import threading
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socket import socket
from typing import Any
from urllib.parse import parse_qs, urlsplit

ARTICLE_HTML = (
    b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Local News</title></head><body>"
    b"<nav><ul><li><a href='/'>Homepage</a></li><li><a href='/sport'>Sport</a></li>"
    b"<li><a href='/weather'>Weather</a></li></ul></nav>"
    b"<article><h1>River cleanup draws hundreds</h1>"
    b"<p>Volunteers pulled two tonnes of rubbish from the river on Saturday.</p>"
    b"<p>The council says it will repeat the event every spring.</p></article>"
    b"<footer><p>Copyright Local News. All rights reserved.</p></footer></body></html>"
)


def _pdf_with_text(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with real text and a correct xref table (what pypdf wants to read)."""

    def literal(text: str) -> str:
        return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"

    shown = " T* ".join(f"{literal(line)} Tj" for line in lines)
    stream = f"BT /F1 11 Tf 16 TL 50 740 Td {shown} ET".encode("latin-1")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n%s\nendstream" % (len(stream), stream),
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
        f"<</Title{literal(title)}>>".encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size %d/Root 1 0 R/Info 6 0 R>>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


TINY_PDF = _pdf_with_text(
    "Harbour report",
    [
        "The harbour authority published its annual report on shipping traffic today.",
        "",
        "Container volumes grew by four percent, while passenger ferries carried fewer cars.",
    ],
)
# A news story long enough to summarize and ask about (the Slack and CLI tests use it).
STORY_PARAGRAPHS = [
    "The old river bridge in Millford reopened to traffic on Monday after eighteen months of "
    "repairs that cost the city 14 million euros, far more than the 9 million first planned.",
    "Engineers replaced the entire deck and strengthened the three stone piers, which had "
    "been badly damaged by floods two winters ago.",
    "Cyclists get a separate, protected lane for the first time, a change that local "
    "campaigners had demanded for more than a decade.",
    '"It was worth the wait," said Mayor Ana Ruiz, who cut a ribbon at the east end of the '
    "bridge in front of several hundred residents.",
    "The delays were caused by a shortage of steel and by the discovery of a medieval "
    "foundation under the western pier, which archaeologists spent four months recording.",
    "Shop owners on Bridge Street said the closure had cut their sales by almost a third, "
    "and the council has promised a fund of 500,000 euros to help them recover.",
    "Traffic engineers expect about 12,000 vehicles a day to use the bridge, down from "
    "15,000 before the closure, because a new bypass opened last year.",
    "The city will decide in March whether to ban heavy lorries from the bridge entirely.",
]
STORY_HTML = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
    "<title>Millford bridge reopens after 18 months</title>"
    "<meta name='author' content='Sam Writer'>"
    "<meta property='og:site_name' content='Millford Gazette'></head><body>"
    "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
    "<article><h1>Millford bridge reopens after 18 months</h1>"
    + "".join(f"<p>{p}</p>" for p in STORY_PARAGRAPHS)
    + "</article><footer>© 2024 Millford Gazette. All rights reserved.</footer></body></html>"
).encode("utf-8")
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(13)
# Valid UTF-8 with a few broken bytes spliced in (a truncated character, stray 0xff/0xfe).
BAD_UTF8_HTML = (
    b"<html><head><title>Caf\xc3\xa9 review</title></head><body><article>"
    b"<p>The new caf\xc3\xa9 on the corner serves a na\xc3\xafve but charming menu.</p>"
    b"<p>Its cr\xc3\xa8me br\xc3\xbbl\xc3 is the talk of the street \xff\xfe this month.</p>"
    b"<p>Owners say the r\xc3\xa9sum\xc3\xa9 of their chef includes two famous kitchens.</p>"
    b"</article></body></html>"
)
# Latin-1 / windows-1252 text whose charset is only in a <meta> tag (the header has none).
LATIN1_META_HTML = (
    "<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1252'>"
    "<title>March\u00e9 de No\u00ebl</title></head><body><article>"
    "<p>Le march\u00e9 de No\u00ebl ouvre ses portes vendredi sur la place de la gare.</p>"
    "<p>Les exposants vendent du vin chaud \u00e0 3 \u20ac et des cr\u00eapes \u00e0 "
    "\u00ab prix doux \u00bb, selon la mairie.</p>"
    "</article></body></html>"
).encode("cp1252")
# UTF-8 bytes under a header that claims iso-8859-1.
MISLABELLED_HTML = (
    "<html><head><title>Z\u00fcrich tram</title></head><body><article>"
    "<p>The tram line through Z\u00fcrich reopens on Monday after a na\u00efve "
    "timetable was scrapped.</p>"
    "<p>Commuters \u2014 many of them cyclists \u2014 called the closure \u201cendless\u201d.</p>"
    "</article></body></html>"
).encode("utf-8")
# Pages that aren't articles (tests/fixtures/not_articles), served as /page?name=<file name>.
FIXTURE_PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "not_articles"
HUGE_BYTES = 50_000_000
BOMB_INFLATED_BYTES = 1_000_000_000
_CHUNK = 64 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # slow handlers must not hold up shutdown

    def __init__(self, owner: ArticleServer, tls: ssl.SSLContext | None) -> None:
        self.owner = owner
        self.tls = tls
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up (size cap, timeout, keep-alive close) is normal here.
        if not isinstance(sys.exception(), ConnectionError | ssl.SSLError):
            super().handle_error(request, client_address)

    def get_request(self) -> tuple[socket, Any]:
        sock, addr = super().get_request()
        with self.owner.lock:
            self.owner.connections += 1
        if self.tls is not None:
            sock = self.tls.wrap_socket(sock, server_side=True)
        return sock, addr


class ArticleServer:
    """Start/stop a local article server (a context manager)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.lock = threading.Lock()
        self.connections = 0
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.bomb_inflated_sent = 0
        self.huge_sent = 0
        self.stopping = threading.Event()
        self._server = _Server(self, tls)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.scheme = "https" if tls else "http"

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def __enter__(self) -> ArticleServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    @property
    def owner(self) -> ArticleServer:
        return self.server.owner

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        with self.owner.lock:
            self.owner.requests.append((parts.path, dict(self.headers.items())))
        route = _ROUTES.get(parts.path)
        if route is None:
            self._send(404, b"<html><body>Not here</body></html>")
            return
        # The fetcher hanging up mid-body is expected (size cap, timeout).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
            route(self, {k: v[0] for k, v in parse_qs(parts.query).items()})

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _start_stream(self, content_type: str, headers: dict[str, str] | None = None) -> None:
        """Headers for a body that ends when the connection closes (no Content-Length)."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    # --- routes ---

    def article(self, q: dict[str, str]) -> None:
        self._send(200, ARTICLE_HTML, headers={"Set-Cookie": "seen=1; Path=/"})

    def story(self, q: dict[str, str]) -> None:
        self._send(200, STORY_HTML)

    def long(self, q: dict[str, str]) -> None:
        """A page of `n` numbered paragraphs (default 300), to meet a low reading cap."""
        sentence = "The council voted on the new budget after a long debate about the schools."
        body = "".join(
            f"<p>Paragraph {i:05d}. {sentence}</p>" for i in range(int(q.get("n", "300")))
        )
        page = f"<html><head><title>A long page</title></head><body><article>{body}</article>"
        self._send(200, (page + "</body></html>").encode())

    def redirect(self, q: dict[str, str]) -> None:
        left = int(q.get("n", "3"))
        target = "/article" if left <= 1 else f"/r?n={left - 1}"
        self._send(302 if left % 2 else 301, b"", headers={"Location": target})

    def loop(self, q: dict[str, str]) -> None:
        self._send(302, b"", headers={"Location": "/loop"})

    def redirect_to(self, q: dict[str, str]) -> None:
        self._send(307, b"", headers={"Location": q["url"]})

    def paywall(self, q: dict[str, str]) -> None:
        self._send(403, b"<html><body>Subscribe to keep reading</body></html>")

    def fixture_page(self, q: dict[str, str]) -> None:
        path = FIXTURE_PAGES / Path(q.get("name", "")).name  # only that folder's files
        if not path.is_file():
            self._send(404, b"<html><body>Not here</body></html>")
            return
        kind = "text/html" if path.suffix == ".html" else "text/plain"
        self._send(200, path.read_bytes(), f"{kind}; charset=utf-8")

    def server_error(self, q: dict[str, str]) -> None:
        self._send(503, b"<html><body>Down for maintenance</body></html>")

    def slow(self, q: dict[str, str]) -> None:
        if self.owner.stopping.wait(float(q.get("delay", "3"))):
            return
        self._send(200, ARTICLE_HTML)

    def drip(self, q: dict[str, str]) -> None:
        """A byte at a time, each well inside the read timeout, forever-ish."""
        self._start_stream("text/html")
        for _ in range(400):
            if self.owner.stopping.wait(0.05):
                return
            self.wfile.write(b"x")
            self.wfile.flush()

    def huge(self, q: dict[str, str]) -> None:
        declared = {"Content-Length": str(HUGE_BYTES)} if q.get("declared") else None
        self._start_stream("text/html", declared)
        block = b"<p>" + b"a" * (_CHUNK - 7) + b"</p>\n"
        while self.owner.huge_sent < HUGE_BYTES and not self.owner.stopping.is_set():
            self.wfile.write(block)
            self.owner.huge_sent += len(block)

    def bomb(self, q: dict[str, str]) -> None:
        """Gzip of a gigabyte of zeros, compressed lazily so only what is read gets made."""
        self._start_stream("text/html", {"Content-Encoding": "gzip"})
        compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        zeros = b"\0" * (1024 * 1024)
        while self.owner.bomb_inflated_sent < BOMB_INFLATED_BYTES:
            if self.owner.stopping.is_set():
                return
            self.wfile.write(compressor.compress(zeros) + compressor.flush(zlib.Z_SYNC_FLUSH))
            self.owner.bomb_inflated_sent += len(zeros)
        self.wfile.write(compressor.flush())

    def gzipped(self, q: dict[str, str]) -> None:
        self._send(200, gzip.compress(ARTICLE_HTML), headers={"Content-Encoding": "gzip"})

    def deflated(self, q: dict[str, str]) -> None:
        raw = q.get("raw") == "1"  # some servers send deflate without the zlib header
        body = zlib.compress(ARTICLE_HTML)[2:-4] if raw else zlib.compress(ARTICLE_HTML)
        self._send(200, body, headers={"Content-Encoding": "deflate"})

    def pdf(self, q: dict[str, str]) -> None:
        self._send(200, TINY_PDF, q.get("type", "application/pdf"))

    def png(self, q: dict[str, str]) -> None:
        self._send(200, PNG_BYTES, q.get("type", "image/png"))

    def untyped(self, q: dict[str, str]) -> None:
        self._send(200, ARTICLE_HTML, content_type=None)

    def plain(self, q: dict[str, str]) -> None:
        self._send(200, b"Just some text.\nAnother line.\n", "text/plain; charset=ISO-8859-1")

    def bad_utf8(self, q: dict[str, str]) -> None:
        self._send(200, BAD_UTF8_HTML)

    def empty(self, q: dict[str, str]) -> None:
        self._send(200, b"")

    def latin1_meta(self, q: dict[str, str]) -> None:
        self._send(200, LATIN1_META_HTML, "text/html")

    def mislabelled(self, q: dict[str, str]) -> None:
        self._send(200, MISLABELLED_HTML, "text/html; charset=iso-8859-1")


_ROUTES: dict[str, Callable[[_Handler, dict[str, str]], None]] = {
    "/article": _Handler.article,
    "/story": _Handler.story,
    "/long": _Handler.long,
    "/r": _Handler.redirect,
    "/loop": _Handler.loop,
    "/redirect-to": _Handler.redirect_to,
    "/paywall": _Handler.paywall,
    "/page": _Handler.fixture_page,
    "/error": _Handler.server_error,
    "/slow": _Handler.slow,
    "/drip": _Handler.drip,
    "/huge": _Handler.huge,
    "/bomb": _Handler.bomb,
    "/gzipped": _Handler.gzipped,
    "/deflated": _Handler.deflated,
    "/paper.pdf": _Handler.pdf,
    "/image.png": _Handler.png,
    "/untyped": _Handler.untyped,
    "/plain.txt": _Handler.plain,
    "/bad-utf8": _Handler.bad_utf8,
    "/empty": _Handler.empty,
    "/latin1-meta": _Handler.latin1_meta,
    "/mislabelled": _Handler.mislabelled,
}
