"""The pasted-text cleaner: article paragraphs in, page furniture out."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import NotAnArticle
from bot.ingest import from_text
from bot.ingest.clean import clean_paragraphs, clean_text, split_paragraphs

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def expected(name: str) -> list[str]:
    return [line for line in read(f"{name}.expected.txt").splitlines() if line.strip()]


def test_seed_paywall_keeps_exactly_the_eleven_paragraphs() -> None:
    out = clean_text(read("seed_paywall.txt"))
    assert len(out) == 11
    assert out[0].startswith("South Korean President Moon Jae-in on Thursday")
    assert out[-1].endswith("continued with its sanctions.")
    assert not any("Disclaimer" in p or "{{" in p or "₹" in p for p in out)
    # Exactly the paragraphs as pasted, in order.
    source = split_paragraphs(read("seed_paywall.txt"))
    assert out == source[:11]


@pytest.mark.parametrize("name", ["paste_metered_en", "paste_de", "paste_quotes"])
def test_pasted_pages_come_out_as_their_article(name: str) -> None:
    assert clean_text(read(f"{name}.txt")) == expected(name)


def test_browser_paste_with_crlf_and_blank_lines() -> None:
    text = read("paste_metered_en.txt").replace("\n", "\r\n\r\n")
    assert clean_text(text) == expected("paste_metered_en")


def test_short_clean_paste_is_left_alone() -> None:
    text = (
        "The museum will open a new wing next spring, its director said on Friday.\n"
        "The wing doubles the space for the modern art collection.\n"
    )
    assert clean_text(text) == split_paragraphs(text)


def test_template_placeholders_go_in_both_modes_prices_in_pastes() -> None:
    paragraphs = [
        "The harbour reopened to ferries on Monday after a week of storms, the port said.",
        "Officials expect the timetable to return to normal by the weekend.",
        "Your trial ends in {{days_left}} days.",
        "$4.99/month",
    ]
    # After an HTML extractor a price may be article text (a deals post), so it stays.
    assert clean_paragraphs(paragraphs) == [paragraphs[0], paragraphs[1], paragraphs[3]]
    assert clean_text("\n".join(paragraphs)) == paragraphs[:2]


def test_comments_after_the_article_are_cut_even_when_longer() -> None:
    article = [
        "The regional rail line will close for three weeks in July for track renewal, the "
        "operator announced, with replacement buses running every twenty minutes.",
        "Engineers will replace four kilometres of rail and two bridges near the river.",
    ]
    comments = [
        "12 Comments",
        "I have taken this train every day for ten years and the buses are always late, so "
        "I expect the three weeks to be a complete misery for everyone who commutes.",
        "Same here, and nobody ever tells us anything in advance, which is the worst part of "
        "it, honestly, because we could plan around it if they did.",
    ]
    assert clean_text("\n".join(["Home", "News", *article, *comments])) == article


def test_html_mode_does_not_cut_the_block() -> None:
    # After trafilatura the block is already found: only furniture lines go, order stays.
    paragraphs = ["Short heading", "A real paragraph of the article, with enough words in it."]
    assert clean_paragraphs(paragraphs) == paragraphs


def test_repeated_lines_are_kept_once() -> None:
    line = "The bridge will stay closed to lorries until the repairs are finished next year."
    assert clean_paragraphs([line, line]) == [line]


def test_from_text_builds_the_article() -> None:
    article = from_text(read("paste_de.txt"))
    assert article.source_kind == "text"
    assert list(article.paragraphs) == expected("paste_de")


def test_a_list_of_dates_right_after_the_article_stays() -> None:
    article = [
        "The band will tour North America next summer for the first time in a decade, its "
        "manager said on Monday, with tickets on sale from Friday morning.",
        "The tour opens in Florida and closes in Texas after thirty dates.",
        "Tour dates",
        "June 9 – West Palm Beach, FL",
        "June 10 – Tampa, FL",
        "June 14 – Alpharetta, GA",
        "June 17 – Nashville, TN",
    ]
    footer = ["About us", "Contact", "Careers"]
    assert clean_text("\n".join(["Music", "News", *article, *footer])) == article


def test_teaser_lists_lose_to_the_article() -> None:
    teasers = []
    for n in range(6):
        teasers += [
            f"Headline Number {n} About Something Else",
            f"A one-sentence summary of other story number {n}, which is not this article.",
            f"{n + 1}H ago",
        ]
    article = [
        "Volunteers planted four thousand trees along the river on Saturday, finishing a "
        "project that began three years ago with a single school garden.",
        "The trees should hold the bank together when the river floods, the council said.",
        '"It is the biggest thing our town has done together," said one of the organisers.',
    ]
    assert clean_text("\n".join([*article, "More news", *teasers])) == article


def test_captions_and_credits_inside_the_article_go() -> None:
    article = [
        "The old lighthouse was moved forty metres inland on Tuesday to save it from the "
        "eroding cliff, a job that took engineers most of the day.",
        "It now stands on a concrete base that should keep it safe for another century.",
    ]
    captions = [
        "Image caption The lighthouse on its rails at noon",
        "Workers check the rails under the tower. (AP Photo/Jane Doe)",
    ]
    pasted = [article[0], *captions, article[1]]
    assert clean_text("\n".join(pasted)) == article


def test_a_paragraph_that_mentions_subscriptions_is_kept() -> None:
    paragraph = (
        "Streaming services lost subscribers for the first time this year, and analysts "
        "expect more people to cancel their subscriptions as prices rise again next spring, "
        "a survey of two thousand households published on Monday found."
    )
    assert clean_text(paragraph) == [paragraph]


def test_a_paste_without_prose_keeps_its_lines_but_not_its_furniture() -> None:
    text = "Quarterly results at a glance\nRevenue up 4%\nSubscribe to our newsletter"
    assert clean_text(text) == ["Quarterly results at a glance", "Revenue up 4%"]


def test_only_furniture_is_no_article() -> None:
    with pytest.raises(NotAnArticle):
        from_text("Sign in\nSubscribe now\n© 2024 Example Media. All rights reserved.")


def test_japanese_short_sentences_survive_next_to_english_words() -> None:
    article = [
        "先週、市内の図書館がKindle for PCを使った電子書籍の貸し出しを始めました。",
        "利用者はまだ少ないです。",
        "図書館によると、来年までに貸し出しできる本を二倍に増やす予定です。",
        "これはとても便利です。",
    ]
    furniture = ["ログイン", "会員登録", "関連記事", "Kindle for PC tips", "Windows 10 news"]
    pasted = ["ホーム", "ニュース", *article, *furniture]
    assert clean_text("\n".join(pasted)) == article


def test_after_html_extraction_short_repeats_are_table_cells_not_furniture():
    long_para = (
        "The plan spreads six small meals across the day so that energy stays level, "
        "the coach explained to the group of forty runners on Saturday morning."
    )
    rows = ["Breakfast", "Eat every 2–3 hours", "Lunch", "Eat every 2–3 hours"]
    out = clean_paragraphs([long_para, *rows, long_para, "Dinner", "Dinner"])
    assert out.count("Eat every 2–3 hours") == 2  # a repeated cell stays
    assert out.count(long_para) == 1  # a paragraph printed twice goes
    assert out.count("Dinner") == 1  # so does a back-to-back copy


def test_pasted_text_drops_every_repeat():
    out = clean_paragraphs(
        ["Menu", "A first real sentence of the article, long enough to be prose here.", "Menu"],
        find_main_block=True,
    )
    assert out.count("Menu") <= 1
