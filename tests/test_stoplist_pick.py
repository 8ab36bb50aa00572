"""Which stop-word list fits a text: the same answer whether the process intersects every
list (a command reading one article) or has built its word index (the bot, after many)."""

from __future__ import annotations

import itertools

import pytest

from bot.ingest.cleaning import stopwords

TEXTS = {
    "English": "The council met on Tuesday and agreed that the bridge would be rebuilt by it.",
    "German": "Der Rat hat am Dienstag beschlossen, dass die Brücke von der Stadt neu gebaut wird.",
    "Spanish": "El consejo se reunió el martes y acordó que la ciudad reconstruirá el puente.",
    "Portuguese": "O conselho reuniu-se na terça e decidiu que a ponte será refeita pela cidade.",
}


def _pick(text: str, calls_so_far: int, monkeypatch: pytest.MonkeyPatch) -> frozenset[str]:
    monkeypatch.setattr(stopwords, "_calls", itertools.count(calls_so_far))
    return stopwords.best_stoplist(text)


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_both_ways_pick_the_same_list(language: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = TEXTS[language]
    by_intersection = _pick(text, 0, monkeypatch)
    by_index = _pick(text, stopwords._CALLS_BEFORE_INDEX, monkeypatch)
    assert by_intersection == by_index
    lists = stopwords._stoplists()
    assert by_index == lists[language]


def test_a_text_no_list_fits_gets_none(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "東京都は火曜日に橋を再建すると発表した。"
    assert _pick(text, 0, monkeypatch) == frozenset()
    assert _pick(text, stopwords._CALLS_BEFORE_INDEX, monkeypatch) == frozenset()
