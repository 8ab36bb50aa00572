"""Slack formatting: limits always respected, content never lost, fences balanced, escaping.

Also the app manifest (it is the Slack-facing half of the same contract).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.errors import ArticlebotError, BlockedAddress, LLMTimeout, NotAnArticle
from bot.ingest.article import Article
from bot.slack import format as fmt
from bot.slack import safe_links
from bot.slack.text import balance_fences, split_markdown
from tests import slack_payloads

FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*$", re.MULTILINE)
SENTENCES = [
    "The council approved the new budget after a long debate on Tuesday evening.",
    "Critics said the plan ignores the rising cost of housing in the city centre.",
    "Supporters pointed to the new bus lines & the longer library hours.",
    "A final vote is expected next month, once the committee has reported back.",
]


def _paragraph(seed: int, sentences: int) -> str:
    return " ".join(SENTENCES[(seed + i) % len(SENTENCES)] for i in range(sentences))


def long_reply() -> str:
    """About 9,000 characters of the markdown a model writes: headings, prose, lists, code."""
    parts = ["## Summary", _paragraph(0, 6)]
    parts.append("\n".join(f"- Point {i}: {SENTENCES[i % 4]}" for i in range(12)))
    parts.append(
        "```python\n" + "\n".join(f"total += row[{i}]  # add" for i in range(40)) + "\n```"
    )
    for seed in range(9):
        parts.append(f"### Part {seed}")
        parts.append(_paragraph(seed, 4))
    parts.append("1. First step\n   with a continuation line\n2. Second step")
    text = "\n\n".join(parts)
    while len(text) < 9_000:
        text += "\n\n" + _paragraph(len(text), 3)
    return text


def words(text: str) -> list[str]:
    """The content: every word in order, ignoring whitespace and fence lines."""
    return FENCE_LINE.sub("", text).split()


def fences_balanced(text: str) -> bool:
    return len(FENCE_LINE.findall(text)) % 2 == 0


# --- splitting --------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [4_000, 1_500, 300])
def test_long_reply_splits_within_limits_and_rejoins_to_the_same_words(limit: int) -> None:
    reply = long_reply()
    assert len(reply) >= 9_000
    parts = fmt.split_message(reply, limit)
    assert len(parts) >= -(-len(reply) // limit)
    assert all(0 < len(part) <= limit for part in parts)
    assert words("\n\n".join(parts)) == words(reply)
    assert all(fences_balanced(part) for part in parts)


def test_every_payload_of_a_long_reply_is_within_slack_limits() -> None:
    article = Article.from_paragraphs(["Body."], source_kind="html", url="https://x.test/a")
    footer = fmt.source_blocks(_Result(article, "openai", None))
    payloads = slack_payloads.reply_payloads(long_reply(), footer)
    assert len(payloads) >= 3
    for payload in payloads:
        assert slack_payloads.payload_problems(payload) == []
        assert payload["unfurl_links"] is False and payload["unfurl_media"] is False
        assert payload["text"].strip()  # a notification fallback on every message
    assert all(p["blocks"][0]["type"] == "markdown" for p in payloads)
    cues = [p["blocks"][1]["elements"][0]["text"] for p in payloads]
    assert cues[0].endswith(f"Continued below (1/{len(payloads)})")
    assert cues[-1] == f"End of the reply ({len(payloads)}/{len(payloads)})"
    assert payloads[-1]["blocks"][2:] == footer


def test_short_reply_stays_one_message() -> None:
    assert fmt.split_message("Just **one** line.") == ["Just **one** line."]
    assert fmt.split_message("  \n ") == []


def test_split_prefers_paragraphs_then_lines_then_sentences_then_words() -> None:
    paragraphs = [_paragraph(i, 2) for i in range(6)]
    parts = split_markdown("\n\n".join(paragraphs), 400)
    assert all(part.split("\n\n")[0] in paragraphs for part in parts)  # cut between paragraphs

    one_paragraph = _paragraph(0, 30)
    parts = split_markdown(one_paragraph, 500)
    assert len(parts) > 1
    assert all(part.endswith(".") for part in parts)  # cut after whole sentences

    run_on = " ".join(["word"] * 400)  # no sentence end anywhere
    parts = split_markdown(run_on, 301)
    assert all(set(part.split()) == {"word"} and len(part) <= 301 for part in parts)
    assert sum(len(part.split()) for part in parts) == 400  # no word cut in two

    blob = "x" * 1_000  # nothing to cut at: hard cut, nothing lost
    assert "".join(split_markdown(blob, 300)) == blob


def test_a_heading_never_ends_a_part() -> None:
    sections = [f"## Section {i}\n\n{_paragraph(i, 3)}" for i in range(8)]
    parts = split_markdown("\n\n".join(sections), 700)
    assert len(parts) > 2
    for part in parts:
        assert not part.split("\n\n")[-1].startswith("#")
    assert words("\n\n".join(parts)) == words("\n\n".join(sections))


def test_bullets_stay_whole_with_their_continuation_lines() -> None:
    items = [
        f"- Item {i}: {SENTENCES[i % 4]}\n  More about item {i}, on a continuation line."
        for i in range(20)
    ]
    parts = split_markdown("\n".join(items), 500)
    assert len(parts) > 1
    for item in items:
        assert sum(item in part for part in parts) == 1


def test_long_code_block_is_closed_and_reopened_in_every_part() -> None:
    code = "\n".join(f"print('line {i}')" for i in range(300))
    reply = f"Intro paragraph.\n\n```python\n{code}\n```\n\nOutro paragraph."
    parts = split_markdown(reply, 800)
    code_parts = [part for part in parts if "print(" in part]
    assert len(code_parts) > 2
    for part in parts:
        assert len(part) <= 800
        assert fences_balanced(part)
    for part in code_parts:  # every print line sits between a reopened fence and a close
        lines = part.splitlines()
        start, end = lines.index("```python"), len(lines) - 1 - lines[::-1].index("```")
        assert all(start < i < end for i, line in enumerate(lines) if line.startswith("print("))
    rejoined = [line for line in "\n".join(parts).splitlines() if line.startswith("print(")]
    assert rejoined == code.splitlines()


# A line that opens a code block in CommonMark: a backtick fence's info has no backtick.
_OPENS_CODE = re.compile(r"^ {0,3}(?:`{3,}(?!.*`)|~{3,})", re.M)


@pytest.mark.parametrize("fence", ["~~~", "```", "~~~~", "````"])
@pytest.mark.parametrize("limit", [20, 30, 45])
def test_a_cut_never_starts_a_part_with_a_fence(fence: str, limit: int) -> None:
    reply = f"The quick brown fox jumps. {fence} then everything after looks like code"
    parts = split_markdown(reply, limit)
    assert len(parts) > 1
    for part in parts:
        assert not _OPENS_CODE.search(part), part  # the rest would render as code
    rejoined = " ".join(parts).replace("\u200b", "")
    assert rejoined.split() == reply.split()  # same words, the fence only made inert


def test_a_cut_mid_word_never_starts_a_part_with_a_fence() -> None:
    parts = split_markdown("x" * 25 + "~~~" + "y" * 40, 25)
    assert not any(_OPENS_CODE.search(part) for part in parts)


def test_a_tilde_fence_may_have_backticks_in_its_info_string() -> None:
    # "~~~ run `ls`" opens a code block in CommonMark (only backtick fences forbid them).
    assert balance_fences("Start\n~~~ run `ls`\nls -la") == "Start\n~~~ run `ls`\nls -la\n~~~"
    code = "\n".join(f"echo {i}" for i in range(100))
    parts = split_markdown(f"Intro.\n\n~~~ run `sh`\n{code}\n~~~", 300)
    assert all(fences_balanced(part) for part in parts)
    assert all(part.startswith("~~~ run `sh`") for part in parts if "echo" in part)


def test_unclosed_fence_is_closed() -> None:
    parts = split_markdown("Text.\n\n```\n" + "a = 1\n" * 400, 500)
    assert all(fences_balanced(part) for part in parts)
    assert balance_fences("Start\n```js\nlet a") == "Start\n```js\nlet a\n```"
    assert balance_fences("```\na\n```") == "```\na\n```"


def test_preview_is_within_limit_and_renders() -> None:
    streaming = long_reply()[:5_000] + "\n\n```sql\nSELECT *"
    shown = fmt.preview(streaming, 4_000)
    assert 0 < len(shown) <= 4_000
    assert fences_balanced(shown)
    assert fmt.preview("```\nstill typing") == "```\nstill typing\n```"


# --- payloads ---------------------------------------------------------------------------------


def test_markdown_text_payloads_never_mix_with_text_or_blocks() -> None:
    payloads = slack_payloads.markdown_text_payloads(long_reply())
    assert len(payloads) > 1
    for payload in payloads:
        assert "text" not in payload and "blocks" not in payload
        assert slack_payloads.payload_problems(payload) == []
    assert slack_payloads.payload_problems({"markdown_text": "a", "text": "a"}) == [
        "markdown_text cannot be combined with text or blocks"
    ]


def test_payload_problems_catch_each_limit() -> None:
    assert slack_payloads.payload_problems({"text": "x" * 4_001})
    assert slack_payloads.payload_problems({"text": "x", "blocks": [fmt.markdown_block("y")] * 51})
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "s" * 3_001}}
    assert slack_payloads.payload_problems({"text": "x", "blocks": [section]})
    big = fmt.markdown_block("m" * 3_500)
    assert slack_payloads.payload_problems({"text": "x", "blocks": [big] * 4}, text_limit=40_000)
    assert slack_payloads.payload_problems({"blocks": [fmt.markdown_block("no fallback")]})


def test_mentions_in_model_output_cannot_ping() -> None:
    block = fmt.markdown_block("Hey <!channel> and <@U123> see <#C1|general>; 3 < 4")
    text = block["text"]
    assert "<!" not in text and "<@" not in text and "<#" not in text
    assert text.replace("\u200b", "") == "Hey <!channel> and <@U123> see <#C1|general>; 3 < 4"
    assert fmt.fallback_text("<!here> A & B") == "&lt;!here&gt; A &amp; B"


def test_fallback_text_is_short_plain_and_whole_words() -> None:
    fallback = fmt.fallback_text(long_reply())
    assert len(fallback) <= fmt.FALLBACK_CHARS
    assert fallback.endswith("…")
    assert "\n" not in fallback
    # The words, without their marks: "## Summary" is read out as "Summary:".
    assert ["Summary:", *long_reply().split()[2:6]] == fallback.split()[:5]


# --- source line ------------------------------------------------------------------------------


@dataclass
class _Result:
    """The fields of bot.pipeline.Result that the footer reads."""

    article: Article
    engine: str
    label: str | None
    notice: str | None = None
    articles: tuple[Article, ...] = ()


def test_source_line_escapes_and_links_without_breaking_slack_syntax() -> None:
    article = Article.from_paragraphs(
        ["Body."],
        source_kind="html",
        url="https://news.test/a?x=1&y=2|z",
        title="Cats <3 & dogs > birds",
        site_name="News & Co",
        author="Ann <Lee>",
        published="2025-03-04",
    )
    (block,) = fmt.source_blocks(_Result(article, "openai", None))
    assert block["type"] == "context"
    (element,) = block["elements"]
    text = element["text"]
    link = re.search(r"<([^<>|]+)\|([^<>]+)>", text)
    assert link is not None
    assert link[1] == "https://news.test/a?x=1&amp;y=2%7Cz"
    # The link shows the article's real domain; its title (the page's own say) is text.
    assert link[2] == "news.test"
    assert text.startswith(":newspaper: *Cats &lt;3 &amp; dogs &gt; birds* (<https://")
    assert safe_links.sanitize(text, "mrkdwn") == text  # the way out keeps it as built
    assert "News &amp; Co" in text and "by Ann &lt;Lee&gt;" in text and "2025-03-04" in text
    assert "Offline" not in json.dumps(block)


def test_source_blocks_label_the_offline_engine_and_list_many_sources() -> None:
    pasted = Article.from_paragraphs(["Some pasted text."], source_kind="text")
    (block,) = fmt.source_blocks(_Result(pasted, "offline", None))
    assert "Pasted text" in block["elements"][0]["text"]
    assert fmt.OFFLINE_LABEL in block["elements"][1]["text"]
    (custom,) = fmt.source_blocks(_Result(pasted, "openai", "Answered by gpt-4o-mini"))
    assert "gpt-4o-mini" in custom["elements"][1]["text"]
    (noticed,) = fmt.source_blocks(_Result(pasted, "offline", None, "The model timed out <3"))
    assert noticed["elements"][2]["text"].endswith("The model timed out &lt;3")

    many = [
        Article.from_paragraphs(["b"], source_kind="html", url=f"https://x.test/{i}", title=f"T{i}")
        for i in range(7)
    ]
    (block,) = fmt.source_blocks(_Result(many[0], "openai", None, articles=tuple(many)))
    lines = block["elements"][0]["text"].split("\n")
    assert len(lines) == 6 and lines[-1] == "…and 2 more"


# --- errors -----------------------------------------------------------------------------------


def test_error_payload_explains_and_suggests() -> None:
    payload = slack_payloads.error_payload(
        NotAnArticle("That page has <no> article text.", url="https://x")
    )
    assert "That page has &lt;no&gt; article text." in payload["text"]
    assert "paste its text" in payload["text"]
    assert slack_payloads.payload_problems(payload) == []
    assert "Try again" in fmt.error_text(LLMTimeout("The model did not answer in time."))
    assert fmt.error_text(ArticlebotError("Plain.")) == ":warning: Plain."


def test_each_error_says_what_to_do_once_and_only_what_fits() -> None:
    """The next step is said once (a paywall's message already says to paste the text, a
    shared image's what the bot reads), a hint about pages only follows a page read from a
    link, and a name that doesn't resolve (a typo, most often) says to check the link."""
    from bot.ingest.fetch import _status_error
    from bot.ingest.sniff import unsupported
    from bot.ingest.ssrf import check_url

    paywall = fmt.error_text(_status_error(403, "https://news.example/story"))
    assert paywall.lower().count("past") == 1  # paste, pasting
    lost = NotAnArticle("I no longer have that article; please send the link or paste it again.")
    assert fmt.error_text(lost) == f":warning: {lost}"
    empty_page = fmt.error_text(NotAnArticle("That page is empty.", url="https://x.example/a"))
    assert empty_page == f":warning: That page is empty.\n{fmt.PAGE_HINT}"
    file_kind = fmt.error_text(unsupported("image/png"))  # a shared file's says it already
    assert file_kind.count("web pages") == 1
    link_kind = fmt.error_text(unsupported("image/png", url="https://x.example/a.png"))
    assert link_kind.count("web pages") == 1
    with pytest.raises(ArticlebotError) as err:
        check_url("https://no-such-site.example/story", resolver=_no_address)
    assert fmt.error_text(err.value).endswith("\nCheck the link for typos.")


def _no_address(host: str) -> list[str]:
    raise OSError("Name or service not known")


def test_a_blocked_link_tells_a_slack_user_who_can_open_an_intranet_site() -> None:
    """Slack users don't run the bot: no setting names; and the allowlist only where an
    intranet site can be (a private network), never for loopback or cloud metadata."""
    private = check_url_error("http://10.0.0.7/wiki")
    assert fmt.INTRANET_HINT in fmt.error_text(private)
    assert "public web pages" not in fmt.error_text(private)
    metadata = check_url_error("http://169.254.169.254/latest/meta-data/")
    text = fmt.error_text(metadata)
    assert "public web pages" in text and fmt.INTRANET_HINT not in text
    assert "FETCH_ALLOWLIST" not in text + fmt.error_text(private)


def check_url_error(link: str) -> BlockedAddress:
    from bot.ingest.ssrf import check_url

    with pytest.raises(BlockedAddress) as err:
        check_url(link)
    return err.value


def test_unexpected_errors_never_leak_details() -> None:
    text = fmt.error_text(RuntimeError("token xoxb-123 at /srv/app.py line 9"))
    assert "xoxb" not in text and "app.py" not in text
    assert fmt.UNEXPECTED in text


# --- manifest ---------------------------------------------------------------------------------

MANIFEST = Path(__file__).resolve().parent.parent / "manifest.json"


def test_manifest_is_valid_and_lists_what_the_listeners_need() -> None:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    features = manifest["features"]
    commands = {command["command"]: command for command in features["slash_commands"]}
    assert set(commands) == {"/summarize", "/ask", "/articlebot"}
    assert all(command["usage_hint"] and command["description"] for command in commands.values())
    shortcuts = {s["callback_id"]: s for s in features["shortcuts"]}
    assert shortcuts["summarize_message"]["type"] == "message"
    assert shortcuts["summarize_message"]["name"] == "Summarize article"
    assert features["assistant_view"]["assistant_description"]
    assert features["app_home"]["home_tab_enabled"] is True  # channel settings live there

    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    events = set(settings["event_subscriptions"]["bot_events"])
    assert events == {
        "app_mention",
        "message.im",
        "message.channels",
        "message.groups",
        "message.mpim",
        "assistant_thread_started",
        "assistant_thread_context_changed",
        "app_home_opened",
        "app_uninstalled",  # no scope: every app gets them (bot.slack.listeners.lifecycle)
        "tokens_revoked",
    }
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # Each event needs its scope; each scope must be justified in bot/slack/__init__.py.
    needed = {"app_mentions:read", "im:history", "channels:history", "groups:history"}
    assert needed | {"mpim:history", "assistant:write", "commands", "chat:write"} <= scopes
    assert "users:read" in scopes  # users.info: who is an admin (SETTINGS_ADMINS_ONLY)
    import bot.slack

    assert all(scope in (bot.slack.__doc__ or "") for scope in scopes)


# --- the notification fallback and long replies -----------------------------------------------


def test_fallback_text_reads_without_markdown_marks_and_links_show_their_domain() -> None:
    markdown = (
        "## Summary\n**Bridge** reopens after [repairs](https://example.com/x), see "
        "[bank.com](https://evil.example/x) and [example.org](https://example.org/).\n\n"
        "- The repairs took *18 months*.\n- Cyclists get `their own` lane.\n\n"
        "**What was said**\n1. ~~Nothing~~ Little."
    )
    assert fmt.fallback_text(markdown) == (
        "Summary: Bridge reopens after repairs (example.com), see bank.com (evil.example) "
        "and example.org. • The repairs took 18 months. • Cyclists get their own lane. "
        "What was said 1. Nothing Little."
    )
    unsafe = "Costs <3 & more, [x](javascript:alert(1))"
    assert fmt.fallback_text(unsafe) == "Costs &lt;3 &amp; more, x"


def test_a_shortened_text_ends_with_one_ellipsis() -> None:
    # A recap quotes a message it shortened ("growing…"); the cut after it adds none.
    text = "- The debate keeps growing… and growing and growing"
    assert fmt.fallback_text(text, 29) == "• The debate keeps growing…"
    assert fmt.fallback_text("Wait... and see what comes next", 12) == "Wait…"


def test_fallback_text_stays_within_its_limit_after_escaping() -> None:
    fallback = fmt.fallback_text("A & B < C > D " * 40)
    assert len(fallback) <= fmt.FALLBACK_CHARS and fallback.endswith("…")


def test_each_part_but_the_last_says_the_reply_continues_and_where() -> None:
    footer = [{"type": "context_actions", "elements": []}]
    assert fmt.part_blocks(1, 1, footer) == footer  # a whole reply: just the footer

    def said(blocks: list[fmt.Block]) -> str:
        return blocks[0]["elements"][0]["text"]

    assert said(fmt.part_blocks(1, 3, footer, rest_in_thread=True)) == (
        ":thread: Continued in the thread (1/3)"
    )
    assert said(fmt.part_blocks(1, 3, footer)) == ":arrow_down: Continued below (1/3)"
    assert said(fmt.part_blocks(2, 3, footer, rest_in_thread=True)).endswith("below (2/3)")
    last = fmt.part_blocks(3, 3, footer)
    assert said(last) == "End of the reply (3/3)" and last[1:] == footer


def test_split_after_keeps_what_a_stream_showed_as_the_first_part() -> None:
    intro = "An intro paragraph."
    items = "\n".join(f"- Item {i}: words about item {i}." for i in range(30))
    text = f"{intro}\n\n{items}"
    assert fmt.split_message(text, 300)[0] == intro  # the plain split ends part 1 early
    head = text[: text.index("\n- Item 5:")]
    parts = fmt.split_after(text, head, 300)
    assert parts[0] == head and parts[1].startswith("- Item 5:")
    assert all(len(p) <= 300 for p in parts) and "\n".join(parts).split() == text.split()
    # Not at a line break, not the text's start, or in open code: the plain split.
    assert fmt.split_after(text, head[:-3], 300) == fmt.split_message(text, 300)
    assert fmt.split_after("x" + text, head, 300) == fmt.split_message("x" + text, 300)
    code = f"{intro}\n\n```\n{items}\n```"
    cut = code[: code.index("\n- Item 5:")]
    assert fmt.split_after(code, cut, 300) == fmt.split_message(code, 300)


def test_a_fallback_says_once_that_the_model_did_not_answer() -> None:
    from bot.engines.wording import FALLBACK_NOTICE
    from bot.offline.results import SUMMARY_LABEL

    pasted = Article.from_paragraphs(["Some pasted text."], source_kind="text")
    (block,) = fmt.source_blocks(_Result(pasted, "offline", SUMMARY_LABEL, FALLBACK_NOTICE))
    said = [element["text"] for element in block["elements"]][1:]
    assert said == [":robot_face: Offline summary (extractive): the AI model didn't answer"]
    other = "The offline engine can't write the 'haiku' style."
    (block,) = fmt.source_blocks(_Result(pasted, "offline", None, f"{FALLBACK_NOTICE} {other}"))
    said = [element["text"] for element in block["elements"]][1:]
    assert said == [
        ":robot_face: Offline engine (extractive): the AI model didn't answer",
        f":information_source: {other}",
    ]
