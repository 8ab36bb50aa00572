"""The pasted-text cleaner: article paragraphs in, page furniture out."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import NotAnArticle
from bot.ingest import from_text
from bot.ingest.clean import clean_paragraphs, clean_text, paste_title, split_paragraphs
from bot.ingest.cleaning.boilerplate import template_field

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


# A short story whose sentences name subscribers, cookies, log-ins, newsletters and prices:
# the words of paywalls and banners, in sentences that are the article.
BAKERY_STORY = [
    "The village bakery in Hollin Bridge will double its opening hours from next week, its "
    "owners said on Thursday, after a winter in which queues often reached the church.",
    "£3.20 a loaf.",
    "That is what the sourdough costs now, twenty pence more than last year.",
    "The bakery's cookie club has 4,000 subscribers.",
    "Customers could not log in to the ordering site for two days in March.",
    "Her daughter baked cookies for the whole street that weekend.",
    "The free trial of its bread box ended in 2021.",
    "Its newsletter goes to half the valley.",
    '"People subscribe for the bread, not for the emails," said Ruth Amble, who runs it.',
    "Already, one in four orders comes by phone.",
]


def test_short_sentences_about_subscribers_cookies_logins_and_prices_survive() -> None:
    pasted = ["Home", "Local", "Food", *BAKERY_STORY, "Share this article", "About us"]
    assert clean_text("\n".join(pasted)) == BAKERY_STORY


def test_calls_to_action_go_even_when_they_are_sentences() -> None:
    prompts = [
        "Become a member for £1 a week",
        "Members get ad-free reading and exclusive stories.",
        "You have 2 stories left this month.",
        "Support independent journalism. Donate today.",
        "Subscribe to our newsletter.",
        "Already a subscriber? Log in to read more.",
        "Start your free trial today.",
        "We use cookies to personalise content and ads. By continuing you agree to our "
        "cookie policy.",
        "Get the best local stories in your inbox every morning with our newsletter.",
    ]
    # As pages have them: one or two inside the article, the rest after it.
    pasted = [*BAKERY_STORY[:4], prompts[0], *BAKERY_STORY[4:8], prompts[3], *BAKERY_STORY[8:]]
    assert clean_text("\n".join([*pasted, *prompts[1:3], *prompts[4:]])) == BAKERY_STORY
    # After an HTML extractor (no block search) every prompt goes wherever it stands.
    pasted = [*BAKERY_STORY[:4], *prompts, *BAKERY_STORY[4:]]
    assert clean_paragraphs(pasted) == BAKERY_STORY


def test_topic_words_go_in_labels_but_not_in_quotes_that_address_someone() -> None:
    quote = '"You can cancel your subscription whenever you like," the manager told them.'
    story = [BAKERY_STORY[0], quote, BAKERY_STORY[2]]
    labels = ["Newsletter", "Cookie settings", "Log in", "Subscriber benefits"]
    assert clean_text("\n".join([story[0], *labels, *story[1:]])) == story
    # Unquoted, the same words talk to the reader: a prompt.
    prompt = "You can cancel your subscription whenever you like."
    assert clean_paragraphs([story[0], prompt]) == [story[0]]


@pytest.mark.parametrize(
    ("story", "prompts"),
    [
        (
            [
                "Der Verein für Heimatkunde hat am Sonntag sein neues Archiv in der alten "
                "Schule eröffnet, nach vier Jahren Umbau und vielen Spenden aus dem Ort.",
                "Die Vereinszeitung hat inzwischen dreitausend Abonnenten.",
                "„Damit hat niemand gerechnet“, sagte die Vorsitzende.",
            ],
            ["Jetzt abonnieren und weiterlesen", "Bereits Abonnent? Hier anmelden"],
        ),
        (
            [
                "El ayuntamiento de Tudela abrió el lunes la nueva biblioteca municipal, "
                "que ocupa el antiguo mercado y tiene sitio para cuarenta mil libros.",
                "El boletín de la biblioteca ya tiene dos mil suscriptores.",
                "«Es un día para la ciudad», dijo la alcaldesa.",
            ],
            ["¿Ya eres suscriptor? Inicia sesión", "Te quedan 2 artículos gratis este mes"],
        ),
        (
            [
                "La ville de Rodez a inauguré samedi une passerelle piétonne au-dessus de "
                "l'Aveyron, après dix-huit mois de travaux et un budget de deux millions.",
                "Le journal local compte désormais huit mille abonnés.",
                "« C'est un beau jour », a déclaré le maire.",
            ],
            ["Déjà abonné ? Se connecter", "Abonnez-vous pour lire la suite"],
        ),
    ],
    ids=["de", "es", "fr"],
)
def test_subscriber_sentences_stay_and_prompts_go_in_other_languages(
    story: list[str], prompts: list[str]
) -> None:
    assert clean_text("\n".join([story[0], prompts[0], *story[1:], prompts[1]])) == story
    assert clean_paragraphs([*story[:2], *prompts, story[2]]) == story


def test_code_with_braces_in_paragraphs_survives_template_fields_go() -> None:
    shell = (
        'Always quote your expansions: write "${HOME}/backups" rather than a bare '
        "variable, so that paths with spaces survive word splitting in any shell."
    )
    helm = "In a Helm chart, quote {{ .Values.image.tag }} so that 1.10 stays a string."
    wiki = "The page links to [[Main Page]] and to the list of [[Category:Bridges]]."
    fields = ["You have {{free_limit}} free articles left", "Only ${count} stories remain"]
    story = [shell, helm, wiki]
    assert clean_paragraphs([shell, *fields, helm, wiki]) == story
    assert clean_text("\n".join([shell, *fields, helm, wiki])) == story


@pytest.mark.parametrize(
    ("text", "is_field"),
    [
        ("Your trial ends in {{days_left}} days.", True),
        ("{% if user.subscriber %}", True),
        ("Hi {{ user.first_name }}, welcome back", True),
        ('Set "${HOME}" first.', False),
        ("cp file ${DEST}/old", False),
        ("Use {{ .Release.Name }} here", False),
        ("Use `{{name}}` in the template", False),
        ("Write ${VAR:-default} for a fallback", False),
        ('[button link="https://example.de/t" type="big"] Schick uns deinen Test[/button]', True),
        ('[caption id="attachment_12" align="alignleft"] Der neue Helm', True),
        ("Laut der Studie [1] stieg der Wert [sic] auf 12 Prozent [Spiegel].", False),
        ("In C schreibt man a[i] = b[j] für die Kopie.", False),
    ],
)
def test_template_field_or_code(text: str, is_field: bool) -> None:
    assert template_field(text) is is_field


def test_unrendered_shortcodes_go_in_both_modes() -> None:
    story = [
        "Der neue Helm wiegt nur 1.200 Gramm und ist damit einer der leichtesten seiner Klasse, "
        "wie unser Test auf der Landstraße und auf der Autobahn gezeigt hat.",
        "Im Sommer wird es unter dem Helm allerdings schnell warm, weil die Lüftung schwach ist.",
    ]
    button = '[button link="https://example.de/test" type="big"] Schick uns deinen Test[/button]'
    lines = [story[0], button, story[1]]
    assert clean_paragraphs(lines) == story
    assert clean_text("\n".join(lines)) == story


def test_a_short_quote_said_twice_between_paragraphs_stays_twice() -> None:
    story = [
        "The minister was asked on Sunday whether she would resign over the delayed budget.",
        '"No."',
        "She was asked again about the emails that had been leaked to the press on Friday.",
        '"No."',
        "The interview then moved on to the hospital building plan for the coming decade.",
    ]
    assert clean_text("\n".join(["Menu", *story, "Menu"])) == story
    # A label repeated inside the text, and back-to-back copies, still go.
    pasted = [story[0], "Photo gallery", story[2], "Photo gallery", story[4]]
    assert clean_text("\n".join(pasted)) == [story[0], "Photo gallery", story[2], story[4]]
    pasted = [story[0], '"No."', '"No."', story[2], story[4]]
    assert clean_text("\n".join(pasted)) == [story[0], '"No."', story[2], story[4]]


def test_the_headline_right_before_the_body_is_the_title() -> None:
    headline = "Bakery doubles its hours after a winter of queues"
    pasted = [
        "Home | Local | Food",
        headline,
        "By Tom Reed, Local Reporter",
        "March 4, 2024 · 3 min read",
        "Share on Facebook",
        *BAKERY_STORY,
    ]
    text = "\n".join(pasted)
    assert paste_title(text) == headline
    assert clean_text(text) == BAKERY_STORY  # the headline isn't repeated in the text
    assert paste_title("\n".join(["Menu", "Search", *BAKERY_STORY])) is None
    assert paste_title("\n".join(BAKERY_STORY)) is None
    assert paste_title(read("seed_paywall.txt")) is None
    # Another story's teaser or a photo credit above the body is no title.
    teaser = ["Menu", "Search", "Two hurt as storm hits the coast road", "Jane Doe, AP Photo"]
    assert paste_title("\n".join([*teaser, *BAKERY_STORY])) is None
    # Nor is a byline without "By" right above the body.
    byline = "Anna Weber and Tom J. Reed Hollin Bridge Gazette"
    assert paste_title("\n".join([byline, *BAKERY_STORY])) is None
    # A year in the headline doesn't make it a date line.
    dated = "Bakery of 1911 doubles its hours"
    assert (
        paste_title("\n".join(["Food and drink", dated, "12.02.2024, 08:15", *BAKERY_STORY]))
        == dated
    )


def test_headlines_in_other_scripts_and_after_a_cookie_banner() -> None:
    story = [
        "気象庁によると、10日午前3時ごろ、北海道東部を震源とする地震があり、震度5強を観測した。",
        "津波の心配はないという。",
        "市は避難所を開設し、住民に注意を呼びかけている。",
    ]
    headline = "北海道で震度5強の地震　けが人の情報なし"
    assert paste_title("\n".join(["ホーム > 社会", headline, *story])) == headline
    banner = (
        "We and our partners use cookies to store and access information on your device. By "
        'clicking "Accept all", you consent to the use of cookies for personalised ads.'
    )
    pasted = [banner, "Accept all", "Reject all", "Menu", "Bakery doubles its hours", *BAKERY_STORY]
    assert paste_title("\n".join(pasted)) == "Bakery doubles its hours"


def test_a_megabyte_without_spaces_is_no_article() -> None:
    # Minified code or base64 behind a link: decided without the per-line cues.
    with pytest.raises(NotAnArticle):
        from_text("a" * 1_000_000)
    with pytest.raises(NotAnArticle):
        from_text("(" * 500_000 + "x" + ")" * 500_000)


def test_a_spaceless_blob_beside_an_article_goes_and_the_article_stays() -> None:
    article = [
        "The council voted on the new budget after a long debate about the town's schools.",
        "The mayor said the vote was close, and that more work was needed before spring.",
    ]
    assert clean_text("\n".join([article[0], "x" * 50_000, article[1]])) == article
    assert clean_paragraphs([article[0], "x" * 50_000, article[1]]) == article


def test_linear_rewrites_of_the_cues_match_as_before() -> None:
    import re

    from bot.ingest.cleaning.boilerplate import COMMENTS, PLACEHOLDER, WIDGET
    from bot.ingest.cleaning.lines import _has_email

    old_email = re.compile(r"\S+@\S+\.\w+")
    for text in ["write to a@b.com", "a@b", "@b.com", "x a@.c", "a@b.c.", "me@@x.org!", "a @b.c"]:
        assert _has_email(text) == bool(old_email.search(text)), text
    for text in ["12 comments", "  Comments (3)", "Comments", "• 4 Kommentare", "commenti"]:
        assert COMMENTS.search(text), text
    assert not COMMENTS.search("The comments were unkind.")
    for text in ["1.2k shares", "..5 shares", "1,024 views", "· 30 likes"]:
        assert WIDGET.search(text), text
    found = [m.group() for m in PLACEHOLDER.finditer("{{name}} ${count} {% if x %} [[page]]")]
    assert found == ["{{name}}", "${count}", "{% if x %}", "[[page]]"]


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("", 0.0),
        ("Five plain words in ASCII.", 5.0),
        ("Ça coûte 12,50 € — über alles!", 6.0),  # non-ASCII, no unspaced script
        ("東京都は今日", 3.0),  # six unspaced characters: three words
        ("Tokyo 東京 is big", 4.0),  # three spaced words and two unspaced characters
        ("日本語のニュース: 5 articles", 6.0),
    ],
)
def test_a_lines_size_counts_words_and_unspaced_characters_by_two(text: str, size: float) -> None:
    from bot.ingest.cleaning.lines import size_of

    got = size_of(text)
    assert got == size and isinstance(got, float)
