#!/usr/bin/env python3
"""One-command setup and run, for a fresh machine with only Python >= 3.11.

    python3 dev.py demo            # set up, then summarize the seed article offline (no keys)
    python3 dev.py test            # set up, lint, type-check (mypy), run the whole test suite
    python3 dev.py bench [...]     # set up (with benchmark extras), then run the benchmarks
    python3 dev.py run ARGS...     # set up, then run `articlebot ARGS...` in this folder,
                                   # with the repo's .env (the environment wins over it)
    python3 dev.py wheel-check     # build the wheel, install it (not editable) in a fresh venv,
                                   # and summarize the seed article with it from a temp folder
    python3 dev.py lock            # set up, then write constraints.txt from .venv (pip freeze)
    python3 dev.py floors [ARGS]   # the test suite against every dependency's lowest allowed
                                   # version (pyproject's >=X as ==X), in .venv-floors/

Setup creates `.venv/` beside this file and installs the project into it, with the versions
pinned in constraints.txt; it is repeated only when pyproject.toml, setup.py or
constraints.txt change.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
FLOORS_VENV = ROOT / ".venv-floors"
BIN_DIR = "Scripts" if os.name == "nt" else "bin"
EXE = ".exe" if os.name == "nt" else ""
BIN = VENV / BIN_DIR
PY = BIN / f"python{EXE}"
CONSTRAINTS = ROOT / "constraints.txt"
EXTRAS = "dev,bench"
DEMO_INPUT = ROOT / "tests" / "fixtures" / "seed_paywall.txt"
# What a wheel build must not see: a stale build/ can carry deleted modules into the wheel.
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv*", "build", "dist", "data", "*.egg-info", "__pycache__", ".*_cache", "results"
)
LOCK_HEADER = """\
# The tested versions of every dependency (and the dev and bench extras), for
# `pip install -c constraints.txt ...`: dev.py's setup, CI's wheel check and the Dockerfile.
# Regenerate after changing dependencies: `python3 dev.py lock` (setup, then pip freeze of .venv
# minus articlebot itself). For newer versions of everything, delete this file and .venv first.
"""


def _say(msg: str) -> None:
    print(f"[dev] {msg}", file=sys.stderr, flush=True)


def _quiet() -> list[str]:
    return ["-q"] if os.environ.get("CI") is None else []


def _constraints() -> list[str]:
    return ["-c", str(CONSTRAINTS)] if CONSTRAINTS.exists() else []


def _make_venv(folder: Path) -> Path:
    python = folder / BIN_DIR / f"python{EXE}"
    if not python.exists():
        _say(f"creating virtual environment in {folder}")
        venv.EnvBuilder(with_pip=True).create(folder)
    return python


def setup(extras: str = EXTRAS) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (this script runs before any check)
        sys.exit("articlebot needs Python 3.11 or newer.")
    _make_venv(VENV)
    inputs = [ROOT / "pyproject.toml", ROOT / "setup.py", CONSTRAINTS]
    data = b"".join(p.read_bytes() if p.exists() else b"-" for p in inputs) + extras.encode()
    digest = hashlib.sha256(data).hexdigest()
    stamp = VENV / ".articlebot-installed"
    if stamp.exists() and stamp.read_text() == digest:
        return
    _say("installing articlebot and its dependencies (first run only)")
    pip = [PY, "-m", "pip", "install", *_quiet()]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, *_constraints(), "-e", f".[{extras}]"], check=True, cwd=ROOT)
    stamp.write_text(digest)


def run(args: list[str | Path]) -> int:
    return subprocess.call(args, cwd=ROOT)


def articlebot(args: list[str]) -> int:
    """`articlebot ARGS` in the caller's folder (its relative paths are the caller's, a
    relative STORE_PATH too), with the repo's .env, where the README's Slack steps put the
    tokens: the app itself reads only the .env of the folder it runs in."""
    return subprocess.call([BIN / f"articlebot{EXE}", *args], env=_with_repo_env())


def _with_repo_env() -> dict[str, str]:
    """The environment plus the repo's .env, for names the environment doesn't set (it wins
    over .env, as in the app; names are matched blind to case, as the settings are). Read by
    .venv's python-dotenv: the parser the app uses, which this script's Python may lack."""
    env = dict(os.environ)
    env_file = ROOT / ".env"
    if not env_file.is_file():
        return env
    script = (
        "import json, sys; from dotenv import dotenv_values; "
        "print(json.dumps(dotenv_values(sys.argv[1], encoding='utf-8')))"
    )
    read = subprocess.run([PY, "-c", script, env_file], capture_output=True, text=True, check=True)
    taken = {name.upper() for name in env}
    for name, value in json.loads(read.stdout).items():
        if value is not None and name.upper() not in taken:  # "NAME" alone sets nothing
            env[name] = value
    return env


def lock() -> int:
    """constraints.txt from what .venv has (which setup installed from pyproject)."""
    frozen = subprocess.run(
        # --all: setuptools too (the dev extra builds wheels with it); pip is not pinned.
        [PY, "-m", "pip", "freeze", "--all", "--exclude-editable", "--exclude", "articlebot"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lines = sorted(
        (ln for ln in frozen.splitlines() if ln and not ln.startswith(("#", "pip=="))),
        key=str.lower,
    )
    CONSTRAINTS.write_text(LOCK_HEADER + "\n".join(lines) + "\n")
    _say(f"wrote {len(lines)} pins to {CONSTRAINTS.name}")
    return 0


def floor_pins() -> list[str]:
    """`name==X` for every `name>=X` in pyproject's dependencies and the dev/bench extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in EXTRAS.split(","):
        specs += project["optional-dependencies"][extra]
    pins = []
    for spec in specs:
        found = re.match(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)", spec)
        if found:
            pins.append(f"{found.group(1)}=={found.group(2)}")
    return pins


def floors(pytest_args: list[str]) -> int:
    """Install the floor versions in a fresh .venv-floors/ and run the tests there (slow, so
    not in CI). Fresh: packages left from an earlier run could hide a floor that fails."""
    shutil.rmtree(FLOORS_VENV, ignore_errors=True)
    python = _make_venv(FLOORS_VENV)
    pins = FLOORS_VENV / "floors.txt"
    pins.write_text("\n".join(floor_pins()) + "\n")
    _say(f"installing the floor versions ({pins})")
    pip = [python, "-m", "pip", "install", *_quiet()]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-c", str(pins), "-e", f".[{EXTRAS}]"], check=True, cwd=ROOT)
    subprocess.run([python, "-m", "pip", "freeze", "--exclude-editable"], check=True)
    return run([python, "-m", "pytest", "-p", "no:cacheprovider", *pytest_args])


def wheel_check() -> int:
    """What `pip install .` gives a user: build the wheel from a clean copy of the tree,
    install it (not editable) into a fresh venv with constraints.txt, and summarize the seed
    article from an empty folder far from the repo, offline."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="articlebot-wheel-") as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT, work / "src", ignore=_NOT_SOURCE)
        python = _make_venv(work / "venv")
        pip = [python, "-m", "pip", *_quiet()]
        _say("building the wheel")
        subprocess.run([*pip, "wheel", "--no-deps", "-w", work / "dist", work / "src"], check=True)
        wheel = next((work / "dist").glob("articlebot-*.whl"))
        _say(f"installing {wheel.name} into a fresh venv")
        subprocess.run([*pip, "install", *_constraints(), wheel], check=True)
        (work / "run").mkdir()
        # Offline, built-in templates only, nothing imported from the repo.
        unset = ("OPENAI_", "AZURE_", "PROMPTS_DIR", "PYTHONPATH")
        env = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
        env["ENGINE"] = "offline"
        articlebot = work / "venv" / BIN_DIR / f"articlebot{EXE}"
        result = subprocess.run(
            [articlebot, "summarize", "-"],
            input=DEMO_INPUT.read_text(encoding="utf-8"),
            capture_output=True,
            text=True,
            cwd=work / "run",
            env=env,
        )
        prompts = subprocess.run(
            [articlebot, "prompts"], capture_output=True, text=True, cwd=work / "run", env=env
        )
    print(result.stdout, end="")
    problems = []
    if result.returncode != 0:
        problems.append(f"`articlebot summarize -` exited {result.returncode}: {result.stderr}")
    elif len(result.stdout.split()) < 20:
        problems.append(f"`articlebot summarize -` printed no summary: {result.stdout!r}")
    if prompts.returncode != 0 or f"{os.sep}site-packages{os.sep}bot{os.sep}_prompts" not in (
        prompts.stdout
    ):
        problems.append(f"`articlebot prompts` didn't use the wheel's templates: {prompts}")
    for problem in problems:
        _say(f"wheel check FAILED: {problem}")
    if not problems:
        _say(f"wheel check passed in {time.monotonic() - started:.0f} s")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    if command in ("help", "-h", "--help"):
        print(__doc__)
        return 0
    if command == "wheel-check":
        return wheel_check()
    if command == "floors":
        return floors(argv[1:])
    setup()
    if command == "demo":
        return run([BIN / "articlebot", "summarize", str(DEMO_INPUT)])
    if command == "test":
        lint = run([PY, "-m", "ruff", "check", "bot", "tests", "bench", "dev.py"])
        types = run([PY, "-m", "mypy"])  # pyproject's [tool.mypy]: bot/, pydantic's plugin
        # Three processes: most tests wait on servers, leases and kills, not on the CPU
        # (the suite takes ~60% of the time on two cores). `-n 0` runs it in one.
        parallel = [] if any(a.startswith("-n") for a in argv[1:]) else ["-n", "3"]
        tests = run([PY, "-m", "pytest", *parallel, *argv[1:]])
        return tests or lint or types
    if command == "bench":
        return run([PY, "-m", "bench", *argv[1:]])
    if command == "run":
        return articlebot(argv[1:])
    if command == "lock":
        return lock()
    print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
