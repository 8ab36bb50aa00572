"""`articlebot` started with a standard stream closed (`2>&-`, `<&-`, `>&-`, as some cron jobs,
daemons and CI runners do): it runs as if the stream were /dev/null, never a traceback; an
output it can't write (a full disk) is one line on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_env import MODEL_ENV

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file descriptors")

ROOT = Path(__file__).parent.parent
PAGE = Path(__file__).parent / "fixtures" / "html_article_en.html"


def _run(args: list[str], closed: int, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`articlebot ARGS` with file descriptor `closed` closed; the other two captured."""
    env = {k: v for k, v in os.environ.items() if k not in MODEL_ENV}
    env.update(ENGINE="offline", PYTHONPATH=str(ROOT))
    pipes = {0: subprocess.DEVNULL, 1: subprocess.PIPE, 2: subprocess.PIPE}
    pipes[closed] = None
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        stdin=pipes[0],
        stdout=pipes[1],
        stderr=pipes[2],
        preexec_fn=lambda: os.close(closed),  # in the child, before Python starts
        cwd=cwd,  # no .env of the developer's
        env=env,
        text=True,
        timeout=120,
    )


def test_a_closed_stderr_still_gives_the_summary(tmp_path: Path) -> None:
    result = _run(["summarize", str(PAGE)], closed=2, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("- For the first time in forty years")


def test_a_closed_stdin_is_empty_input(tmp_path: Path) -> None:
    result = _run(["summarize", "-", "--json"], closed=0, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "not_an_article" and "empty" in error["message"]
    assert result.stderr == ""


def test_a_closed_stdout_is_no_crash(tmp_path: Path) -> None:
    result = _run(["summarize", str(PAGE)], closed=1, cwd=tmp_path)
    assert "Traceback" not in result.stderr and "Error" not in result.stderr
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["clean"], ["summarize"], ["summarize", "--json"]])
def test_a_full_disk_under_the_output_is_one_line_not_a_traceback(
    tmp_path: Path, args: list[str]
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in MODEL_ENV}
    env.update(ENGINE="offline", PYTHONPATH=str(ROOT), NO_COLOR="1")
    with open("/dev/full", "w") as full:  # every write fails with ENOSPC, as on a full disk
        result = subprocess.run(
            [sys.executable, "-m", "bot", args[0], str(PAGE), *args[1:]],
            stdin=subprocess.DEVNULL,
            stdout=full,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env=env,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "error: can't write the output: No space left on device."
    )
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
