"""The article's language: what the page declares, checked against the text itself.

Declarations are often missing or site-wide (an English story on a German portal), so the
extracted text is identified with py3langid (a small naive-Bayes model, ~0.3 ms a page).
Its model ships LZMA-compressed; an unpacked copy in the data cache is memory-mapped instead
(26 ms instead of 0.8 s per process, and one copy in memory for all of them). The model and
numpy (~0.25 s to import) load on the first text identified, not with this module: the CLI's
plain `clean` prints no language and never needs them (`declared_language_only`).
"""

from __future__ import annotations

import lzma
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

from bot.ingest.data_cache import cached_folder
from bot.once import once

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

# Enough text to identify reliably; more only costs time.
_SAMPLE_CHARS = 800
_MIN_CHARS = 20
# To trust the text over a declaration it must be long and the model very sure.
_OVERRIDE_MIN_CHARS = 200
_OVERRIDE_CONFIDENCE = 0.99
_GUESS_CONFIDENCE = 0.5


# The arrays of py3langid's model file (an .npz, which is a zip of .npy files, in LZMA).
_MEMBERS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


def _unpack_model(model: Path, folder: Path) -> None:
    with tempfile.TemporaryFile() as npz:
        with lzma.open(model) as packed:
            shutil.copyfileobj(packed, npz, 1 << 20)
        npz.seek(0)
        with zipfile.ZipFile(npz) as archive:
            for member in _MEMBERS:
                archive.extract(f"{member}.npy", folder)


def _mapped(folder: Path) -> LanguageIdentifier:
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    arrays = {m: np.load(folder / f"{m}.npy", mmap_mode="r", allow_pickle=False) for m in _MEMBERS}
    return LanguageIdentifier(
        arrays["ptc"].view(np.ndarray),  # the same mapped memory, without memmap's hooks
        np.array(arrays["pc"]),
        arrays["classes"].tolist(),
        # Read one entry per byte of text: a memoryview's index is a plain int, as in
        # py3langid's own array('I'); numpy.memmap's goes through Python (~7x slower).
        memoryview(arrays["nextmove"]),
        arrays["out_feat"].tolist(),
        norm_probs=True,
        tk_row=arrays["nextmove_row"].tolist(),
    )


@once
def _identifier() -> LanguageIdentifier:
    # The model shipped inside the package (no network), once per process.
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    model = MODEL_DIR / MODEL_FILE
    stat = model.stat()  # a reinstalled or upgraded model gets a folder of its own
    folder = cached_folder(
        f"py3langid-{stat.st_size}-{stat.st_mtime_ns}", lambda into: _unpack_model(model, into)
    )
    if folder is not None:
        try:
            return _mapped(folder)
        except (OSError, ValueError, KeyError):  # a damaged copy: the packed model still works
            pass
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str | None, float]:
    """(ISO 639-1 code, confidence 0..1) of `text`, or (None, 0.0) when too short."""
    sample = text[:_SAMPLE_CHARS]
    if len(sample.strip()) < _MIN_CHARS:
        return None, 0.0
    code, confidence = _identifier().classify(sample)
    return str(code), float(confidence)


# Off only where nothing reads `Article.language`: see declared_language_only.
_IDENTIFY: ContextVar[bool] = ContextVar("articlebot_identify_language", default=True)


@contextmanager
def declared_language_only() -> Iterator[None]:
    """Within: `article_language` gives the declared language and runs no model. For a
    caller that reads nothing but the text (`articlebot clean` without --json), whose start
    the model would slow by a quarter of a second. Identifying a charset still uses it."""
    token = _IDENTIFY.set(False)
    try:
        yield
    finally:
        _IDENTIFY.reset(token)


def article_language(declared: str | None, text: str) -> str | None:
    """The page's declared language unless the text clearly says otherwise."""
    if not _IDENTIFY.get():
        return declared
    code, confidence = detect_language(text)
    if code is None:
        return declared
    if declared is None:
        return code if confidence >= _GUESS_CONFIDENCE else None
    if code != declared and len(text) >= _OVERRIDE_MIN_CHARS:
        return code if confidence >= _OVERRIDE_CONFIDENCE else declared
    return declared
