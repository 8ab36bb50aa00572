"""`articlebot summarize -` at a real terminal (a pseudo-terminal): the person is told how to
end the paste, and no spinner draws over what they type until the article is read."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli.inputs import PASTE_PROMPT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

ROOT = Path(__file__).parent.parent
SEED = Path(__file__).parent / "fixtures" / "seed_paywall.txt"
SPINNER_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"  # rich's default "dots" spinner


def _read_until(fd: int, seconds: float, wanted: bytes | None = None) -> bytes:
    """What the terminal shows within `seconds` (sooner once `wanted` has appeared)."""
    seen = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (wanted and wanted in seen):
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the other end closed: the command ended
                break
            if not chunk:
                break
            seen += chunk
    return seen


def _env(**extra: str) -> dict[str, str]:
    """The offline engine, whatever key the developer's shell has; this checkout's `bot`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_"))}
    env.pop("NO_COLOR", None)
    env.update(TERM="xterm-256color", COLUMNS="100", ENGINE="offline", PYTHONPATH=str(ROOT))
    return env | extra


def test_summarize_stdin_at_a_terminal_prompts_and_spins_only_once_read(tmp_path: Path) -> None:
    master, slave = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "summarize", "-"],
        stdin=slave,
        stderr=slave,
        stdout=subprocess.PIPE,
        cwd=tmp_path,  # no .env of the developer's
        env=_env(),
    )
    os.close(slave)
    try:
        before = _read_until(master, 30, PASTE_PROMPT.encode())
        assert PASTE_PROMPT.encode() in before, before
        # Typing starts; for a while nothing but the echo of the typing may appear.
        text = SEED.read_text(encoding="utf-8")
        os.write(master, text[:400].encode())
        typing = _read_until(master, 1.0).decode("utf-8", "replace")
        assert "Reading the article" not in before.decode() + typing
        assert not set(SPINNER_FRAMES) & set(typing) and "\x1b[2K" not in typing
        os.write(master, text[400:].encode())
        os.write(master, b"\n\x04")  # Ctrl-D on a new line: the end of the paste
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    assert process.returncode == 0
    bullets = [line for line in out.decode().splitlines() if line.startswith("- ")]
    assert bullets and all(line[2:] in text for line in bullets)


@pytest.mark.usefixtures("offline_cli")
def test_piped_stdin_is_read_without_a_prompt() -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    result = CliRunner().invoke(cli, ["summarize", "-"], input=SEED.read_text("utf-8"))
    assert result.exit_code == 0, result.output
    assert "Paste" not in result.stderr and result.stdout.startswith("- ")


def _stdout_at_a_terminal(args: list[str], cwd: Path, **env: str) -> str:
    master, slave = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=_env(**env),
    )
    os.close(slave)
    try:
        shown = b""
        while chunk := _read_until(master, 60):
            shown += chunk
            if process.poll() is not None:
                shown += _read_until(master, 0.2)
                break
        process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    assert process.returncode == 0
    return shown.decode("utf-8").replace("\r\n", "\n")


def test_detailed_summary_at_a_terminal_is_bold_not_asterisks(tmp_path: Path) -> None:
    shown = _stdout_at_a_terminal(["summarize", str(SEED), "--style", "detailed"], tmp_path)
    assert "**" not in shown
    assert "\x1b[1mKey points\x1b[22m" in shown and "\n- " in shown
    plain = _stdout_at_a_terminal(
        ["summarize", str(SEED), "--style", "detailed"], tmp_path, NO_COLOR="1"
    )
    assert "**" not in plain and "\x1b[" not in plain and "Key points\n- " in plain
    dumb = _stdout_at_a_terminal(
        ["summarize", str(SEED), "--style", "detailed"], tmp_path, TERM="dumb"
    )
    assert "**" not in dumb and "\x1b[" not in dumb and "Key points\n- " in dumb


@pytest.mark.usefixtures("offline_cli")
def test_piped_detailed_summary_keeps_its_markdown() -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    result = CliRunner().invoke(cli, ["summarize", str(SEED), "--style", "detailed"])
    assert result.exit_code == 0, result.output
    assert "**Key points**\n- " in result.stdout and "\x1b[" not in result.stdout


@pytest.mark.usefixtures("offline_cli")
def test_no_color_keeps_the_notes_and_errors_on_stderr_plain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    monkeypatch.delenv("NO_COLOR", raising=False)
    page = str(SEED.parent / "html_article_en.html")  # a source line (dim) under the summary
    runner = CliRunner()  # color=True: as at a terminal, where click colours what it styles
    coloured = runner.invoke(cli, ["summarize", page], color=True)
    assert coloured.exit_code == 0 and "\x1b[33m[offline engine" in coloured.stderr
    plain = runner.invoke(cli, ["summarize", page], color=True, env={"NO_COLOR": "1"})
    assert plain.exit_code == 0, plain.output
    assert "\x1b[" not in plain.stderr and "[offline engine" in plain.stderr
    assert "\nSource: Lighthouse keepers" in plain.stderr
    error = runner.invoke(cli, ["summarize", "nope.txt"], color=True, env={"NO_COLOR": "1"})
    assert error.exit_code == 1 and error.stderr == "error: No such file or link: nope.txt\n"
    dumb = runner.invoke(cli, ["summarize", "nope.txt"], color=True, env={"TERM": "dumb"})
    assert dumb.stderr == "error: No such file or link: nope.txt\n"
    empty = runner.invoke(cli, ["summarize", "nope.txt"], color=True, env={"NO_COLOR": ""})
    assert "\x1b[31merror:" in empty.stderr  # set but empty: colours stay (no-color.org)
