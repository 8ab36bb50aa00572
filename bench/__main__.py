"""`python -m bench [NAME [OPTIONS...]]`: run one benchmark with its options, or all of them.

`python -m bench extraction --mode html --data DIR` runs one; `python -m bench` runs all with
their defaults (data from ../shared beside the repo). `python -m bench NAME --help` lists a
benchmark's options. `python -m bench rerank_fit` refits a model the engine ships (run by
name only).
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = [
    "extraction",
    "page_kind",
    "summarization",
    "pasted_summary",
    "retrieval",
    "unanswerable",
    "tokens",
    "slack_load",
    "scaleout",
    "pathological",
    "hostile",
    "startup",
]
# Run by name only, never by `python -m bench`: they fit what the engine ships.
TOOLS = ["rerank_fit"]


def _run(name: str, args: list[str]) -> None:
    try:
        importlib.import_module(f"bench.{name}").main(args)
    except FileNotFoundError as exc:
        sys.exit(
            f"{name}: benchmark data not found ({exc.filename}). The data lives in ../shared "
            f"beside the repo; point elsewhere with `python -m bench {name} --data DIR` "
            "(see --help)."
        )


def main(argv: list[str]) -> None:
    if argv and argv[0] in BENCHMARKS + TOOLS:
        _run(argv[0], argv[1:])
        return
    if argv:
        sys.exit(
            f"unknown benchmark {argv[0]!r}; choose from {', '.join(BENCHMARKS)} "
            "(or give none to run them all)"
        )
    for name in BENCHMARKS:
        print(f"\n## {name}\n", flush=True)
        _run(name, [])


if __name__ == "__main__":
    main(sys.argv[1:])
