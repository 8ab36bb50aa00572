"""Without a Redis server the Redis tests skip with a reason, except under CI, where they fail
(CI must prove the Redis backend). Run in a child pytest that sees neither REDIS_URL nor a
redis-server on PATH (and only tests/redis_server.py, not the slow-to-import conftest)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD_TEST = """
from tests import redis_server

def test_needs_redis():
    redis_server.redis_url_or_skip()

def test_without_redis():
    pass
"""


def test_redis_tests_skip_without_a_server_but_fail_under_ci(tmp_path: Path) -> None:
    (tmp_path / "test_child.py").write_text(CHILD_TEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CI")}
    env["PATH"] = str(tmp_path)  # no redis-server to find there
    env["PYTHONPATH"] = str(ROOT)
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # plugins (langsmith...) cost seconds here
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", "test_child.py"]
    runs = {
        name: subprocess.Popen(
            command, cwd=tmp_path, env=extra, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for name, extra in (("local", env), ("ci", {**env, "CI": "true"}))
    }
    local, ci = (runs[name].communicate(timeout=60)[0].decode() for name in ("local", "ci"))
    assert runs["local"].returncode == 0, local
    assert "1 passed, 1 skipped" in local, local
    assert "no REDIS_URL set and no redis-server on PATH" in local, local  # says why
    assert runs["ci"].returncode == 1, ci
    assert "1 failed, 1 passed" in ci and "CI must run them" in ci, ci
