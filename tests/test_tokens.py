"""Token counting never uses the network, even when tiktoken has nothing cached."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from langchain_core.messages import HumanMessage, SystemMessage

from bot.llm.tokens import count_message_tokens, count_tokens, encoding_name, estimate_tokens

PROSE = (
    "The river council voted on Tuesday to reopen the old bridge in May, ending four years "
    "of detours. Residents welcomed the decision, although some shop owners said the "
    "construction work had already cost them customers they might never win back."
)

# Runs in a fresh interpreter so tiktoken's cache location and proxies come from this env.
# An audit hook records every socket connection attempt.
_PROBE = """
import json, sys, time
attempts = []
def hook(event, args):
    if event == "socket.connect":
        attempts.append(str(args[1]))
sys.addaudithook(hook)
from bot.llm.tokens import count_tokens, exact_counting_available
start = time.monotonic()
n = count_tokens(sys.argv[1], "gpt-4o-mini")
print(json.dumps({"n": n, "exact": exact_counting_available("gpt-4o"),
                  "seconds": time.monotonic() - start, "connects": attempts}))
"""


def _probe_offline(cache_dir: Path) -> dict[str, object]:
    env = dict(os.environ)
    dead = "http://127.0.0.1:9"  # nothing listens on the discard port
    env.update(TIKTOKEN_CACHE_DIR=str(cache_dir), HTTPS_PROXY=dead, HTTP_PROXY=dead)
    env.update(https_proxy=dead, http_proxy=dead)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, PROSE],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
        check=True,
    )
    return json.loads(done.stdout)


def test_counts_without_network_when_nothing_is_cached(tmp_path: Path) -> None:
    result = _probe_offline(tmp_path)
    assert result["connects"] == []
    assert result["exact"] is False
    assert result["n"] == estimate_tokens(PROSE)


def test_a_corrupt_cache_file_is_not_trusted(tmp_path: Path) -> None:
    # tiktoken would delete a file with the wrong hash and download it again.
    url = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
    (tmp_path / hashlib.sha1(url.encode()).hexdigest()).write_bytes(b"truncated download")
    result = _probe_offline(tmp_path)
    assert result["connects"] == [] and result["exact"] is False


def test_estimate_is_near_four_characters_per_token_for_english() -> None:
    n = estimate_tokens(PROSE)
    assert 0.75 < n / (len(PROSE) / 4) < 1.25
    assert abs(n / len(PROSE.split()) - 1.3) < 0.3  # ~0.75 words per token


def test_estimate_grows_with_the_text_and_respects_scripts() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens(PROSE + " " + PROSE) > 1.9 * estimate_tokens(PROSE)
    chinese = "人工智能是计算机科学的一个分支"
    assert estimate_tokens(chinese) > len(chinese) / 4  # not chars/4: ideographs are dense
    long_word = "Donaudampfschifffahrtsgesellschaftskapitän"
    assert estimate_tokens(long_word) > estimate_tokens("captain")
    assert estimate_tokens("1234567") == estimate_tokens("123") + 2  # digits in threes


def test_count_tokens_matches_the_estimate_offline() -> None:
    # No encoding is cached in the test environment, so counting is the estimate.
    assert count_tokens(PROSE, "gpt-4o-mini") == estimate_tokens(PROSE)
    assert count_tokens(PROSE, "llama3.1:8b") == estimate_tokens(PROSE)


def test_encoding_names_need_no_io() -> None:
    assert encoding_name("gpt-4o-mini") == "o200k_base"
    assert encoding_name("gpt-4") == "cl100k_base"
    assert encoding_name("some-local-model") == "o200k_base"


def test_message_count_adds_chat_framing_and_accepts_dicts() -> None:
    messages = [SystemMessage("Be brief."), HumanMessage(PROSE)]
    as_dicts = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": PROSE}]
    content = count_tokens("Be brief.") + count_tokens(PROSE)
    total = count_message_tokens(messages)
    assert total > content + 2 * 3  # framing per message and for the reply
    assert abs(count_message_tokens(as_dicts) - total) <= 2  # role names differ ("human"/"user")
