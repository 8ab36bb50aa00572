"""The `articlebot` command. Each sub-command lives in its own module and registers itself."""

from bot.cli import clean, serve  # noqa: F401  (each registers its command)
from bot.cli.app import cli

__all__ = ["cli", "main"]


def main() -> None:
    cli(prog_name="articlebot")
