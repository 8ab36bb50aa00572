"""The `articlebot` command. Each sub-command lives in its own module and registers itself."""

import os
import sys
from contextlib import suppress
from pathlib import Path

from bot.cli import (  # noqa: F401  (each registers itself)
    chat,
    clean,
    prompts,
    serve,
    stats,
    summarize,
    worker,
)
from bot.cli.app import cli

__all__ = ["cli", "main"]


def main() -> None:
    _reopen_closed_streams()
    # The .env in the working folder (the one our Settings read) also reaches the libraries
    # that read os.environ: HTTPS_PROXY, LANGSMITH_*, TIKTOKEN_CACHE_DIR. The environment wins.
    env_file = Path.cwd() / ".env"
    if env_file.exists():  # python-dotenv (~30 ms to import) only when there is one
        from dotenv import load_dotenv

        # Not UTF-8: Settings reads it too, and the command says what is wrong.
        with suppress(UnicodeDecodeError):
            load_dotenv(env_file, override=False)
    cli(prog_name="articlebot")


def _reopen_closed_streams() -> None:
    """A standard stream closed by whoever started us (`2>&-`, `<&-`, some daemons) reads as
    /dev/null: Python leaves it None, so `isatty()` on it crashed, and the next file or socket
    opened would take its number (whatever wrote to fd 1 or 2 would write into it)."""
    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        if getattr(sys, name) is not None:
            continue
        devnull = os.open(os.devnull, os.O_RDWR)
        if devnull != fd:
            os.dup2(devnull, fd)
            os.close(devnull)
        setattr(sys, name, open(fd, mode, encoding="utf-8", closefd=False))  # noqa: SIM115
