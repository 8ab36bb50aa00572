"""`typed_link`: the one reading of a link typed without Slack's markup, shared by /summarize,
/ask and the CLI; and the one "tl;dr" spelling shared by the paste lead and "summarize it"."""

from __future__ import annotations

import pytest

from bot.cli.inputs import as_link
from bot.ingest.links import TLDR_WORD, parse_input, typed_link
from bot.llm.followups import classify_turn, summary_instructions, summary_style
from bot.slack.listeners.commands import _read_command

ARTICLE = (
    "The city council voted on Tuesday to approve the new budget. "
    "Officials said the plan would fund road repairs and two new schools. "
    "Critics argued that the spending was too high, given the slowing economy. "
    "The mayor defended the budget, saying it reflected residents' priorities. "
    "A final vote is scheduled for next month, after a round of public hearings. "
    "Residents can read the full plan at the library, and comments are open until the end "
    "of the month."
)

# (text, the web link found in it, what is left as the instruction)
LINKS = [
    ("example.com/story", "https://example.com/story", ""),
    ("example.com/story tldr", "https://example.com/story", "tldr"),
    ("tldr example.com/story", "https://example.com/story", "tldr"),
    (
        "example.com/story in 3 bullets for a CFO",
        "https://example.com/story",
        "in 3 bullets for a CFO",
    ),
    ("www.example.com/x", "https://www.example.com/x", ""),
    ("news.example.co.uk", "https://news.example.co.uk", ""),
    ("example.com", "https://example.com", ""),
    ("example.com.", "https://example.com", ""),  # the full stop ends the sentence
    ("(example.com/story)", "https://example.com/story", ""),
    ("127.0.0.1:8080/x", "https://127.0.0.1:8080/x", ""),
    ("example.com:8443", "https://example.com:8443", ""),
    ("docs.rs/serde", "https://docs.rs/serde", ""),  # .rs is a country's domain too
    ("münchen.de/altstadt", "https://münchen.de/altstadt", ""),
    ("en.wikipedia.org/wiki/Foo_(bar)!", "https://en.wikipedia.org/wiki/Foo_(bar)", ""),
    ("example.com/story?id=5&amp;p=2", "https://example.com/story?id=5&p=2", ""),
    ("EXAMPLE.COM/A", "https://EXAMPLE.COM/A", ""),
    ("https://example.com/a.", "https://example.com/a", ""),
    ("<https://example.com/a|An example>", "https://example.com/a", ""),
]

# Prose that looks like a host, a file name, a number: never opened.
PROSE = [
    "e.g.",
    "i.e. the budget",
    "Mr.Smith",
    "what did Mr.Smith say?",
    "St.Louis/Minneapolis",
    "3.5/5",
    "rated 3.5/5 by critics",
    "version 2.0/3",
    "notes.md",
    "story.html",
    "report.pdf",
    "main.py:12",
    "why does main.py:12 fail?",
    "Node.js/React",
    "ASP.NET?",
    "I read it on example.com.",
    "compare example.com and example.org",
    "example.com tldr",  # a bare domain counts only typed alone: "on example.com" is prose
    "alice@example.com",
    "999.1.1.1",
    "U.S./Canada",
    "Ph.D.",
    "note: this is short",
    "https://",
    "hello",
    "",
    "<@U123> <#C1|general>",
]

# Links with another scheme: found, so the reply can say which links work.
OTHER_SCHEMES = [
    ("ftp://x/y", "ftp://x/y"),
    ("file:///etc/passwd", "file:///etc/passwd"),
    ("javascript:alert(1)", "javascript:alert(1)"),
    ("tldr ftp://example.com/a", "ftp://example.com/a"),
    ("mailto:a@example.com", "mailto:a@example.com"),
]


@pytest.mark.parametrize(("text", "url", "instruction"), LINKS)
def test_a_typed_link_is_found_with_https(text: str, url: str, instruction: str) -> None:
    link = typed_link(text)
    assert link is not None and link.web and link.url == url
    parsed = parse_input(link.spelled_out())
    assert (parsed.kind, parsed.urls, parsed.instruction) == ("link", (url,), instruction)


@pytest.mark.parametrize("text", PROSE)
def test_prose_that_looks_like_a_host_stays_prose(text: str) -> None:
    assert typed_link(text) is None
    assert as_link(text) is None


@pytest.mark.parametrize(("text", "url"), OTHER_SCHEMES)
def test_other_schemes_are_found_but_not_web(text: str, url: str) -> None:
    link = typed_link(text)
    assert link is not None and not link.web and link.url == url
    assert as_link(text) is None


# --- both surfaces read a text the same way -----------------------------------------------------


@pytest.mark.parametrize(("text", "url", "instruction"), LINKS)
def test_slack_commands_and_the_cli_agree(text: str, url: str, instruction: str) -> None:
    parsed, other = _read_command(text)
    assert other is None
    assert (parsed.kind, parsed.urls, parsed.instruction) == ("link", (url,), instruction)
    # The CLI takes a link only when it is the whole argument.
    assert as_link(text) == (None if instruction else url)


@pytest.mark.parametrize("text", PROSE)
def test_prose_is_no_link_to_a_slack_command_either(text: str) -> None:
    parsed, other = _read_command(text)
    assert parsed.urls == () and other is None


@pytest.mark.parametrize(("text", "url"), OTHER_SCHEMES)
def test_a_slack_command_hears_of_another_scheme(text: str, url: str) -> None:
    parsed, other = _read_command(text)
    assert parsed.kind == "message" and other is not None and other.url == url


def test_a_pasted_article_mentioning_a_site_stays_a_paste() -> None:
    text = "example.com/story is where this ran.\n\n" + ARTICLE
    parsed, other = _read_command(text)
    assert parsed.kind == "paste" and parsed.urls == () and other is None
    assert parsed.text.startswith("example.com/story is where")  # not rewritten to https://


# --- hostile input: this runs in Slack's 3-second ack (its time: bench pathological --hot) ---


def test_a_link_followed_by_40k_closing_brackets_is_the_link() -> None:
    link = typed_link("example.com/story" + ")" * 40_000)
    assert link is not None and link.url == "https://example.com/story"


@pytest.mark.parametrize(
    "junk", ["a" * 100_000, "a." * 50_000, ":" * 100_000, "<a " * 30_000, "1." * 50_000]
)
def test_junk_is_no_link(junk: str) -> None:
    assert typed_link(junk) is None


# --- one "tl;dr" ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling", ["tldr", "tl;dr", "TL;DR", "tl/dr", "TL/DR", "tl; dr", "tl dr"]
)
def test_every_spelling_of_tldr_is_one_pattern(spelling: str) -> None:
    assert TLDR_WORD.fullmatch(spelling)
    # "summarize it" in a conversation (bot.llm.followups): "tl/dr" was a question there.
    assert classify_turn(spelling) == "summarize"
    assert summary_style(spelling) == "tldr"
    assert summary_instructions(f"{spelling} please") == ""
    # The paste lead (bot.ingest.links): the style named before a pasted article.
    parsed = parse_input(f"{spelling} {ARTICLE}", styles=("tldr", "bullets", "detailed"))
    assert (parsed.kind, parsed.style, parsed.instruction) == ("paste", "tldr", "")
    assert parsed.text.startswith("The city council voted")


@pytest.mark.parametrize("text", ["tl/drum", "atl/dr", "the tldraw app", "tl;drive"])
def test_tldr_is_a_whole_word(text: str) -> None:
    assert TLDR_WORD.search(text) is None
    assert summary_style(text) is None
