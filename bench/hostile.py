"""Hostile files: each must be read (maybe in part) or refused with a message, in under 10 s
and 300 MB.

    python -m bench.hostile [--only NAME,NAME]

Each input runs in a child process of its own (a fresh interpreter, like a job process,
warmed up on a small paste first): `bot.ingest.from_bytes` reads it, as a shared file or a
downloaded link is read, and the offline engine summarizes what was read. Reported: seconds
to read and to summarize (in the child), the child's whole run (interpreter start, imports
and warm-up included), its peak RSS (ru_maxrss from wait4) and what the user is told. The
inputs are generated here; the test suite builds its own with the same functions.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

_SENTENCE = "The council voted on the new budget after a long debate about the schools."
_ROOT = Path(__file__).resolve().parents[1]


def pages_pdf(pages: int, lines: int = 2) -> bytes:
    """A PDF of `pages` text pages, `lines` short lines each (2,000 pages: about 1 MB)."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for page in range(1, pages + 1):
        for line in range(lines):
            pdf.drawString(40, 800 - 20 * line, f"Page {page}, line {line + 1}. {_SENTENCE}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def flate_bomb_pdf(inflated: int) -> bytes:
    """A one-page PDF whose content stream is a line of text, then spaces up to `inflated`
    bytes once decompressed (300 MB packs into about 300 KB)."""
    packer = zlib.compressobj(9)
    parts = [packer.compress(b"BT /F1 12 Tf 72 720 Td (A page of text.) Tj ET\n")]
    block = b" " * 1_000_000
    for _ in range(inflated // len(block)):
        parts.append(packer.compress(block))
    parts.append(packer.flush())
    stream = b"".join(parts)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def paragraphs_html(paragraphs: int) -> bytes:
    """A page of `paragraphs` short <p> (200,000: about 9 MB), like a huge list or log."""
    body = "".join(f"<p>Paragraph {i:06d} says very little here.</p>" for i in range(paragraphs))
    page = f"<html><head><title>A long page</title></head><body>{body}</body></html>"
    return page.encode("utf-8")


def long_text(chars: int) -> bytes:
    """A paste of `chars` characters of prose, one numbered paragraph per line."""
    out = io.StringIO()
    line = 0
    while out.tell() < chars:
        line += 1
        out.write(f"Paragraph {line}. {_SENTENCE} {_SENTENCE} {_SENTENCE}\n")
    return out.getvalue().encode("utf-8")[:chars]


def _small_article() -> bytes:
    return long_text(3_000)


# name: (what it is, how to make it)
CASES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "baseline": ("a 3 KB paste (the floor: interpreter and imports)", _small_article),
    "pdf-pages": ("2,000-page PDF", lambda: pages_pdf(2_000)),
    "pdf-bomb": ("PDF stream inflating to 300 MB", lambda: flate_bomb_pdf(300_000_000)),
    "html-200k": ("page of 200k short `<p>`", lambda: paragraphs_html(200_000)),
    "html-40k": ("page of 40k short `<p>`", lambda: paragraphs_html(40_000)),
    "paste-10mb": ("10 MB paste", lambda: long_text(10_000_000)),
}


def _child(path: str) -> None:
    """Read and summarize one file; print what happened as one JSON line."""
    from bot import offline
    from bot.errors import ArticlebotError
    from bot.ingest import from_bytes

    # Warm up as a job process does (imports, the language model): time the input only.
    offline.summarize(from_bytes(_small_article()))
    data = Path(path).read_bytes()
    start = time.perf_counter()
    report: dict[str, object] = {}
    try:
        article = from_bytes(data)
        report["read"] = time.perf_counter() - start
        start = time.perf_counter()
        offline.summarize(article)
        report["summarize"] = time.perf_counter() - start
        report["told"] = article.notice or f"(read whole: {len(article.text):,} chars)"
    except ArticlebotError as exc:
        report.setdefault("read", time.perf_counter() - start)
        report["told"] = f"refused: {exc}"
    print(json.dumps(report))


def _run_child(path: Path) -> tuple[dict[str, object], float, float]:
    """(the child's report, its wall seconds, its peak RSS in MB)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.hostile", "--child", str(path)],
        cwd=_ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(_ROOT)},
    )
    assert child.stdout is not None
    out = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    lines = out.decode().strip().splitlines()
    report = json.loads(lines[-1]) if child.returncode == 0 and lines else {"told": "crashed"}
    return report, wall, usage.ru_maxrss / 1024  # Linux: KiB


def _seconds(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else "–"


def run(names: list[str]) -> None:
    print("| input | size | read s | summarize s | child s | peak RSS MB | the user is told |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            label, make = CASES[name]
            data = make()
            path = Path(tmp) / "input"
            path.write_bytes(data)
            del data
            report, wall, rss = _run_child(path)
            size = path.stat().st_size
            print(
                f"| {label} | {size / 1e6:.1f} MB | {_seconds(report.get('read'))} | "
                f"{_seconds(report.get('summarize'))} | {wall:.2f} | {rss:.0f} | "
                f"{report.get('told')} |",
                flush=True,
            )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated inputs (default: all): {', '.join(CASES)}")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child)
        return
    names = [n.strip() for n in args.only.split(",")] if args.only else list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        sys.exit(f"unknown input {unknown[0]!r}; choose from: {', '.join(CASES)}")
    run(names)


if __name__ == "__main__":
    main(sys.argv[1:])
