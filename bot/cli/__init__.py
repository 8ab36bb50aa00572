"""The `articlebot` command. Each sub-command lives in its own module and registers itself."""

from bot.cli import chat, clean, prompts, serve, summarize  # noqa: F401  (each registers itself)
from bot.cli.app import cli

__all__ = ["cli", "main"]


def main() -> None:
    cli(prog_name="articlebot")
