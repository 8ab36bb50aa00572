import itertools
import random
from collections.abc import Callable

import pytest

from bot.ingest import links
from bot.ingest.links import (
    find_urls,
    is_question,
    parse_input,
    slack_to_plain,
    word_weight,
)

ARTICLE = (
    "The city council voted on Tuesday to approve the new budget. "
    "Officials said the plan would fund road repairs and two new schools. "
    "Critics argued that the spending was too high, given the slowing economy. "
    "The mayor defended the budget, saying it reflected residents' priorities. "
    "A final vote is scheduled for next month, after a round of public hearings.\n"
    "More details are at https://example.com/budget (see page 4)."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("read https://example.com/a", ["https://example.com/a"]),
        ("<https://example.com/a>", ["https://example.com/a"]),
        ("<https://example.com/a|Example story> is good", ["https://example.com/a"]),
        ("two: https://a.com/x, https://b.org/y.", ["https://a.com/x", "https://b.org/y"]),
        ("(see https://example.com/a)", ["https://example.com/a"]),
        (
            "wiki https://en.wikipedia.org/wiki/Foo_(bar)!",
            ["https://en.wikipedia.org/wiki/Foo_(bar)"],
        ),
        ("[link](https://example.com/a)", ["https://example.com/a"]),
        ("“https://example.com/a”", ["https://example.com/a"]),
        ("<https://example.com/a?x=1&amp;y=2>", ["https://example.com/a?x=1&y=2"]),
        ("www.example.com/story", ["https://www.example.com/story"]),
        ("same https://a.com/x twice https://a.com/x", ["https://a.com/x"]),
        ("<@U123> <#C1|general> <!here> <mailto:a@b.com|a@b.com>", []),
        ("no links here", []),
    ],
)
def test_find_urls(text, expected):
    assert find_urls(text) == expected


def test_link_plus_instruction_is_split():
    parsed = parse_input("summarize https://x.com/a in 3 bullets")
    assert parsed.kind == "link"
    assert parsed.urls == ("https://x.com/a",)
    assert parsed.instruction == "summarize in 3 bullets"


def test_slack_mention_and_link_markup():
    parsed = parse_input("<@U0BOT> <https://x.com/a|x.com/a> for a CFO please")
    assert parsed.kind == "link"
    assert parsed.urls == ("https://x.com/a",)
    assert parsed.instruction == "for a CFO please"


def test_bare_link_has_empty_instruction():
    for text in ("  <https://x.com/a>  ", "https://x.com/a."):
        parsed = parse_input(text)
        assert parsed.kind == "link" and parsed.instruction == ""
        assert parsed.urls == ("https://x.com/a",)


def test_pasted_article_with_links_is_a_paste():
    parsed = parse_input(ARTICLE)
    assert parsed.kind == "paste"
    assert parsed.urls == ("https://example.com/budget",)
    assert "https://example.com/budget" in parsed.text  # links stay in the article
    assert parsed.text.startswith("The city council voted")
    assert parsed.instruction == ""


def test_paste_in_slack_markup_becomes_plain_text():
    slack = "<@U0BOT> " + ARTICLE.replace(
        "https://example.com/budget", "<https://example.com/budget|the budget page>"
    ).replace("road repairs and", "road repairs &amp;")
    parsed = parse_input(slack)
    assert parsed.kind == "paste"
    assert "the budget page" in parsed.text
    assert "<@U0BOT>" not in parsed.text
    assert "road repairs & two" in parsed.text


def test_short_text_is_a_message_and_empty_is_empty():
    assert parse_input("what did the mayor say?").kind == "message"
    assert parse_input("what did the mayor say?").instruction == "what did the mayor say?"
    assert parse_input("   ").kind == "empty"
    assert parse_input("<@U0BOT>").kind == "empty"


def test_long_single_line_instruction_with_link_stays_an_instruction():
    text = "https://x.com/a summarize this for our finance team, focus on costs"
    assert parse_input(text).kind == "link"


def test_slack_to_plain():
    assert slack_to_plain("a <https://x.com|X> &amp; <@U1> b") == "a X &  b"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What did he say?", True),
        ("how much does it cost", True),
        ("explain the second point", True),
        ("thanks!", False),
        ("great article", False),
    ],
)
def test_is_question(text, expected):
    assert is_question(text) is expected


# --- audit regressions -------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["id=5&section=world", "a=1&region=eu", "x=1&not=2", "a=1&times=3", "a=1&copy=2", "a=&para=1"],
)
def test_bare_url_query_is_not_html_unescaped(query):
    url = f"https://news.example.com/story?{query}"
    assert find_urls(url) == [url]
    assert find_urls(f"read {url} please") == [url]


def test_slack_escapes_are_still_undone():
    assert find_urls("<https://x.com/a?b=1&amp;c=2&lt;3&gt;>") == ["https://x.com/a?b=1&c=2<3>"]
    assert find_urls("https://x.com/a?b=1&amp;section=2") == ["https://x.com/a?b=1&section=2"]
    assert slack_to_plain("fish &amp; chips &copy &section") == "fish & chips &copy &section"


@pytest.mark.parametrize(
    ("text", "url", "instruction"),
    [
        ("https://x.com/a—and more", "https://x.com/a", "and more"),
        ("https://x.com/a–b", "https://x.com/a", "b"),
        ("詳細はhttps://x.jp/a。次に", "https://x.jp/a", "詳細は 次に"),
        ("https://x.jp/記事、そして", "https://x.jp/記事", "そして"),
    ],
)
def test_urls_stop_at_dashes_and_cjk_punctuation(text, url, instruction):
    parsed = parse_input(text)
    assert parsed.urls == (url,)
    assert parsed.instruction == instruction


def test_urls_are_in_order_across_slack_and_bare_forms():
    text = "see https://a.example/1 and <https://b.example/2|b> then https://c.example/3"
    assert find_urls(text) == ["https://a.example/1", "https://b.example/2", "https://c.example/3"]


@pytest.mark.parametrize(
    ("text", "instruction"),
    [
        ("see https://x.com/a.", "see"),
        ("see https://x.com/a, and https://y.com/b!", "see and"),
        ("summarize https://x.com/a, in 3 bullets.", "summarize in 3 bullets."),
        ("what does https://x.com/a say?", "what does say?"),
        ("[link](https://x.com/a) tl;dr", "[link] tl;dr"),
    ],
)
def test_instruction_drops_punctuation_left_by_the_link(text, instruction):
    assert parse_input(text).instruction == instruction


LONG_REQUEST = (
    "<https://x.com/a>\nPlease summarize this article for my team in five bullets. "
    "Focus on what it means for our budget next year and for the hiring plans we discussed "
    "last week. Keep each bullet short, skip the background the article gives about the "
    "history of the company, and mention any numbers it quotes. Also tell me whether the "
    "author seems to have a conflict of interest."
)


def test_link_plus_long_instruction_is_a_link():
    parsed = parse_input(LONG_REQUEST)
    assert parsed.kind == "link"
    assert parsed.urls == ("https://x.com/a",)
    assert parsed.instruction.startswith("Please summarize this article for my team")
    assert parsed.instruction.endswith("conflict of interest.")


def test_long_request_without_link_is_a_message_not_a_paste():
    parsed = parse_input(LONG_REQUEST.replace("<https://x.com/a>\n", ""))
    assert parsed.kind == "message"


def test_imperative_article_is_still_a_paste():
    advice = (
        "Start by checking your budget every month. Make a list of the bills you pay. "
        "Keep receipts for anything over fifty dollars, because you will need them at tax "
        "time. Use a spreadsheet or an app, whichever you prefer, and review it every Sunday "
        "evening. Don't forget the annual charges, like insurance and subscriptions, that "
        "surprise people in spring. More at https://example.com/money."
    )
    assert parse_input(advice).kind == "paste"


JAPANESE = (
    "東京都は火曜日、新しい予算案を承認した。公園や図書館への資金が含まれている。"
    "知事は「これは必要だ」と述べた。計画は来月、国の審査に回される。"
    "批判派は増額が小さすぎると指摘している。詳細は https://x.jp/a を参照。"
    "予算総額は前年より三パーセント増えた。"
)


def test_japanese_article_with_a_link_is_a_paste():
    parsed = parse_input(JAPANESE)
    assert parsed.kind == "paste"
    assert parsed.urls == ("https://x.jp/a",)
    assert parsed.text == JAPANESE


def test_short_japanese_request_is_a_link():
    parsed = parse_input("この記事を三行で要約して https://x.jp/a")
    assert parsed.kind == "link"
    assert parsed.instruction == "この記事を三行で要約して"


def test_word_weight_counts_cjk_by_characters():
    assert word_weight("one two three") == 3
    assert word_weight("東京都" * 10) == 20
    assert word_weight("see 東京") == pytest.approx(1 + 2 / 1.5)


@pytest.mark.parametrize(
    ("lead", "instruction"),
    [
        (
            "<@U1> summarize this in 3 bullets, in English:",
            "summarize this in 3 bullets, in English",
        ),
        ("Can you translate this to German?", "Can you translate this to German?"),
        ("Key points of this article for my boss:", "Key points of this article for my boss"),
    ],
)
def test_instruction_line_above_a_paste_is_split_off(lead, instruction):
    parsed = parse_input(f"{lead}\n\n{ARTICLE}")
    assert parsed.kind == "paste"
    assert parsed.instruction == instruction
    assert parsed.text.startswith("The city council voted")
    assert parsed.text.endswith("(see page 4).")


@pytest.mark.parametrize(
    "headline", ["Council approves budget", "Budget: what changes", "BREAKING: Council votes"]
)
def test_headline_above_a_paste_stays_in_the_article(headline):
    parsed = parse_input(f"{headline}\n\n{ARTICLE}")
    assert parsed.kind == "paste"
    assert parsed.instruction == ""
    assert parsed.text.startswith(headline)


# --- linear time on hostile input (issue 9) ----------------------------------------------


def _trim_url_reference(url: str) -> str:
    """The rule as first written (quadratic: it re-counted and re-sliced per character)."""
    while url:
        last = url[-1]
        if last in links._TRAILING_PUNCT or (
            last in links._PAIRS and url.count(last) > url.count(links._PAIRS[last])
        ):
            url = url[:-1]
        else:
            break
    return url


def _corpus() -> list[str]:
    """Every text this module feeds parse_input or find_urls, and a few made of the pieces
    that steer link trimming and Slack markup, mixed at random."""
    texts = [ARTICLE, LONG_REQUEST, JAPANESE]
    for test in list(globals().values()):
        for mark in getattr(test, "pytestmark", []):
            if mark.name == "parametrize":
                for case in mark.args[1]:
                    first = case[0] if isinstance(case, tuple) else case
                    if isinstance(first, str):
                        texts += [first, f"{first}\n\n{ARTICLE}"]
    pieces = ["https://a.example/", "www.b.example", "(", ")", "[", "]", "{", "}", "<", ">",
              "|", "&amp;", "&lt;", ".", ",", "!", "?", "…", "'", "”", " ", "\n", "x", "@U1",
              "!here", "#C1", "summarize ", "。", "—", links._CUT]  # fmt: skip
    rng = random.Random(9)
    texts += ["".join(rng.choices(pieces, k=rng.randint(1, 30))) for _ in range(3000)]
    return texts


def test_parse_input_is_unchanged_by_the_linear_trim(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = _corpus()
    now = [parse_input(text) for text in corpus]
    monkeypatch.setattr(links, "_trim_url", _trim_url_reference)
    assert now == [parse_input(text) for text in corpus]


def test_trim_url_matches_the_rule_on_every_short_string() -> None:
    # Every string of up to 6 of these characters: brackets of each kind, punctuation, text.
    for n in range(7):
        for chars in itertools.product("a()].'", repeat=n):
            url = "".join(chars)
            assert links._trim_url(url) == _trim_url_reference(url), url


_URL = "https://e.example/"
HOSTILE: dict[str, Callable[[int], str]] = {
    "link )))": lambda n: _URL + ")" * n,
    "link ]]]": lambda n: _URL + "]" * n,
    "link ).).": lambda n: _URL + ")." * (n // 2),
    "link (((": lambda n: _URL + "(" * n,
    "((( link )))": lambda n: "(" * (n // 2) + _URL + ")" * (n // 2),
    "link ((( )))": lambda n: _URL + "(" * (n // 2) + ")" * (n // 2) + ".",
    "link [] {}": lambda n: _URL + "[]{}" * (n // 4),
    "(((": lambda n: "(" * n,
    "<<<": lambda n: "<" * n,
    ">>>": lambda n: ">" * n,
    "|||": lambda n: "|" * n,
    "<link|<link|": lambda n: f"<{_URL}|" * (n // 20),
    "<<< link|label >>>": lambda n: "<" * (n // 2) + f"{_URL}|label" + ">" * (n // 2),
    "<link ))) >": lambda n: f"<{_URL}" + ")" * n + ">",
    "spaces": lambda n: " " * n,
    "distinct links": lambda n: " ".join(f"{_URL}p{i}" for i in range(n // 22)),
    "links and full stops": lambda n: f"{_URL} ." * (n // 20),
    "paste with links": lambda n: (
        f"The council met. See {_URL}x?a=1&amp;b=2 (page 4). " * (n // 50)
    ),
    "a lead of pleases": lambda n: "please " * (n // 7) + "\n\n" + ARTICLE,
    "a lead of counts": lambda n: "in 3 bullets, " * (n // 14) + "City" + "\n\n" + ARTICLE,
}


def test_a_long_lead_is_walked_no_further_than_its_cap() -> None:
    # A megabyte of "please please …" above a paste took 1 s on the ack path: every part was
    # walked before the 30-word cap refused the lead.
    line = "please " * 150_000
    styles = links._builtin_styles()
    assert len(links._lead_parts(line, styles)) == links._LEAD_MAX_WORDS + 1
    parsed = parse_input(line + "\n\n" + ARTICLE)  # its time: bench pathological --hot
    assert parsed.kind == "paste" and parsed.instruction == ""


def test_repro_link_then_40k_closing_brackets() -> None:
    parsed = parse_input(_URL + ")" * 40_000)  # was 0.9 s; its time: bench pathological --hot
    assert parsed.urls == (_URL,)
    assert parsed.kind == "link"


# What each shape reads as (kind, links found): the quadratic code took seconds to minutes on
# them; their CPU time is measured by `python -m bench pathological --hot` (bench/README.md).
READS_AS: dict[str, tuple[str, int]] = {
    "link )))": ("link", 1),
    "link ]]]": ("link", 1),
    "link ).).": ("link", 1),
    "link (((": ("link", 1),
    "((( link )))": ("link", 1),
    "link ((( )))": ("link", 1),
    "link [] {}": ("link", 1),
    "(((": ("empty", 0),
    "<<<": ("empty", 0),
    ">>>": ("empty", 0),
    "|||": ("empty", 0),
    "<link|<link|": ("link", 1),
    "<<< link|label >>>": ("link", 1),
    "<link ))) >": ("link", 1),
    "spaces": ("empty", 0),
    "distinct links": ("link", 400_000 // 22),
    "links and full stops": ("link", 1),
    "paste with links": ("paste", 1),
    "a lead of pleases": ("paste", 1),
    "a lead of counts": ("paste", 1),
}


@pytest.mark.parametrize("shape", HOSTILE)
def test_parse_input_reads_400k_hostile_characters(shape: str) -> None:
    parsed = parse_input(HOSTILE[shape](400_000))
    assert (parsed.kind, len(parsed.urls)) == READS_AS[shape]
    hosts = ("https://e.example/", "https://example.com/")
    assert all(url.startswith(hosts) for url in parsed.urls)


# --- the ack path's shortcuts (bot.ingest.links._capped_weight, the regexes' first letters)


def test_long_text_is_counted_only_as_far_as_the_thresholds_need():
    words = " ".join(f"word{i}" for i in range(2000))  # > 4096 characters
    assert links._capped_weight(words) > links._REQUEST_MAX_WORDS
    assert links._capped_weight("one two three") == 3
    # Chinese after the prefix: still over the cap, and counted exactly when it is not.
    assert links._capped_weight(words + "東京都" * 100) > links._REQUEST_MAX_WORDS
    short = "東京都" * 30 + " plus a few words"
    assert links._capped_weight(short) == word_weight(short)


def test_a_long_request_like_paste_is_still_an_article():
    # Over _REQUEST_MAX_WORDS and past the counted prefix: an article even though it
    # talks about "this article" in every sentence.
    sentence = "Please summarize this article about the harbour and its new bridge. "
    text = sentence * 120
    assert len(text) > links._CAP_PREFIX_CHARS
    assert parse_input(text).kind == "paste"
    assert parse_input(sentence * 3).kind != "paste"  # short: a request, as before


@pytest.mark.parametrize(
    "text",
    [
        "Summarize https://example.com/a in 3 bullets",
        "SUMMARIZE HTTPS://EXAMPLE.COM/A FOR ME",
        "look at WWW.example.com/x please, key points only",
        "TL;DR <https://example.com/b|the story>",
        ARTICLE,
        "In 5 bullets: " + ARTICLE,
    ],
)
def test_first_letter_lookaheads_change_no_match(text: str):
    import re

    for fast in (links._BARE_URL, links._META_WORDS):
        plain = re.compile(fast.pattern.split(")", 1)[1], fast.flags)  # without (?=[…])
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


# --- an instruction before a pasted article ("tldr <article>") --------------------------------

HEADLINE = "Council approves budget after long debate"
HEADED = f"{HEADLINE}\n\n{ARTICLE}"
GERMAN = (
    "Stadtrat genehmigt neue Brücke über den Fluss\n\n"
    "Der Stadtrat hat am Dienstag mit sieben zu zwei Stimmen den Bau einer neuen Brücke "
    "beschlossen. Die Brücke soll 42 Millionen Euro kosten und im September begonnen werden. "
    "Die Bürgermeisterin sprach von einem Wendepunkt für die Stadt. Kritiker sagen, das Geld "
    "wäre für die Sanierung der alten Straßenbrücke besser angelegt. Radfahrverbände begrüßten "
    "die Entscheidung, weil sie endlich eine sichere Route über den Fluss bekommen. Die Stadt "
    "rechnet mit etwa achttausend Überquerungen am Tag, sobald die Brücke eröffnet ist."
)


@pytest.mark.parametrize(
    ("lead", "instruction", "style"),
    [
        ("tldr ", "", "tldr"),
        ("TLDR ", "", "tldr"),
        ("Tldr ", "", "tldr"),
        ("TL;DR: ", "", "tldr"),
        ("tl;dr - ", "", "tldr"),
        ("detailed ", "", "detailed"),
        ("Detailed: ", "", "detailed"),
        ("DETAILED ", "", "detailed"),
        ("bullets ", "", "bullets"),
        ("as bullets — ", "", "bullets"),
        ("in 3 bullets ", "in 3 bullets", None),
        ("In 3 bullets ", "In 3 bullets", None),
        ("3 bullets ", "3 bullets", None),
        ("Tldr please ", "", "tldr"),
        ("Please, in 2 bullets ", "Please, in 2 bullets", None),
        ("in five sentences: ", "in five sentences", None),
        ("summarize ", "summarize", None),
        ("please summarize this in 2 bullets ", "please summarize this in 2 bullets", None),
        ("tldr in Spanish ", "in Spanish", "tldr"),
        ("in Spanish ", "in Spanish", None),
        ("detailed, in German ", "in German", "detailed"),
        ("in 2 bullets, in Brazilian Portuguese: ", "in 2 bullets, in Brazilian Portuguese", None),
        ("Please summarize this for my team: ", "Please summarize this for my team", None),
        # On a line of its own, above the headline.
        ("detailed\n", "", "detailed"),
        ("Detailed\n\n", "", "detailed"),
        ("in 3 bullets\n", "in 3 bullets", None),
        # Counts in the other languages of bot.text.counts.
        ("in 2 Sätzen ", "in 2 Sätzen", None),
        ("en 3 puntos: ", "en 3 puntos", None),
        ("in drei Punkten\n", "in drei Punkten", None),
        ("tldr:\n\n", "", "tldr"),
        ("tl;dr please\n\n", "", "tldr"),
        ("summarize this, tldr\n", "", "tldr"),
    ],
)
def test_an_instruction_before_a_pasted_headline_is_peeled_off(lead, instruction, style):
    parsed = parse_input(lead + HEADED)
    assert parsed.kind == "paste"
    assert (parsed.instruction, parsed.style) == (instruction, style)
    assert parsed.text.startswith(HEADLINE + "\n")
    assert parsed.text.endswith("(see page 4).")


@pytest.mark.parametrize(
    ("lead", "headline", "style"),
    [
        ("tldr ", "Stadtrat genehmigt neue Brücke über den Fluss", "tldr"),
        ("detailed ", "市议会批准新桥", "detailed"),
        ("tldr ", "Совет утвердил бюджет города", "tldr"),
        ("in 3 bullets ", "Le conseil municipal approuve le budget", None),
        ("TL;DR: ", "«Le conseil approuve le budget»", "tldr"),
    ],
)
def test_an_instruction_before_a_non_english_headline(lead, headline, style):
    body = GERMAN.split("\n\n", 1)[1]
    parsed = parse_input(f"{lead}{headline}\n\n{body}")
    assert parsed.kind == "paste" and parsed.style == style
    assert parsed.text.startswith(headline + "\n")


@pytest.mark.parametrize(
    "headline",
    [
        "Detailed plans for the new budget unveiled",
        "Detailed Plans For The New Budget Unveiled",
        "DETAILED PLANS FOR THE NEW BUDGET",
        "In 3 years, the city will have two new schools",
        "In 3 bullets, the mayor explains the budget",
        "Bullets fly as a protest over the budget turns violent",
        "In Spanish cities, rents keep rising",
        "In English football, a budget row",
        "Use of force by police under review",
        "Keep calm and carry on, says the mayor",
        "List of schools to be rebuilt is published",
        "Summary-bot start-up raises five million",
        "In 3 Jahren soll die Brücke fertig sein",
        "In 3 Punkten Zur Reform",
        "Drei Sätze, die die Debatte verändert haben",
        "En 3 años, la ciudad tendrá dos escuelas nuevas",
        "Detaillierte Pläne für den Haushalt vorgestellt",
        # Title case: a count, "Please" or "Kindly" capitalised like the words after it.
        "5 Key Takeaways From the Fed Meeting",
        "3 Sentences That Changed American History",
        "10 Words You're Probably Mispronouncing",
        "Please Like Me renewed for a fourth season",
        "Kindly Leave the Stage: a review",
        "10 Points Clés Sur La Réforme Des Retraites",
        "5 Takeaways Que Dejó La Reunión De La Fed",
        "Please Please Me: Die Beatles und ihr erstes Album",
    ],
)
def test_a_headline_starting_like_an_instruction_stays_whole(headline):
    parsed = parse_input(f"{headline}\n\n{ARTICLE}")
    assert parsed.kind == "paste"
    assert (parsed.instruction, parsed.style) == ("", None)
    assert parsed.text.startswith(headline + "\n")


def test_the_styles_come_from_the_prompt_templates():
    from bot.llm.templates import load_templates

    assert parse_input("tldr " + HEADED, styles=load_templates().styles()).style == "tldr"
    # A style of the user's own prompts folder, and only where it is known.
    parsed = parse_input("eli5 " + HEADED, styles=["bullets", "eli5"])
    assert (parsed.style, parsed.instruction) == ("eli5", "")
    assert parse_input("eli5 " + HEADED).text.startswith("eli5 " + HEADLINE)
    many = parse_input("executive summary " + HEADED, styles=["executive_summary"])
    assert many.style == "executive_summary" and many.text.startswith(HEADLINE)


def test_the_peeled_headline_is_the_pastes_title():
    from bot.ingest import from_text

    for lead in ("tldr ", "in 3 bullets ", "detailed\n", "TL;DR: "):
        parsed = parse_input(lead + f"{HEADLINE}\n\n{ARTICLE}")
        assert from_text(parsed.text).title == HEADLINE, lead
    german = parse_input("tldr " + GERMAN)
    assert from_text(german.text).title == GERMAN.split("\n", 1)[0]


def test_a_lead_is_not_taken_from_a_short_text_or_a_link_request():
    assert parse_input("tldr Council approves budget").kind == "message"
    link = parse_input("tldr https://example.com/story")
    assert (link.kind, link.instruction, link.style) == ("link", "tldr", None)
