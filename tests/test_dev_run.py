"""`python3 dev.py run ARGS...` runs `articlebot ARGS...` in the caller's folder (relative
paths are the caller's), with the repo's `.env` under what the environment already says (the
README's Slack steps put the tokens there). dev.py's own set-up is skipped: this venv has
everything, and the suite stays offline."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.test_packaging import ROOT, _dev

PAGE = "<html><body><article><h1>Harbour</h1><p>{}</p></article></body></html>".format(
    "The ferry timetable changes next month, the harbour office said. " * 8
)


@pytest.fixture
def dev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # -> the dev module, set up to run
    module = _dev()
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "prompts", repo / "prompts")
    (repo / ".env").write_text(f"PROMPTS_DIR={repo / 'prompts'}\nSTORE_PATH=:memory:\n")
    monkeypatch.setattr(module, "ROOT", repo)
    monkeypatch.setattr(module, "setup", lambda: None)
    monkeypatch.setattr(module, "BIN", Path(sys.executable).parent)
    monkeypatch.setattr(module, "PY", Path(sys.executable))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # this checkout's code
    monkeypatch.delenv("PROMPTS_DIR", raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "page.html").write_text(PAGE)
    monkeypatch.chdir(elsewhere)
    return module


def test_run_reads_files_relative_to_the_callers_folder(dev, capfd):
    assert dev.main(["run", "clean", "page.html"]) == 0
    captured = capfd.readouterr()
    assert "The ferry timetable changes next month" in captured.out, captured.err


def test_run_uses_the_repos_env_under_the_environment(dev, tmp_path, monkeypatch, capfd):
    repo_prompts = tmp_path / "repo" / "prompts"
    assert dev.main(["run", "prompts"]) == 0
    assert f"[user: {repo_prompts / 'answer.yaml'}]" in capfd.readouterr().out
    mine = tmp_path / "my-prompts"
    shutil.copytree(repo_prompts, mine)
    monkeypatch.setenv("PROMPTS_DIR", str(mine))  # the environment wins over the repo's .env
    assert dev.main(["run", "prompts"]) == 0
    assert f"[user: {mine / 'answer.yaml'}]" in capfd.readouterr().out
