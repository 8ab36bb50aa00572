"""The `articlebot` command. Each sub-command lives in its own module and registers itself."""

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
    # The .env in the working folder (the one our Settings read) also reaches the libraries
    # that read os.environ: HTTPS_PROXY, LANGSMITH_*, TIKTOKEN_CACHE_DIR. The environment wins.
    env_file = Path.cwd() / ".env"
    if env_file.exists():  # python-dotenv (~30 ms to import) only when there is one
        from dotenv import load_dotenv

        load_dotenv(env_file, override=False)
    cli(prog_name="articlebot")
