"""Article extraction benchmark on scrapinghub's article-extraction-benchmark pages.

    python -m bench.extraction [--data DIR] [--mode html|text|both] [--split all|dev|heldout]
                               [--folds K] [--pages DIR] [--cpu-passes N]

html mode: each page's HTML -> `bot.ingest.from_html`, against trafilatura (comments excluded).
text mode: each page's full visible text (what a user would paste) -> `bot.ingest.from_text`,
against the raw text itself.

Held out by site: the pages are dealt into K folds by site (the host of the page's URL in the
ground truth), so no site has pages on both sides. `--split heldout` scores only fold 0,
`--split dev` the others: tune on dev, look at held-out once at the end. Every run also prints
each fold's F1 for ours and trafilatura, to show how much the score moves from one set of
sites to another. `--pages DIR` adds a second set scored the same way: `<name>.html` pages with
`<name>.txt` holding the expected article text (tests/fixtures/pages/ has ours).

`--cpu-passes N` also times html mode in CPU seconds (time.process_time), each page through
ours and then trafilatura in turn, N passes: on a shared machine, load moves both sides of a
page alike, so the ratio holds where wall-clock ms/page moves by 20%.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from bench.aeb_metric import Score, score
from bot.errors import IngestError

DEFAULT_DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "extraction-bench" / "scrapinghub-aeb"
)
DEFAULT_FOLDS = 5
HELDOUT_FOLD = 0


def load_truth(data: Path) -> dict[str, str]:
    raw = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    return {page_id: entry["articleBody"] for page_id, entry in raw.items()}


def load_sites(data: Path) -> dict[str, str]:
    """Each page's site: the host of its URL without "www." (the page id if it has none)."""
    raw = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    sites: dict[str, str] = {}
    for page_id, entry in raw.items():
        host = urlsplit(entry.get("url") or "").hostname or page_id
        sites[page_id] = host.removeprefix("www.")
    return sites


def site_folds(sites: dict[str, str], k: int = DEFAULT_FOLDS) -> dict[str, int]:
    """Page id -> fold, whole sites per fold, fixed by a hash of the site's name.

    Sites in hash order each go to the fold with fewest pages so far: the folds come out
    the same size give or take one site, and the same on every machine and run.
    """
    pages_of: dict[str, list[str]] = {}
    for page_id, site in sorted(sites.items()):
        pages_of.setdefault(site, []).append(page_id)
    order = sorted(pages_of, key=lambda s: hashlib.sha256(s.encode()).hexdigest())
    sizes = [0] * k
    fold_of: dict[str, int] = {}
    for site in order:
        fold = min(range(k), key=lambda f: (sizes[f], f))
        sizes[fold] += len(pages_of[site])
        for page_id in pages_of[site]:
            fold_of[page_id] = fold
    return fold_of


def split_ids(fold_of: dict[str, int], split: str) -> list[str]:
    if split == "all":
        return sorted(fold_of)
    held = split == "heldout"
    return sorted(i for i, f in fold_of.items() if (f == HELDOUT_FOLD) == held)


def load_html(data: Path, ids: list[str]) -> dict[str, str]:
    return {
        i: gzip.decompress((data / "html" / f"{i}.html.gz").read_bytes()).decode("utf-8")
        for i in ids
    }


def load_text_inputs(data: Path) -> dict[str, str]:
    return json.loads(gzip.decompress((data / "text-inputs.json.gz").read_bytes()))["texts"]


def load_pages(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(html by name, expected text by name) of a folder of `name.html` + `name.txt` pairs."""
    html: dict[str, str] = {}
    truth: dict[str, str] = {}
    for page in sorted(folder.glob("*.html")):
        expected = page.with_suffix(".txt")
        if expected.exists():
            html[page.stem] = page.read_text(encoding="utf-8")
            truth[page.stem] = expected.read_text(encoding="utf-8")
    return html, truth


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


def _cpu_ms(extract: Callable[[str], str], html: str) -> float:
    start = time.process_time()
    with contextlib.suppress(IngestError):
        extract(html)
    return 1000 * (time.process_time() - start)


def cpu_ratio(pages: dict[str, str]) -> tuple[float, float]:
    """CPU ms per page of ours and of trafilatura, each page through both in turn."""
    ours = ref = 0.0
    for html in pages.values():
        ours += _cpu_ms(_ours_html, html)
        ref += _cpu_ms(_trafilatura, html)
    n = max(len(pages), 1)
    return ours / n, ref / n


def _row(name: str, s: Score, ms: float | None) -> str:
    ms_cell = f"{ms:.1f}" if ms is not None else "-"
    return f"| {name} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {ms_cell} |"


def _subset(values: dict[str, str], ids: list[str]) -> dict[str, str]:
    return {i: values[i] for i in ids if i in values}


def fold_table(
    fold_of: dict[str, int],
    truth: dict[str, str],
    runs: dict[str, dict[str, str]],
) -> list[str]:
    """Markdown rows: F1 of each run on each fold, then the mean over folds."""
    names = list(runs)
    rows = [
        "| fold | pages | " + " | ".join(f"{n} F1" for n in names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    folds = sorted(set(fold_of.values()))
    sums = dict.fromkeys(names, 0.0)
    for fold in folds:
        ids = [i for i, f in fold_of.items() if f == fold and i in truth]
        label = f"{fold} (held out)" if fold == HELDOUT_FOLD else str(fold)
        cells = []
        for name in names:
            f1 = score(_subset(runs[name], ids), _subset(truth, ids)).f1
            sums[name] += f1
            cells.append(f"{f1:.3f}")
        rows.append(f"| {label} | {len(ids)} | " + " | ".join(cells) + " |")
    means = " | ".join(f"{sums[n] / len(folds):.3f}" for n in names)
    rows.append(f"| mean of folds | {len(truth)} | {means} |")
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="scrapinghub-aeb folder")
    parser.add_argument("--mode", choices=["html", "text", "both"], default="both")
    parser.add_argument(
        "--split",
        choices=["all", "dev", "heldout"],
        default="all",
        help="score all pages, the development sites, or the held-out sites (fold 0)",
    )
    parser.add_argument("--folds", type=int, default=DEFAULT_FOLDS, help="folds by site")
    parser.add_argument("--pages", type=Path, help="extra folder of name.html + name.txt pages")
    parser.add_argument("--dump", type=Path, help="write per-page predictions (JSON) here")
    parser.add_argument(
        "--cpu-passes",
        type=int,
        default=0,
        help="also time html mode in CPU time, page by page in turn with trafilatura",
    )
    args = parser.parse_args(argv)

    all_truth = load_truth(args.data)
    fold_of = site_folds(load_sites(args.data), args.folds)
    ids = split_ids(fold_of, args.split)
    truth = _subset(all_truth, ids)
    fold_of = {i: fold_of[i] for i in ids}
    print(f"{len(ids)} pages ({args.split}), {len(set(fold_of.values()))} folds by site\n")
    print("| extractor | precision | recall | F1 | ms/page |")
    print("|---|---|---|---|---|")
    dump: dict[str, dict[str, str]] = {}
    folds: dict[str, dict[str, str]] = {}
    if args.mode in ("html", "both"):
        pages = load_html(args.data, ids)
        _ours_html(pages[ids[0]])  # warm imports so the first page doesn't pay for them
        _trafilatura(pages[ids[0]])
        ours, ms = run(_ours_html, pages)
        print(_row("articlebot from_html", score(ours, truth), ms))
        ref, ms_ref = run(_trafilatura, pages)
        print(_row("trafilatura (no comments)", score(ref, truth), ms_ref))
        dump["html"] = folds["ours html"] = ours
        folds["trafilatura"] = ref
    if args.mode in ("text", "both"):
        texts = _subset(load_text_inputs(args.data), ids)
        ours, ms = run(_ours_text, texts)
        print(_row("articlebot from_text (paste)", score(ours, truth), ms))
        print(_row("raw page text", score(texts, truth), None))
        dump["text"] = folds["ours paste"] = ours
    print()
    print("\n".join(fold_table(fold_of, truth, folds)))
    if args.pages:
        extra_html, extra_truth = load_pages(args.pages)
        print(f"\n{len(extra_html)} pages from {args.pages}\n")
        print("| extractor | precision | recall | F1 | ms/page |")
        print("|---|---|---|---|---|")
        ours, ms = run(_ours_html, extra_html)
        print(_row("articlebot from_html", score(ours, extra_truth), ms))
        ref, ms_ref = run(_trafilatura, extra_html)
        print(_row("trafilatura (no comments)", score(ref, extra_truth), ms_ref))
        dump["pages"] = ours
    if args.mode in ("html", "both") and args.cpu_passes:
        print(f"\nCPU time, each page through ours then trafilatura ({len(ids)} pages)\n")
        for i in range(args.cpu_passes):
            ms, ms_ref = cpu_ratio(load_html(args.data, ids))
            print(
                f"pass {i + 1}: ours {ms:.1f} ms/page, trafilatura {ms_ref:.1f} ms/page, "
                f"ratio {ms / ms_ref:.3f}"
            )
    if args.dump:
        args.dump.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
