import pytest

from bot.ingest.links import find_urls, is_question, parse_input, slack_to_plain

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
