"""Retrieval: the right chunk first on hand-made text, in several languages."""

from __future__ import annotations

import threading

from bot.text.chunking import Chunk, chunk_text
from bot.text.retrieval import Analyzer, analyzer_for, bm25_scores, guess_language, retrieve

PARAGRAPHS = [
    "The city council met on Tuesday to discuss the new budget. Members argued about road "
    "repairs and the cost of street lighting for most of the evening.",
    "The river flooded twice last spring. Engineers say the old levee was built in 1952 and "
    "needs to be raised by two metres before the next rainy season.",
    "Local schools will receive new computers next year. The headteacher said pupils had "
    "been sharing laptops since the pandemic began.",
    "A bakery on Main Street won a national prize for its sourdough bread. The owner has "
    "been baking since she was twelve years old.",
]
TEXT = "\n\n".join(PARAGRAPHS)


def _chunks() -> list[Chunk]:
    return chunk_text(TEXT, max_size=30, overlap=0)


def test_ranks_the_right_chunk_first() -> None:
    chunks = _chunks()
    cases = {
        "When was the levee built?": "1952",
        "Which bakery won a prize for bread?": "sourdough",
        "What did the council argue about?": "street lighting",
        "What will the schools get?": "computers",
    }
    for question, needle in cases.items():
        best = retrieve(question, chunks, k=3)
        assert needle in best[0].chunk.text, question
        assert [s.score for s in best] == sorted((s.score for s in best), reverse=True)


def test_stemming_matches_other_word_forms() -> None:
    best = retrieve("Who bakes?", _chunks(), k=1)
    assert "bakery" in best[0].chunk.text or "baking" in best[0].chunk.text


def test_unrelated_question_returns_nothing_and_k_is_respected() -> None:
    chunks = _chunks()
    assert retrieve("xylophone quantum zebra", chunks, k=3) == []
    assert len(retrieve("the", chunks, k=2)) <= 2
    assert retrieve("levee", [], k=3) == []


def test_german_and_accents() -> None:
    text = (
        "Der Bürgermeister eröffnete gestern das neue Schwimmbad.\n\n"
        "Die Bäckerei am Marktplatz verkauft seit Jahren das beste Brot der Stadt.\n\n"
        "Im Winter fallen die Züge oft wegen Schnee aus."
    )
    chunks = chunk_text(text, max_size=15, overlap=0)
    assert guess_language(text) == "de"
    best = retrieve("Welche Bäckereien verkaufen Brot?", chunks, k=1)
    assert "Bäckerei" in best[0].chunk.text
    assert analyzer_for("fr").terms("Café") == analyzer_for("fr").terms("cafe")


def test_unspaced_scripts_do_not_crash_and_still_match() -> None:
    text = "東京は日本の首都です。\n\n大阪は食べ物で有名です。\n\nจังหวัดเชียงใหม่อยู่ทางภาคเหนือ"
    chunks = chunk_text(text, max_size=12, overlap=0, unit="tokens")
    best = retrieve("大阪の食べ物", chunks, k=1)
    assert best and "大阪" in best[0].chunk.text


def test_bm25_scores_edge_cases() -> None:
    assert bm25_scores([], [["a"]]) == [0.0]
    assert bm25_scores(["a"], [[], []]) == [0.0, 0.0]
    one, two = bm25_scores(["a"], [["a", "b"], ["a"]])
    assert one > 0 and two > 0  # a term in every document still counts (positive idf)


def test_irregular_past_forms_meet_their_verb() -> None:
    from bot.text.retrieval import analyzer_for_text

    english = analyzer_for_text("The mayor said the city paid for it.", "en")
    assert english.terms("What did the mayor say? Who paid?") == english.terms(
        "What did the mayor said? Who pay?"
    )
    assert "say" in english.terms("she said") and "tell" in english.terms("they told us")


def test_one_analyzer_stems_safely_on_many_threads():
    """Job threads share one analyzer per language; its snowball stemmer is not thread-safe
    on its own (concurrent offline summaries failed with IndexError)."""
    analyzer = Analyzer("en")
    words = [f"{w}ization{n}ness" for n in range(2000) for w in ("nation", "relational")]
    errors: list[Exception] = []

    def stem_some(start: int) -> None:
        try:
            for word in words[start::4]:
                analyzer.terms(f"{word} generously operational")
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=stem_some, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_decade_is_its_year_however_it_is_written() -> None:
    # "the 1970s", "the 1970's" and "1970" are one term; other words ending in s are not cut.
    analyzer = analyzer_for("en")
    assert "1970" in analyzer.terms("In the early 1970s, a play toured the country.")
    assert "1970" in analyzer.terms("What play toured in the 1970's?")
    assert analyzer.terms("the 80s") == analyzer.terms("the 80")
    assert analyzer.terms("ideas") == ["idea"]
