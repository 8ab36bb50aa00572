"""The offline engine: extractive summaries by style, quoted answers, honest "not found"."""

from __future__ import annotations

import re

import pytest

from bot.ingest.article import Article
from bot.offline import ENGINE, OfflineAnswer, OfflineSummary, answer, summarize
from bot.offline.cues import forward_strength, is_bare_quote, is_caption, is_dangling
from bot.offline.news import is_furniture, strip_dateline
from bot.offline.summaries import Length, _select, resolve_length
from bot.text.sentences import Sentence

PARAGRAPHS = [
    "By . Jane Reporter .",
    "PUBLISHED: 10:02 EST, 3 March 2024 .",
    "RIVERTON (Wire) - The Riverton city council approved a plan on Tuesday to rebuild the "
    "old harbour bridge, which has been closed to trucks since a crack was found last winter. "
    "The project will cost 48 million dollars and take three years to finish.",
    "Engineers said the bridge, built in 1931, carries about 20,000 cars a day. Without "
    "repairs, they warned, it would have to close completely within five years.",
    "Mayor Ana Costa said the vote was the most important of her term. 'We cannot let the "
    "harbour be cut off from the rest of the city,' she told reporters after the meeting.",
    "Some residents opposed the plan. They argued that the money should go to schools and "
    "that a new ferry service would be cheaper than a new bridge deck.",
    "The council will choose a construction company in June. Work on the foundations is "
    "expected to start in the autumn, and a temporary footbridge will keep pedestrians moving.",
    "Scroll down for video",
    "Local businesses welcomed the decision. The harbour market, which lost a third of its "
    "customers after the closure, hopes trade will recover once trucks can cross again.",
]
ARTICLE = Article.from_paragraphs(
    PARAGRAPHS, source_kind="text", title="Council votes to rebuild bridge"
)


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def test_lengths_grow_with_style_and_results_are_labelled() -> None:
    tldr = summarize(ARTICLE, "tldr")
    bullets = summarize(ARTICLE)
    detailed = summarize(ARTICLE, "detailed")
    assert _words(tldr.text) < _words(bullets.text) < _words(detailed.text)
    assert isinstance(bullets, OfflineSummary)
    assert bullets.engine == ENGINE == "offline"
    assert "extractive" in bullets.label and "no AI model" in bullets.label
    assert not tldr.text.startswith("- ")
    assert all(line.startswith("- ") for line in bullets.text.splitlines())
    assert "**Key points**" in detailed.text and "**Context**" in detailed.text


def test_summary_is_verbatim_leads_with_the_news_and_skips_furniture() -> None:
    result = summarize(ARTICLE)
    assert result.sentences
    for sentence in result.sentences:
        assert sentence in ARTICLE.text
    assert "rebuild the old harbour bridge" in result.text
    assert "RIVERTON (Wire)" not in result.text  # dateline stripped from the bullet
    for furniture in ("Jane Reporter", "PUBLISHED", "Scroll down"):
        assert furniture not in result.text
    assert len(result.sentences) == len(set(result.sentences))


def test_unknown_style_falls_back_to_bullets_and_instructions_steer() -> None:
    assert summarize(ARTICLE, "haiku").text == summarize(ARTICLE, "bullets").text
    assert summarize(ARTICLE, "haiku").style == "bullets"
    assert len(summarize(ARTICLE, instructions="give me 2 bullet points").sentences) == 2
    assert summarize(ARTICLE, instructions="keep it short").style == "tldr"
    focused = summarize(ARTICLE, instructions="focus on the ferry and schools")
    assert any("ferry" in s for s in focused.sentences)
    assert resolve_length("bullets", "in three sentences")[1].max_sentences == 3


def test_answer_quotes_verbatim_sentences_that_hold_the_answer() -> None:
    result = answer(ARTICLE, "When was the bridge built?")
    assert isinstance(result, OfflineAnswer)
    assert result.found and result.engine == "offline"
    assert any("1931" in quote for quote in result.quotes)
    for quote in result.quotes:
        assert quote in ARTICLE.text
        assert " ".join(quote.split()) in result.text
    cost = answer(ARTICLE, "How much will the project cost?")
    assert any("48 million" in quote for quote in cost.quotes)


def test_unanswerable_question_says_so() -> None:
    result = answer(ARTICLE, "Who won the football world cup in 1998?")
    assert not result.found
    assert result.quotes == ()
    assert "couldn't find" in result.text


def test_non_english_and_tiny_inputs_do_not_crash() -> None:
    german = Article.from_paragraphs(
        [
            "Der Stadtrat hat am Dienstag beschlossen, die alte Hafenbrücke neu zu bauen.",
            "Die Brücke wurde 1931 gebaut und trägt täglich etwa 20.000 Autos.",
        ],
        source_kind="text",
        language="de",
    )
    assert summarize(german).sentences
    assert any("1931" in q for q in answer(german, "Wann wurde die Brücke gebaut?").quotes)
    japanese = Article(text="東京は日本の首都です。大阪は食べ物で有名です。", source_kind="text")
    assert summarize(japanese, "tldr").text
    assert any("大阪" in q for q in answer(japanese, "大阪は何で有名ですか").quotes)
    empty = Article(text="Scroll down for video", source_kind="text")
    assert summarize(empty).text == ""
    assert not answer(empty, "What happened?").found


def test_news_furniture_rules() -> None:
    assert is_furniture("By . Jane Reporter .")
    assert is_furniture("UPDATED: 11:00 EST, 3 April 2024")
    assert not is_furniture("By the end of the year, prices had doubled.")
    assert not is_furniture("Published on Monday, the report found wide gaps in care.")
    assert strip_dateline("LONDON (Reuters) - Prices rose again.") == "Prices rose again."
    assert strip_dateline("The U.S. (and others) agreed.") == "The U.S. (and others) agreed."


# --- detailed layout, dangling openers, captions ---------------------------------------

PAST_ONLY = Article.from_paragraphs(
    [
        "The museum reopened on Saturday after a two-year restoration of its main hall.",
        "Visitors queued around the block to see the restored ceiling paintings again.",
        "Restorers removed decades of soot from the frescoes and repaired the roof beams.",
        "The work cost 12 million euros, paid for by the city and private donors.",
        "Curators said the collection had been stored in a warehouse during the works.",
    ],
    source_kind="text",
)


def test_detailed_has_the_title_as_headline_and_never_invents_one() -> None:
    detailed = summarize(ARTICLE, "detailed").text
    assert detailed.splitlines()[0] == "**Council votes to rebuild bridge**"
    assert detailed.index("**Council votes") < detailed.index("**Key points**")
    untitled = summarize(PAST_ONLY, "detailed").text
    assert untitled.splitlines()[0] == "**Key points**"  # no title: no headline at all


def test_what_happens_next_lists_unused_forward_looking_sentences() -> None:
    result = summarize(ARTICLE, "detailed")
    assert "**What happens next**" in result.text
    sections = result.text.split("**What happens next**\n")
    assert result.text.index("**Context**") < result.text.index("**What happens next**")
    upcoming = [line.removeprefix("- ") for line in sections[1].splitlines() if line]
    assert 1 <= len(upcoming) <= 2
    assert any("June" in line or "expected to start" in line for line in upcoming)
    before = sections[0]
    for line in upcoming:
        assert line not in before  # not repeated from key points or context
        assert any(" ".join(s.split()) == line for s in result.sentences)
    for sentence in result.sentences:
        assert sentence in ARTICLE.text


def test_what_happens_next_is_omitted_when_nothing_looks_ahead() -> None:
    result = summarize(PAST_ONLY, "detailed")
    assert "**Key points**" in result.text
    assert "What happens next" not in result.text
    assert "doesn't say" not in result.text  # the offline engine writes no text of its own


def test_forward_cues_per_language() -> None:
    assert forward_strength("The council is expected to vote next week.") == 2
    assert forward_strength("Prices will rise.") == 1
    assert forward_strength("Prices rose last year.") == 0
    assert forward_strength("Der Rat wird nächste Woche entscheiden.", "de") == 2
    assert forward_strength("Le conseil va voter.", "fr") == 1


def test_dangling_openers() -> None:
    for text in (
        "However, the plan was dropped.",
        "But the money ran out.",
        "Also, the bridge was closed.",
        "Although, the details were not disclosed.",
        "This means the bridge stays shut.",
        "It was the first vote of the year.",
        '"We will win," she said.',
        "Aber der Plan scheiterte.",
    ):
        assert is_dangling(text, "de" if text.startswith("Aber") else "en"), text
    for text in (
        "This week the council met again.",
        "The council met again.",
        "Butter prices rose.",
        "Items sold well.",
        '"We will win," Mayor Costa said.',
    ):
        assert not is_dangling(text), text


@pytest.mark.parametrize(
    ("language", "leans", "stands"),
    [
        ("ru", "Но пока у модели это не получается.", "Андрей пришёл домой."),
        ("ko", "다만 이 영화는 재미있다.", "영화는 재미있다."),
        ("el", "Όμως η κυβέρνηση αρνήθηκε.", "Η κυβέρνηση αρνήθηκε."),
        ("ar", "وأضاف أن الحكومة رفضت الخطة.", "رفضت الحكومة الخطة."),
        ("pl", "Ale plan się nie powiódł.", "Plan się nie powiódł."),
    ],
)
def test_dangling_openers_beyond_the_western_european_languages(language, leans, stands):
    # A Russian bullet opened "Но пока…" ("But so far…"), a Korean one "다만" ("However").
    assert is_dangling(leans, language)
    assert not is_dangling(stands, language)


def _sentences(*texts: str) -> list[Sentence]:
    return [Sentence(t, 0, len(t), i, i) for i, t in enumerate(texts)]


def test_dangling_penalty_is_mild_and_waived_after_its_antecedent() -> None:
    candidates = _sentences("Alpha beta gamma.", "But delta epsilon.", "Zeta eta theta.")
    terms = [{"alpha"}, {"delta"}, {"zeta"}]
    one = Length(10, 1, 1)
    # "But …" scores best, yet loses to a slightly weaker sentence that stands alone...
    assert _select(candidates, [0.5, 0.6, 0.55], terms, [False, True, False], one) == [2]
    # ... is never shown alone, however far ahead: with no room for the sentence it leans
    # on it is left out, with room it brings that sentence along ...
    assert _select(candidates, [0.5, 1.0, 0.55], terms, [False, True, False], one) == [2]
    assert _select(candidates, [0.1, 1.0, 0.55], terms, [False, True, False], Length(10, 1, 2)) == [
        0,
        1,
    ]
    # ... and pays nothing right after the sentence it leans on.
    two = Length(10, 2, 2)
    assert _select(candidates, [0.9, 0.6, 0.55], terms, [False, True, False], two) == [0, 1]


def test_glued_captions_quote_tails_and_labels_do_not_become_bullets() -> None:
    text = (
        "Rhodri Giggs outside the court yesterday, where he was banned from driving The "
        "brother of a former footballer has lost his job as a lorry driver after a ban.\n\n"
        "Accused: Dr Ram Manohar, 38, has denied four counts of assault at the hospital.\n\n"
        "He said: 'We strive to pay our obligations on time.\n\n"
        "We are ready to pay on April 9.'\n\n"
        "The hearing was adjourned until next month by the district judge in the case."
    )
    article = Article(text=text, source_kind="text")
    result = summarize(article)
    lines = [line.removeprefix("- ") for line in result.text.splitlines()]
    # The caption is cut off its sentence: two units, neither "… driving The brother …".
    assert any(line.startswith("The brother of a former footballer") for line in lines)
    assert not any("driving The brother" in line for line in lines)
    assert "We are ready to pay on April 9.'" not in lines
    assert "Dr Ram Manohar, 38, has denied four counts of assault at the hospital." in lines
    for sentence in result.sentences:
        assert sentence in text
    assert is_bare_quote("We are ready to pay on April 9.'")
    assert not is_bare_quote("'We are ready,' the minister said.")
    assert is_caption("Prisoner Carlos Boente (pictured) was jailed for five years.")
    assert not is_caption("Guards were pictured with the senator at a rally.")


def test_one_sentence_repeated_gives_one_bullet() -> None:
    # All the sentences overlap: the picker must skip them in one pass, not rescan them all.
    sentence = "The council voted on the new budget after a long debate about schools. "
    article = Article.from_paragraphs([sentence * 3000], source_kind="text")
    summary = summarize(article, style="bullets")
    assert summary.text.count("council voted") == 1


def test_a_book_length_text_is_summarized_from_its_first_part() -> None:
    from bot.offline.summaries import MAX_SUMMARY_CHARS

    lead = "The council approved the new bridge on Monday after a two-year debate. "
    filler = "Residents of district {i} discussed parking rules at length in the hall. "
    tail = "A secret late twist about the bridge appeared only at the very end of the text."
    body = lead + "".join(filler.format(i=i) for i in range(6000)) + tail
    assert len(body) > MAX_SUMMARY_CHARS
    summary = summarize(Article(text=body, source_kind="text"), "detailed")
    assert "council approved the new bridge" in summary.text
    assert "secret late twist" not in summary.text
    assert all(body.index(s) < MAX_SUMMARY_CHARS for s in summary.sentences)
