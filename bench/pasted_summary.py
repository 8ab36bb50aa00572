"""Offline summaries of whole pasted pages: do the bullets come from the article?

    python -m bench.pasted_summary [--data DIR] [--style bullets] [--split all|dev|heldout]
                                   [--show N] [--dump FILE]

Input: scrapinghub-aeb's full-page text dumps (`text-inputs.json.gz`: menus, teasers,
footers, newsletter blurbs and all — what a user pastes when they select a whole page).
Each goes through the bot's paste path, `bot.ingest.from_text` (as `ArticleSource.from_text`
calls it), then the offline engine's plan for the default `bullets` style (the lines
`bot.offline.summarize` writes). The truth is the page's hand-annotated article body
(`ground-truth.json`, headline not included).

A bullet is *inside* the article when most of its words appear, in order and unbroken, in
the annotated text:

- both sides are normalised the same way: Unicode NFKC, casefolded, every run of
  punctuation or whitespace a single break, so "U.S.-based" and "U.S. based" agree and a
  curly quote matches a straight one; words are `\\w+` runs, and each character of a script
  written without spaces (kana, CJK ideographs) is a word of its own;
- the bullet's words are its source sentence as lifted from the cleaned paste
  (`Line.source`), not the line as shown: the shown line may have a speaker named or an
  attribution tail trimmed, which are the engine's edits, not where it picked from;
- inside when the longest run of consecutive bullet words that occurs consecutively in the
  article is more than half of the bullet's words (`INSIDE_SHARE`). A sentence lifted from
  the article whole is a run of 100%; one the cleaner glued to a menu item, or a teaser
  for another story that merely shares a phrase, falls below half. A bullet of fewer than
  two words can't be judged this way and counts as outside.

Reported per split: pages with at least one outside bullet, the share of bullets outside,
and pages with no bullet at all. Split by site (the host of the page's URL): the sites are
dealt into two folds the way `bench.extraction` deals five (sha256 order, each to the
smaller fold), fold 0 held out. Tune on dev only.
"""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.extraction import DEFAULT_DATA, load_sites, load_text_inputs, load_truth, site_folds
from bot.errors import IngestError

SPLITS = ("dev", "heldout", "all")
HELDOUT_FOLD = 0
INSIDE_SHARE = 0.5  # more than this share of the bullet's words, as one unbroken run
_UNSPACED = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_UNSPACED}]|[^\W_{_UNSPACED}]+")


def words(text: str) -> list[str]:
    """Normalised words: NFKC, casefolded, punctuation dropped, unspaced scripts by char."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def longest_run(needle: Sequence[str], haystack: Sequence[str]) -> int:
    """Length of the longest run of consecutive `needle` words found consecutively in
    `haystack` (the longest common substring, in words)."""
    where: dict[str, list[int]] = {}
    for pos, word in enumerate(haystack):
        where.setdefault(word, []).append(pos)
    best = 0
    ending: dict[int, int] = {}  # haystack position -> run length ending there
    for word in needle:
        ending = {p: ending.get(p - 1, 0) + 1 for p in where.get(word, ())}
        if ending:
            best = max(best, max(ending.values()))
    return best


def is_inside(sentence: str, article: Sequence[str]) -> bool:
    """Most of the sentence's words, as one unbroken run, are in the article's words."""
    mine = words(sentence)
    if len(mine) < 2:
        return False
    return longest_run(mine, article) > INSIDE_SHARE * len(mine)


@dataclass(frozen=True)
class PageResult:
    page_id: str
    bullets: tuple[str, ...]  # the source sentences the bullets show
    outside: tuple[str, ...]  # those not inside the article


def summarize_paste(text: str, style: str) -> list[str]:
    """The source sentences of the offline summary's key lines for a pasted page."""
    from bot.ingest import from_text
    from bot.offline.summaries import plan

    try:
        article = from_text(text)
    except IngestError:
        return []
    return [line.source for line in plan(article, style).key]


def judge_page(page_id: str, text: str, truth: str, style: str) -> PageResult:
    article = words(truth)
    bullets = summarize_paste(text, style)
    outside = [b for b in bullets if not is_inside(b, article)]
    return PageResult(page_id, tuple(bullets), tuple(outside))


def split_ids(fold_of: dict[str, int], split: str) -> list[str]:
    if split == "all":
        return sorted(fold_of)
    held = split == "heldout"
    return sorted(i for i, f in fold_of.items() if (f == HELDOUT_FOLD) == held)


def row(split: str, results: Sequence[PageResult]) -> str:
    pages = len(results)
    bad = sum(bool(r.outside) for r in results)
    bullets = sum(len(r.bullets) for r in results)
    outside = sum(len(r.outside) for r in results)
    empty = sum(not r.bullets for r in results)
    return (
        f"| {split} | {pages} | {bad} ({100 * bad / max(pages, 1):.1f}%) | "
        f"{outside} / {bullets} ({100 * outside / max(bullets, 1):.1f}%) | {empty} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="scrapinghub-aeb folder")
    parser.add_argument("--style", default="bullets", help="summary style for our engine")
    parser.add_argument("--split", choices=SPLITS, default="all", help="which pages to run")
    parser.add_argument("--show", type=int, default=0, help="print up to N outside bullets")
    parser.add_argument("--dump", type=Path, help="write per-page bullets (JSON) here")
    args = parser.parse_args(argv)

    truth = load_truth(args.data)
    texts = load_text_inputs(args.data)
    fold_of = site_folds(load_sites(args.data), 2)
    ids = split_ids(fold_of, args.split)
    results = {i: judge_page(i, texts[i], truth[i], args.style) for i in ids}

    print(f"Pasted whole pages -> offline {args.style}: bullets outside the article\n")
    print("| split | pages | pages with an outside bullet | bullets outside | no summary |")
    print("|---|---|---|---|---|")
    for split in SPLITS:
        part = [results[i] for i in split_ids(fold_of, split) if i in results]
        if part and (args.split == "all" or split == args.split):
            print(row(split, part))
    if args.show:
        print()
        shown = 0
        for result in results.values():
            for sentence in result.outside:
                if shown < args.show:
                    fold = "heldout" if fold_of[result.page_id] == HELDOUT_FOLD else "dev"
                    print(f"- {result.page_id} ({fold}): {sentence[:200]}")
                shown += 1
    if args.dump:
        dump = {
            i: {"bullets": list(r.bullets), "outside": list(r.outside)} for i, r in results.items()
        }
        args.dump.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
