"""Article extraction benchmark on scrapinghub's article-extraction-benchmark pages.

    python -m bench.extraction [--data DIR] [--mode html|text|both]

html mode: each page's HTML -> `bot.ingest.from_html`, against trafilatura (comments excluded).
text mode: each page's full visible text (what a user would paste) -> `bot.ingest.from_text`,
against the raw text itself.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path

from bench.aeb_metric import Score, score
from bot.errors import IngestError

DEFAULT_DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "extraction-bench" / "scrapinghub-aeb"
)


def load_truth(data: Path) -> dict[str, str]:
    raw = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    return {page_id: entry["articleBody"] for page_id, entry in raw.items()}


def load_html(data: Path, ids: list[str]) -> dict[str, str]:
    return {
        i: gzip.decompress((data / "html" / f"{i}.html.gz").read_bytes()).decode("utf-8")
        for i in ids
    }


def load_text_inputs(data: Path) -> dict[str, str]:
    return json.loads(gzip.decompress((data / "text-inputs.json.gz").read_bytes()))["texts"]


def run(extract: Callable[[str], str], inputs: dict[str, str]) -> tuple[dict[str, str], float]:
    """Run `extract` on every input; return predictions and mean ms per page."""
    out: dict[str, str] = {}
    start = time.perf_counter()
    for page_id, text in inputs.items():
        try:
            out[page_id] = extract(text)
        except IngestError:
            out[page_id] = ""
    elapsed = time.perf_counter() - start
    return out, 1000 * elapsed / max(len(inputs), 1)


def _ours_html(html: str) -> str:
    from bot.ingest import from_html

    return from_html(html).text


def _ours_text(text: str) -> str:
    from bot.ingest import from_text

    return from_text(text).text


def _trafilatura(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


def _row(name: str, s: Score, ms: float | None) -> str:
    ms_cell = f"{ms:.1f}" if ms is not None else "-"
    return f"| {name} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {ms_cell} |"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="scrapinghub-aeb folder")
    parser.add_argument("--mode", choices=["html", "text", "both"], default="both")
    parser.add_argument("--dump", type=Path, help="write per-page predictions (JSON) here")
    args = parser.parse_args(argv)

    truth = load_truth(args.data)
    ids = sorted(truth)
    print("| extractor | precision | recall | F1 | ms/page |")
    print("|---|---|---|---|---|")
    dump: dict[str, dict[str, str]] = {}
    if args.mode in ("html", "both"):
        pages = load_html(args.data, ids)
        _ours_html(pages[ids[0]])  # warm imports so the first page doesn't pay for them
        _trafilatura(pages[ids[0]])
        ours, ms = run(_ours_html, pages)
        print(_row("articlebot from_html", score(ours, truth), ms))
        ref, ms_ref = run(_trafilatura, pages)
        print(_row("trafilatura (no comments)", score(ref, truth), ms_ref))
        dump["html"] = ours
    if args.mode in ("text", "both"):
        texts = load_text_inputs(args.data)
        ours, ms = run(_ours_text, texts)
        print(_row("articlebot from_text (paste)", score(ours, truth), ms))
        print(_row("raw page text", score(texts, truth), None))
        dump["text"] = ours
    if args.dump:
        args.dump.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
