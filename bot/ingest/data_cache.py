"""Unpacked copies of bundled model data, kept on disk between runs.

py3langid ships its model LZMA-compressed (0.8 s to unpack on every start) and jusText
reads 100 stop-word files (0.4 s): most of a `clean`'s time. The first process to need
them writes an unpacked copy under the cache folder; later ones read (or memory-map) that
in milliseconds, and processes on one machine share the mapped pages. Nothing here needs
the network, and a folder we can't write only costs the slow path.

The folder is `ARTICLEBOT_CACHE_DIR`, else `$XDG_CACHE_HOME/articlebot`, else
`~/.cache/articlebot`. (Read from the environment, not Settings: `clean` must not pay for
loading settings it doesn't use; `.env` is loaded into the environment at start-up.)
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


def cache_root() -> Path:
    explicit = os.environ.get("ARTICLEBOT_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "articlebot"


def cached_folder(name: str, build: Callable[[Path], None]) -> Path | None:
    """The folder `name` under the cache, built by `build(folder)` if it isn't there yet;
    None when it can't be written (read-only home, full disk), so callers load directly.

    `name` must change whenever the content would (callers put the source's version and
    size in it). Each build happens in a private temporary folder that is renamed into
    place, so a process that dies mid-build, or two building at once, never leaves a
    half-written folder behind."""
    root = cache_root()
    final = root / name
    if final.is_dir():
        return final
    try:
        root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=root))
    except OSError as exc:
        log.debug("No cache folder (%s): loading %s the slow way", exc, name)
        return None
    try:
        build(scratch)
        os.chmod(scratch, 0o755)  # mkdtemp makes it 0700; a shared cache is read by others
        os.rename(scratch, final)
    except Exception as exc:  # any failure only costs the slow path, never the request
        shutil.rmtree(scratch, ignore_errors=True)
        if final.is_dir():  # another process finished first: use its copy
            return final
        log.debug("Could not write the %s cache (%s)", name, exc)
        return None
    return final
