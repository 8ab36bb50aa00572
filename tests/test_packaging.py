"""What `pip install .` ships: every import declared, the prompts inside the wheel, and the
wheel working on its own (CI's `python3 dev.py wheel-check` also installs it in a fresh venv)."""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed_paywall.txt"


def _dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _name(spec: str) -> str:
    return re.split(r"[<>=!~\[;\s]", spec, maxsplit=1)[0].lower().replace("_", "-")


def _imports(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"bot", "bench", "tests", "__future__"}


@pytest.mark.parametrize(
    ("folder", "groups"), [("bot", ()), ("tests", ("dev",)), ("bench", ("dev", "bench"))]
)
def test_every_imported_package_is_declared(folder: str, groups: tuple[str, ...]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + [
        s for g in groups for s in project["optional-dependencies"][g]
    ]
    declared = {_name(spec) for spec in specs}
    owners = importlib.metadata.packages_distributions()
    undeclared = {
        module: owners.get(module)
        for module in _imports(ROOT / folder)
        if not {_name(d) for d in owners.get(module, [])} & declared
    }
    assert undeclared == {}, "imported but not in pyproject.toml"


def test_floor_pins_cover_every_lower_bound() -> None:
    pins = _dev().floor_pins()
    assert "pydantic-settings==2.7" in pins  # NoDecode
    assert "trafilatura==2.3.1" in pins  # "trafilatura>=2.3.1,<3": the floor, not the cap
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floors = [s for s in project["dependencies"] if ">=" in s]
    assert len([p for p in pins if _name(p) in {_name(s) for s in floors}]) == len(floors)


def test_constraints_pin_every_dependency() -> None:
    pinned = {
        _name(line)
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [s for g in ("dev", "bench") for s in project["optional-dependencies"][g]]
    missing = {_name(s) for s in project["dependencies"] + extras} - pinned
    assert missing == set(), "run `python3 dev.py lock`"


@pytest.mark.timeout(180)
def test_the_wheel_carries_the_prompts_and_runs_without_the_repo(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=_dev()._NOT_SOURCE)
    # With the dev extra's setuptools: no index needed, the suite stays offline.
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    build = subprocess.run(
        [*pip_wheel, "--wheel-dir", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = tmp_path.glob("articlebot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    prompts = sorted(p.name for p in (ROOT / "prompts").glob("*.yaml"))
    assert prompts and {f"bot/_prompts/{name}" for name in prompts} <= names
    assert "bot/llm/meta_questions.yaml" in names
    assert "bot/offline/rerank.json" in names
    assert not any(n.startswith(("prompts/", "tests/", "bench/")) for n in names)

    # The unpacked wheel on the path ahead of the editable install, run from an empty folder.
    site, cwd = tmp_path / "site", tmp_path / "cwd"
    zipfile.ZipFile(wheel).extractall(site)
    cwd.mkdir()
    unset = ("OPENAI_", "AZURE_", "PROMPTS_DIR", "ENGINE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    env |= {"PYTHONPATH": str(site), "ENGINE": "offline"}
    listed = subprocess.run(
        [sys.executable, "-m", "bot", "prompts"], capture_output=True, text=True, cwd=cwd, env=env
    )
    assert listed.returncode == 0, listed.stderr
    assert f"built-in templates: {site / 'bot' / '_prompts'}" in listed.stdout
    summary = subprocess.run(
        [sys.executable, "-m", "bot", "summarize", "-"],
        input=SEED.read_text(encoding="utf-8"),
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
    )
    assert summary.returncode == 0, summary.stderr
    assert len(summary.stdout.split()) > 20 and "offline engine" in summary.stderr
    # The offline answers read their fitted weights from the package too.
    answered = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "-", "When was Kim's visit to Seoul to take place?"],
        input=SEED.read_text(encoding="utf-8"),
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
    )
    assert answered.returncode == 0, answered.stderr
    assert "supposed to take place in December" in answered.stdout
