"""The README and .env.example document every setting (and nothing that doesn't exist)."""

import re
from pathlib import Path

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FIELDS = {name.upper() for name in Settings.model_fields}


def test_every_setting_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", readme, flags=re.MULTILINE))
    assert FIELDS - documented == set(), "settings missing from README's table"
    assert documented - FIELDS == set(), "README documents settings that don't exist"


def test_every_setting_is_in_env_example():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert FIELDS - documented == set(), "settings missing from .env.example"
    assert documented - FIELDS == set(), ".env.example has settings that don't exist"
