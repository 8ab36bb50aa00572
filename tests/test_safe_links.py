"""The link sanitiser (bot.slack.safe_links) against a corpus of spoofing forms: whole
messages, every split of them across stream chunks, and whole payloads. Pure functions."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

from bot.slack import format as fmt
from bot.slack.safe_links import (
    HOLD_LIMIT,
    REMOVED,
    ZWSP,
    StreamSanitizer,
    sanitize,
    sanitize_payload,
)

EVIL = "evil.example"

# What a reader could click, as markdown or Slack would render it, found independently of
# the sanitiser (and more eagerly: anything that might be a link counts).
_MD_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^\s)>]*)")
_SLACK_LINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*:[^|>]*)\|([^>]*)>")
_HTML = re.compile(r"<(?:a|img)\b", re.I)
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:", re.M)
_REF_USE = re.compile(r"\]\[")
_CODE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1|(`+).+?\2", re.M | re.S)


def _honest(label: str, url: str) -> bool:
    """A label that is its link's URL or (ASCII) domain, on a plain http(s) or mailto link."""
    label, url = label.strip().lower(), url.strip().lower()
    if url.startswith("mailto:"):
        return label in {url, url.removeprefix("mailto:")}
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "\\" in url or "@" in parts.netloc:
        return False
    host = (parts.hostname or "").encode("idna").decode("ascii")
    return label in {host, url}


def deceptive_links(text: str) -> list[str]:
    """Every live link whose label isn't its own URL or domain, every image, every
    non-web scheme, raw HTML links and reference-style links; empty when safe. Code
    (where markdown shows links as written) is not looked at."""
    text = _CODE.sub("", text)
    problems = []
    for image, label, url in _MD_LINK.findall(text):
        if image:
            problems.append(f"image {url}")
        elif not _honest(label, url):
            problems.append(f"[{label}]({url})")
    for url, label in _SLACK_LINK.findall(text):
        if not _honest(label, url):
            problems.append(f"<{url}|{label}>")
    problems += re.findall("[\u202a-\u202e\u2066-\u2069]", text)  # may mirror the domain
    problems += _HTML.findall(text) + _REF_DEF.findall(text) + _REF_USE.findall(text)
    return problems


# (spoof, what must stay visible afterwards). Every one hides evil.example behind a label.
CORPUS: list[tuple[str, str]] = [
    ("Read [bank.com](https://evil.example/login) now.", EVIL),
    ("[bank.com](https://evil.example/login 'Your bank')", EVIL),
    ("[bank.com](<https://evil.example/login>)", EVIL),
    ("<https://evil.example/login|bank.com>", EVIL),
    ("<https://evil.example/login|https://bank.com>", EVIL),
    ("![chart](https://evil.example/pixel.gif)", EVIL),
    ("![](https://evil.example/pixel.gif)", EVIL),
    ("[![bank.com](https://evil.example/logo.png)](https://evil.example/go)", EVIL),
    ("[see [bank.com] here](https://evil.example/x)", EVIL),
    ("[[bank.com]](https://evil.example/x)", EVIL),
    ("[bank.com][1]\n\n[1]: https://evil.example/x", EVIL),
    ("[bank.com]\n\n[bank.com]: https://evil.example/x", EVIL),
    ('<a href="https://evil.example/x">bank.com</a>', EVIL),
    ("<A HREF='https://evil.example/x'>bank.com</A>", EVIL),
    ('<img src="https://evil.example/p.gif" alt="bank.com">', EVIL),
    ("[bаnk.com](https://bаnk.com/login)", "xn--bnk-6cd.com"),  # Cyrillic а
    ("[https://bank.com](https://xn--bnk-6cd.com)", "xn--bnk-6cd.com"),
    ("[bank.com](https://bank.com.evil.example/)", "bank.com.evil.example"),
    ("[bank.com](https://evil.example/a_(b))", EVIL),
    ("[bank.com](HTTPS://EVIL.EXAMPLE/x)", EVIL),
    ("[bank.com](https://bank.com@evil.example/)", REMOVED),
    ("[bank.com](https://evil.example\\@bank.com/)", REMOVED),
    ("[bank.com](https://evil%2Eexample/)", REMOVED),
    ("[click me](javascript:alert(document.cookie))", REMOVED),
    ("<javascript:alert(1)|bank.com>", REMOVED),
    ("[bank.com](data:text/html;base64,PHNjcmlwdD4=)", REMOVED),
    ("![x](data:image/png;base64,iVBORw0KGgo=)", REMOVED),
    ("[bank.com](vbscript:msgbox)", REMOVED),
    ("[mail us](mailto:phish@evil.example)", "phish@evil.example"),
    ("[\u202eelpmaxe.knab](https://evil.example/x)", EVIL),  # shows "bank.example"
    ("Go \u202e[here](https://evil.example/x) now", EVIL),  # would mirror what follows
]


@pytest.mark.parametrize(("spoof", "shown"), CORPUS)
@pytest.mark.parametrize("dialect", ["markdown", "mrkdwn"])
def test_every_spoof_shows_the_real_domain(spoof: str, shown: str, dialect: str) -> None:
    assert deceptive_links(spoof), "the corpus entry should be a spoof to begin with"
    safe = sanitize(spoof, dialect)  # type: ignore[arg-type]
    assert deceptive_links(safe) == [], safe
    assert "\u202e" not in safe
    assert shown in safe
    assert sanitize(safe, dialect) == safe  # twice is once  # type: ignore[arg-type]


def test_how_links_are_rewritten() -> None:
    assert sanitize("[Read this](https://evil.example/x)") == (
        "Read this ([evil.example](https://evil.example/x))"
    )
    assert sanitize("<https://evil.example/x|bank.com>", "mrkdwn") == (
        "bank.com (<https://evil.example/x|evil.example>)"
    )
    assert sanitize("![chart](https://evil.example/c.png)") == (
        "chart ([evil.example](https://evil.example/c.png))"
    )
    assert sanitize("![](https://evil.example/c.png)") == (
        "image ([evil.example](https://evil.example/c.png))"
    )
    assert sanitize("[click](javascript:alert(1))") == f"click {REMOVED}"


@pytest.mark.parametrize(
    "honest",
    [
        "[evil.example](https://evil.example/x)",
        "[www.evil.example](https://evil.example/x)",
        "[https://evil.example/x](https://evil.example/x)",
        "<https://evil.example/x>",
        "<https://evil.example/x|evil.example>",
        "Plain https://evil.example/x stays a bare URL.",
        "[phish@evil.example](mailto:phish@evil.example)",
    ],
)
def test_links_that_show_their_own_domain_stay_links(honest: str) -> None:
    dialect = "mrkdwn" if honest.startswith("<https") else "markdown"
    assert sanitize(honest, dialect) == honest  # type: ignore[arg-type]


def test_the_bots_own_mrkdwn_keeps_working() -> None:
    own = "<@U0ALICE> asked in <#C0NEWS|news> <!here>: <https://a.test/x|a.test>"
    assert sanitize(own, "mrkdwn") == own
    # ...while the same mentions from the model never ping (as bot.slack.format does).
    assert "<@" not in sanitize(own) and "<!" not in sanitize(own) and "<#" not in sanitize(own)


def test_the_source_line_the_bot_builds_keeps_its_link() -> None:
    from bot.ingest.article import Article

    def line(title: str) -> str:
        url = "https://news.test/a?x=1&y=2"
        article = Article.from_paragraphs(["Body."], source_kind="html", url=url, title=title)
        return fmt.source_line(article)

    plain = line("Bridge reopens")
    assert sanitize(plain, "mrkdwn") == plain
    assert plain.endswith("(<https://news.test/a?x=1&amp;y=2|news.test>)")
    hostile = line("[Your bank](https://evil.example) <https://evil.example|login>")
    assert deceptive_links(sanitize(hostile, "mrkdwn")) == []
    assert sanitize(hostile, "mrkdwn").endswith("(<https://news.test/a?x=1&amp;y=2|news.test>)")


@pytest.mark.parametrize(
    "code",
    [
        "`[bank.com](https://evil.example)`",
        "``a ` [bank.com](https://evil.example) b``",
        "```\n[bank.com](https://evil.example)\n![x](https://evil.example/p.png)\n```",
        "~~~python\nprint('[bank.com](https://evil.example)')\n~~~",
    ],
)
def test_code_is_left_alone(code: str) -> None:
    assert sanitize(code) == code
    assert sanitize(f"Before.\n\n{code}\n\nAfter.") == f"Before.\n\n{code}\n\nAfter."


def test_links_in_code_are_inert_but_look_the_same() -> None:
    code = "`<https://evil.example|bank.com>` and\n```\n<https://evil.example|bank.com>\n```"
    safe = sanitize(code)
    assert not _SLACK_LINK.search(safe)
    assert safe.replace(ZWSP, "") == code


def test_text_after_a_code_block_is_sanitized_again() -> None:
    safe = sanitize("```\ncode\n```\n[bank.com](https://evil.example)")
    assert deceptive_links(safe) == [] and EVIL in safe


# --- streams ----------------------------------------------------------------------------------

STREAMED = [spoof for spoof, _ in CORPUS] + [
    "Intro. [bank.com](https://evil.example/x) and `<https://evil.example|b>` end",
    "```\n[a](https://evil.example)\n```\nthen [bank.com](https://evil.example/y)!",
    "Hi <!channel> and <@U0CEO>, see ![x](https://evil.example/p.png).",
]


def _streamed(pieces: list[str], **kwargs: int) -> str:
    stream = StreamSanitizer(**kwargs)
    return "".join(stream.feed(piece) for piece in pieces) + stream.close()


@pytest.mark.parametrize("text", STREAMED)
def test_a_stream_split_anywhere_shows_what_the_whole_text_would(text: str) -> None:
    whole = sanitize(text)
    for i in range(len(text) + 1):
        assert _streamed([text[:i], text[i:]]) == whole, i
    for i in range(0, len(text) + 1, 3):  # three pieces: every third pair of cut points
        for j in range(i, len(text) + 1, 2):
            assert _streamed([text[:i], text[i:j], text[j:]]) == whole, (i, j)
    assert _streamed(list(text)) == whole  # one character at a time


def test_no_piece_of_a_stream_alone_shows_a_deceptive_link() -> None:
    # Each appendStream is shown as it arrives: the concatenation so far must be safe.
    text = "Go to [bank.com](https://evil.example/x) or <https://evil.example|bank.com>."
    stream = StreamSanitizer()
    shown = ""
    for char in text:
        shown += stream.feed(char)
        assert deceptive_links(shown) == [], shown
    shown += stream.close()
    assert deceptive_links(shown) == [] and EVIL in shown


@pytest.mark.parametrize(
    "text",
    [
        "[" + "bank.com " * 10 + "](https://evil.example/x)",  # a label past the bound
        "[bank.com](https://evil.example/" + "a" * 60 + ")",  # a URL past the bound
        "<https://evil.example/x|" + "bank.com " * 10 + ">",
        "`" + "x" * 60 + "` [bank.com](https://evil.example)",
    ],
)
def test_past_the_hold_limit_text_is_released_inert(text: str) -> None:
    stream = StreamSanitizer(limit=40)
    shown = ""
    for start in range(0, len(text), 7):
        shown += stream.feed(text[start : start + 7])
        assert len(stream.held) <= 40 + 7  # the bound holds
        assert deceptive_links(shown) == [], shown
    shown += stream.close()
    assert deceptive_links(shown) == [], shown
    assert EVIL in shown


def test_the_default_hold_limit_is_longer_than_real_links() -> None:
    long_link = "[report](https://evil.example/" + "p" * 400 + ")"
    assert len(long_link) < HOLD_LIMIT
    assert _streamed([long_link[:200], long_link[200:]]) == sanitize(long_link)


# --- payloads ---------------------------------------------------------------------------------


def test_every_text_field_of_a_payload_is_sanitized() -> None:
    spoof = "[bank.com](https://evil.example/x)"
    payload = {
        "channel": "C1",
        "text": "<https://evil.example/x|bank.com>",
        "blocks": [
            {"type": "markdown", "text": spoof},
            {"type": "section", "text": {"type": "mrkdwn", "text": spoof}},
            {"type": "section", "fields": [{"type": "mrkdwn", "text": spoof}]},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": spoof}]},
            {"type": "image", "image_url": "https://evil.example/p.png", "alt_text": "x"},
            {
                "type": "section",
                "text": {"type": "plain_text", "text": "plain"},
                "accessory": {"type": "image", "image_url": "https://evil.example/p.png"},
            },
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [
                            {"type": "link", "url": "https://evil.example/x", "text": "bank.com"},
                            {"type": "link", "url": "javascript:alert(1)", "text": "click"},
                        ],
                    }
                ],
            },
        ],
        "attachments": [
            {
                "text": spoof,
                "title": "bank.com",
                "title_link": "https://evil.example/x",
                "image_url": "https://evil.example/p.png",
            }
        ],
    }
    safe = sanitize_payload(payload)
    dumped = json.dumps(safe, ensure_ascii=False)
    assert "bank.com](" not in dumped and "|bank.com>" not in dumped
    assert "image_url" not in dumped and "title_link" not in dumped
    assert dumped.count(EVIL) >= 6
    link, removed = safe["blocks"][-1]["elements"][0]["elements"]
    assert link == {"type": "link", "url": "https://evil.example/x"}  # Slack shows the URL
    assert removed == {"type": "text", "text": f"click {REMOVED}"}
    assert payload["blocks"][0]["text"] == spoof  # the caller's payload is not modified


def test_blocks_sent_as_a_json_string_are_sanitized_too() -> None:
    blocks = json.dumps([{"type": "markdown", "text": "[bank.com](https://evil.example/x)"}])
    safe = sanitize_payload({"blocks": blocks, "view": {"blocks": json.loads(blocks)}})
    assert EVIL in json.loads(safe["blocks"])[0]["text"].split("(", 1)[1]
    assert deceptive_links(safe["view"]["blocks"][0]["text"]) == []


def test_pathological_text_is_sanitized() -> None:
    hostile = [
        "[" * 12_000,
        "]( " * 4_000,
        "<" * 12_000,
        "`" * 6_000 + "x",
        "[a](" * 3_000,
        "![[<`" * 2_400,
        ("[" * 50 + "x" + "]" * 50 + "(https://evil.example)") * 100,
    ]
    for text in hostile:
        assert deceptive_links(sanitize(text)) == []
    stream = StreamSanitizer()
    sent = "".join(stream.feed("[a") for _ in range(3_000))  # a link that never finishes
    assert len(stream.held) <= HOLD_LIMIT  # each feed rescans at most the held tail
    assert sent + stream.close() == "[a" * 3_000
