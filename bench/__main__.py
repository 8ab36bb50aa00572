"""`python -m bench [name ...]`: run the benchmarks (all of them by default).

Each also runs alone with its own options: `python -m bench.<name> --help`.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ["extraction", "summarization", "retrieval", "tokens", "slack_load"]


def main(argv: list[str]) -> None:
    names = argv or BENCHMARKS
    for name in names:
        if name not in BENCHMARKS:
            sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
    for name in names:
        print(f"\n## {name}\n", flush=True)
        importlib.import_module(f"bench.{name}").main([])


if __name__ == "__main__":
    main(sys.argv[1:])
