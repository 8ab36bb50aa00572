"""The on-disk copies of bundled model data (bot/ingest/data_cache.py): built once, shared,
and never a reason for a request to fail."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from bot.ingest import data_cache, language
from bot.ingest.cleaning import stopwords

SAMPLES = [
    "The council met on Tuesday and agreed the budget for the new bridge over the river.",
    "Der Rat traf sich am Dienstag und beschloss den Haushalt für die neue Brücke.",
    "Le conseil s'est réuni mardi et a adopté le budget du nouveau pont sur la rivière.",
    "東京都は火曜日に新しい橋の予算を決めた。議会は全会一致で可決した。",
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARTICLEBOT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_folder_is_built_once_then_reused(cache: Path) -> None:
    builds: list[Path] = []

    def build(folder: Path) -> None:
        builds.append(folder)
        (folder / "data.txt").write_text("unpacked")

    first = data_cache.cached_folder("thing-1", build)
    second = data_cache.cached_folder("thing-1", build)
    assert first == second == cache / "thing-1"
    assert len(builds) == 1
    assert (cache / "thing-1" / "data.txt").read_text() == "unpacked"
    assert [p.name for p in cache.iterdir()] == ["thing-1"]  # no scratch folder left


def test_failed_build_leaves_nothing_behind(cache: Path) -> None:
    def build(folder: Path) -> None:
        (folder / "half.txt").write_text("half")
        raise ValueError("disk trouble")

    assert data_cache.cached_folder("broken", build) is None
    assert list(cache.iterdir()) == []


def test_unwritable_cache_is_only_the_slow_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ARTICLEBOT_CACHE_DIR", str(blocker / "cache"))
    assert data_cache.cached_folder("x", lambda folder: None) is None


def test_cache_root_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARTICLEBOT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data_cache.cache_root() == tmp_path / "articlebot"


def test_mapped_language_model_classifies_like_the_packed_one(cache: Path) -> None:
    model = MODEL_DIR / MODEL_FILE
    folder = data_cache.cached_folder(
        "langid-test", lambda into: language._unpack_model(model, into)
    )
    assert folder is not None
    mapped = language._mapped(folder)
    packed = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    for text in SAMPLES:
        (got, sure), (want, packed_sure) = mapped.classify(text), packed.classify(text)
        assert got == want and sure == pytest.approx(packed_sure, abs=1e-6)
    assert [mapped.classify(t)[0] for t in SAMPLES] == ["en", "de", "fr", "ja"]
    # The DFA table is read once per byte of text: plain ints, as from py3langid's own
    # array('I'), not numpy scalars through memmap's Python-level indexing.
    assert type(mapped.tk_nextmove[0]) is int


def test_stoplists_from_the_cache_equal_justexts_own(cache: Path) -> None:
    name = stopwords._cache_name()
    assert name is not None
    folder = data_cache.cached_folder(name, stopwords._write_stoplists)
    assert folder is not None and (folder / "stoplists.json").stat().st_size > 100_000
    direct = stopwords._read_stoplists()
    assert "English" in direct and "German" in direct
    cached = json.loads((folder / "stoplists.json").read_text(encoding="utf-8"))
    assert cached == direct
    assert all(len(words) <= stopwords._MAX_LIST for words in cached.values())


def test_damaged_model_copy_falls_back_to_the_packed_model(cache: Path) -> None:
    model = MODEL_DIR / MODEL_FILE
    stat = model.stat()
    damaged = cache / f"py3langid-{stat.st_size}-{stat.st_mtime_ns}"
    damaged.mkdir(parents=True)
    (damaged / "ptc.npy").write_bytes(b"not numpy")
    identify = language._identifier.__wrapped__  # the builder itself, not the once-cached value
    assert identify().classify(SAMPLES[1])[0] == "de"
    assert os.path.isdir(damaged)  # left for the user to clear; we only don't trust it
