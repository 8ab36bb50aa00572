"""Hard-wrapped plain text (e-mails, `fmt`/`textwrap` output, Markdown): lines joined back
into paragraphs; a browser paste (a line per paragraph, short menu lines) left as it is."""

from __future__ import annotations

import textwrap
from pathlib import Path

from bot.ingest import from_text
from bot.ingest.clean import paste_title, split_paragraphs
from bot.ingest.cleaning.wraps import unwrap, wrap_width

FIXTURES = Path(__file__).parent / "fixtures"

BRIDGE = [
    "The city council voted on Tuesday to reopen the old bridge after eighteen months of "
    "repairs, ending a long detour for thousands of commuters who cross the river every day.",
    "The repairs cost 84 million euros, two thirds of which were paid by the state. The mayor "
    "thanked the workers, who had worked through the night for weeks to finish before winter.",
    "Cyclists get their own lane for the first time. The cycling club welcomed the lane but "
    "criticised the cost, which it said could have paid for ten kilometres of new paths.",
]


def filled(paragraphs: list[str], width: int = 72) -> str:
    return "\n\n".join(textwrap.fill(p, width) for p in paragraphs) + "\n"


def test_a_wrapped_markdown_story_comes_out_whole_with_its_heading_as_title() -> None:
    article = from_text("# Bridge reopens\n\n" + filled(BRIDGE))
    assert list(article.paragraphs) == BRIDGE
    assert article.title == "Bridge reopens"


def test_a_wrapped_email_without_blank_lines_splits_where_a_line_stops_short() -> None:
    # The last line of each paragraph leaves room for the next word: a paragraph ends there.
    text = "\n".join(textwrap.fill(p, 66) for p in BRIDGE)
    assert split_paragraphs(text) == BRIDGE


def test_german_wrapped_by_hand_keeps_an_ordinal_at_a_line_start_in_its_sentence() -> None:
    text = (
        "Die Stadt hat die alte Brücke nach achtzehn Monaten Bauzeit wieder\n"
        "geöffnet. Sie stammt aus dem späten 19. Jahrhundert und war seit dem\n"
        "12. März 2024 gesperrt, weil Gutachter Risse in den Pfeilern fanden und\n"
        "der Verkehr über die Umleitung im Norden der Stadt geführt werden musste.\n"
        "\n"
        "Die Reparatur kostete 84 Millionen Euro, zwei Drittel davon zahlte das\n"
        "Land. Der Bürgermeister dankte den Arbeitern, die wochenlang auch\n"
        "nachts gearbeitet hatten, um noch vor dem Winter fertig zu werden.\n"
    )
    assert split_paragraphs(text) == [
        "Die Stadt hat die alte Brücke nach achtzehn Monaten Bauzeit wieder geöffnet. Sie "
        "stammt aus dem späten 19. Jahrhundert und war seit dem 12. März 2024 gesperrt, weil "
        "Gutachter Risse in den Pfeilern fanden und der Verkehr über die Umleitung im Norden "
        "der Stadt geführt werden musste.",
        "Die Reparatur kostete 84 Millionen Euro, zwei Drittel davon zahlte das Land. Der "
        "Bürgermeister dankte den Arbeitern, die wochenlang auch nachts gearbeitet hatten, um "
        "noch vor dem Winter fertig zu werden.",
    ]


def test_list_items_inside_wrapped_text_stay_items_with_their_wrapped_lines_joined() -> None:
    text = (
        filled(BRIDGE[:1])
        + "\nWhat changes for commuters from Monday, according to the city council:\n\n"
        "- Buses return to the old route across the bridge and the temporary stops\n"
        "  on the ring road are closed for good.\n"
        "- Parking on the bridge is banned.\n"
        "1. Trams run every ten minutes between six in the morning and midnight on\n"
        "   weekdays, and every twenty minutes at weekends.\n"
        "2. Night buses keep their detour.\n\n" + filled(BRIDGE[1:])
    )
    assert split_paragraphs(text) == [
        BRIDGE[0],
        "What changes for commuters from Monday, according to the city council:",
        "- Buses return to the old route across the bridge and the temporary stops on the "
        "ring road are closed for good.",
        "- Parking on the bridge is banned.",
        "1. Trams run every ten minutes between six in the morning and midnight on weekdays, "
        "and every twenty minutes at weekends.",
        "2. Night buses keep their detour.",
        *BRIDGE[1:],
    ]


def test_code_blocks_and_headings_in_a_wrapped_readme_stay_lines() -> None:
    fenced = [
        "```",
        "articlebot clean https://example.com/a-very-long-article-address --json > out.json",
        "articlebot summarize https://example.com/another-long-article-address --style brief",
        "```",
    ]
    indented = [
        "    for line in open('article.txt', encoding='utf-8'): print(line.strip())",
        "    print('done with the article, now summarising every paragraph in turn')",
    ]
    lines = [
        "## Usage ##",
        "",
        *filled(BRIDGE[:1]).splitlines(),
        "",
        *fenced,
        "",
        *filled(BRIDGE[1:2]).splitlines(),
        "",
        *indented,
        "",
        *filled(BRIDGE[2:]).splitlines(),
    ]
    assert wrap_width(lines) == 72
    assert split_paragraphs("\n".join(lines)) == [
        "Usage",
        BRIDGE[0],
        *fenced,
        BRIDGE[1],
        *(line.strip() for line in indented),
        BRIDGE[2],
    ]


def test_quotes_and_table_rows_are_not_joined() -> None:
    quote = [
        "> The bridge will be open to traffic from Monday morning, the mayor said in",
        "> a statement. Cyclists will have their own lane for the first time ever.",
    ]
    table = [
        "| Item                  | Cost in millions of euros | Paid by          |",
        "| Repairs to the piers  | 60                        | the state        |",
    ]
    text = filled(BRIDGE) + "\n" + "\n".join(quote) + "\n\n" + "\n".join(table) + "\n"
    assert split_paragraphs(text) == [*BRIDGE, *quote, *table]


def test_hyphenated_words_broken_by_textwrap_are_one_word_again() -> None:
    text = (
        "The long-awaited reopening of the bridge was welcomed by the well-\n"
        "known cycling club, whose members had campaigned for a separate lane\n"
        "since the repairs began. The club said the cost was still too high for\n"
        "a town of this size, and that the money could have paid for new paths.\n"
    )
    (paragraph,) = split_paragraphs(text)
    assert "the well-known cycling club" in paragraph


def test_japanese_wrapped_at_a_fixed_width_is_joined_without_spaces() -> None:
    paragraphs = [
        "市議会は火曜日、十八か月に及ぶ補修工事を終えた旧橋を再開することを決めた。"
        "毎日川を渡る数千人の通勤者にとって、長い迂回がようやく終わる。",
        "補修費は八千四百万ユーロで、その三分の二を州が負担した。"
        "市長は、冬を前に工事を終えるため何週間も夜通し働いた作業員に感謝した。",
    ]
    text = "\n\n".join("\n".join(textwrap.wrap(p, 30)) for p in paragraphs)
    assert len(text.splitlines()) > 6  # wrapped, as an editor at 60 columns would
    assert split_paragraphs(text) == paragraphs


def test_a_page_pasted_from_a_browser_is_left_as_it_is() -> None:
    lines = [
        "Home",
        "News",
        "Sport",
        "Weather",
        "Bridge reopens after eighteen months of repairs",
        *BRIDGE,
        "Share this article",
        "More from the city desk",
        "Council delays vote on the new tram depot",
        "Library extends its weekend opening hours",
    ]
    assert wrap_width(lines) is None
    assert split_paragraphs("\n".join(lines)) == lines
    # Short paragraphs of similar length, one per line, are no wrapped text either.
    short = [
        "The bridge reopened on Tuesday after eighteen months.",
        "It cost 84 million euros, two thirds paid by the state.",
        "Cyclists get their own lane on it for the first time.",
        "The cycling club welcomed the lane but not the cost.",
        "Buses return to their old route across it on Monday.",
    ]
    assert unwrap(short) == short


def test_a_list_of_headlines_is_not_read_as_wrapped_text() -> None:
    text = (FIXTURES / "not_articles" / "link_list_en.txt").read_text(encoding="utf-8")
    assert split_paragraphs(text) == [line.strip() for line in text.splitlines() if line.strip()]


def test_an_underlined_markdown_title_is_the_title() -> None:
    assert paste_title("Bridge reopens\n==============\n\n" + filled(BRIDGE)) == "Bridge reopens"


def test_an_email_keeps_its_quoted_reply_and_signature_as_lines() -> None:
    text = (
        "Hi all,\n\n"
        "Quick update on the bridge. The council voted on Tuesday to reopen it after\n"
        "eighteen months of repairs, which ends the long detour for commuters. The\n"
        "repairs cost 84 million euros, two thirds of which the state paid for.\n\n"
        "On Mon, 7 Dec 2026 at 10:02, Jane Doe <jane@example.com> wrote:\n"
        "> Do we know when the bridge reopens? The detour adds twenty minutes to my\n"
        "> commute every morning and I would like to plan the week ahead of time.\n\n"
        "Cyclists get their own lane for the first time, by the way. The cycling\n"
        "club welcomed it but criticised the cost, which it said could have paid\n"
        "for ten kilometres of new paths across the town.\n\n"
        "Best,\nTom\n--\nTom Roe, City Desk\n"
    )
    assert split_paragraphs(text) == [
        "Hi all,",
        "Quick update on the bridge. The council voted on Tuesday to reopen it after eighteen "
        "months of repairs, which ends the long detour for commuters. The repairs cost 84 "
        "million euros, two thirds of which the state paid for.",
        "On Mon, 7 Dec 2026 at 10:02, Jane Doe <jane@example.com> wrote:",
        "> Do we know when the bridge reopens? The detour adds twenty minutes to my",
        "> commute every morning and I would like to plan the week ahead of time.",
        "Cyclists get their own lane for the first time, by the way. The cycling club welcomed "
        "it but criticised the cost, which it said could have paid for ten kilometres of new "
        "paths across the town.",
        "Best,",
        "Tom",
        "--",
        "Tom Roe, City Desk",
    ]
