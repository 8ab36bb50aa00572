"""Packaging beyond what pyproject.toml can say: the top-level prompts/ folder ships inside the
wheel as the package `bot._prompts` (pyproject's packages.find can't map a folder outside bot/).
Everything else, metadata and dependencies included, is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["bot", "bot.*"]), "bot._prompts"],
    package_dir={"bot._prompts": "prompts"},
    # bot/llm's phrasings of questions about the article itself (bot.llm.meta) are data too,
    # and so are the offline answer engine's fitted weights (bot.offline.rerank).
    package_data={"bot._prompts": ["*.yaml"], "bot.llm": ["*.yaml"], "bot.offline": ["*.json"]},
)
