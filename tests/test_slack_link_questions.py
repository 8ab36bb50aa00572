"""A link sent with a question ("@articlebot <link> Who paid for it?") is answered from that
article, as `/ask <link> …` is, in mentions, DMs and `/summarize`; the thread remembers the
article for the follow-ups. Summary wishes with a link ("in 3 bullets", "can you summarize
<link>?") stay summaries.

Protocol level: signed events over real HTTP into the app, the fake Slack Web API recording
what is posted where, the local article server, the offline engine or the fake OpenAI server.
"""

from __future__ import annotations

import pytest

from tests.servers.fake_openai import Reply
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import model_harness, text_of

pytestmark = pytest.mark.timeout(90)

DM = "D0ALICE"


def _final_text(slack: FakeSlack, count: int = 1) -> str:
    stops = slack.wait_for("chat.stopStream", count=count, timeout=30)
    return slack.streamed_text(stops[count - 1].params["ts"])


def test_a_mention_with_a_link_and_a_question_is_answered_then_followed_up(
    slack, model, articles, tmp_path
):
    with model_harness(slack, model, tmp_path, llm_timeout=30) as bot:
        model.default = Reply("The city paid: 14 million euros.")
        thread = "1800000030.000100"
        bot.mention(f"<{articles.url('/story')}> Who paid for the repairs?", ts=thread)
        answer = _final_text(slack)
        bot.idle()
        asked = model.user_prompt()
        # The answer prompt, with the question and the article; not a summary "couldn't follow".
        assert "<question>" in asked and "Who paid for the repairs?" in asked
        assert "14 million euros" in asked  # the article's text reached the model
        assert "The city paid" in answer

        # The thread remembers the article: a follow-up without a mention is answered from it.
        model.default = Reply("Cyclists get a protected lane.")
        bot.message("What changes for cyclists?", ts="1800000030.000200", thread_ts=thread)
        follow_up = _final_text(slack, count=2)
        bot.idle()
    assert (
        "<question>" in model.user_prompt() and "What changes for cyclists?" in model.user_prompt()
    )
    assert "protected lane" in model.user_prompt()  # the same article, remembered
    assert "protected lane" in follow_up


def test_a_question_before_the_link_in_a_dm_is_answered(slack, model, articles, tmp_path):
    with model_harness(slack, model, tmp_path, llm_timeout=30) as bot:
        model.default = Reply("The city paid.")
        bot.message(
            f"Wer hat die Reparatur bezahlt? <{articles.url('/story')}>",
            ts="1800000031.000100",
            channel=DM,
            channel_type="im",
        )
        answer = text_of(bot.wait_for_update()[0])  # a DM's reply is a message, not a stream
        bot.idle()
    assert "The city paid." in answer
    assert "<question>" in model.user_prompt()
    assert "Wer hat die Reparatur bezahlt?" in model.user_prompt()


@pytest.mark.parametrize(
    "text",
    [
        "can you summarize {link}?",
        "{link} in 3 bullets?",
        "summarize this: {link}",
        "{link} kannst du das zusammenfassen?",
    ],
)
def test_summary_requests_with_a_link_stay_summaries(slack, model, articles, tmp_path, text):
    with model_harness(slack, model, tmp_path, llm_timeout=30) as bot:
        model.default = Reply("- The bridge reopened.")
        bot.mention(text.format(link=f"<{articles.url('/story')}>"), ts="1800000032.000100")
        _final_text(slack)
        bot.idle()
    assert "<question>" not in model.user_prompt()


def test_offline_a_link_with_a_question_gets_the_answer_not_a_summary(bot, articles):
    bot.mention(f"<{articles.url('/story')}> How much did the repairs cost?", ts="1800000033.1")
    answer = _final_text(bot.slack)
    assert "14 million euros" in answer
    assert "couldn't follow" not in answer
    assert "Cyclists" not in answer  # one answer, not the article's summary


def test_summarize_command_with_a_question_answers_it(bot, articles):
    status, _ = bot.command("/summarize", f"{articles.url('/story')} How much did it cost?")
    assert status == 200
    shown = text_of(bot.wait_for_update()[0])
    assert "asked: How much did it cost?" in shown
    assert "14 million euros" in shown and "couldn't follow" not in shown


def test_summarize_command_help_says_a_question_is_answered(bot):
    _, body = bot.command("/summarize", "help")
    assert "who paid for it?` answers the question" in body
