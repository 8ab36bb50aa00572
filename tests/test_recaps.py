"""Thread recaps, the pure parts: which requests are recaps (bot.llm.recaps), how a recap's
citations become links, the offline recap (bot.offline.recap), reading a thread's
markup and finding its article (bot.slack.threads), and routing a recap request."""

from __future__ import annotations

import pytest

from bot.engines.recap import write_recap
from bot.llm.recaps import (
    Said,
    cited,
    discussion_text,
    fit_discussion,
    link_citations,
    recap_instructions,
)
from bot.offline.recap import NONE_FOUND, RECAP_LABEL, recap
from bot.pipeline import Pipeline
from bot.slack import routing, tasks
from bot.slack.listeners.recap import thread_of
from bot.slack.memory import ThreadMemory
from bot.slack.routing import Incoming, plan
from bot.slack.threads import discussion, find_article, plain_text
from bot.store import ArticleRef
from tests.servers.fake_openai import Reply, fake_openai_server  # noqa: F401

# --- which requests are recaps ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "wishes"),
    [
        ("recap", ""),
        ("<@U0BOT> recap", ""),
        ("Recap please!", ""),
        ("recap this thread", ""),
        ("can you recap the discussion so far?", ""),
        ("sum up the discussion", ""),
        ("summarize this thread for Dana", "for Dana"),
        ("tl;dr of the thread", ""),
        ("tl/dr of the thread", ""),  # the one spelling of links.TLDR, as the paste lead reads it
        ("TL DR the discussion", ""),
        ("what did we decide?", ""),
        ("catch me up", ""),
        ("recap in French", "in French"),
        ("résume la discussion", ""),
    ],
)
def test_requests_for_a_recap_of_the_discussion(text, wishes):
    assert recap_instructions(text) == wishes


@pytest.mark.parametrize(
    "text",
    [
        "recap the article",  # the article: a summary (bot.llm.followups)
        "recap it",
        "summarize it",
        "recap the costs of the bridge",  # a question about the article
        "who paid for the repairs?",
        "thanks!",
        "the recap meeting is at 3",
    ],
)
def test_other_messages_are_not_recap_requests(text):
    assert recap_instructions(text) is None


# --- citations --------------------------------------------------------------------------------


def test_citations_become_links_and_made_up_ones_disappear():
    text = "- Costs came up [m3]\n- Two said so [m3, m5]\n- Invented [m99]"
    assert cited(text) == ["m3", "m5", "m99"]
    links = {"m3": "[a.slack.com](https://a.slack.com/p3)", "m5": "[a.slack.com](https://a/p5)"}
    assert link_citations(text, links) == (
        "- Costs came up ([a.slack.com](https://a.slack.com/p3))\n"
        "- Two said so ([a.slack.com](https://a.slack.com/p3), [a.slack.com](https://a/p5))\n"
        "- Invented"
    )


def test_the_prompts_discussion_names_people_and_leaves_out_the_bots_text():
    text = discussion_text(
        [Said("m1", "Read this https://x.test/a", "Alice"), Said("m2", "SECRET", None, True)]
    )
    assert "[m1] Alice: Read this https://x.test/a" in text
    assert "[m2] articlebot:" in text and "SECRET" not in text


# --- the offline recap ------------------------------------------------------------------------

THREAD = [
    Said("m1", "Worth a read: https://news.test/story", "Alice"),
    Said("m2", "**Bridge reopens** - lots of text the bot wrote", None, from_bot=True),
    Said("m3", "The repairs on the bridge cost 14 million, a lot for two years of work.", "Bob"),
    Said("m4", "Who will pay for the extra lorry inspections?", "Carol"),
    Said("m5", "The bridge repairs were overdue anyway; the old deck was unsafe.", "Alice"),
    Said("m6", "Did the council publish the repair budget?", "Bob"),
    Said("m7", "Yes, the council published the repair budget in March.", "Dan"),
    Said("m8", "We decided to cover the bridge story in Friday's newsletter.", "Dan"),
    Said("m9", "thanks!", "Carol"),
]


def _section(text: str, title: str) -> str:
    start = text.index(f"**{title}**")
    end = text.find("\n\n**", start)
    return text[start : end if end >= 0 else None]


def test_offline_recap_finds_the_open_question_the_decision_and_what_was_said():
    written = recap(THREAD)
    open_questions = _section(written.text, "Open questions")
    assert "Carol: Who will pay for the extra lorry inspections? [m4]" in open_questions
    assert "repair budget" not in open_questions  # Dan answered Bob's question
    assert "Dan: We decided to cover the bridge story in Friday's newsletter. [m8]" in (
        _section(written.text, "Decisions")
    )
    said = _section(written.text, "What was said")
    assert "[m3]" in said and "[m5]" in said
    assert "lots of text the bot wrote" not in written.text  # the bot's reply isn't repeated
    assert "articlebot replied once" in said and "[m2]" in said
    assert "thanks" not in written.text
    assert written.label == RECAP_LABEL


def test_offline_recap_of_a_quiet_thread_says_so():
    written = recap([Said("m1", "https://news.test/story", "Alice")])
    assert _section(written.text, "Open questions").endswith(NONE_FOUND)
    assert _section(written.text, "Decisions").endswith(NONE_FOUND)


def test_a_question_the_bot_answered_right_after_is_not_open():
    thread = [
        Said("m1", "Who cut the ribbon at the bridge?", "Alice"),
        Said("m2", "Ana Ruiz did.", None, from_bot=True),
    ]
    assert _section(recap(thread).text, "Open questions").endswith(NONE_FOUND)


# --- reading a thread -------------------------------------------------------------------------


def test_slack_markup_becomes_plain_text_and_never_a_live_mention():
    text = "<@U1> see <https://x.test/a|the story> &amp; <!here> in <#C1|news>"
    expected = "@Bob see the story (https://x.test/a) & @here in #news"
    assert plain_text(text, {"U1": "Bob"}) == expected
    assert plain_text("<@U9>") == "@someone"


def _msg(ts: str, text: str, user: str = "U1", **extra: object) -> dict:
    return {"type": "message", "ts": ts, "user": user, "text": text, **extra}


def test_the_thread_start_carries_the_article_else_the_latest_link_shared():
    start = _msg("1.0", "look <https://news.test/story>")
    later = [_msg("1.1", "hm"), _msg("1.2", "also <https://news.test/other>")]
    assert find_article([start, *later], "U0BOT").parsed.urls == ("https://news.test/story",)
    no_link_start = [_msg("1.0", "did you see the news?"), _msg("1.1", "which?"), *later[1:]]
    found = find_article(no_link_start, "U0BOT")
    assert found is not None and found.parsed.urls == ("https://news.test/other",)
    assert found.ts == "1.2"
    bot_source_line = _msg("1.3", "summary <https://news.test/x|news.test>", user="U0BOT")
    assert find_article([_msg("1.0", "hi"), bot_source_line], "U0BOT") is None


def test_the_discussion_numbers_messages_by_position_and_skips_recap_requests():
    messages = [
        _msg("1.0", "look <https://news.test/story>", user_profile={"display_name": "Alice"}),
        _msg("1.1", "the summary", user="U0BOT"),
        _msg("1.2", "<@U0BOT> recap"),
        _msg("1.3", "<@U1> who pays?", user="U2"),
    ]
    said = discussion(messages, "U0BOT")
    assert [(s.ref, s.author, s.from_bot) for s in said] == [
        ("m1", "Alice", False),
        ("m2", None, True),
        ("m4", None, False),
    ]
    assert said[2].text == "@Alice who pays?"


# --- routing ----------------------------------------------------------------------------------

BOT = "U0BOT"
STORY = ArticleRef("hash-story", "https://news.test/story", "Bridge reopens")


def _mention(text: str, memory: ThreadMemory, **fields: object) -> routing.Action:
    event = {
        "type": "app_mention",
        "channel": "C1",
        "user": "U0ALICE",
        "text": f"<@{BOT}> {text}",
        "ts": "1800000000.5",
        **fields,
    }
    return plan(Incoming.from_event("mention", event, {"team_id": "T1"}, BOT), memory)


def test_recap_in_a_thread_is_a_recap_job_and_summarize_it_still_summarizes_the_article():
    memory = ThreadMemory(engaged=True, articles=(STORY,))
    action = _mention("recap in French", memory, thread_ts="1800000000.1")
    assert isinstance(action, tasks.RecapThread)
    assert action.instructions == "in French" and action.bot_user_id == BOT
    assert action.dest.thread_ts == "1800000000.1" and not action.engages_thread
    assert tasks.loads(tasks.dumps(action)) == action
    summary = _mention("summarize it", memory, thread_ts="1800000000.1")
    assert isinstance(summary, tasks.SummarizeRef)
    # Outside a thread there's no discussion to recap.
    assert not isinstance(_mention("recap", ThreadMemory()), tasks.RecapThread)


def test_a_long_discussion_keeps_its_start_and_its_latest_messages():
    messages = [Said(f"m{i}", f"message number {i} " * 5, "Bob") for i in range(1, 21)]
    words = lambda text: len(text.split())  # noqa: E731
    kept, left_out = fit_discussion(messages, 60, words)
    assert kept[0].ref == "m1" and kept[-1].ref == "m20"
    assert left_out == 20 - len(kept) and left_out > 0
    assert words(discussion_text(kept)) <= 60
    assert fit_discussion(messages[:2], 60, words) == (messages[:2], 0)


def test_the_thread_a_shortcut_points_at():
    assert thread_of({"ts": "1.2", "thread_ts": "1.0"}) == "1.0"  # a reply
    assert thread_of({"ts": "1.0", "thread_ts": "1.0", "reply_count": 3}) == "1.0"  # its parent
    assert thread_of({"ts": "1.0", "reply_count": 2}) == "1.0"
    assert thread_of({"ts": "1.0"}) is None  # a lone message


def test_an_empty_recap_from_the_model_is_written_offline_but_still_counted(fake_openai):
    fake_openai.default = Reply("", usage=(900, 3))
    written = write_recap(Pipeline(fake_openai.settings(llm_max_retries=0)), THREAD)
    assert written.engine == "offline" and written.notice
    assert (written.usage.requests, written.usage.total_tokens) == (1, 903)
