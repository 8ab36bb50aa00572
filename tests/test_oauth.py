"""Install in any workspace: Bolt's OAuth flow on our HTTP front against the fake Slack
(authorize page, oauth.v2.access), the installation kept on both store backends, each
workspace answered with its own token and kept apart from the others, uninstalls forgetting
a workspace, and rotating tokens refreshed before they expire."""

from __future__ import annotations

import html
import io
import json
import logging
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ConfigError
from bot.logs import RedactFilter
from bot.settings import BOT_SCOPES, Settings
from bot.slack import tasks
from bot.slack.context import Destination
from bot.slack.digest import periods, schedule
from bot.slack.oauth import NotInstalled, StoreInstallations, Workspaces
from bot.slack.server import check_settings
from bot.store import ChannelSettings, Tenant
from tests.servers.articles import ArticleServer
from tests.servers.fake_openai import FakeOpenAI
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import SlackAppHarness, harness_settings

pytestmark = pytest.mark.timeout(60)

MANIFEST = json.loads((Path(__file__).resolve().parent.parent / "manifest.json").read_text())
USER = "U0ALICE"
CHANNEL = "C0NEWS"


def oauth_settings(slack: FakeSlack, tmp_path: Path, **overrides: Any) -> Settings:
    return harness_settings(
        slack,
        tmp_path,
        slack_bot_token=None,
        slack_client_id=slack.client_id,
        slack_client_secret=slack.client_secret,
        **overrides,
    )


@pytest.fixture(params=["sqlite", "redis"])
def backend(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Store settings for each backend: the installation lives where everything else does."""
    if request.param == "sqlite":
        return {}
    return {
        "redis_url": request.getfixturevalue("redis_url"),
        "redis_prefix": request.getfixturevalue("redis_prefix"),
    }


@pytest.fixture
def app(slack: FakeSlack, tmp_path: Path, backend: dict[str, Any]) -> Iterator[SlackAppHarness]:
    with SlackAppHarness(slack, oauth_settings(slack, tmp_path, **backend)) as harness:
        slack.redirect_url = harness.url + "/slack/oauth_redirect"
        yield harness


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the test follows each hop itself, as a browser would


def _get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], str]:
    opener = urllib.request.build_opener(_NoRedirects)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=15) as response:
            return response.status, _lower(response.headers), response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, _lower(err.headers), err.read().decode()


def _lower(headers: Any) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def install(app: SlackAppHarness, team: str, **options: Any) -> str:
    """An admin of `team` clicks "Add to Slack" and approves; the app's success page."""
    app.slack.approve_next(team, **options)
    status, headers, page = _get(app.url + "/slack/install")
    assert status == 200, page
    cookie = headers["set-cookie"].split(";", 1)[0]  # the state, bound to this browser
    link = html.unescape(re.search(r'href="([^"]+/oauth/v2/authorize[^"]*)"', page)[1])
    assert link.startswith(app.slack.url)  # Slack's authorize page, beside SLACK_API_URL
    status, headers, _ = _get(link)  # Slack's page, approved: back to the app with a code
    assert status == 302
    status, _, page = _get(headers["location"], cookie)
    assert status == 200, page
    return page


def event(app: SlackAppHarness, team: str, inner: dict[str, Any], event_id: str) -> int:
    body = {
        "team_id": team,
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "event": inner,
        "authorizations": [{"team_id": team, "user_id": app.slack.bot_user_id, "is_bot": True}],
    }
    status, _ = app.post(json.dumps(body), "application/json")
    return status


def mention(app: SlackAppHarness, team: str, text: str, ts: str, event_id: str) -> int:
    inner = {
        "type": "app_mention",
        "user": USER,
        "text": f"<@{app.slack.bot_user_id}> {text}",
        "ts": ts,
        "channel": CHANNEL,
        "event_ts": ts,
    }
    return event(app, team, inner, event_id)


def command(app: SlackAppHarness, team: str, name: str, text: str, **extra: str) -> tuple[int, str]:
    form = {
        **extra,
        "team_id": team,
        "channel_id": CHANNEL,
        "user_id": USER,
        "command": name,
        "text": text,
        "response_url": app.slack.response_url(),
        "trigger_id": f"trig-{time.monotonic_ns()}",
        "api_app_id": "A0APP",
    }
    return app.post(urlencode(form), "application/x-www-form-urlencoded")


def interactive(app: SlackAppHarness, payload: dict[str, Any]) -> None:
    status, _ = app.post(
        urlencode({"payload": json.dumps({"api_app_id": "A0APP", **payload})}),
        "application/x-www-form-urlencoded",
    )
    assert status == 200


def bot_of(app: SlackAppHarness, team: str) -> Any:
    assert app.services is not None
    return StoreInstallations(app.services.store).find_bot(enterprise_id=None, team_id=team)


def replies_in(app: SlackAppHarness, team: str, count: int = 1) -> list[Any]:
    """The streamed replies posted with `team`'s token."""
    app.slack.wait_for("chat.stopStream", count=count, timeout=20)
    return [call for call in app.slack.calls("chat.stopStream") if call.team == team]


# --- the install round trip -------------------------------------------------------------------


def test_install_stores_the_workspace_and_its_events_are_answered_with_its_token(
    app: SlackAppHarness, articles: ArticleServer
) -> None:
    page = install(app, "TA")
    assert "Thank you" in page or "installation" in page.lower()
    (access,) = app.slack.calls("oauth.v2.access")
    assert access.ok and access.params["code"].startswith("code-")
    bot = bot_of(app, "TA")
    assert bot is not None and bot.bot_token == app.slack.token_for("TA")[0]
    assert bot.bot_user_id == app.slack.bot_user_id

    assert mention(app, "TA", f"<{articles.url('/story')}>", "1700000000.000100", "EvA1") == 200
    (stop,) = replies_in(app, "TA")
    assert stop.headers["authorization"] == f"Bearer {bot.bot_token}"
    assert len(app.slack.streamed_text(stop.params["ts"])) > 50
    # Nothing went out with a token of another workspace (or none).
    assert {call.team for call in app.slack.calls() if call.method.startswith("chat.")} == {"TA"}


def test_a_replayed_or_forged_callback_installs_nothing(app: SlackAppHarness) -> None:
    app.slack.approve_next("TA")
    _, headers, page = _get(app.url + "/slack/install")
    cookie = headers["set-cookie"].split(";", 1)[0]
    link = html.unescape(re.search(r'href="([^"]+/oauth/v2/authorize[^"]*)"', page)[1])
    _, headers, _ = _get(link)
    callback = headers["location"]
    assert _get(callback)[0] == 400  # no state cookie: another browser
    forged = re.sub(r"state=[^&]+", "state=forged", callback)
    assert _get(forged, cookie)[0] == 400
    assert app.slack.calls("oauth.v2.access") == []
    assert _get(callback, cookie)[0] == 200  # the real one, once
    assert _get(callback, cookie)[0] == 401  # and never again: the state store spent it
    assert len(app.slack.calls("oauth.v2.access")) == 1


def test_a_workspace_that_never_installed_gets_no_reply(
    app: SlackAppHarness, articles: ArticleServer
) -> None:
    install(app, "TA")
    status, _ = command(app, "TZ", "/summarize", articles.url("/story"))
    assert status == 200  # acked (Bolt logs that the workspace has no installation)
    app.idle()
    time.sleep(0.2)
    assert app.slack.calls("chat.postMessage") == []
    assert articles.requests == []  # no job ran: nothing was fetched


# --- two workspaces, kept apart ---------------------------------------------------------------


def test_two_workspaces_share_no_cache_and_no_memory(
    app: SlackAppHarness, articles: ArticleServer
) -> None:
    install(app, "TA")
    install(app, "TB")
    link = articles.url("/story")
    mention(app, "TA", f"<{link}>", "1700000000.000100", "EvA1")
    replies_in(app, "TA")
    # The same channel id in the other workspace: no article remembered there.
    status, body = command(app, "TB", "/ask", "who paid for it?")
    assert status == 200 and "haven't summarized" in body
    # The same link: fetched again, not served from the other workspace's cache.
    mention(app, "TB", f"<{link}>", "1700000000.000200", "EvB1")
    assert len(replies_in(app, "TB", count=2)) == 1
    assert [path for path, _ in articles.requests].count("/story") == 2
    # Within a workspace the cache still works: one fetch for the second summary in TA.
    mention(app, "TA", f"<{link}>", "1700000000.000300", "EvA2")
    assert len(replies_in(app, "TA", count=3)) == 2
    assert [path for path, _ in articles.requests].count("/story") == 2


def test_settings_home_recaps_and_feedback_answer_with_each_workspaces_token(
    app: SlackAppHarness, articles: ArticleServer
) -> None:
    """Every new surface in an installed workspace: its own token, its own data; a click
    forged with another workspace's request id changes nothing there."""
    install(app, "TA")
    install(app, "TB")
    assert app.services is not None
    store = app.services.store
    command(app, "TA", "/articlebot", "settings")
    (opened,) = app.slack.wait_for("views.open", timeout=20)
    assert opened.team == "TA" and opened.ok
    store.put_channel_settings("TA", CHANNEL, ChannelSettings(style="tldr"))
    event(app, "TB", {"type": "app_home_opened", "user": USER, "tab": "home"}, "EvB1")
    (home,) = app.slack.wait_for("views.publish", timeout=20)
    assert home.team == "TB" and home.ok
    assert CHANNEL not in json.dumps(home.params["view"])  # TA's channel isn't TB's

    # The recap shortcut in TA: the thread read and the recap posted with TA's token.
    parent = app.slack.add_message(CHANNEL, f"Read <{articles.url('/story')}>", user=USER)
    app.slack.add_message(CHANNEL, "We decided to go with it.", user="U0BOB", thread_ts=parent)
    interactive(
        app,
        {
            "type": "message_action",
            "callback_id": "recap_thread",
            "trigger_id": "trig-recap",
            "team": {"id": "TA"},
            "user": {"id": USER, "team_id": "TA"},
            "channel": {"id": CHANNEL},
            "response_url": app.slack.response_url(),
            "message_ts": parent,
            "message": {
                "type": "message",
                "user": USER,
                "text": "x",
                "ts": parent,
                "thread_ts": parent,
            },
        },
    )
    app.slack.wait_for("chat.postMessage", timeout=30)
    app.idle()
    assert {c.team for c in app.slack.calls("conversations.replies")} == {"TA"}
    (recap,) = [c for c in app.slack.calls("chat.postMessage") if c.params.get("thread_ts")]
    assert recap.team == "TA" and recap.ok

    # A summary in TA, voted on in TA; a click from TB with TA's request id counts nowhere.
    mention(app, "TA", f"<{articles.url('/story')}>", "1700000000.000100", "EvA1")
    replies_in(app, "TA")
    app.idle()  # logged once the reply is finished
    (logged,) = [r for r in store.requests_since(0.0, team="TA") if r.kind == "summary"]
    for team in ("TA", "TB"):
        interactive(
            app,
            {
                "type": "block_actions",
                "team": {"id": team},
                "user": {"id": USER, "team_id": team},
                "channel": {"id": CHANNEL},
                "response_url": app.slack.response_url(),
                "trigger_id": f"trig-{team}",
                "actions": [
                    {
                        "type": "feedback_buttons",
                        "action_id": "feedback",
                        "value": f"down {logged.request_id}",
                        "action_ts": str(time.time()),
                    }
                ],
            },
        )
    app.idle()
    (voted,) = [r for r in store.requests_since(0.0, team="TA") if r.kind == "summary"]
    assert (voted.up, voted.down) == (0, 1)
    assert store.requests_since(0.0, team="TB") == []


# --- made outside any request -----------------------------------------------------------------


def test_a_scheduled_digest_in_an_org_workspace_uses_its_token_and_its_cache(
    app: SlackAppHarness, articles: ArticleServer
) -> None:
    """The scheduler runs outside any request: the schedule itself says whose digest it is,
    so a workspace of an Enterprise org gets it with its own token and org-scoped cache."""
    install(app, "TA", enterprise_id="E1")
    install(app, "TB")
    assert app.services is not None
    store, settings = app.services.store, app.settings
    status, _ = command(app, "TA", "/summarize", "digest daily", enterprise_id="E1")
    assert status == 200
    schedule_set = store.get_digest("TA", CHANNEL)
    assert schedule_set is not None and schedule_set.enterprise == "E1"

    zone = ZoneInfo(settings.digest_timezone)
    now = datetime.now(zone) + timedelta(days=2)
    posting = periods.last_posting(
        "daily", now, hour=settings.digest_hour, weekday=settings.digest_weekday
    )
    link = articles.url("/story")
    app.slack.add_message(CHANNEL, f"<{link}>", user=USER, ts=f"{posting.timestamp() - 3600:.6f}")
    (job,) = schedule.tick(store, settings, app.services.submit, now=now)
    assert job.workspace() == Tenant("TA", "E1")
    app.idle()
    (post,) = [c for c in app.slack.calls("chat.postMessage") if c.params["channel"] == CHANNEL]
    assert post.team == "TA" and post.ok
    assert store.get_article(link, scope="E1/TA") is not None  # the org's scope, as requests
    assert store.get_article(link, scope="TA") is None
    # The org leaves: its workspace's digest stops with it.
    event(app, "TA", {"type": "app_uninstalled"}, "EvA9")
    app.idle()
    assert store.get_digest("TA", CHANNEL) is None


def test_a_scheduled_digest_of_a_workspace_gone_without_a_word_stops_its_schedule(
    app: SlackAppHarness,
) -> None:
    """Slack's uninstall event never came (missed, or the app was down): the first digest
    that finds no installation drops the schedule, rather than queueing one every period."""
    install(app, "TA")
    assert app.services is not None and app.services.workspaces is not None
    store, settings = app.services.store, app.settings
    command(app, "TA", "/summarize", "digest daily")
    app.idle()
    app.services.workspaces.installations.delete_all(enterprise_id=None, team_id="TA")
    calls = len(app.slack.calls())

    now = datetime.now(ZoneInfo(settings.digest_timezone)) + timedelta(days=2)
    assert len(schedule.tick(store, settings, app.services.submit, now=now)) == 1
    app.idle()
    assert store.get_digest("TA", CHANNEL) is None
    assert len(app.slack.calls()) == calls  # nothing said: there is no token to say it with
    later = now + timedelta(days=1)
    assert schedule.tick(store, settings, app.services.submit, now=later) == []


def test_a_channels_own_model_keeps_each_workspaces_cache_apart(
    slack: FakeSlack, tmp_path: Path, articles: ArticleServer, model: FakeOpenAI
) -> None:
    """Two workspaces whose channels chose the same model (channel settings): the second
    fetches and summarizes the link itself, never from the first one's cache."""
    other = "fake-model-large"
    settings = oauth_settings(
        slack,
        tmp_path,
        openai_api_key="sk-test",
        openai_base_url=model.base_url,
        openai_model=model.model,
        llm_max_retries=0,
        allowed_models=[model.model, other],
    )
    model.reply_with("The summary from the model.")
    with SlackAppHarness(slack, settings) as app:
        slack.redirect_url = app.url + "/slack/oauth_redirect"
        install(app, "TA")
        install(app, "TB")
        assert app.services is not None
        store = app.services.store
        for team in ("TA", "TB"):
            store.put_channel_settings(team, CHANNEL, ChannelSettings(model=other))
        link = articles.url("/story")
        mention(app, "TA", f"<{link}>", "1700000000.000100", "EvA1")
        replies_in(app, "TA")
        app.idle()
        mention(app, "TB", f"<{link}>", "1700000000.000200", "EvB1")
        assert len(replies_in(app, "TB", count=2)) == 1
        app.idle()
    assert [path for path, _ in articles.requests].count("/story") == 2
    assert [request["model"] for request in model.requests] == [other, other]
    assert store.get_article(link, scope="TB") is not None


def test_a_job_outside_any_request_finds_an_org_wide_install(tmp_path: Path) -> None:
    """A scheduled digest knows its workspace and org, not how the app was installed: an
    org-wide install (one bot token for every workspace of the org) answers for it."""
    from slack_sdk import WebClient
    from slack_sdk.oauth.installation_store import Bot

    from bot.store import SQLiteStore

    settings = Settings(_env_file=None, slack_client_id="1.2", slack_client_secret="cs-4f9a1b2c")
    with SQLiteStore(tmp_path / "s.sqlite3") as store:
        workspaces = Workspaces(settings, store)
        workspaces.installations.save_bot(
            Bot(
                app_id="A0APP",
                enterprise_id="E1",
                team_id=None,
                bot_token="xoxb-org-wide",
                bot_id="B0BOT",
                bot_user_id="U0BOT",
                installed_at=time.time(),
                is_enterprise_install=True,
            )
        )
        client = workspaces.client_for(Tenant("TA", "E1"), WebClient())
        assert client.token == "xoxb-org-wide"
        with pytest.raises(NotInstalled):
            workspaces.client_for(Tenant("TA", "E2"), WebClient())  # another org: none
        with pytest.raises(NotInstalled):
            workspaces.client_for(Tenant("TA"), WebClient())


# --- leaving ----------------------------------------------------------------------------------


def test_app_uninstalled_deletes_the_installation_and_the_workspaces_data(
    app: SlackAppHarness, articles: ArticleServer
) -> None:
    install(app, "TA")
    install(app, "TB")
    link = articles.url("/story")
    mention(app, "TA", f"<{link}>", "1700000000.000100", "EvA1")
    mention(app, "TB", f"<{link}>", "1700000000.000200", "EvB1")
    replies_in(app, "TA", count=2)
    assert app.services is not None
    store = app.services.store
    assert store.get_article(link, scope="TA") is not None

    assert event(app, "TA", {"type": "app_uninstalled"}, "EvA2") == 200
    app.idle()
    assert bot_of(app, "TA") is None
    assert store.get_article(link, scope="TA") is None
    assert store.latest_article("TA", CHANNEL) is None
    # The other workspace keeps everything.
    assert bot_of(app, "TB") is not None
    assert store.get_article(link, scope="TB") is not None
    assert store.latest_article("TB", CHANNEL) is not None


def test_tokens_revoked_for_the_bot_forgets_the_workspace(app: SlackAppHarness) -> None:
    install(app, "TA")
    user_only = {"type": "tokens_revoked", "tokens": {"oauth": ["U1"], "bot": []}}
    assert event(app, "TA", user_only, "EvA1") == 200
    app.idle()
    assert bot_of(app, "TA") is not None  # a user's token: not the bot's business
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}}
    assert event(app, "TA", revoked, "EvA2") == 200
    app.idle()
    assert bot_of(app, "TA") is None


# --- token rotation ---------------------------------------------------------------------------


def test_an_expiring_token_is_refreshed_and_the_reply_uses_the_new_one(
    app: SlackAppHarness, articles: ArticleServer
) -> None:
    install(app, "TR", rotating=True, expires_in=60)  # within SLACK_TOKEN_ROTATION_MINUTES
    first = bot_of(app, "TR")
    assert first.bot_token.startswith("xoxe.xoxb-") and first.bot_refresh_token
    mention(app, "TR", f"<{articles.url('/story')}>", "1700000000.000100", "EvR1")
    (stop,) = replies_in(app, "TR")
    refreshes = [
        call
        for call in app.slack.calls("oauth.v2.access")
        if call.params.get("grant_type") == "refresh_token"
    ]
    assert len(refreshes) == 1 and refreshes[0].params["refresh_token"] == first.bot_refresh_token
    latest = bot_of(app, "TR")
    assert latest.bot_token == app.slack.token_for("TR")[-1] != first.bot_token
    assert latest.bot_token_expires_at > time.time() + 3600
    assert stop.headers["authorization"] == f"Bearer {latest.bot_token}"


def test_a_job_refreshes_an_expiring_token_itself(
    slack: FakeSlack, tmp_path: Path, backend: dict[str, Any]
) -> None:
    """A job run long after its event (a queue backlog): the worker refreshes the token."""
    settings = oauth_settings(slack, tmp_path, **backend)
    with SlackAppHarness(slack, settings) as app:
        slack.redirect_url = app.url + "/slack/oauth_redirect"
        install(app, "TR", rotating=True, expires_in=60)
        assert app.services is not None
        workspaces = Workspaces(settings, app.services.store)
        old = bot_of(app, "TR").bot_token
        client = workspaces.client_for(Tenant("TR"), app.app.client)
        assert client.token == app.slack.token_for("TR")[-1] != old
        assert client.auth_test()["team_id"] == "TR"
        # Fresh now: asked again, no second refresh.
        assert workspaces.client_for(Tenant("TR"), app.app.client).token == client.token
        assert len(slack.calls("oauth.v2.access")) == 2  # the install, one refresh


def test_racing_lookups_spend_the_refresh_token_once(app: SlackAppHarness) -> None:
    """Server replicas and job workers all meeting the same expiring token: one refresh (a
    second use of a refresh token could be refused), and every one gets the new token."""
    install(app, "TR", rotating=True, expires_in=60)
    assert app.services is not None
    store = app.services.store
    tokens: list[str] = []

    def look_up() -> None:  # each its own Workspaces, as each process has
        client = Workspaces(app.settings, store).client_for(Tenant("TR"), app.app.client)
        tokens.append(client.token)

    threads = [threading.Thread(target=look_up) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    refreshes = [c for c in app.slack.calls("oauth.v2.access") if c.params.get("grant_type")]
    assert len(refreshes) == 1
    assert tokens == [app.slack.token_for("TR")[-1]] * 8


# --- single workspace, settings, manifest -----------------------------------------------------


def test_single_workspace_mode_serves_no_install_pages(bot: SlackAppHarness) -> None:
    assert bot.services is not None and bot.services.workspaces is None
    assert _get(bot.url + "/slack/install")[0] == 404


def test_settings_mixing_a_bot_token_and_oauth_are_refused(tmp_path: Path) -> None:
    both = Settings(
        _env_file=None,
        slack_bot_token="xoxb-1",
        slack_signing_secret="s",
        slack_client_id="1.2",
        slack_client_secret="secret",
    )
    with pytest.raises(ConfigError, match="not both"):
        check_settings(both, http=True)
    oauth = Settings(
        _env_file=None, slack_signing_secret="s", slack_client_id="1.2", slack_client_secret="x"
    )
    check_settings(oauth, http=True)  # no SLACK_BOT_TOKEN needed
    with pytest.raises(ConfigError, match="--http"):
        check_settings(oauth, http=False)
    half = Settings(_env_file=None, slack_signing_secret="s", slack_client_id="1.2")
    with pytest.raises(ConfigError, match="SLACK_CLIENT_SECRET"):
        check_settings(half, http=True)


def test_jobs_carry_the_workspace_of_their_request() -> None:
    """Across processes (the job's JSON): the worker knows whose token and cache to use."""
    tasks.begin_request("ev:Ev1", "Ev1", tenant=Tenant("T1", "E1"))
    job = tasks.Post(dest=Destination(channel="C1", team="T1"), text="hi")
    tasks.forget_request()
    again = tasks.loads(tasks.dumps(job))
    assert again.tenant == Tenant("T1", "E1") == again.workspace()
    assert again.workspace().scope == "E1/T1"
    # Made outside any request (a test, a scheduler): its destination's team.
    assert tasks.Post(dest=Destination("C1", team="T9"), text="x").workspace() == Tenant("T9")
    assert tasks.Respond(response_url="https://x.test/", payload={}).workspace() is None


def test_the_client_secret_is_a_secret() -> None:
    settings = Settings(_env_file=None, slack_client_id="1.2", slack_client_secret="cs-4f9a1b2c")
    assert "cs-4f9a1b2c" in settings.secret_values()
    assert "cs-4f9a1b2c" not in repr(settings)


def test_the_manifest_declares_the_install_flow() -> None:
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    redirects = MANIFEST["oauth_config"]["redirect_urls"]
    assert all(urlsplit(url).path == "/slack/oauth_redirect" for url in redirects)
    events = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)


def test_installs_refreshes_and_replies_log_no_token_or_secret(
    app: SlackAppHarness, articles: ArticleServer
) -> None:
    """Everything the OAuth flow handles (the client secret, each workspace's bot token,
    refresh tokens) stays out of the logs, even at DEBUG where slack_sdk logs its calls."""
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.addFilter(RedactFilter())  # as the bot's own handler (bot.logs.setup_logging)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        install(app, "TA", rotating=True, expires_in=60)  # expiring: refreshed on first use
        mention(app, "TA", f"<{articles.url('/story')}>", "1700000000.000100", "EvA1")
        replies_in(app, "TA")
        app.idle()
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert len(app.slack.token_for("TA")) == 2  # the first token, and its refreshed one
    logged = written.getvalue()
    assert "oauth.v2.access" in logged  # slack_sdk's DEBUG lines are in it
    secrets = [app.slack.client_secret, *app.slack.token_for("TA")]
    secrets += [f"xoxe-1-TA-{n}" for n in range(1, 50)]  # the fake's refresh tokens
    assert [secret for secret in secrets if secret in logged] == []
