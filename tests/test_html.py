"""HTML -> Article on small invented pages (tests/fixtures/html_*.html)."""

from __future__ import annotations

from pathlib import Path

import pytest
from trafilatura.utils import load_html

from bot.errors import NotAnArticle
from bot.ingest import from_html
from bot.ingest.html.author import tidy_author
from bot.ingest.html.body import looks_like_menu, main_lines, prose_share, strip_non_text
from bot.ingest.html.chunks import drop_trailing_link_list, restore_chunks
from bot.ingest.html.meta import declared_language, language_code
from bot.ingest.html.trim import drop_edge_stamps, drop_headline, is_headline, is_stamp_line
from bot.ingest.language import article_language, detect_language

FIXTURES = Path(__file__).parent / "fixtures"


def page(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def english():
    return from_html(page("html_article_en.html"))


def test_metadata_is_read_from_the_page(english):
    assert english.source_kind == "html"
    assert english.title == "Lighthouse keepers return to the northern cape"
    assert english.author == "Maren Oakes"
    assert english.published == "2021-03-14"
    assert english.site_name == "The Harbour Gazette"
    assert english.language == "en"  # from lang="en-GB"
    assert english.url == "https://gazette.example/news/lighthouse-keepers"


def test_given_url_wins_over_canonical():
    article = from_html(page("html_article_en.html"), url="https://other.example/x")
    assert article.url == "https://other.example/x"


def test_paragraphs_are_kept_apart_and_in_order(english):
    assert len(english.paragraphs) == 4
    assert english.paragraphs[0].startswith("For the first time in forty years")
    assert english.paragraphs[-1].endswith('"a lot of warm socks for the wind".')
    assert english.text == "\n\n".join(english.paragraphs)


def test_headline_is_not_repeated_in_the_text(english):
    assert "Lighthouse keepers return" not in english.text


def test_comments_are_excluded(english):
    assert "Zebrafish" not in english.text
    assert "Quokka" not in english.text


def test_navigation_and_footer_are_dropped(english):
    for furniture in ("Weather", "Contact us", "All rights reserved", "About us", "Jobs"):
        assert furniture not in english.text


def test_non_english_page():
    article = from_html(page("html_article_de.html"))
    assert article.language == "de"
    assert article.title == "Neue Fähre verbindet die Inseln im Winter"
    assert len(article.paragraphs) == 3
    assert article.paragraphs[0].startswith("Ab dem kommenden Monat fährt eine neue Fähre")
    assert "Impressum" not in article.text
    assert "Startseite" not in article.text


def test_article_split_into_chunks_is_put_back_together():
    html = page("html_split_body.html")
    first_pass = main_lines(load_html(html))
    article = from_html(html)
    # The extractor alone keeps only the first chunk; the restored text has all four, in order.
    assert len(first_pass) < len(article.paragraphs) == 4
    assert article.paragraphs[2].startswith("Each train has twelve sleeping cars")
    assert article.paragraphs[3].startswith("Tickets go on sale")
    assert "Advertisement" not in article.text
    # The "More stories" link list at the end is another page's furniture.
    assert "Ferry timetable" not in article.text
    assert "More stories" not in article.text


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n ",
        "<html><body></body></html>",
        "<html><head><title>Only a title</title></head><body><nav><a href='/'>Home</a></nav>"
        "</body></html>",
    ],
)
def test_empty_pages_are_not_articles(html):
    with pytest.raises(NotAnArticle) as err:
        from_html(html, url="https://example.org/empty")
    assert "article" in str(err.value)


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><div><p>Unclosed paragraph that goes on for a while without end <b>bold "
        "<i>italic</div></span></table><p>" + "Second paragraph with plenty of words. " * 8,
        "<<<>>><p>\x00\x01 stray control bytes and broken <tags <p>" + "word " * 60,
        "<html><body><p>" + "deep " * 20 + "<div>" * 300 + "text" + "</div>" * 10,
        "<?xml version='1.0' encoding='utf-8'?><html><body><p>" + "xml declared page " * 10,
    ],
)
def test_malformed_html_does_not_crash(html):
    try:
        article = from_html(html)
    except NotAnArticle:
        return
    assert article.text.strip()
    assert article.source_kind == "html"


def test_language_code_takes_the_primary_subtag():
    assert language_code("pt-BR") == "pt"
    assert language_code("en_US") == "en"
    assert language_code(" DE ") == "de"
    assert language_code("fr, en") == "fr"
    assert language_code("x") is None
    assert language_code("") is None
    assert language_code("123") is None


def test_declared_language_falls_back_to_meta_and_json_ld():
    meta = load_html(
        '<html><head><meta http-equiv="Content-Language" content="it"></head>'
        "<body><p>ciao</p><p>a tutti</p></body></html>"
    )
    assert declared_language(meta) == "it"
    json_ld = load_html(
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        '"inLanguage": "ko-KR"}</script></head><body><p>x</p><p>y</p></body></html>'
    )
    assert declared_language(json_ld) == "ko"
    assert declared_language(load_html("<html><body><p>x</p><p>y</p></body></html>")) is None


def test_headline_match_tolerates_site_suffix():
    assert is_headline("Ferry returns", "Ferry returns | The Gazette")
    assert is_headline("FERRY  returns", "Ferry returns")
    assert not is_headline("The ferry returned on Monday with forty cars.", "Ferry returns")
    lines = ["Ferry returns", "The ferry returned on Monday.", "Ferry returns"]
    assert drop_headline(lines, "Ferry returns | Gazette") == lines[1:]
    assert drop_headline(lines, None) == lines
    assert drop_headline(["Body only, no headline here."], "Ferry returns") == [
        "Body only, no headline here."
    ]


def test_menu_dump_is_recognised_but_short_articles_are_not():
    menu = [f"Section {i}" for i in range(60)] + ["One real sentence that is long enough to count."]
    assert prose_share(menu) < 0.3
    assert looks_like_menu(menu)
    short_article = ["A short note that still reads like prose from start to end, really."] * 3
    assert not looks_like_menu(short_article)
    assert prose_share([]) == 0.0


def test_restore_chunks_leaves_pages_without_look_alikes_alone():
    tree = load_html(page("html_article_en.html"))
    lines = main_lines(tree)
    assert restore_chunks(tree, lines) == lines


def test_trailing_list_of_links_is_dropped_but_a_plain_list_is_kept():
    html = (
        "<html><body><div class='post'><p>" + "A sentence of the article body. " * 6 + "</p>"
        "<ul><li>First point made in plain words</li><li>Second point made in plain words</li>"
        "</ul><h4>Read next</h4><ul>"
        "<li><a href='/x'>Another story about harbours and boats</a> with a short blurb</li>"
        "<li><a href='/y'>Yet another story about lighthouses</a> with a blurb too</li>"
        "</ul></div></body></html>"
    )
    tree = load_html(html)
    lines = [
        "A sentence of the article body.",
        "- First point made in plain words",
        "- Second point made in plain words",
        "Read next",
        "- Another story about harbours and boats with a short blurb",
        "- Yet another story about lighthouses with a blurb too",
    ]
    assert drop_trailing_link_list(tree, lines) == lines[:3]
    assert drop_trailing_link_list(tree, lines[:3]) == lines[:3]


def test_stamp_lines_and_bare_urls_are_dropped_only_at_the_edges():
    assert is_stamp_line("Updated 18.11.2019 15:24")
    assert is_stamp_line("기사입력 :[ 2018-08-25 15:24 ]")
    assert is_stamp_line("Published 18 November 2019")
    assert not is_stamp_line("In 2019 the council voted to reopen the old lighthouse for good.")
    lines = [
        "https://news.example/story-123.php",
        "Published 18 November 2019",
        "The body starts here and goes on.",
        "See http://example.org/report",
        "http://example.org/inside-the-text",
        "The body ends here.",
        "Updated at 13:23",
    ]
    assert drop_edge_stamps(lines) == lines[2:6]
    assert drop_edge_stamps([]) == []


def test_language_comes_from_the_text_when_undeclared_or_clearly_wrong():
    german = (
        "Die Bewohner der kleineren Insel hatten sich seit Jahren für eine Verbindung über das "
        "ganze Jahr eingesetzt, weil der Weg zum Arzt und zur Schule im Winter sehr lang war. "
    ) * 3
    code, confidence = detect_language(german)
    assert code == "de" and confidence > 0.9
    assert article_language(None, german) == "de"
    assert article_language("en", german) == "de"  # a site-wide lang="en" on a German story
    assert article_language("de", german) == "de"
    # Too little text to overrule the page, or to guess at all.
    assert article_language("fr", "Guten Tag") == "fr"
    assert article_language(None, "ok") is None


def test_undeclared_page_language_is_detected():
    html = page("html_article_de.html").replace('<html lang="de">', "<html>")
    assert from_html(html).language == "de"


def test_furniture_is_stripped_only_when_paragraphs_live_elsewhere():
    tree = load_html(
        "<html><body><nav><p>menu</p></nav><div><p>story</p></div><script>x()</script>"
        "</body></html>"
    )
    strip_non_text(tree)
    assert tree.xpath("//nav") == [] and tree.xpath("//script") == []
    assert [p.text for p in tree.iter("p")] == ["story"]
    # Every paragraph sits in an <aside>: keep it, as trafilatura's own recall rule would.
    only_aside = load_html("<html><body><aside><p>all the text</p></aside><p></p></body></html>")
    only_aside.xpath("//body/p")[0].drop_tree()
    strip_non_text(only_aside)
    assert [p.text for p in only_aside.iter("p")] == ["all the text"]


def _article_page(paragraphs: list[str], lang: str = "en") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<html lang="{lang}"><head><title>Story</title></head><body>'
        f"<article><h1>Story</h1>{body}</article></body></html>"
    )


_FERRY_STORY = [
    "The island ferry company said on Wednesday that it would add a fourth daily crossing "
    "from May, after a year in which the morning boat was full on most days.",
    "The company now has 12,000 season-ticket subscribers.",
    "Passengers could not log in to the booking site for several hours on Monday.",
    "A crew member baked cookies for the passengers stuck on the pier.",
    "Its newsletter reaches most households on the island.",
    "£4.50 a crossing.",
    "That is what a single ticket will cost from the spring timetable.",
]


def test_short_real_sentences_with_paywall_words_survive_html_extraction():
    article = from_html(_article_page(_FERRY_STORY))
    assert list(article.paragraphs) == _FERRY_STORY


def test_prompts_left_inside_the_article_by_trafilatura_go():
    prompts = [
        "Become a member for £1 a week",
        "Support independent journalism. Donate today.",
        "We use cookies to personalise content and ads. By continuing you agree to our "
        "cookie policy.",
        "You have 2 free articles left this month. Subscribe for unlimited access.",
        "Sign up for our daily newsletter",
        "Your free trial ends in {{days_left}} days.",
    ]
    mixed = [_FERRY_STORY[0], *prompts[:3], *_FERRY_STORY[1:5], *prompts[3:], *_FERRY_STORY[5:]]
    assert list(from_html(_article_page(mixed)).paragraphs) == _FERRY_STORY


def test_spanish_paywall_prompt_goes_subscriber_sentence_stays():
    story = [
        "Las lluvias obligaron el miércoles a evacuar a más de dos mil personas en la comarca, "
        "según informaron las autoridades regionales en una rueda de prensa.",
        "El periódico local ganó cinco mil suscriptores durante la semana de las lluvias.",
        "«Nunca habíamos visto algo así», dijo un vecino del pueblo.",
    ]
    prompts = [
        "¿Ya eres suscriptor? Inicia sesión",
        "Este contenido es exclusivo para suscriptores. Suscríbete por 1 € el primer mes.",
    ]
    page_html = _article_page([story[0], *prompts, *story[1:]], lang="es")
    assert list(from_html(page_html).paragraphs) == story


def test_code_with_template_braces_is_kept_in_paragraphs():
    tips = [
        'Always quote your expansions: write "${HOME}/backups" rather than a bare variable, '
        "so that paths with spaces in them survive word splitting in every shell you use.",
        "In Helm charts the same rule applies: a value such as {{ .Values.image.tag }} should "
        "be quoted in the template, or a tag like 1.10 turns into the number 1.1.",
        "Both mistakes are easy to make and hard to spot in review, which is why linters for "
        "both languages now warn about them by default.",
    ]
    page_html = _article_page([*tips[:2], "You have {{free_limit}} free articles left", tips[2]])
    assert list(from_html(page_html).paragraphs) == tips


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Mike Wuerthele; Malcolm Owen Monday; November", "Mike Wuerthele; Malcolm Owen"),
        ("Текст Лида Буслаева", "Лида Буслаева"),
        ("By Jane Doe", "Jane Doe"),
        ("John Smith | Nov. 18, 2019", "John Smith"),
        ("May Lee, 12 May 2019", "May Lee"),
        ("Theresa May; Friday", "Theresa May"),
        ("Brian May", "Brian May"),  # a month at the end of a name is the name
        ("August Wilson", "August Wilson"),
        ("Anna Keller; Anna Keller", "Anna Keller"),
        ("Wday_", None),
        ("November 2019", None),
    ],
)
def test_a_byline_keeps_its_names_without_its_label_and_date(byline, names):
    # The Source line read "by Mike Wuerthele; Malcolm Owen Monday; November".
    assert tidy_author(byline) == names


def test_a_pages_byline_is_tidied(english):
    html = page("html_article_en.html").replace("Maren Oakes", "By Maren Oakes Sunday")
    assert "By Maren Oakes Sunday" in html
    assert from_html(html).author == "Maren Oakes"
