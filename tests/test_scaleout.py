"""Scaled out on one Redis: two `articlebot serve --http` replicas that only ack and enqueue,
two `articlebot worker`s that run the jobs. Real processes (the console script), a real
redis-server, Dramatiq, the fake Slack Web API, the fake model, a local article server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests import crash_hook, redis_server
from tests.servers.articles import ArticleServer
from tests.servers.fake_openai import FakeOpenAI, Reply
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import TEAM, USER, mention_body
from tests.test_slack_lifecycle import (
    RETRY,
    _env,
    _free_port,
    _slash,
    _wait_healthy,
    signed_post,
)

ARTICLEBOT = Path(sys.executable).with_name("articlebot")
pytestmark = pytest.mark.timeout(300)


@dataclass
class Cluster:
    slack: FakeSlack
    model: FakeOpenAI
    articles: ArticleServer
    env: dict[str, str]
    tmp: Path
    webs: list[str] = field(default_factory=list)  # base URLs
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(
        self, name: str, args: list[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen:
        log = (self.tmp / f"{name}.log").open("w")
        proc = subprocess.Popen(
            [str(ARTICLEBOT), *args],
            cwd=self.tmp,
            env=env or self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text()

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{self.log(name)}" for name in self.procs)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def cluster(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    tmp = tmp_path_factory.mktemp("cluster")
    prefix = redis_server.unique_prefix()
    with FakeSlack() as slack, FakeOpenAI() as model, ArticleServer() as articles:
        model.default = Reply("- The bridge reopened.", first_token_delay=0.2)
        env = _env(
            slack,
            tmp,
            OPENAI_API_KEY="sk-test",
            OPENAI_BASE_URL=model.base_url,
            LLM_MAX_RETRIES="0",
            REDIS_URL=redis_url,
            REDIS_PREFIX=prefix,
            SLACK_STREAM="false",  # replies are a placeholder + chat.update: easy to count
            LOG_LEVEL="INFO",
        )
        group = Cluster(slack, model, articles, env, tmp)
        try:
            for name in ("web-a", "web-b"):
                port = _free_port()
                group.start(name, ["serve", "--http", "--host", "127.0.0.1", "--port", str(port)])
                group.webs.append(f"http://127.0.0.1:{port}")
            for name in ("worker-1", "worker-2"):
                group.start(name, ["worker", "--threads", "4"])
            for base, name in zip(group.webs, ("web-a", "web-b"), strict=True):
                _wait_healthy(base, group.procs[name], timeout=60)
            for name in ("worker-1", "worker-2"):
                _wait_for(lambda name=name: "threads on queue" in group.log(name), 60, group)
            yield group
        finally:
            group.stop()
            redis_server.delete_prefix(redis_url, prefix)


def _wait_for(ready: Any, timeout: float, cluster: Cluster) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, cluster.logs()
        for name, proc in cluster.procs.items():
            assert proc.poll() is None or name.startswith("worker-"), cluster.logs()
        time.sleep(0.1)


def _finals(slack: FakeSlack, channel: str) -> list[Any]:
    return [
        call
        for call in slack.calls("chat.update")
        if call.params.get("channel") == channel and call.params.get("blocks")
    ]


def _posts(slack: FakeSlack, channel: str) -> list[Any]:
    return [c for c in slack.calls("chat.postMessage") if c.params.get("channel") == channel]


def test_the_same_event_at_both_replicas_is_answered_once(cluster: Cluster):
    import json

    channel = "C0TWICE"
    url = cluster.articles.url("/story") + "?twice=1 in two bullets"
    body = json.dumps(
        {
            "team_id": TEAM,
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": "Ev0SAMEEVENT",
            "event_time": int(time.time()),
            "event": {
                "type": "app_mention",
                "user": USER,
                "text": f"<@{cluster.slack.bot_user_id}> {url}",
                "ts": "1700000100.000100",
                "channel": channel,
                "event_ts": "1700000100.000100",
            },
            "authorizations": [{"team_id": TEAM, "user_id": "U0BOT", "is_bot": True}],
        }
    )
    statuses: list[int] = []
    threads = [
        threading.Thread(
            target=lambda base=base: statuses.append(signed_post(base, body, "application/json"))
        )
        for base in cluster.webs
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200]
    _wait_for(lambda: _finals(cluster.slack, channel), 60, cluster)
    time.sleep(3)  # a second reply would show up by now
    assert len(_finals(cluster.slack, channel)) == 1
    assert len(_posts(cluster.slack, channel)) == 1


def test_a_link_summarized_via_one_replica_is_a_cache_hit_via_the_other(cluster: Cluster):
    channel = "C0CACHE"
    url = cluster.articles.url("/story") + "?cache=1"
    web_a, web_b = cluster.webs
    assert _slash(web_a, cluster.slack, url, channel) == 200
    _wait_for(lambda: len(_finals(cluster.slack, channel)) == 1, 60, cluster)
    asked, fetched = len(cluster.model.requests), len(cluster.articles.requests)
    assert _slash(web_b, cluster.slack, url, channel) == 200
    _wait_for(lambda: len(_finals(cluster.slack, channel)) == 2, 60, cluster)
    for final in _finals(cluster.slack, channel):
        assert "The bridge reopened." in str(final.params["blocks"])
    assert len(cluster.model.requests) == asked  # 0 new model tokens
    assert len(cluster.articles.requests) == fetched  # and no new fetch


def test_kill_9_a_worker_mid_answer_and_another_answers_once(cluster: Cluster):
    channel = "C0KILLED"
    # Instructions of its own: not a cache hit of the earlier tests' summary.
    url = cluster.articles.url("/story") + "?killed=1 for the kill test"
    cluster.model.default = Reply("- The bridge reopened.", first_token_delay=10)
    asked = len(cluster.model.requests)
    started = {name: cluster.log(name).count(": started") for name in ("worker-1", "worker-2")}
    assert _slash(cluster.webs[0], cluster.slack, url, channel) == 200
    _wait_for(lambda: len(cluster.model.requests) > asked, 60, cluster)  # mid-answer
    (busy,) = [
        name
        for name in ("worker-1", "worker-2")
        if cluster.log(name).count(": started") > started[name]
    ]
    os.killpg(cluster.procs[busy].pid, signal.SIGKILL)
    killed_at = time.monotonic()
    _wait_for(lambda: _finals(cluster.slack, channel), 60, cluster)
    assert time.monotonic() - killed_at < 60
    time.sleep(3)
    finals = _finals(cluster.slack, channel)
    assert len(finals) == 1, cluster.logs()
    assert "The bridge reopened." in str(finals[0].params["blocks"])
    placeholders = _posts(cluster.slack, channel)
    assert len(placeholders) == 1  # the other worker finished the first one's placeholder
    assert finals[0].params["ts"] == placeholders[0].response["ts"]
    other = "worker-2" if busy == "worker-1" else "worker-1"
    assert "run 2" in cluster.log(other)


def test_a_replica_killed_between_queuing_and_finishing_then_one_reply(cluster: Cluster):
    """A third replica dies (SIGKILL) right after it queued an event's job on Redis, before
    marking the event handled. Slack's retry reaches replica A once the lease runs out, while
    a worker is still writing the first message's answer: A queues a second message with
    the same job; the worker that gets it skips it. One placeholder, one answer."""
    channel = "C0KILLWIN"
    url = cluster.articles.url("/story") + "?window=1 for the crash window"
    cluster.model.default = Reply("- The bridge reopened.", first_token_delay=4)
    hooked = cluster.tmp / "hooked"
    env = {**cluster.env, **crash_hook.env(hooked, "bot.store.redis:RedisStore")}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = cluster.start(
        "web-hooked", ["serve", "--http", "--host", "127.0.0.1", "--port", str(port)], env
    )
    try:
        _wait_healthy(base, proc, timeout=60)
        body = mention_body(cluster.slack, "Ev0REPLICAKILLED", channel, url)
        with pytest.raises(OSError):  # killed mid-request: no ack reaches Slack
            signed_post(base, body, "application/json")
        proc.wait(timeout=10)
        killed_at = time.monotonic()
        assert crash_hook.crashed(hooked) == "Ev0REPLICAKILLED", cluster.log("web-hooked")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        del cluster.procs["web-hooked"]  # dead on purpose: not a failure of the cluster
    time.sleep(max(0.0, killed_at + 2.5 - time.monotonic()))  # the event's lease ran out
    assert _posts(cluster.slack, channel), "the first message's answer should be under way"
    assert signed_post(cluster.webs[0], body, "application/json", RETRY) == 200
    _wait_for(lambda: _finals(cluster.slack, channel), 60, cluster)
    time.sleep(5)  # the second message has been taken by now
    finals = _finals(cluster.slack, channel)
    placeholders = _posts(cluster.slack, channel)
    assert len(finals) == 1 and len(placeholders) == 1, cluster.logs()
    assert finals[0].params["ts"] == placeholders[0].response["ts"]
    assert "is being answered already; delivery ignored" in cluster.logs()
