"""`articlebot` loads .env into os.environ at start-up, so settings meant for libraries
(HTTPS_PROXY, LANGSMITH_*, TIKTOKEN_CACHE_DIR) take effect; the real environment wins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The real entry point (console script `articlebot` = bot.cli:main), then what it left behind.
PROBE = """
import os, sys
from bot.cli import main
sys.argv = ["articlebot", "--version"]
try:
    main()
except SystemExit:
    pass
print(os.environ.get("TIKTOKEN_CACHE_DIR"), os.environ.get("LANGSMITH_PROJECT"))
"""


def test_dotenv_reaches_os_environ_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "TIKTOKEN_CACHE_DIR=/srv/tiktoken-from-dotenv\nLANGSMITH_PROJECT=from-dotenv\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("TIKTOKEN_CACHE_DIR",)}
    env |= {"LANGSMITH_PROJECT": "from-environment", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    version, probed = result.stdout.splitlines()
    assert version.startswith("articlebot, version")
    assert probed == "/srv/tiktoken-from-dotenv from-environment"


def test_a_dotenv_that_isnt_utf8_is_one_config_error(tmp_path: Path) -> None:
    # PowerShell's `echo ENGINE=offline > .env` writes UTF-16: a traceback before, no JSON.
    (tmp_path / ".env").write_bytes("ENGINE=offline\r\n".encode("utf-16"))
    page = ROOT / "tests" / "fixtures" / "html_article_en.html"
    env = {k: v for k, v in os.environ.items() if k not in ("ENGINE", "NO_COLOR")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "summarize", str(page), "--json"],
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout) == {
        "error": {
            "code": "config",
            "message": "bad .env: it isn't UTF-8 text (byte 0xff at position 0). Save it as UTF-8.",
        }
    }
    assert result.stderr == ""
