"""Token counts that never touch the network.

tiktoken downloads its encoding files on first use, which hangs or fails offline. So it is used
only when the encoding file is already in tiktoken's cache (checked by path and hash *before*
calling it); otherwise a pretokenizer-shaped estimate is used (on news prose: mean ratio to
o200k counts 1.00, standard deviation 4%, worst 0.87-1.15).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

# Where tiktoken fetches each encoding from, and the sha256 it expects (tiktoken_ext).
_BLOB = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
_ENCODING_HASHES = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "p50k_base": "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
    "r50k_base": "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
}
# Models tiktoken doesn't know (Llama, Mistral, Qwen, ...) are counted as this encoding.
_FALLBACK_ENCODING = "o200k_base"
# OpenAI's chat format: each message costs a few tokens of framing, the reply 3 more.
_TOKENS_PER_MESSAGE = 3
_TOKENS_PER_REPLY = 3


class _Encoder(Protocol):
    def encode(self, text: str, *, disallowed_special: Any = ...) -> list[int]: ...


def _tiktoken_cache_dir() -> Path | None:
    """The folder tiktoken reads cached encodings from (mirrors tiktoken.load), None if off."""
    for name in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if name in os.environ:
            value = os.environ[name]
            return Path(value) if value else None
    return Path(tempfile.gettempdir()) / "data-gym-cache"


def _cached_encoding_file(encoding: str) -> Path | None:
    """The cache file for `encoding` if present and intact (a bad hash would make tiktoken
    download it again)."""
    expected = _ENCODING_HASHES.get(encoding)
    cache_dir = _tiktoken_cache_dir()
    if expected is None or cache_dir is None:
        return None
    path = cache_dir / hashlib.sha1(_BLOB.format(encoding).encode()).hexdigest()
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return path if hashlib.sha256(data).hexdigest() == expected else None


def encoding_name(model: str) -> str:
    """tiktoken's encoding for a model name (no I/O); unknown models get o200k_base."""
    try:
        from tiktoken.model import encoding_name_for_model

        return encoding_name_for_model(model.split("/")[-1])
    except (ImportError, KeyError):
        return _FALLBACK_ENCODING


@lru_cache(maxsize=8)
def _encoder(encoding: str) -> _Encoder | None:
    if _cached_encoding_file(encoding) is None:
        return None
    try:
        import tiktoken

        return tiktoken.get_encoding(encoding)
    except Exception as err:  # any failure here just means "estimate instead"
        log.debug("tiktoken encoding %s unusable (%s); estimating", encoding, type(err).__name__)
        return None


def exact_counting_available(model: str) -> bool:
    """True when tiktoken can count for this model without the network."""
    return _encoder(encoding_name(model)) is not None


# Pieces the way GPT pretokenizers cut text: words (with a leading space), digit runs,
# punctuation runs, whitespace. Ideographic scripts are cut per character.
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_PIECE = re.compile(
    rf"[{_CJK}]|[^\W\d_{_CJK}]+(?:['’](?:s|t|re|ve|m|ll|d)\b)?|\d+|\s+|[^\w\s{_CJK}]+|_+",
    re.UNICODE | re.IGNORECASE,
)


def _piece_tokens(piece: str) -> float:
    first = piece[0]
    if first.isspace():
        # A single space joins the next word's token; newlines and indents cost ~1 per run.
        return 0.0 if piece == " " else 1.0
    if first.isdigit():
        return math.ceil(len(piece) / 3)
    if first.isalpha():
        if len(piece) == 1 and re.match(rf"[{_CJK}]", piece):
            return 0.75  # o200k packs common ideographs a little tighter than one each
        if not piece.isascii():
            # Accented/Cyrillic/Greek words split into more, shorter tokens.
            return max(1.0, len(piece) / 3.0)
        return 1.0 if len(piece) <= 7 else 1.0 + (len(piece) - 7) / 4.0
    return max(1.0, len(piece) / 2.0)  # punctuation: "." is 1, "..." or "--" mostly 1-2


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate for English-like text: roughly chars/4, corrected per word."""
    if not text:
        return 0
    return max(1, round(sum(_piece_tokens(p) for p in _PIECE.findall(text))))


def count_tokens(text: str, model: str = "gpt-4o-mini") -> int:
    """Tokens in `text` for `model`: exact with a cached tiktoken encoding, else estimated."""
    encoder = _encoder(encoding_name(model))
    if encoder is None:
        return estimate_tokens(text)
    return len(encoder.encode(text, disallowed_special=()))


def _message_parts(message: Any) -> tuple[str, str]:
    """(role, text) of a LangChain message or an OpenAI-style dict."""
    if isinstance(message, Mapping):
        role, content = str(message.get("role", "")), message.get("content") or ""
    else:
        role, content = str(getattr(message, "type", "")), getattr(message, "content", "")
    if isinstance(content, list):  # content blocks
        content = " ".join(
            str(b.get("text", "")) if isinstance(b, Mapping) else str(b) for b in content
        )
    return role, str(content)


def count_message_tokens(messages: Iterable[Any], model: str = "gpt-4o-mini") -> int:
    """Prompt tokens for a chat request (OpenAI's counting recipe), never using the network."""
    total = _TOKENS_PER_REPLY
    for message in messages:
        role, text = _message_parts(message)
        total += _TOKENS_PER_MESSAGE + count_tokens(role, model) + count_tokens(text, model)
    return total
