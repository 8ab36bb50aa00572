"""Is it an article? `bot.ingest.page_kind` on pages that are, and on pages that aren't.

    python -m bench.page_kind [--data DIR] [--eval-data DIR] [--pages DIR] [-v]

False positives: scrapinghub's article-extraction-benchmark (181 pages, all articles, 8
languages), each page's HTML through `bot.ingest.from_html` and its visible text (what a user
pastes) through `bot.ingest.from_text`; then the plain text of the 250 CNN/DailyMail articles
(FRANK) and of the 48 Wikipedia documents (XQuAD) of the summarization and retrieval
benchmarks, pasted. Any verdict but "article" is a false positive.
Detection: the invented non-article pages of tests/fixtures/not_articles, named `<kind>_<lang>.*`
(`.txt` files are pastes); a page is detected when ingest judges it that kind, or refuses
it as that kind.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.extraction import DEFAULT_DATA, load_html, load_text_inputs, load_truth
from bot.errors import NotAnArticle, NotArticlePage

DEFAULT_EVAL = DEFAULT_DATA.parents[1] / "eval-data"
DEFAULT_PAGES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "not_articles"
_KIND_OF_NAME = re.compile(r"^(?P<kind>[a-z_]+)_[a-z]{2}$")


def judge(read: Callable[[str], object], raw: str) -> str:
    """The kind ingest gives `raw` ("article", "login"...), or "no text" when it refuses
    it without saying what it is (the extractor found nothing)."""
    try:
        article = read(raw)
    except NotArticlePage as exc:
        return exc.kind
    except NotAnArticle:
        return "no text"
    return getattr(article, "page_kind", None) or "article"


def _readers() -> dict[str, Callable[[str], object]]:
    from bot.ingest import from_html, from_text

    return {"html": from_html, "text": from_text}


def _jsonl(path: Path, field: str) -> dict[str, str]:
    with path.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    return {str(i): record[field] for i, record in enumerate(records)}


def false_positives(data: Path, eval_data: Path, verbose: bool) -> None:
    ids = sorted(load_truth(data))
    texts = load_text_inputs(data)
    readers = _readers()
    sets = [
        ("AEB pages, HTML", readers["html"], load_html(data, ids)),
        ("AEB pages, pasted text", readers["text"], {i: texts[i] for i in ids}),
    ]
    frank = eval_data / "summarization" / "frank_cnndm_test_articles.jsonl"
    xquad = eval_data / "qa" / "xquad_en_longdocs.jsonl"
    if frank.is_file() and xquad.is_file():
        sets.append(("CNN/DailyMail articles, pasted", readers["text"], _jsonl(frank, "article")))
        sets.append(("XQuAD documents, pasted", readers["text"], _jsonl(xquad, "text")))
    print("| input (all articles) | n | judged articles | false positives | rate |")
    print("|---|---|---|---|---|")
    for name, read, inputs in sets:
        kinds = {key: judge(read, raw) for key, raw in inputs.items()}
        wrong = {key: kind for key, kind in kinds.items() if kind != "article"}
        counts = ", ".join(f"{k} {n}" for k, n in Counter(wrong.values()).most_common())
        print(
            f"| {name} | {len(inputs)} | {len(inputs) - len(wrong)} | {len(wrong)}"
            f"{f' ({counts})' if counts else ''} | {len(wrong) / len(inputs):.1%} |"
        )
        if verbose:
            for key, kind in sorted(wrong.items()):
                print(f"  {name} {key[:12]}: {kind}")


def detection(pages: Path) -> None:
    print("\n| page | input | expected | judged |")
    print("|---|---|---|---|")
    readers = _readers()
    hits = total = 0
    for path in sorted(pages.iterdir()):
        match = _KIND_OF_NAME.match(path.stem)
        if match is None:
            continue
        mode = "html" if path.suffix == ".html" else "text"
        kind = judge(readers[mode], path.read_text(encoding="utf-8"))
        expected = match["kind"]
        total += 1
        hits += kind == expected
        mark = "" if kind == expected else " ✗"
        print(f"| {path.name} | {mode} | {expected} | {kind}{mark} |")
    print(f"\n{hits} / {total} non-article pages detected as their kind.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="scrapinghub-aeb folder")
    parser.add_argument("--eval-data", type=Path, default=DEFAULT_EVAL, help="eval-data folder")
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES, help="non-article pages")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the false positives")
    args = parser.parse_args(argv)
    false_positives(args.data, args.eval_data, args.verbose)
    detection(args.pages)


if __name__ == "__main__":
    main()
