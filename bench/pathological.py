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
import json
import random
import signal
import string
import sys
import time
from collections.abc import Callable
from functools import partial

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import tool_call_chunk

from bot import offline
from bot.errors import ArticlebotError
from bot.ingest import Article, from_html, from_pdf, from_text
from bot.ingest.links import parse_input
from bot.llm.quotes import ProseStream, answer_prose

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
    # Opening quotes sentence splitting can't pair (the hostile-text audit, stop 20): after
    # 12 sentences of prose, so the text is read as an article.
    "prose + `“`×n": lambda n: _SENTENCE * 12 + "“" * n,
    "prose + `'`×n": lambda n: _SENTENCE * 12 + "'" * n,
    "prose + `“word `×n": lambda n: _SENTENCE * 12 + "“word " * (n // 6),
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


def run(sizes: list[int], paths: list[str], timeout: float, only: list[str]) -> None:
    head = " | ".join(f"{n // 1000} KB" for n in sizes)
    print(f"| input | path | {head} |")
    print("|---|---|" + "---|" * len(sizes))
    for name, make in INPUTS.items():
        if only and name not in only:
            continue
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


_URL = "https://e.example/"
MESSAGES: dict[str, Callable[[], str]] = {
    "link + 40k `)`": lambda: _URL + ")" * 40_000,
    "link + 40k `]`": lambda: _URL + "]" * 40_000,
    "40k `(`": lambda: "(" * 40_000,
    "link + 20k `).`": lambda: _URL + ")." * 20_000,
    "40k `<` / `>` / `|`": lambda: "<" * 40_000 + ">" * 40_000 + "|" * 40_000,
    "100k spaces": lambda: " " * 100_000,
    "20k `<link|`": lambda: f"<{_URL}|" * 20_000,
    "1 MB paste, 40k links": lambda: " ".join(f"{_URL}p{i}" for i in range(40_000)),
    "400k: link `(((` `)))` .": lambda: _URL + "(" * 200_000 + ")" * 200_000 + ".",
    "400k: `<<<` link\\|label `>>>`": lambda: "<" * 200_000 + f"{_URL}|label" + ">" * 200_000,
    "400k: `<link` `)))` `>`": lambda: f"<{_URL}" + ")" * 400_000 + ">",
    "400k: link `[]{}`": lambda: _URL + "[]{}" * 100_000,
    "400k: `link .`": lambda: f"{_URL} ." * 20_000,
    "400k: paste, `&amp;` links": lambda: (
        f"The council met. See {_URL}x?a=1&amp;b=2 (page 4). " * 8_000
    ),
    "1 MB lead of `please `, then a paste": lambda: "please " * 150_000 + "\n\n" + _PASTE,
    "400k lead of `in 3 bullets, `": lambda: "in 3 bullets, " * 28_000 + "City\n\n" + _PASTE,
}
# A short article under a hostile lead: the lead is read as an instruction, up to its cap.
_PASTE = (
    "The city council voted on Tuesday to approve the new budget. Officials said the plan "
    "would fund road repairs and two new schools. Critics argued that the spending was too "
    "high. The mayor defended the budget. A final vote is scheduled for next month."
)
# What the bot sends to Slack passes the link sanitizer: text that makes link parsers slow.
SANITIZED: dict[str, Callable[[], str]] = {
    "`[`×12k": lambda: "[" * 12_000,
    "`]( `×4k": lambda: "]( " * 4_000,
    "`<`×12k": lambda: "<" * 12_000,
    "`` ` ``×6k": lambda: "`" * 6_000 + "x",
    "`[a](`×3k": lambda: "[a](" * 3_000,
    "`![[<``×2.4k": lambda: "![[<`" * 2_400,
    "nested labels ×100": lambda: ("[" * 50 + "x" + "]" * 50 + "(https://evil.example)") * 100,
}
# Model replies of 200k characters that make a streaming JSON or text reader slow.
REPLIES: dict[str, tuple[Callable[[], str], bool]] = {
    "spaces in the answer": (lambda: '{"answer": "a' + " " * 200_000 + 'b"}', True),
    "escaped newlines": (lambda: '{"answer": "' + "\\n" * 100_000 + 'b"}', True),
    "surrogate pairs": (lambda: '{"answer": "' + "\\ud83d\\ude00" * 16_000 + '"}', True),
    "a huge key": (lambda: '{"' + "k" * 200_000 + '": 1, "answer": "x"}', True),
    "a huge number": (lambda: '{"n": ' + "1" * 200_000 + ', "answer": "x"}', True),
    "deep nesting": (lambda: '{"answer": "x", "q": ' + "[" * 200_000, True),
    "a header and spaces": (lambda: "Quotes:" + " " * 200_000 + "x", False),
    "header lines": (lambda: "A\nQuotes:\n" * 20_000, False),
    "quote lines": (lambda: "> q\n" * 50_000, False),
}


_HOST = "example.com/story"
MEGABYTE = 1_000_000
# A link typed without https:// (`typed_link`) and a question sent with a link
# (`asks_about_link`), both on the ack path: 1 MB lines of the shapes that make regexes slow.
TYPED: dict[str, Callable[[], str]] = {
    "link + 1M `)`": lambda: _HOST + ")" * MEGABYTE,
    "`(((` link `)))`": lambda: "(" * (MEGABYTE // 2) + _HOST + ")" * (MEGABYTE // 2),
    "`a`×1M": lambda: "a" * MEGABYTE,
    "`a.`×500k": lambda: "a." * (MEGABYTE // 2),
    "`. `×500k": lambda: ". " * (MEGABYTE // 2),
    "`<a `×333k": lambda: "<a " * (MEGABYTE // 3),
    "`Mr.Smith/Jones `×66k": lambda: "Mr.Smith/Jones " * (MEGABYTE // 15),
    "`main.py:12 `×90k": lambda: "main.py:12 " * (MEGABYTE // 11),
    "one long host": lambda: ("x" * 60 + ".") * (MEGABYTE // 61) + "com/",
    "`https://`×125k": lambda: "https://" * (MEGABYTE // 8),
    "words, then a link": lambda: "x " * (MEGABYTE // 2) + _HOST,
}
QUESTIONS: dict[str, Callable[[], str]] = {
    "`fass `×20k": lambda: "fass " * 20_000,
    "`vat `×20k": lambda: "vat " * 20_000,
    "`tell me `×10k": lambda: "tell me " * 10_000,
}


def _cpu(step: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        step()
        best = min(best, time.process_time() - start)
    return best


def _answer_reply(chars: int) -> str:
    words = ("The council voted on the budget after a long debate about schools; " * 400)[:chars]
    return json.dumps({"answer": words + " café 😀", "quotes": ["the budget"], "found": True})


def _stream(reply: str, json_reply: bool, step: int) -> None:
    prose = ProseStream(lambda _delta: None)
    prose.start(json_reply=json_reply)
    for at in range(0, len(reply), step):
        prose.feed(reply[at : at + step])


def _reread(reply: str, json_reply: bool, step: int) -> None:
    """The bot before: the whole reply so far re-read after every chunk."""
    for at in range(step, len(reply) + step, step):
        answer_prose(reply[:at], json_reply=json_reply)


def _chunks(reply: str, tool: bool) -> list[AIMessageChunk]:
    pieces = [reply[at : at + 4] for at in range(0, len(reply), 4)]
    if not tool:
        return [AIMessageChunk(content=piece) for piece in pieces]
    return [
        AIMessageChunk(content="", tool_call_chunks=[tool_call_chunk(args=piece, index=0)])
        for piece in pieces
    ]


def _merge_one_by_one(chunks: list[AIMessageChunk]) -> None:
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk


def hot(repeat: int) -> None:
    print("| parse_input | chars | CPU s |\n|---|---|---|")
    for name, make in MESSAGES.items():
        text = make()
        print(f"| {name} | {len(text):,} | {_cpu(partial(parse_input, text), repeat):.4f} |")
    from bot.ingest.links import typed_link
    from bot.llm.asking import asks_about_link

    print("\n| typed_link / asks_about_link | chars | CPU s |\n|---|---|---|")
    for name, make in TYPED.items():
        text = make()
        cpu = _cpu(partial(typed_link, text), repeat)
        print(f"| typed_link: {name} | {len(text):,} | {cpu:.4f} |")
    for name, make in QUESTIONS.items():
        text = make()
        cpu = _cpu(partial(asks_about_link, text), repeat)
        print(f"| asks_about_link: {name} | {len(text):,} | {cpu:.4f} |")
    from bot.slack.safe_links import StreamSanitizer, sanitize

    print("\n| link sanitizer | chars | CPU s |\n|---|---|---|")
    for name, make in SANITIZED.items():
        text = make()
        print(f"| sanitize: {name} | {len(text):,} | {_cpu(partial(sanitize, text), repeat):.4f} |")

    def unfinished_links() -> None:
        stream = StreamSanitizer()
        for _ in range(3_000):
            stream.feed("[a")  # never finishes: each feed may rescan only the held tail
        stream.close()

    print(f"| stream: `[a` fed 3,000 times | 6,000 | {_cpu(unfinished_links, repeat):.4f} |")
    print("\n| hostile model reply, 4-char chunks | chars | CPU s |\n|---|---|---|")
    for name, (make_reply, as_json) in REPLIES.items():
        text = make_reply()
        cpu = _cpu(partial(_stream, text, as_json, 4), repeat)
        print(f"| {name} | {len(text):,} | {cpu:.4f} |", flush=True)
    reply = _answer_reply(20_000)
    plain = json.loads(reply)["answer"] + "\n\nQuotes:\n> the budget\n"
    print("\n| streamed answer, 4-char chunks | chars | CPU s |\n|---|---|---|")
    for name, text, json_reply in (("JSON", reply, True), ("text", plain, False)):
        for how, read in (("ProseStream", _stream), ("re-read per chunk (before)", _reread)):
            cpu = _cpu(partial(read, text, json_reply, 4), repeat)
            print(f"| {name}: {how} | {len(text):,} | {cpu:.4f} |", flush=True)
    print("\n| merging the reply's 4-char chunks | chunks | CPU s |\n|---|---|---|")
    for tool in (False, True):
        chunks = _chunks(reply, tool)
        kind = "tool-call arguments" if tool else "content"
        for how, merge in (("at once", lambda c: c[0] + c[1:]), ("one by one", _merge_one_by_one)):
            cpu = _cpu(partial(merge, chunks), repeat)
            print(f"| {kind}, {how} | {len(chunks):,} | {cpu:.4f} |", flush=True)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,50000,100000,200000,1000000,2000000")
    parser.add_argument("--paths", default="text,html,pdf")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per step")
    parser.add_argument("--inputs", default="", help="only these inputs, comma-separated")
    parser.add_argument("--hot", action="store_true", help="time the ack and streaming paths")
    parser.add_argument("--repeat", type=int, default=3, help="--hot: best of this many")
    args = parser.parse_args(argv)
    if args.hot:
        hot(args.repeat)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print("cells: seconds to read + summarize (all styles) + ask\n")
    only = [name for name in args.inputs.split(",") if name]
    run(sizes, args.paths.split(","), args.timeout, only)


if __name__ == "__main__":
    main(sys.argv[1:])
