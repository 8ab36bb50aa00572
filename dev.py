#!/usr/bin/env python3
"""One-command setup and run, for a fresh machine with only Python >= 3.11.

    python3 dev.py demo            # set up, then summarize the seed article offline (no keys)
    python3 dev.py test            # set up, then lint and run the whole test suite
    python3 dev.py bench [...]     # set up (with benchmark extras), then run the benchmarks
    python3 dev.py run ARGS...     # set up, then run `articlebot ARGS...`

Setup creates `.venv/` beside this file and installs the project into it; it is repeated only
when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
DEMO_INPUT = ROOT / "tests" / "fixtures" / "seed_paywall.txt"


def _say(msg: str) -> None:
    print(f"[dev] {msg}", file=sys.stderr, flush=True)


def setup(extras: str = "dev,bench") -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (this script runs before any check)
        sys.exit("articlebot needs Python 3.11 or newer.")
    if not PY.exists():
        _say(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / ".articlebot-installed"
    if stamp.exists() and stamp.read_text() == digest:
        return
    _say("installing articlebot and its dependencies (first run only)")
    quiet = ["-q"] if os.environ.get("CI") is None else []
    subprocess.run([PY, "-m", "pip", "install", *quiet, "--upgrade", "pip"], check=True)
    subprocess.run([PY, "-m", "pip", "install", *quiet, "-e", f".[{extras}]"], check=True, cwd=ROOT)
    stamp.write_text(digest)


def run(args: list[str]) -> int:
    return subprocess.call(args, cwd=ROOT)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    if command in ("help", "-h", "--help"):
        print(__doc__)
        return 0
    setup()
    if command == "demo":
        return run([BIN / "articlebot", "summarize", str(DEMO_INPUT)])
    if command == "test":
        lint = run([PY, "-m", "ruff", "check", "bot", "tests", "bench", "dev.py"])
        tests = run([PY, "-m", "pytest", *argv[1:]])
        return tests or lint
    if command == "bench":
        return run([PY, "-m", "bench", *argv[1:]])
    if command == "run":
        return run([BIN / "articlebot", *argv[1:]])
    print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
