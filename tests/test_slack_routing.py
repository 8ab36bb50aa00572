"""Which messages the bot answers, and how (bot.slack.routing.plan): plain event dicts and
plain memory in, one Action out. No Slack, no store."""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack import routing, tasks
from bot.slack.memory import ThreadMemory
from bot.slack.routing import Ignore, Incoming, plan
from bot.store import ArticleRef

BOT = "U0BOT"
USER = "U0ALICE"
TOP = "1800000000.000100"
STORY = ArticleRef("hash-story", "https://news.test/story", "Bridge reopens")
OTHER = ArticleRef("hash-other", "https://news.test/other", "River cleanup")
ENGAGED = ThreadMemory(engaged=True, participants=frozenset({USER}), articles=(STORY,))
EMPTY = ThreadMemory()


def _event(text: str, **fields: Any) -> dict[str, Any]:
    event = {"type": "message", "channel": "C1", "user": USER, "text": text, "ts": "1800000000.5"}
    event.update(fields)
    return event


def mention(text: str, memory: ThreadMemory = EMPTY, **fields: Any) -> routing.Action:
    event = _event(f"<@{BOT}> {text}", type="app_mention", **fields)
    return plan(Incoming.from_event("mention", event, {"team_id": "T1"}, BOT), memory)


def message(
    text: str, memory: ThreadMemory = EMPTY, *, auto: tuple[str, ...] = (), **fields: Any
) -> routing.Action:
    incoming = Incoming.from_event("message", _event(text, **fields), {"team_id": "T1"}, BOT)
    return plan(incoming, memory, auto_channels=auto)


def dm(text: str, memory: ThreadMemory = EMPTY, **fields: Any) -> routing.Action:
    return message(text, memory, channel="D1", channel_type="im", **fields)


# --- mentions -------------------------------------------------------------------------------


def test_a_mention_with_a_link_is_summarized_in_a_new_thread_under_it():
    action = mention("<https://news.test/story> in 3 bullets")
    assert isinstance(action, tasks.Summarize) and action.engages_thread
    assert action.parsed.urls == ("https://news.test/story",)
    assert action.parsed.instruction == "in 3 bullets"
    assert action.dest.thread_ts == "1800000000.5" and action.dest.team == "T1"


def test_a_mention_with_a_pasted_article_is_summarized():
    paste = "The bridge reopened on Monday after 18 months of repairs. " * 12
    action = mention(paste)
    assert isinstance(action, tasks.Summarize) and action.parsed.kind == "paste"


def test_a_style_named_before_a_paste_is_one_the_registry_has_not_only_a_built_in():
    # PROMPTS_DIR's summary_eli5.yaml makes "eli5" a style, as it does for /summarize.
    paste = "eli5 " + "The bridge reopened on Monday after 18 months of repairs. " * 12
    styles = ("bullets", "detailed", "eli5", "tldr")
    in_a_mention = _event(f"<@{BOT}> {paste}", type="app_mention")
    in_a_dm = _event(paste, channel="D1", channel_type="im")
    for incoming in (
        Incoming.from_event("mention", in_a_mention, {"team_id": "T1"}, BOT),
        Incoming.from_event("message", in_a_dm, {"team_id": "T1"}, BOT),
    ):
        action = plan(incoming, EMPTY, styles=styles)
        assert isinstance(action, tasks.Summarize) and action.parsed.kind == "paste"
        assert action.parsed.style == "eli5" and action.parsed.text.startswith("The bridge")


def test_a_mention_with_a_file_is_summarized_even_without_text():
    pdf = {"id": "F1", "mimetype": "application/pdf", "url_private": "https://files.test/a.pdf"}
    action = mention("", files=[pdf], subtype="file_share")
    assert isinstance(action, tasks.Summarize) and action.files == (pdf,)


def test_a_bare_mention_gets_the_help_text_and_engages_nothing():
    action = mention("")
    assert isinstance(action, tasks.Post) and action.text == routing.MENTION_HELP
    assert not action.engages_thread


def test_a_mention_asking_how_to_use_the_bot_gets_channel_help_but_not_inside_a_thread():
    asked = mention("how do I use you in channels?")
    assert isinstance(asked, tasks.Post) and asked.text == routing.CHANNEL_HELP
    in_thread = mention("how do I use you in channels?", ENGAGED, thread_ts=TOP)
    assert isinstance(in_thread, tasks.Ask)  # in an article's thread, it's about the article


def test_a_new_mention_question_asks_about_the_channels_latest_article():
    action = mention("who cut the ribbon?", ThreadMemory(latest=OTHER))
    assert isinstance(action, tasks.Ask) and action.articles == (OTHER,)
    nothing = mention("who cut the ribbon?")
    assert isinstance(nothing, tasks.Post) and nothing.text == routing.NO_ARTICLE


# --- thread follow-ups ----------------------------------------------------------------------


def test_a_follow_up_in_an_engaged_thread_needs_no_mention():
    action = message("Who cut the ribbon?", ENGAGED, thread_ts=TOP)
    assert isinstance(action, tasks.Ask) and action.articles == (STORY,)
    assert action.dest.thread_ts == TOP and action.question == "Who cut the ribbon?"


def test_a_message_in_a_thread_the_bot_is_not_part_of_is_ignored():
    assert isinstance(message("Who cut the ribbon?", EMPTY, thread_ts=TOP), Ignore)


def test_a_mention_in_a_thread_never_takes_another_threads_article():
    seen = ThreadMemory(latest=OTHER)  # the channel's latest is another thread's
    action = mention("who cut the ribbon?", seen, thread_ts=TOP)
    assert isinstance(action, tasks.FromThreadStart) and action.request == "who cut the ribbon?"


def test_a_follow_up_while_the_threads_article_is_still_read_is_parked_with_the_thread():
    reading = ThreadMemory(engaged=True, participants=frozenset({USER}))
    action = message("what is this about?", reading, thread_ts=TOP)
    assert isinstance(action, tasks.ParkQuestion) and action.dest.thread_ts == TOP
    assert action.question == "what is this about?"


def test_a_message_mentioning_the_bot_is_left_to_the_app_mention_event():
    assert isinstance(message(f"<@{BOT}> who?", ENGAGED, thread_ts=TOP), Ignore)


@pytest.mark.parametrize("text", ["thanks!", "lol", ":+1:", "<@U0BOB> can you look at this?"])
def test_chatter_in_an_engaged_thread_is_ignored(text):
    assert isinstance(message(text, ENGAGED, thread_ts=TOP), Ignore)


def test_with_several_people_only_questions_are_for_the_bot():
    several = ThreadMemory(engaged=True, participants=frozenset({USER, "U0BOB"}), articles=(STORY,))
    assert isinstance(message("I think it was overpriced", several, thread_ts=TOP), Ignore)
    assert isinstance(message("the cost of the repairs", ENGAGED, thread_ts=TOP), tasks.Ask)
    assert isinstance(message("how much did it cost?", several, thread_ts=TOP), tasks.Ask)


def test_small_talk_with_a_mention_gets_a_word_back_and_summarize_it_summarizes():
    thanks = mention("thanks!", ENGAGED, thread_ts=TOP)
    assert isinstance(thanks, tasks.Post) and thanks.text.startswith("You're welcome!")
    assert not thanks.engages_thread
    again = message("summarize it in 3 bullets", ENGAGED, thread_ts=TOP)
    assert isinstance(again, tasks.SummarizeRef) and again.ref == STORY
    assert again.instructions == "in 3 bullets"


# --- DMs and the assistant view -------------------------------------------------------------


def test_a_dm_link_is_summarized_and_a_mention_of_the_bot_there_is_just_text():
    action = dm(f"<@{BOT}> <https://news.test/story>")
    assert isinstance(action, tasks.Summarize) and action.dest.dm
    assert action.dest.thread_ts is None  # a DM's reply is top level


def test_a_dm_question_is_about_the_dms_latest_article():
    action = dm("Who organised it?", ThreadMemory(latest=OTHER))
    assert isinstance(action, tasks.Ask) and action.articles == (OTHER,)


def test_a_dm_thanks_gets_no_reply_but_a_shared_file_does():
    assert isinstance(dm("thanks :pray:"), Ignore)
    pdf = {"id": "F1", "mimetype": "application/pdf"}
    assert isinstance(dm("thanks", files=[pdf], subtype="file_share"), tasks.Summarize)


def test_the_assistant_views_suggested_prompt_summarizes_the_last_article():
    payload = {"channel": "D1", "user": USER, "text": "Summarize the last article I shared"}
    payload |= {"ts": "1800000000.9", "thread_ts": TOP}
    own = ThreadMemory(articles=(STORY,), latest=OTHER)
    action = plan(Incoming.from_assistant(payload, {"team_id": "T1"}), own)
    assert isinstance(action, tasks.SummarizeRef) and action.ref == STORY
    assert action.dest.assistant and action.dest.thread_ts == TOP
    none = plan(Incoming.from_assistant(payload, {}), EMPTY)
    assert isinstance(none, tasks.Post) and none.text == routing.NOTHING_SHARED


# --- noise ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"bot_id": "B1"},  # another bot, or ourselves
        {"subtype": "bot_message"},
        {"subtype": "message_changed"},  # an edit
        {"subtype": "message_deleted"},
        {"subtype": "channel_join"},
        {"user": None},
    ],
)
def test_bots_edits_and_other_noise_are_ignored_everywhere(fields):
    assert isinstance(message("Who cut the ribbon?", ENGAGED, thread_ts=TOP, **fields), Ignore)
    assert isinstance(dm("<https://news.test/story>", **fields), Ignore)
    assert isinstance(mention("<https://news.test/story>", **fields), Ignore)


def test_top_level_channel_messages_are_ignored_unless_the_channel_gets_offers():
    link = "look: <https://news.test/story>"
    assert isinstance(message(link), Ignore)
    offer = message(link, auto=("C1",))
    assert isinstance(offer, tasks.OfferSummary)
    assert (offer.user, offer.ts, offer.url) == (USER, "1800000000.5", "https://news.test/story")
    assert isinstance(message("no link here", auto=("C1",)), Ignore)


def test_no_summary_is_offered_for_a_link_to_a_slack_message():
    """A permalink shared in an offer channel is no article (fetched, it is Slack's sign-in
    page): no offer, and beside an article link the offer is for the article."""
    permalink = "<https://acme.slack.com/archives/C1/p1800000000000100>"
    assert isinstance(message(f"see {permalink}", auto=("C1",)), Ignore)
    both = message(f"as said in {permalink}: <https://news.test/story>", auto=("C1",))
    assert isinstance(both, tasks.OfferSummary) and both.url == "https://news.test/story"


def test_no_summary_is_offered_for_a_link_to_an_image_or_an_archive():
    for link in ("https://cdn.test/chart.PNG", "https://x.test/a/b/report.zip?dl=1"):
        assert isinstance(message(f"look <{link}>", auto=("C1",)), Ignore), link
    # A PDF is read; a page whose path has a dot is a page.
    for link in ("https://x.test/paper.pdf", "https://x.test/v1.2/story", "https://x.test/a.html"):
        assert isinstance(message(f"look <{link}>", auto=("C1",)), tasks.OfferSummary), link


def test_a_link_whose_host_urllib_cant_read_is_no_crash_in_an_offer_channel():
    # urlsplit raises ValueError on an unbalanced or bad bracketed host: the router (on the
    # ack path) raised instead of offering; the fetcher later says the link is invalid.
    assert isinstance(message("look https://[::1/story", auto=("C1",)), tasks.OfferSummary)
    assert isinstance(message("look <http://[abc]/a.png>", auto=("C1",)), tasks.OfferSummary)


def test_memory_is_needed_only_for_what_can_be_answered():
    def needs(text: str = "hi", **fields: Any) -> bool:
        return Incoming.from_event("message", _event(text, **fields), {}, BOT).needs_memory

    assert not needs()  # top-level channel chatter: decided without the store
    assert needs(thread_ts=TOP)
    assert not needs(f"<@{BOT}> hi", thread_ts=TOP)
    assert needs(channel="D1", channel_type="im")
    assert not needs(thread_ts=TOP, subtype="message_changed")


@pytest.mark.parametrize("text", ["What is this article about?", "Worum geht es in dem Artikel?"])
def test_what_the_article_is_about_is_its_tldr_and_hi_gets_a_greeting(text):
    about = mention(text, ENGAGED, thread_ts=TOP)
    assert isinstance(about, tasks.SummarizeRef) and about.ref == STORY
    assert about.style == "tldr" and about.instructions == ""
    hello = mention("hi", ENGAGED, thread_ts=TOP)
    assert isinstance(hello, tasks.Post) and "who wrote it" in hello.text
    content = mention("What is the article's main argument about taxes?", ENGAGED, thread_ts=TOP)
    assert isinstance(content, tasks.Ask)


def test_a_greeting_is_answered_not_ignored_like_thanks():
    hello = message("hello", ENGAGED, thread_ts=TOP)  # one person's thread: for the bot
    assert isinstance(hello, tasks.Post) and hello.text.startswith("Hi!")
    assert isinstance(dm("thanks"), Ignore)
    first = dm("hi")  # nothing shared yet: how to use the bot
    assert isinstance(first, tasks.Post) and first.text == routing.DM_HELP
    later = dm("hi", ThreadMemory(latest=OTHER))
    assert isinstance(later, tasks.Post) and "who wrote it" in later.text


# --- a link sent with a question --------------------------------------------------------------

LINK = "<https://news.test/other>"


def _asks_about_the_link(action: routing.Action, question: str) -> None:
    assert isinstance(action, tasks.AskAboutMessage) and action.engages_thread
    assert action.question == question
    assert action.parsed.urls == ("https://news.test/other",)


@pytest.mark.parametrize(
    "text",
    [f"{LINK} Who paid for it?", f"Who paid for it? {LINK}", f"who paid for it {LINK}"],
)
def test_a_mention_with_a_link_and_a_question_asks_about_that_link(text):
    action = mention(text)
    assert isinstance(action, tasks.AskAboutMessage)
    assert action.question.lower().startswith("who paid for it")
    assert action.dest.thread_ts == "1800000000.5"  # its own thread, like a summary's


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("Who paid for <https://news.test/other|the new bridge>?", "Who paid for the new bridge?"),
        ("Wer hat <https://news.test/other|die Brücke> bezahlt?", "Wer hat die Brücke bezahlt?"),
        # A label that is the link's own text, or a link before the question, adds nothing.
        ("Who paid for <https://news.test/other|news.test/other>?", "Who paid for?"),
        ("<https://news.test/other|Bridge story> who paid for it?", "who paid for it?"),
    ],
)
def test_a_link_inside_the_question_keeps_its_label(text, question):
    action = mention(text)
    assert isinstance(action, tasks.AskAboutMessage)
    assert action.question == question
    assert action.parsed.urls == ("https://news.test/other",)


def test_a_link_and_a_question_in_a_thread_dm_and_assistant_view_ask_about_that_link():
    # In a thread with an article already: the new link is what's asked about, not STORY.
    _asks_about_the_link(
        message(f"{LINK} Wer hat das bezahlt?", ENGAGED, thread_ts=TOP), "Wer hat das bezahlt?"
    )
    _asks_about_the_link(dm(f"{LINK} how much did it cost?"), "how much did it cost?")
    payload = {
        "channel": "D1",
        "user": USER,
        "text": f"{LINK} why?",
        "ts": "1.2",
        "thread_ts": "1.1",
    }
    _asks_about_the_link(plan(Incoming.from_assistant(payload, {"team_id": "T1"}), EMPTY), "why?")


def test_a_shared_file_with_a_question_asks_about_the_file():
    pdf = {"id": "F1", "mimetype": "application/pdf", "url_private": "https://files.test/a.pdf"}
    action = mention("who paid for it?", files=[pdf], subtype="file_share")
    assert isinstance(action, tasks.AskAboutMessage) and action.files == (pdf,)


@pytest.mark.parametrize(
    "text",
    [
        f"{LINK} tldr",
        f"{LINK} in 3 bullets",
        f"{LINK} in 3 bullets?",
        f"{LINK} in Spanish",
        f"{LINK} focus on the costs",
        f"summarize this: {LINK}",
        f"can you summarize {LINK}?",
        f"could you give me a summary of {LINK}?",
        f"what's this about? {LINK}",
        f"{LINK} kannst du das zusammenfassen?",
        f"Worum geht es in {LINK}?",
        f"{LINK} auf Deutsch bitte",
    ],
)
def test_summary_wishes_with_a_link_stay_summaries(text):
    for action in (mention(text), dm(text), message(text, ENGAGED, thread_ts=TOP)):
        assert isinstance(action, tasks.Summarize) and action.parsed.kind == "link"


def test_the_job_asking_about_a_link_goes_through_the_queue_unchanged():
    job = mention(f"{LINK} Who paid for it?")
    assert isinstance(job, tasks.AskAboutMessage)
    assert tasks.loads(tasks.dumps(job)) == job
