"""What cleaning saves: model input tokens of a pasted article, raw versus cleaned.

    python -m bench.tokens [--seeds DIR] [--aeb DIR]

The seed paste (../shared/seeds/000_*.txt, an article followed by its publisher's paywall
block) and, for scale, the 181 full-page texts of the extraction benchmark. Tokens of the
article alone and of the whole summary prompt (template + article) the model would get.
Counts are exact (tiktoken) when its encoding is cached here, else our offline estimate.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
from pathlib import Path

from bot.errors import IngestError
from bot.ingest import from_text
from bot.llm.templates import load_templates
from bot.llm.tokens import count_message_tokens, count_tokens, exact_counting_available

SHARED = Path(__file__).resolve().parents[2] / "shared"
MODEL = "gpt-4o-mini"


def _prompt_tokens(article_text: str) -> int:
    template = load_templates().summary("bullets")
    return count_message_tokens(template.format_messages(article=article_text), MODEL)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=SHARED / "seeds")
    parser.add_argument("--aeb", type=Path, default=SHARED / "extraction-bench/scrapinghub-aeb")
    args = parser.parse_args(argv)
    how = "exact (tiktoken)" if exact_counting_available(MODEL) else "offline estimate"
    print(f"Input tokens for {MODEL}, {how}\n")
    print("| input | raw article | cleaned article | saved | raw prompt | cleaned prompt |")
    print("|---|---|---|---|---|---|")
    for seed in sorted(args.seeds.glob("*.txt")):
        raw = seed.read_text(encoding="utf-8")
        cleaned = from_text(raw).text
        r, c = count_tokens(raw, MODEL), count_tokens(cleaned, MODEL)
        print(
            f"| seed paste {seed.name[:12]}… | {r} | {c} | {100 * (r - c) / r:.0f}% "
            f"| {_prompt_tokens(raw)} | {_prompt_tokens(cleaned)} |"
        )
    inputs = args.aeb / "text-inputs.json.gz"
    if inputs.exists():
        texts = json.loads(gzip.decompress(inputs.read_bytes()))["texts"]
        raw_total = clean_total = 0
        for text in texts.values():
            raw_total += count_tokens(text, MODEL)
            with contextlib.suppress(IngestError):
                clean_total += count_tokens(from_text(text).text, MODEL)
        n = len(texts)
        print(
            f"| {n} full-page pastes (mean) | {raw_total // n} | {clean_total // n} "
            f"| {100 * (raw_total - clean_total) / raw_total:.0f}% | | |"
        )


if __name__ == "__main__":
    main()
