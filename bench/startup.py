"""Start-up time a user feels: `articlebot` commands against trafilatura's CLI, same run.

    python -m bench startup [--runs N] [--html FILE] [--text FILE] [--articlebot CMD]

Each row is the median wall time of N runs of a fresh process (interpreter, imports, work,
exit), taken in turn with the other rows so load on the machine hits them alike. articlebot
runs this checkout's entry point (`bot.cli:main`, what the `articlebot` console script calls)
unless --articlebot names an installed command. trafilatura's CLI reads the same HTML file on
stdin (its `-i` takes a list of URLs to download, not a page).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
# What the console script does, run against this checkout rather than the installed one.
ENTRY = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]
TARGETS = {"--version": 0.3, "--help": 0.3, "clean": 1.0}


def _time(argv: list[str], stdin: Path | None, cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    with open(stdin or os.devnull, "rb") as feed:
        done = subprocess.run(argv, stdin=feed, capture_output=True, cwd=cwd, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{shlex.join(argv)} failed:\n{done.stderr.decode(errors='replace')}")
    return elapsed


def _trafilatura() -> str | None:
    beside = Path(sys.executable).parent / "trafilatura"  # the venv's own, if installed
    return str(beside) if beside.exists() else shutil.which("trafilatura")


def _cases(args: argparse.Namespace) -> list[tuple[str, list[str], Path | None]]:
    bot = shlex.split(args.articlebot) if args.articlebot else ENTRY
    cases = [
        ("articlebot --version", [*bot, "--version"], None),
        ("articlebot --help", [*bot, "--help"], None),
        (f"articlebot clean {args.html.name}", [*bot, "clean", str(args.html)], None),
        (f"articlebot clean {args.text.name}", [*bot, "clean", str(args.text)], None),
        # The quick start's first command: the offline engine (no key: no model client).
        (f"articlebot summarize {args.text.name}", [*bot, "summarize", str(args.text)], None),
    ]
    trafilatura = _trafilatura()
    if trafilatura:
        cases += [
            ("trafilatura --version", [trafilatura, "--version"], None),
            (f"trafilatura < {args.html.name}", [trafilatura], args.html),
        ]
    return cases


def _target(name: str) -> str:
    if not name.startswith("articlebot"):
        return "–"
    limit = TARGETS.get(name.split()[1])
    return "–" if limit is None else f"< {limit} s"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="runs per command (median shown)")
    parser.add_argument("--html", type=Path, default=FIXTURES / "html_article_en.html")
    parser.add_argument("--text", type=Path, default=FIXTURES / "paste_metered_en.txt")
    parser.add_argument(
        "--articlebot", help='command to time instead of this checkout, e.g. ".venv/bin/articlebot"'
    )
    args = parser.parse_args(argv)
    args.html, args.text = args.html.resolve(), args.text.resolve()
    cases = _cases(args)
    # This checkout's bot/ for the default entry; an installed command finds its own.
    env = dict(os.environ, PYTHONPATH=str(ROOT)) if not args.articlebot else dict(os.environ)
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_API_KEY"):
        env.pop(name, None)  # summarize runs the offline engine, as on a first try
    if not args.articlebot:
        # Bytecode for this checkout, as `pip install` writes it for an installed one (with
        # PYTHONDONTWRITEBYTECODE set, as on this machine, every run would compile bot/ anew).
        compileall.compile_dir(ROOT / "bot", quiet=1)
    times: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    with tempfile.TemporaryDirectory() as folder:  # no .env in the working folder
        for _name, command, stdin in cases:  # one untimed run each: the OS file cache
            _time(command, stdin, Path(folder), env)
        for _ in range(args.runs):
            for name, command, stdin in cases:
                times[name].append(_time(command, stdin, Path(folder), env))
    print(f"Median wall time of {args.runs} runs (fresh process each), one row after another\n")
    print("| command | median s | min s | max s | target |")
    print("|---|---|---|---|---|")
    for name, runs in times.items():
        print(
            f"| `{name}` | {statistics.median(runs):.2f} | {min(runs):.2f} | {max(runs):.2f} "
            f"| {_target(name)} |"
        )
    if not _trafilatura():
        print("\n(trafilatura's CLI is not installed here: its rows are left out)")


if __name__ == "__main__":
    main()
