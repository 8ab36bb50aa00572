"""Link digests against the mock Slack API and the local article server: a recorded week of
#news becomes one digest message (each article once, its sharers, links back), a re-run
costs no fetch and no model call, a long digest becomes a canvas, the scheduler queues one
job per channel and period however many workers run it, and `/summarize digest` works."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.slack import journal, tasks
from bot.slack.app import web_client
from bot.slack.context import Destination
from bot.slack.digest import collect, schedule
from bot.slack.worker import ThreadWorkerPool
from bot.store import DigestSchedule, RedisStore, SQLiteStore
from bot.store.sqlite_jobs import SQLiteJobQueue
from tests.servers.articles import ArticleServer
from tests.servers.fake_openai import FakeOpenAI
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import (
    CHANNEL,
    TEAM,
    SlackAppHarness,
    harness_settings,
    model_harness,
    text_of,
)

WEEK = json.loads((Path(__file__).parent / "fixtures" / "digest_week.json").read_text())
START = datetime(2026, 11, 30, 9, tzinfo=UTC)  # a Monday, 09:00: the week's digest period
END = START + timedelta(days=7)
TITLES = [
    "Millford bridge reopens after 18 months",
    "River cleanup draws hundreds",
    "Harbour report",
    "Zürich tram",
    "Marché de Noël",
]


def record_week(slack: FakeSlack, articles: ArticleServer, start: datetime) -> dict[str, str]:
    """The fixture's messages in `slack`'s #news, dated from `start`; their ts by id."""
    base = articles.url("")
    ids: dict[str, str] = {}
    for item in WEEK["messages"]:
        ts = f"{start.timestamp() + item['day'] * 86_400:.6f}"
        extra = {key: item[key] for key in ("subtype", "bot_id") if key in item}
        thread = ids[item["thread_of"]] if "thread_of" in item else None
        text = item["text"].replace("{base}", base)
        slack.add_message(CHANNEL, text, user=item["user"], ts=ts, thread_ts=thread, **extra)
        if "id" in item:
            ids[item["id"]] = ts
    return ids


def weekly_job(job_id: str = "digest:test") -> tasks.Digest:
    return tasks.Digest(
        id=job_id,
        dest=Destination(channel=CHANNEL, team=TEAM),
        oldest=START.timestamp(),
        latest=END.timestamp(),
        period="30 Nov – 7 Dec",
    )


def digests(slack: FakeSlack) -> list[Any]:
    """What the bot posted in #news."""
    return [c for c in slack.calls("chat.postMessage") if c.params.get("channel") == CHANNEL]


def fetched(articles: ArticleServer, path: str) -> int:
    return sum(1 for got, _ in articles.requests if got == path)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """History and threads read 4 messages a page: the week takes several pages."""
    monkeypatch.setattr(collect, "PAGE_SIZE", 4)


def test_a_recorded_week_becomes_one_digest_with_each_article_once(
    bot: SlackAppHarness, slack: FakeSlack, articles: ArticleServer, small_pages: None
) -> None:
    ids = record_week(slack, articles, START)
    assert bot.services is not None
    client = web_client(bot.settings)
    journal.execute(bot.services, client, weekly_job())

    (post,) = digests(slack)
    text = text_of(post)
    for title in TITLES:
        assert text.count(title) == 1, title
    for left_out in ("login_en", "image.png", "/long", "bad-utf8", "p1700000000000100"):
        assert left_out not in text
    assert "2 links weren't articles" in text
    assert "extractive" in text  # the offline engine wrote the gists, and says so

    bridge = next(b["text"]["text"] for b in post.params["blocks"] if TITLES[0] in str(b))
    assert "Millford reopened to traffic" in bridge  # the one-line gist
    assert (
        bridge.index("<@U0ALICE>")
        < bridge.index("<@U0CAROL> in a thread")
        < bridge.index("<@U0BOB>")
    )
    parent = ids["bridge"].replace(".", "")
    assert f"https://fake.slack.test/archives/{CHANNEL}/p{parent}|fake.slack.test>" in bridge
    assert f"?thread_ts={ids['bridge']}&amp;cid={CHANNEL}" in bridge  # Carol's reply
    river = next(b["text"]["text"] for b in post.params["blocks"] if TITLES[1] in str(b))
    assert "<@U0BOB> (" in river and "<@U0ALICE> in a thread" in river
    market = next(b["text"]["text"] for b in post.params["blocks"] if TITLES[4] in str(b))
    assert "<@U0BOB>" in market and "U0BOT" not in market  # the bot's own share isn't one

    # Deduplicated before fetching: each article read once, nothing outside the week.
    assert fetched(articles, "/story") == 1 and fetched(articles, "/article") == 1
    assert fetched(articles, "/long") == 0 and fetched(articles, "/bad-utf8") == 0
    # Paged through the history; only threads with replies were opened.
    assert len(slack.calls("conversations.history")) >= 4
    opened = {c.params["ts"] for c in slack.calls("conversations.replies")}
    assert opened == {ids["bridge"], ids["harbour"], ids["market"]}

    # The same job delivered again (its worker died after posting) posts nothing more.
    journal.execute(bot.services, client, weekly_job())
    assert len(digests(slack)) == 1


def test_a_digest_with_the_model_summarizes_each_article_once_and_a_rerun_is_free(
    slack: FakeSlack, articles: ArticleServer, model: FakeOpenAI, tmp_path: Path
) -> None:
    record_week(slack, articles, START)
    model.reply_with("The one-line gist from the model.")
    with model_harness(slack, model, tmp_path) as bot:
        assert bot.services is not None
        client = web_client(bot.settings)
        journal.execute(bot.services, client, weekly_job("digest:first"))
        assert len(model.requests) == len(TITLES)
        journal.execute(bot.services, client, weekly_job("digest:again"))  # a catch-up, say
        assert len(model.requests) == len(TITLES)  # every summary came from the cache
    first, again = digests(slack)
    assert text_of(first).count("The one-line gist from the model.") == len(TITLES)
    assert text_of(again) == text_of(first)
    assert "extractive" not in text_of(first)
    assert fetched(articles, "/story") == 1
    audit = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    first_line, again_line = (line for line in audit if line["action"] == "digest")
    assert first_line["replies"] == len(TITLES) and first_line["tokens"]["prompt"] > 0
    assert again_line["cached"] and again_line["tokens"]["prompt"] == 0


def record_sixty_long_articles(slack: FakeSlack, articles: ArticleServer) -> None:
    """Sixty long articles shared over the week: a digest too long for one message."""
    for n in range(60):
        day = START + timedelta(hours=2 * n + 1)
        url = articles.url(f"/long?n={n + 5}")
        slack.add_message(CHANNEL, f"read {url}", user=f"U0P{n % 4}", ts=f"{day.timestamp():.6f}")


def test_a_long_digest_becomes_a_canvas_shared_with_the_channel(
    slack: FakeSlack, articles: ArticleServer, tmp_path: Path
) -> None:
    settings = harness_settings(slack, tmp_path, digest_max_articles=55)
    record_sixty_long_articles(slack, articles)
    with SlackAppHarness(slack, settings) as bot:
        assert bot.services is not None
        journal.execute(bot.services, web_client(settings), weekly_job())
    (created,) = slack.calls("canvases.create")
    canvas_id = created.response["canvas_id"]
    canvas = slack.canvas(canvas_id)
    assert canvas["title"] == "Link digest · 30 Nov – 7 Dec"
    assert canvas["markdown"].count("\n## ") == 55
    assert "![](@U0P0)" in canvas["markdown"]
    assert "5 more articles shared but not listed" in canvas["markdown"]
    assert canvas["channels"] == [CHANNEL] and canvas["access_level"] == "read"
    (note,) = digests(slack)
    assert f"/docs/{TEAM}/{canvas_id}" in note.params["text"]
    assert "55 articles" in note.params["text"]


def test_without_canvases_a_long_digest_posts_what_fits(
    slack: FakeSlack, articles: ArticleServer, tmp_path: Path
) -> None:
    settings = harness_settings(slack, tmp_path, digest_max_articles=55)
    for n in range(55):
        day = START + timedelta(hours=2 * n + 1)
        slack.add_message(CHANNEL, articles.url(f"/long?n={n + 5}"), ts=f"{day.timestamp():.6f}")
    slack.fail_next("canvases.create", "not_allowed_token_type")
    with SlackAppHarness(slack, settings) as bot:
        assert bot.services is not None
        journal.execute(bot.services, web_client(settings), weekly_job())
    (post,) = digests(slack)
    assert len(post.params["blocks"]) <= 50
    assert "more articles shared but not listed" in text_of(post)


def test_a_channel_the_bot_cannot_read_tells_the_asker(
    bot: SlackAppHarness, slack: FakeSlack
) -> None:
    assert bot.services is not None
    job = weekly_job().model_copy(update={"dest": Destination(CHANNEL, user="U0ALICE", team=TEAM)})
    slack.fail_next("conversations.history", "not_in_channel")
    journal.execute(bot.services, web_client(bot.settings), job)
    (told,) = slack.calls("chat.postEphemeral")
    assert told.params["user"] == "U0ALICE" and "/invite @articlebot" in told.params["text"]
    assert digests(slack) == []


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found", "is_archived"])
def test_a_scheduled_digest_of_a_channel_the_bot_left_is_turned_off_and_its_owner_told(
    bot: SlackAppHarness, slack: FakeSlack, error: str
) -> None:
    """Otherwise it fails every week, unseen: nobody is told, nothing is posted, forever."""
    assert bot.services is not None
    store = bot.services.store
    store.set_digest(DigestSchedule(TEAM, CHANNEL, "weekly", START.timestamp(), user="U0ALICE"))
    job = weekly_job().model_copy(update={"scheduled": True})
    slack.fail_next("conversations.history", error)
    journal.execute(bot.services, web_client(bot.settings), job)
    assert store.get_digest(TEAM, CHANNEL) is None
    (opened,) = slack.calls("conversations.open")
    assert opened.params["users"] == "U0ALICE"
    (told,) = [c for c in slack.calls("chat.postMessage") if c.params["channel"] != CHANNEL]
    assert "stopped the weekly link digest" in told.params["text"]
    assert f"<#{CHANNEL}>" in told.params["text"] and "/invite @articlebot" in told.params["text"]
    assert digests(slack) == []


def test_a_stop_tells_before_it_clears_so_a_run_that_dies_between_loses_nothing(
    bot: SlackAppHarness, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cleared first, a job dying before the DM would run again to a schedule already gone
    and say nothing, ever. Told first: the run after a death only turns it off."""
    assert bot.services is not None
    store = bot.services.store
    schedule = DigestSchedule(TEAM, CHANNEL, "weekly", START.timestamp(), user="U0ALICE")
    store.set_digest(schedule)
    job = weekly_job().model_copy(update={"scheduled": True})
    slack.fail_next("conversations.history", "not_in_channel", times=2)
    opened_before_clearing = []
    clear = store.clear_digest

    def clearing(team: str, channel: str) -> bool:
        opened_before_clearing.append(len(slack.calls("conversations.open")))
        return clear(team, channel)

    monkeypatch.setattr(store, "clear_digest", clearing)
    journal.execute(bot.services, web_client(bot.settings), job)
    assert opened_before_clearing == [1] and store.get_digest(TEAM, CHANNEL) is None
    # What a run that died right after its DM leaves: the schedule on, the DM marked sent,
    # the job not done. The next run turns it off and sends no second DM.
    store.set_digest(schedule)
    rerun = weekly_job("digest:rerun").model_copy(update={"scheduled": True})
    store.mark_job_once(rerun.id, "digest-stopped", "1")
    journal.execute(bot.services, web_client(bot.settings), rerun)
    assert store.get_digest(TEAM, CHANNEL) is None
    assert len(slack.calls("conversations.open")) == 1


def test_a_scheduled_digest_that_fails_for_another_reason_keeps_its_schedule(
    bot: SlackAppHarness, slack: FakeSlack
) -> None:
    assert bot.services is not None
    store = bot.services.store
    store.set_digest(DigestSchedule(TEAM, CHANNEL, "weekly", START.timestamp(), user="U0ALICE"))
    slack.fail_next("conversations.history", "internal_error", times=5)
    job = weekly_job().model_copy(update={"scheduled": True})
    journal.execute(bot.services, web_client(bot.settings), job)
    assert store.get_digest(TEAM, CHANNEL) is not None
    assert not slack.calls("conversations.open")


# --- the scheduler ------------------------------------------------------------------------------


MONDAY = datetime(2026, 12, 7, 9, 0, 30, tzinfo=UTC)  # just after the weekly posting


@pytest.fixture(params=["sqlite", "redis"])
def two_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[Any]]:
    """Two workers' stores on one deployment's data (one file, or one Redis prefix)."""
    if request.param == "sqlite":
        stores: list[Any] = [SQLiteStore(tmp_path / "store.sqlite3") for _ in range(2)]
    else:
        url = request.getfixturevalue("redis_url")
        prefix = request.getfixturevalue("redis_prefix")
        stores = [RedisStore.from_url(url, prefix=prefix) for _ in range(2)]
    yield stores
    for store in stores:
        store.close()


def test_two_workers_queue_one_digest_per_channel_and_period(
    two_stores: list[Any], slack: FakeSlack, tmp_path: Path
) -> None:
    settings = harness_settings(slack, tmp_path)
    first, second = two_stores
    since = (START - timedelta(days=1)).timestamp()
    first.set_digest(DigestSchedule(TEAM, CHANNEL, "weekly", since=since))
    first.set_digest(DigestSchedule(TEAM, "C0DAILY", "daily", since=since))
    queue = SQLiteJobQueue(tmp_path / "jobs.sqlite3")
    submit = schedule.queue_submit(queue)
    start = threading.Barrier(8)
    queued: list[tasks.Digest] = []

    def worker(store: Any) -> None:
        start.wait()
        queued.extend(schedule.tick(store, settings, submit, now=MONDAY))

    threads = [threading.Thread(target=worker, args=(s,)) for s in two_stores * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(job.dest.channel for job in queued) == ["C0DAILY", CHANNEL]
    assert queue.pending() == 2
    weekly = next(job for job in queued if job.dest.channel == CHANNEL)
    assert (weekly.oldest, weekly.latest) == (START.timestamp(), END.timestamp())
    assert weekly.scheduled and weekly.id.startswith(f"digest:{TEAM}:{CHANNEL}:")
    # Checked again a minute later, by either worker: nothing new.
    later = MONDAY + timedelta(minutes=1)
    assert schedule.tick(second, settings, submit, now=later) == []
    # The next day, the daily one again (only).
    tomorrow = schedule.tick(first, settings, submit, now=MONDAY + timedelta(days=1))
    assert [job.dest.channel for job in tomorrow] == ["C0DAILY"]
    queue.close()


def test_a_period_claimed_by_a_worker_that_died_is_queued_by_another(
    slack: FakeSlack, tmp_path: Path
) -> None:
    class Clock:
        now = MONDAY.timestamp()

        def __call__(self) -> float:
            return self.now

    clock = Clock()
    store = SQLiteStore(tmp_path / "store.sqlite3", clock=clock)
    settings = harness_settings(slack, tmp_path)
    store.set_digest(DigestSchedule(TEAM, CHANNEL, "weekly", since=0))

    def dies(job: tasks.Job) -> None:
        raise ConnectionError("the queue went away")

    assert schedule.tick(store, settings, dies, now=MONDAY) == []
    got: list[tasks.Job] = []
    assert schedule.tick(store, settings, got.append, now=MONDAY) == []  # still claimed
    clock.now += schedule.CLAIM_SECONDS + 1
    assert len(schedule.tick(store, settings, got.append, now=MONDAY)) == 1
    store.close()


def test_a_job_process_pool_starts_the_scheduler(bot: SlackAppHarness, tmp_path: Path) -> None:
    assert bot.services is not None
    pool = ThreadWorkerPool(1, queue=SQLiteJobQueue(tmp_path / "jobs.sqlite3"))
    pool.bind(bot.services, web_client(bot.settings))
    try:
        assert any(t.name == "digests" for t in threading.enumerate())
    finally:
        pool.shutdown(1)


def test_a_scheduled_digest_turned_off_meanwhile_posts_nothing(
    bot: SlackAppHarness, slack: FakeSlack, articles: ArticleServer
) -> None:
    assert bot.services is not None
    record_week(slack, articles, START)
    job = weekly_job().model_copy(update={"scheduled": True})
    journal.execute(bot.services, web_client(bot.settings), job)
    assert digests(slack) == [] and not slack.calls("conversations.history")


# --- /summarize digest ----------------------------------------------------------------------------


@pytest.fixture
def admins_only_bot(slack: FakeSlack, tmp_path: Path) -> Iterator[SlackAppHarness]:
    with SlackAppHarness(slack, harness_settings(slack, tmp_path, settings_admins_only=True)) as h:
        yield h


@pytest.mark.parametrize("words", ["digest daily", "digest off"])
def test_where_settings_are_for_admins_a_member_cannot_change_the_digest(
    admins_only_bot: SlackAppHarness, slack: FakeSlack, words: str
) -> None:
    """A digest spends the model's tokens every day: it is a channel setting like the rest."""
    bot = admins_only_bot
    assert bot.services is not None
    store = bot.services.store
    store.set_digest(DigestSchedule(TEAM, CHANNEL, "weekly", START.timestamp(), user="U0BOB"))
    slack.add_user("U0ALICE", is_admin=False)
    status, body = bot.command("/summarize", words)
    assert status == 200 and "digest" not in body  # nothing said in the ack
    (told,) = slack.wait_for("response_url", timeout=20)
    assert told.params["response_type"] == "ephemeral"
    assert "Only workspace admins and owners" in told.params["text"]
    bot.idle()
    kept = store.get_digest(TEAM, CHANNEL)
    assert kept is not None and kept.every == "weekly" and kept.user == "U0BOB"


def test_where_settings_are_for_admins_an_admin_turns_the_digest_on(
    admins_only_bot: SlackAppHarness, slack: FakeSlack
) -> None:
    bot = admins_only_bot
    assert bot.services is not None
    slack.add_user("U0ALICE", is_admin=True)
    bot.command("/summarize", "digest daily")
    (told,) = slack.wait_for("response_url", timeout=20)
    assert told.params["response_type"] == "in_channel"
    assert "<@U0ALICE> turned on a daily link digest" in told.params["text"]
    bot.idle()
    schedule_set = bot.services.store.get_digest(TEAM, CHANNEL)
    assert schedule_set is not None and schedule_set.every == "daily"
    assert schedule_set.user == "U0ALICE"


def test_turning_a_digest_on_and_off_is_announced_and_stored(bot: SlackAppHarness) -> None:
    assert bot.services is not None
    store = bot.services.store
    status, body = bot.command("/summarize", "digest weekly")
    assert status == 200
    said = json.loads(body)
    assert said["response_type"] == "in_channel"
    assert "weekly link digest" in said["text"] and "Monday at 09:00 UTC" in said["text"]
    schedule_set = store.get_digest(TEAM, CHANNEL)
    assert schedule_set is not None and schedule_set.every == "weekly"
    _, body = bot.command("/summarize", "digest")
    assert "gets a weekly link digest" in body and "since:monday" in body
    _, body = bot.command("/summarize", "digest weekly")  # again: only the asker is told
    assert body == "This channel already gets a weekly link digest (Monday at 09:00 UTC)."
    assert store.get_digest(TEAM, CHANNEL) == schedule_set  # its start time kept
    _, body = bot.command("/summarize", "digest off")
    assert "turned off" in json.loads(body)["text"]
    assert store.get_digest(TEAM, CHANNEL) is None
    _, body = bot.command("/summarize", "digest off")
    assert "no link digest to turn off" in body
    _, body = bot.command("/summarize", "digest hourly")
    assert "don't know `digest hourly`" in body
    for asked in ("digest daily", "digest", "digest since:monday"):
        _, body = bot.command("/summarize", asked, channel="D0DM")
        assert body.startswith("Digests are for channels"), asked


def test_a_catch_up_since_a_day_posts_a_digest_in_the_channel(
    bot: SlackAppHarness, slack: FakeSlack, articles: ArticleServer
) -> None:
    now = datetime.now(UTC)
    record_week(slack, articles, now - timedelta(days=6.9))  # the fixture's week ends now
    status, body = bot.command("/summarize", "digest since:5d")
    assert status == 200 and "Collecting the articles shared here since" in body
    bot.idle()
    (post,) = digests(slack)
    text = text_of(post)
    assert "<@U0ALICE> asked for the links shared since" in text
    # Five days back: the first shares of the bridge (day 0) and river (day 1) stories are
    # too old; Bob's repeat of the bridge story (day 5) and Alice's river link in the
    # harbour thread (day 2) are not. The sign-in page (day 1) is out of the window too.
    blocks = [b["text"]["text"] for b in post.params["blocks"] if b["type"] == "section"]
    bridge = next(b for b in blocks if "Millford bridge" in b)
    assert "<@U0BOB>" in bridge and "U0ALICE" not in bridge and "U0CAROL" not in bridge
    river = next(b for b in blocks if "River cleanup" in b)
    assert "<@U0ALICE> in a thread" in river and "U0BOB" not in river
    assert "Zürich tram" in text and "Marché de Noël" in text
    assert "1 link wasn't an article" in text  # the image


def test_a_catch_up_where_the_bot_is_not_a_member_tells_only_the_asker(
    bot: SlackAppHarness, slack: FakeSlack
) -> None:
    slack.fail_next("conversations.history", "not_in_channel")
    bot.command("/summarize", "digest since:yesterday")
    bot.idle()
    (told,) = slack.calls("response_url")
    assert told.params["response_type"] == "ephemeral"
    assert "/invite @articlebot" in told.params["text"]
    assert digests(slack) == [] and not slack.calls("chat.postEphemeral")


def test_a_catch_up_since_something_unreadable_says_how_to_write_it(
    bot: SlackAppHarness, slack: FakeSlack
) -> None:
    _, body = bot.command("/summarize", "digest since:someday")
    assert "since:yesterday" in body and "since:3d" in body
    bot.idle()
    assert not slack.calls("conversations.history")


def test_a_quiet_period_posts_nothing_and_tells_only_an_asker(
    bot: SlackAppHarness, slack: FakeSlack
) -> None:
    assert bot.services is not None
    slack.add_message(CHANNEL, "no links this week", ts=f"{START.timestamp() + 60:.6f}")
    bot.services.store.set_digest(DigestSchedule(TEAM, CHANNEL, "weekly", since=0))
    scheduled = weekly_job().model_copy(update={"scheduled": True})
    journal.execute(bot.services, web_client(bot.settings), scheduled)
    assert digests(slack) == [] and not slack.calls("chat.postEphemeral")
    asked = weekly_job("digest:asked").model_copy(
        update={"dest": Destination(CHANNEL, user="U0ALICE", team=TEAM)}
    )
    journal.execute(bot.services, web_client(bot.settings), asked)
    (told,) = slack.calls("chat.postEphemeral")
    assert told.params["text"] == "No articles were shared here 30 Nov – 7 Dec."
    assert digests(slack) == []


def test_two_job_runners_post_a_due_digest_once(
    slack: FakeSlack, articles: ArticleServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two durable job pools on one store and one job queue (as two job processes of two
    HTTP workers are), their schedulers checking every 0.1 s: the due weekly digest is
    queued once, run by one of them, and posted once."""
    from bot.slack.digest.periods import last_posting
    from bot.slack.runtime import build_services

    monkeypatch.setattr(schedule, "FIRST_CHECK_SECONDS", 0.05)
    monkeypatch.setattr(schedule, "CHECK_SECONDS", 0.1)
    posting = last_posting("weekly", datetime.now(UTC), hour=9, weekday="monday")
    record_week(slack, articles, posting - timedelta(days=7))
    settings = harness_settings(slack, tmp_path)
    pools = []
    try:
        for _ in range(2):
            pool = ThreadWorkerPool(2, queue=SQLiteJobQueue(tmp_path / "store.jobs.sqlite3"))
            services = build_services(settings, pool=pool)
            if not pools:
                services.store.set_digest(DigestSchedule(TEAM, CHANNEL, "weekly", since=0))
            pool.bind(services, web_client(settings))
            pools.append(pool)
        slack.wait_for("chat.postMessage", timeout=30)
        time.sleep(1.0)  # both schedulers keep checking meanwhile
    finally:
        for pool in pools:
            pool.shutdown(5)
    (post,) = digests(slack)
    assert all(title in text_of(post) for title in TITLES)


# --- the channel's settings ---------------------------------------------------------------------


def test_a_digest_follows_the_channels_model_language_and_budget(
    slack: FakeSlack, articles: ArticleServer, model: FakeOpenAI, tmp_path: Path
) -> None:
    """A digest spends the channel's model tokens like any summary there: its model and
    language, the tokens counted against its day, offline once the day's budget is spent."""
    from bot.slack import channel_prefs
    from bot.store import ChannelSettings

    record_week(slack, articles, START)
    model.reply_with("The one-line gist from the model.")
    other = "fake-model-large"
    with model_harness(slack, model, tmp_path, allowed_models=[model.model, other]) as bot:
        assert bot.services is not None
        store = bot.services.store
        chosen = ChannelSettings(language="Spanish", model=other, daily_tokens=100_000)
        store.put_channel_settings(TEAM, CHANNEL, chosen)
        client = web_client(bot.settings)
        journal.execute(bot.services, client, weekly_job("digest:first"))
        assert len(model.requests) == len(TITLES)
        assert {request["model"] for request in model.requests} == {other}
        assert "in Spanish" in model.user_prompt()
        spent = store.channel_tokens(TEAM, CHANNEL, channel_prefs.today())
        assert spent > 0  # every gist's tokens, counted against the channel's day
        # The budget is spent: a catch-up now is the offline engine's, no model call.
        store.put_channel_settings(TEAM, CHANNEL, ChannelSettings(daily_tokens=spent))
        journal.execute(bot.services, client, weekly_job("digest:again"))
        assert len(model.requests) == len(TITLES)
        assert store.channel_tokens(TEAM, CHANNEL, channel_prefs.today()) == spent
    first, again = digests(slack)
    assert "The one-line gist from the model." in text_of(first)
    assert "extractive" in text_of(again)
    assert "daily allowance" in text_of(again) and "daily allowance" not in text_of(first)
    audited = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [line["reason"] for line in audited if line["action"] == "digest"] == [
        None,
        "budget_spent",
    ]
