"""Pathological inputs: how cleaning, summarizing and answering scale with absurd text.

A link to minified JS or base64 serves megabytes without a space or a line break; each
stage must stay linear on it. `python -m bench.pathological [--sizes 20000,100000]`
prints seconds per (input, path, size): text = `from_text` (a paste or a text/plain
link), html = `from_html` of a page whose one <p> holds the input, pdf = `from_pdf` of a
one-page PDF with it on one line, summarize / ask = the offline engine on the cleaned
text (every style; ask with one question). A case that runs past --timeout stops there.
"""

from __future__ import annotations

import argparse
import contextlib
import html as html_lib
import io
import random
import signal
import string
import sys
import time
from collections.abc import Callable
from functools import partial

from bot.errors import ArticlebotError
from bot.ingest import Article, from_html, from_pdf, from_text
from bot.llm import offline

_SENTENCE = "The council voted on the new budget after a long debate about schools. "


def _base64(n: int) -> str:
    rng = random.Random(0)
    alphabet = string.ascii_letters + string.digits + "+/"
    return "".join(rng.choice(alphabet) for _ in range(n))


def _lines(line: str, n: int) -> str:
    return "\n".join([line] * (n // (len(line) + 1)))


INPUTS: dict[str, Callable[[int], str]] = {
    "a" * 3: lambda n: "a" * n,
    "a.": lambda n: "a." * (n // 2),
    ".....": lambda n: "." * n,
    "<<<<": lambda n: "<" * n,
    "word word": lambda n: "word " * (n // 5),
    "((((x))))": lambda n: "(" * (n // 2) + "x" + ")" * (n // 2),
    "“«(['x": lambda n: "“«(['" * (n // 5),
    "base64": _base64,
    "prose, 1 line": lambda n: _SENTENCE * (n // len(_SENTENCE)),
    # Lines just short enough to get every cue: the regexes themselves must be linear.
    "'. . .' lines": lambda n: _lines(". " * 499, n),
    "'a' lines": lambda n: _lines("a" * 999, n),
    "'{{' lines": lambda n: _lines("{{" * 499, n),
}


def _pdf(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(20, 800, text)
    page.save()
    return out.getvalue()


def _read(path: str, text: str) -> Article | None:
    try:
        if path == "text":
            return from_text(text)
        if path == "html":
            page = f"<html><head><title>T</title></head><body><p>{html_lib.escape(text)}</p>"
            return from_html(page + "</body></html>")
        return from_pdf(_pdf(text))
    except ArticlebotError:
        return None  # NotAnArticle: a fine answer for these


def _read_into(got: list[Article | None], path: str, text: str) -> None:
    got.append(_read(path, text))


class _Timeout(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise _Timeout


def _timed(step: Callable[[], object], timeout: float) -> str:
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    try:
        step()
    except _Timeout:
        return f">{timeout:g}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return f"{time.perf_counter() - start:.2f}"


def _answer(article: Article | None) -> None:
    if article is None:
        return
    for style in offline.STYLES:
        with contextlib.suppress(ArticlebotError):
            offline.summarize(article, style=style)


def run(sizes: list[int], paths: list[str], timeout: float) -> None:
    head = " | ".join(f"{n // 1000} KB" for n in sizes)
    print(f"| input | path | {head} |")
    print("|---|---|" + "---|" * len(sizes))
    for name, make in INPUTS.items():
        for path in paths:
            cells = []
            for n in sizes:
                text = make(n)
                if path == "pdf" and n > 200_000:
                    cells.append("–")  # reportlab draws one line slowly; not our cost
                    continue
                got: list[Article | None] = []
                read = _timed(partial(_read_into, got, path, text), timeout)
                article = got[0] if got else None
                rest = _timed(partial(_answer, article), timeout) if got else "–"
                ask = (
                    _timed(partial(offline.answer, article, "what?"), timeout)
                    if article is not None
                    else "–"
                )
                cells.append(f"{read} + {rest} + {ask}")
            print(f"| `{name}` | {path} | " + " | ".join(cells) + " |", flush=True)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,50000,100000,200000,1000000,2000000")
    parser.add_argument("--paths", default="text,html,pdf")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per step")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print("cells: seconds to read + summarize (all styles) + ask\n")
    run(sizes, args.paths.split(","), args.timeout)


if __name__ == "__main__":
    main(sys.argv[1:])
