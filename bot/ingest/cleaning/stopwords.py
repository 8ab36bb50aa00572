"""Stop-word density, a language-independent cue for running prose.

jusText ships stop-word lists for about 100 languages; we pick the list that best fits the
whole text, so short lines are judged in their own language.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
from collections import Counter
from pathlib import Path

from bot.ingest.data_cache import cached_folder
from bot.once import once

_WORD = re.compile(r"\w+", re.UNICODE)
# Big lists (Korean has 13k entries) would win by size alone; only the commonest words count.
_MAX_LIST = 400


def _read_stoplists() -> dict[str, list[str]]:
    import justext  # reads 100 files (0.4 s): only when the cache below has no copy

    lists: dict[str, list[str]] = {}
    for name in justext.get_stoplists():
        # Ties broken by the word: a set's order changes with each run's hash seed.
        words = sorted(justext.get_stoplist(name), key=lambda w: (len(w), w))[:_MAX_LIST]
        lists[name] = [w.casefold() for w in words]
    return lists


def _write_stoplists(folder: Path) -> None:
    (folder / "stoplists.json").write_text(json.dumps(_read_stoplists()), encoding="utf-8")


def _cache_name() -> str | None:
    spec = importlib.util.find_spec("justext")  # its location, without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    lists = Path(next(iter(spec.submodule_search_locations))) / "stoplists"
    files = list(lists.glob("*.txt"))
    # A new jusText release changes the files (and so the name); so does a new _MAX_LIST.
    size = sum(f.stat().st_size for f in files)
    return f"stoplists-{len(files)}-{size}-{_MAX_LIST}"


@once
def _stoplists() -> dict[str, frozenset[str]]:
    # Package data read once per process (like an import), never the network.
    name = _cache_name()
    folder = cached_folder(name, _write_stoplists) if name else None
    try:
        if folder is not None:
            raw = json.loads((folder / "stoplists.json").read_text(encoding="utf-8"))
            return {lang: frozenset(words) for lang, words in raw.items()}
    except (OSError, ValueError):  # a damaged copy: read jusText's own files
        pass
    return {lang: frozenset(words) for lang, words in _read_stoplists().items()}


def words_of(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def count_words(text: str) -> int:
    """len(words_of(text)), without casefolding each word."""
    return len(_WORD.findall(text))


# A word -> lists index answers in ~1 ms a page but takes ~80 ms to build; intersecting every
# list takes ~3 ms a page and nothing to build. A command reading one article calls this two or
# three times: intersect. A process reading many (the bot, a benchmark) builds the index.
_CALLS_BEFORE_INDEX = 40
_calls = itertools.count()


@once
def _languages_of_word() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for name, words in _stoplists().items():
        for word in words:
            index.setdefault(word, []).append(name)
    return {word: tuple(names) for word, names in index.items()}


def _hits(counts: Counter[str]) -> dict[str, int]:
    """Stop-list name -> how many of the words counted are on it."""
    hits: Counter[str] = Counter()
    if next(_calls) >= _CALLS_BEFORE_INDEX:
        index = _languages_of_word()
        for word, n in counts.items():
            for name in index.get(word, ()):
                hits[name] += n
        return hits
    seen = frozenset(counts)
    for name, words in _stoplists().items():
        common = seen & words  # one set intersection per list, in C
        if common:
            hits[name] = sum(counts[word] for word in common)
    return hits


def best_stoplist(text: str) -> frozenset[str]:
    """The stop-word list that covers most of `text`'s words (empty if none fits)."""
    counts = Counter(words_of(text))
    hits = _hits(counts)
    if not hits:
        return frozenset()
    name, best_hits = max(hits.items(), key=lambda item: (item[1], item[0]))
    # Under 5% coverage the "language" is a coincidence (e.g. Japanese has no list).
    return _stoplists()[name] if best_hits >= 0.05 * sum(counts.values()) else frozenset()
