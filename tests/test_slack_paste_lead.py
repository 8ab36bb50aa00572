"""An instruction typed before a pasted article, through the fake Slack (issue: "tldr
<article>" took the headline for the instruction), and /summarize of a few words."""

from __future__ import annotations

import json

import pytest

from bot.errors import NOT_ARTICLE_MESSAGES
from tests.servers.fake_openai import Reply
from tests.servers.slack_app import model_harness

pytestmark = pytest.mark.timeout(60)

HEADLINE = "City council approves new river bridge after years of delay"
ARTICLE = f"""{HEADLINE}

By Jane Porter, Riverside Gazette, 12 March 2024

The Riverside city council voted 7 to 2 on Tuesday to approve construction of a new pedestrian and cycle bridge over the Ash River, ending nearly a decade of debate about how to connect the old town with the growing eastern districts.

The bridge will cost 42 million euros, of which 30 million will come from a regional transport grant and the rest from the city's own budget. Construction is expected to start in September and take about 18 months.

Mayor Lena Hoffmann called the vote "a turning point for how people move around this city". She said the bridge would cut the walk from the eastern districts to the central station from 35 minutes to about 12.

Not everyone is pleased. Councillor Marcus Webb, who voted against the plan, argued that the money would be better spent on repairing the existing road bridge, which engineers rated as "poor" in a 2022 inspection. "We are building something new while the old bridge crumbles," he said.

Local cycling groups welcomed the decision. The Riverside Cycling Association said the new bridge would finally give cyclists a safe route across the river, separated from car traffic. Its chair, Tom Albers, said membership had doubled since 2019.

The design, by the Rotterdam firm Vos Architects, features a single curved steel arch and a deck 6 metres wide. Lighting will be built into the handrails to reduce light pollution over the river, which is home to a protected colony of kingfishers.
"""  # noqa: E501


BODY = ARTICLE.split("\n\n", 2)[2]  # the article without its headline and byline


def _reply(bot) -> tuple[str, str]:
    """(the summary's text, its source line) of the one final reply."""
    (update,) = bot.wait_for_update()
    blocks = update.params["blocks"]
    summary = "\n".join(b.get("text", "") for b in blocks if b["type"] == "markdown")
    context = [b for b in blocks if b["type"] == "context"]
    source = json.dumps(context[-1], ensure_ascii=False)
    return summary, source


def _bullets(summary: str) -> list[str]:
    return [line for line in summary.splitlines() if line.lstrip().startswith(("- ", "• "))]


def test_tldr_before_a_paste_is_the_style_and_the_headline_stays_the_title(bot):
    status, body = bot.command("/summarize", "tldr " + ARTICLE)
    assert (status, body) == (200, "")
    summary, source = _reply(bot)
    assert f"*{HEADLINE}*" in source and "Pasted text" not in source
    assert "couldn't follow" not in summary + source
    assert _bullets(summary) == [] and summary.count(". ") <= 2  # a tldr, not bullets


def test_a_count_before_a_paste_is_followed_and_kept_out_of_the_title(bot):
    bot.command("/summarize", "in 3 bullets " + ARTICLE)
    summary, source = _reply(bot)
    assert f"*{HEADLINE}*" in source and "in 3 bullets" not in source
    assert len(_bullets(summary)) == 3


def test_detailed_before_a_paste_gives_the_detailed_summary(bot):
    bot.command("/summarize", "detailed " + ARTICLE)
    summary, source = _reply(bot)
    assert f"*{HEADLINE}*" in source
    assert "Key points" in summary  # the detailed style's sections


def test_an_instruction_the_offline_engine_cant_follow_is_named_exactly(bot):
    bot.command("/summarize", "tldr in Spanish " + ARTICLE)
    summary, source = _reply(bot)
    assert f"*{HEADLINE}*" in source
    assert "couldn't follow “in Spanish”" in summary + source
    assert HEADLINE not in summary.split("couldn't follow")[-1][:80]


def test_more_bullets_than_a_short_article_has_are_said_in_the_reply(bot):
    short = "\n\n".join(ARTICLE.split("\n\n")[:5])  # headline, byline, 5 sentences
    bot.command("/summarize", "in 10 bullets " + short)
    summary, source = _reply(bot)
    assert len(_bullets(summary)) == 5
    said = "You asked for 10 bullets, but the article only has 5 sentences worth listing."
    assert said in summary + source


def test_a_headline_starting_with_a_style_word_is_left_whole(bot):
    headline = "Detailed plans for the river bridge unveiled"
    bot.command("/summarize", f"{headline}\n\n{BODY}")
    summary, source = _reply(bot)
    assert f"*{headline}*" in source
    assert "Key points" not in summary and _bullets(summary)  # the default bullets


def _streamed(bot) -> tuple[str, str]:
    """(the summary's text, its source line) of a reply streamed into a mention's thread."""
    (stop,) = bot.slack.wait_for("chat.stopStream", timeout=20)
    bot.idle()
    appended = bot.slack.calls("chat.appendStream")
    summary = "".join(c.params.get("markdown_text", "") for c in appended)
    return summary, json.dumps(stop.params["blocks"], ensure_ascii=False)


def test_a_mention_with_tldr_before_a_paste(bot):
    assert bot.mention("tldr " + ARTICLE, ts="1700000000.000300")[0] == 200
    summary, source = _streamed(bot)
    assert f"*{HEADLINE}*" in source and "Pasted text" not in source
    assert _bullets(summary) == [] and "couldn't follow" not in summary + source


def test_the_model_gets_the_tldr_template_and_no_headline_as_instructions(slack, tmp_path):
    from tests.servers.fake_openai import FakeOpenAI

    with FakeOpenAI() as model:
        model.default = Reply("The council approved a 42 million euro bridge.")
        with model_harness(slack, model, tmp_path) as bot:
            bot.command("/summarize", "tldr " + ARTICLE)
            bot.wait_for_update()
        system, user = model.system_prompt(), model.user_prompt()
    assert "TL;DR" in system
    assert HEADLINE in user and f"tldr {HEADLINE}" not in user
    assert "<instructions>" not in user or HEADLINE not in user.split("<instructions>")[1][:200]


def test_a_style_from_the_prompts_folder_before_a_paste_in_a_mention(slack, tmp_path):
    """PROMPTS_DIR's summary_eli5.yaml is a style wherever a style may be named: before a
    paste in a mention as in /summarize, and /summarize eli5 alone asks which article."""
    from tests.servers.fake_openai import FakeOpenAI
    from tests.test_cli_llm import ELI5

    folder = tmp_path / "prompts"
    folder.mkdir()
    (folder / "summary_eli5.yaml").write_text(ELI5, encoding="utf-8")
    with FakeOpenAI() as model:
        model.default = Reply("A town will build a new bridge.")
        with model_harness(slack, model, tmp_path, prompts_dir=str(folder)) as bot:
            assert bot.command("/summarize", "eli5")[1].startswith("Which article?")
            assert bot.mention("eli5 " + ARTICLE, ts="1700000000.000300")[0] == 200
            bot.slack.wait_for("chat.stopStream", timeout=20)
            bot.idle()
        system, user = model.system_prompt(), model.user_prompt()
    assert system.startswith("Explain this article as if to a five-year-old")
    assert f"Title: {HEADLINE}" in user and "eli5" not in user


def test_a_style_from_the_prompts_folder_before_a_paste_in_a_shortcut(slack, tmp_path):
    """ "Summarize this message" on "eli5 <article>": the same style as in a mention."""
    from tests.servers.fake_openai import FakeOpenAI
    from tests.test_cli_llm import ELI5

    folder = tmp_path / "prompts"
    folder.mkdir()
    (folder / "summary_eli5.yaml").write_text(ELI5, encoding="utf-8")
    with FakeOpenAI() as model:
        model.default = Reply("A town will build a new bridge.")
        with model_harness(slack, model, tmp_path, prompts_dir=str(folder)) as bot:
            message = {"type": "message", "user": "U0BOB", "text": "eli5 " + ARTICLE}
            bot.interactive(
                {
                    "type": "message_action",
                    "callback_id": "summarize_message",
                    "trigger_id": "trig",
                    "team": {"id": "T0TEST"},
                    "user": {"id": "U0ALICE"},
                    "channel": {"id": "C0NEWS"},
                    "response_url": bot.slack.response_url(),
                    "message_ts": "1700000010.000200",
                    "message": {**message, "ts": "1700000010.000200"},
                }
            )
            bot.slack.wait_for("chat.stopStream", timeout=20)
            bot.idle()
        system, user = model.system_prompt(), model.user_prompt()
    assert system.startswith("Explain this article as if to a five-year-old")
    assert "eli5" not in user


# --- /summarize with a few words: why, and how to ask -----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "asdf qwer zxcv ;;; !!! 1234 lorem",
        "The council voted on Tuesday. It approved the bridge. Work starts in September.",
    ],
)
def test_a_few_words_are_refused_with_the_reason_in_the_ack(bot, text):
    status, body = bot.command("/summarize", text)
    assert status == 200
    assert NOT_ARTICLE_MESSAGES["too_short"] in body
    assert "/summarize <link>" in body and "How to use" not in body
    bot.idle()
    assert [c.method for c in bot.slack.calls() if c.method != "auth.test"] == []


@pytest.mark.parametrize("text", ["", "help", "  HELP "])
def test_empty_or_help_gets_the_help(bot, text):
    status, body = bot.command("/summarize", text)
    assert status == 200 and "How to use /summarize" in body
    assert NOT_ARTICLE_MESSAGES["too_short"] not in body


@pytest.mark.parametrize("text", ["ftp://x/y", "ftp://x/y in 3 bullets"])
def test_a_link_with_another_scheme_is_told_to_start_with_https(bot, text):
    # It was told "only a few words… nothing to summarize", as if no link had been typed.
    # ("example.com/story" is opened: tests/test_slack_typed_links.py.)
    status, body = bot.command("/summarize", text)
    assert status == 200
    assert "start with https://" in body and "`/summarize https://example.com/story`" in body
    assert NOT_ARTICLE_MESSAGES["too_short"] not in body
    bot.idle()
    assert [c.method for c in bot.slack.calls() if c.method != "auth.test"] == []


def test_a_slack_server_loads_the_language_names_before_its_first_ack(slack, tmp_path):
    # The first "/summarize in Spanish …" loaded Babel's CLDR data in the ack (0.3 s).
    from bot.ingest import links
    from bot.slack import runtime
    from tests.servers.slack_app import harness_settings

    links.language_names.cache_clear()
    runtime.server_services(harness_settings(slack, tmp_path))
    try:
        assert links.language_names.cache_info().currsize == 1
    finally:
        runtime.drain(timeout=5)


def test_a_job_runner_loads_the_language_names_before_its_first_job(slack, tmp_path, monkeypatch):
    # A thread recap reads every pasted message's lead: the first one paid for Babel's data.
    from bot.ingest import links
    from bot.slack import runtime
    from tests.servers.slack_app import harness_settings

    monkeypatch.setattr(runtime.os, "nice", lambda _: 0)  # not this test process's priority
    links.language_names.cache_clear()
    runtime.job_runner(harness_settings(slack, tmp_path))
    assert links.language_names.cache_info().currsize == 1
