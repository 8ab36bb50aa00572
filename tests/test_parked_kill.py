"""A question parked while its thread's article is read survives a real `kill -9` (issues 8
and 11): the process reading the article dies, a restarted server (SQLite) or another worker
(Redis) finishes the read, and the summary and the parked question's answer each arrive
once, in the placeholders posted before the kill.

Real processes (the console script, started in a process group of their own and killed with
SIGKILL), the fake Slack Web API, the local article server (a page slow to answer), the
offline engine. Replies are placeholders edited by chat.update (SLACK_STREAM=false): a final
reply is an update with blocks, easy to count.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import redis

from bot.slack import parked
from bot.store import Conversation
from bot.store.sqlite_jobs import SQLiteJobQueue
from tests import crash_hook, redis_server
from tests.servers.articles import ArticleServer
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import TEAM, USER, mention_body, text_of
from tests.test_scaleout import Cluster, _wait_for
from tests.test_slack_lifecycle import ARTICLEBOT, _env, _free_port, _wait_healthy, signed_post

THREAD = "1700000400.000100"  # mention_body's ts: the summary's thread
QUESTION = "How much rubbish did the volunteers pull from the river?"
ANSWER = "two tonnes"  # what the slow page says (the offline engine quotes it)
READ_SECONDS = 3  # the page's delay: each read of it is still in flight this long
# The safety net is due this long after the question: past the restarted read (a dead
# runner's job lease runs out in at most 15 s, then the read again), so the reader answers.
FETCH_TOTAL_TIMEOUT = 25.0
# Where the safety net is what answers: it comes soon (short tests); the page still reads.
NET_FETCH_TOTAL = 4.0


def _wait(ready: Callable[[], object], timeout: float, why: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, why()
        time.sleep(0.1)


def _in_thread(slack: FakeSlack, method: str, channel: str) -> list[Any]:
    return [
        c
        for c in slack.calls(method)
        if c.params.get("channel") == channel and c.params.get("thread_ts") == THREAD
    ]


def _finals(slack: FakeSlack, channel: str) -> list[Any]:
    """The finished replies in `channel` (its placeholders are edited into them)."""
    return [
        c
        for c in slack.calls("chat.update")
        if c.params.get("channel") == channel and c.params.get("blocks")
    ]


def _events(slack: FakeSlack, channel: str, url: str) -> tuple[str, str]:
    """The mention of a slow link and the question asked in its thread, as Slack sends them.
    The fake Slack holds the thread's first message too, as Slack would (the safety net reads
    the thread when it finds no article)."""
    mention = mention_body(slack, f"Ev0{channel}1", channel, f"<{url}>")
    slack.add_message(channel, json.loads(mention)["event"]["text"], user=USER, ts=THREAD)
    follow_up = json.loads(mention) | {"event_id": f"Ev0{channel}2"}
    follow_up["event"] = {
        "type": "message",
        "channel_type": "channel",
        "channel": channel,
        "user": USER,
        "text": QUESTION,
        "ts": "1700000400.000200",
        "thread_ts": THREAD,
    }
    return mention, json.dumps(follow_up)


def _reading(articles: ArticleServer) -> bool:
    """Whether the slow page was asked for: the read is in flight (the placeholder's ts, posted
    before, is in the job journal by now, so a rerun edits it)."""
    return any(path == "/slow" for path, _ in articles.requests)


def _assert_each_reply_once(slack: FakeSlack, channel: str, logs: Callable[[], str]) -> None:
    """Two placeholders (the summary's, then the answer's), each finished exactly once."""
    placeholders = _in_thread(slack, "chat.postMessage", channel)
    finals = _finals(slack, channel)
    seen = [(c.method, c.params.get("ts"), c.response.get("ts")) for c in slack.calls()]
    assert len(placeholders) == 2 and len(finals) == 2, f"{seen}\n{logs()}"
    summary, answer = (p.response["ts"] for p in placeholders)
    assert sorted(f.params["ts"] for f in finals) == sorted([summary, answer])
    (answered,) = [f for f in finals if f.params["ts"] == answer]
    assert ANSWER in text_of(answered) and "Offline answer" in text_of(answered)
    (summarized,) = [f for f in finals if f.params["ts"] == summary]
    assert "Offline summary" in text_of(summarized)


# --- SQLite: one `articlebot serve --http`, killed and restarted ---------------------------


def _serve(args: list[str], env: dict[str, str], tmp_path: Path, log: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ARTICLEBOT), "serve", *args],
        cwd=tmp_path,
        env=env,
        stdout=(tmp_path / log).open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the kill takes the group: gunicorn, its worker, the jobs
    )


def _parked_count(store_path: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)) as db:
            return int(db.execute("SELECT count(*) FROM parked").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _pending(store_path: Path) -> int:
    """Jobs queued or running (the safety net waits in the queue until it is due)."""
    queue = SQLiteJobQueue.beside(store_path)
    try:
        return queue.pending()
    finally:
        queue.close()


def _http_server(tmp_path: Path) -> tuple[list[str], str, Callable[[], str]]:
    """`serve` arguments for a free port, its base URL, and the servers' logs so far."""
    port = _free_port()

    def logs() -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text()}" for p in sorted(tmp_path.glob("server-*.log"))
        )

    return ["--http", "--host", "127.0.0.1", "--port", str(port)], f"http://127.0.0.1:{port}", logs


@pytest.mark.timeout(150)
def test_sqlite_server_killed_while_reading_answers_the_parked_question_once(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """The whole server (gunicorn, its worker, the job process) dies mid-read with the
    question parked; restarted on the same file, it runs the read again once its lease runs
    out, and that read answers the question (its safety net, due later, finds it answered)."""
    channel = "C0PARKSQL"
    store_path = tmp_path / "store.sqlite3"
    env = _env(slack, tmp_path, SLACK_STREAM="false", FETCH_TOTAL_TIMEOUT=str(FETCH_TOTAL_TIMEOUT))
    args, base, logs = _http_server(tmp_path)

    with ArticleServer() as articles:
        mention, question = _events(slack, channel, articles.url(f"/slow?delay={READ_SECONDS}"))
        proc = _serve(args, env, tmp_path, "server-1.log")
        try:
            _wait_healthy(base, proc)
            assert signed_post(base, mention, "application/json") == 200
            # The summary's placeholder: its job runs, the thread is engaged.
            _wait(lambda: _in_thread(slack, "chat.postMessage", channel), 30, logs)
            assert signed_post(base, question, "application/json") == 200
            _wait(lambda: _parked_count(store_path) == 1, 30, logs)
            asked = time.monotonic()
            _wait(lambda: _reading(articles), 30, logs)
            assert _finals(slack, channel) == [], "the read ended before the kill"
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            assert _finals(slack, channel) == [], "the read ended before the kill"
            assert _parked_count(store_path) == 1  # the question outlives the process

            proc = _serve(args, env, tmp_path, "server-2.log")
            _wait_healthy(base, proc)
            _wait(lambda: len(_finals(slack, channel)) == 2, 60, logs)
            answered = time.monotonic() - asked
            # Past the safety net's time, and the queue empty: it has run, and found the
            # question answered. A duplicate would show up now.
            net = asked + FETCH_TOTAL_TIMEOUT + parked.GRACE_SECONDS
            time.sleep(max(0.0, net - time.monotonic()))
            _wait(lambda: _pending(store_path) == 0, 30, logs)
            time.sleep(1)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    _assert_each_reply_once(slack, channel, logs)
    assert _parked_count(store_path) == 0
    assert answered < FETCH_TOTAL_TIMEOUT + parked.GRACE_SECONDS, "the reader's retry answers"
    assert "run 2 (an earlier run didn't finish)" in (tmp_path / "server-2.log").read_text()


@pytest.mark.timeout(150)
def test_sqlite_server_killed_after_taking_the_question_leaves_it_to_the_safety_net(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """The reader took the parked question (it is no longer in the store) and the whole
    server died before the answer was queued: nothing but the safety net knows of it. The
    restarted server runs the net when it is due, which answers from the article the dead
    reader had remembered; the reader's retry finishes the summary. Each once."""
    channel = "C0PARKNET"
    store_path = tmp_path / "store.sqlite3"
    env = _env(slack, tmp_path, SLACK_STREAM="false", FETCH_TOTAL_TIMEOUT=str(NET_FETCH_TOTAL))
    dying = env | crash_hook.die_after(tmp_path, "bot.store.sqlite:SQLiteStore.take_parked")
    args, base, logs = _http_server(tmp_path)

    with ArticleServer() as articles:
        mention, question = _events(slack, channel, articles.url("/slow?delay=2"))
        proc = _serve(args, dying, tmp_path, "server-1.log")
        try:
            _wait_healthy(base, proc)
            assert signed_post(base, mention, "application/json") == 200
            _wait(lambda: _in_thread(slack, "chat.postMessage", channel), 30, logs)
            assert signed_post(base, question, "application/json") == 200
            _wait(lambda: crash_hook.crashed(tmp_path) or _parked_count(store_path), 30, logs)
            proc.wait(timeout=30)  # the reader took the question, and the server died
            assert crash_hook.crashed(tmp_path) == "take_parked", logs()
            assert _parked_count(store_path) == 0  # taken: only its safety net is left
            assert _finals(slack, channel) == []
            assert len(_in_thread(slack, "chat.postMessage", channel)) == 1  # no answer yet

            proc = _serve(args, env, tmp_path, "server-2.log")
            _wait_healthy(base, proc)
            _wait(lambda: len(_finals(slack, channel)) == 2, 60, logs)
            _wait(lambda: _pending(store_path) == 0, 30, logs)  # the net and the retry ran
            time.sleep(1)  # a duplicate would show up now
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    _assert_each_reply_once(slack, channel, logs)
    restarted = (tmp_path / "server-2.log").read_text()
    assert f"ev:Ev0{channel}2.0: started" in restarted  # the net answered
    assert f"ev:Ev0{channel}1.0: run 2" in restarted  # the reader's retry summarized


# --- Redis: a replica and two workers; the worker reading the article is killed -----------


@pytest.fixture
def cluster(
    request: pytest.FixtureRequest, slack: FakeSlack, redis_url: str, tmp_path: Path
) -> Iterator[Cluster]:
    """One `serve --http` replica and two `articlebot worker`s on this test's Redis prefix.
    Parametrized (indirect) with True: the worker that first takes a parked question dies
    right after (crash_hook.die_after), and the safety net comes soon."""
    dying = bool(getattr(request, "param", False))
    prefix = redis_server.unique_prefix()
    with ArticleServer() as articles:
        env = _env(
            slack,
            tmp_path,
            REDIS_URL=redis_url,
            REDIS_PREFIX=prefix,
            SLACK_STREAM="false",
            FETCH_TOTAL_TIMEOUT=str(NET_FETCH_TOTAL if dying else FETCH_TOTAL_TIMEOUT),
            LOG_LEVEL="INFO",
        )
        workers = env
        if dying:
            workers = env | crash_hook.die_after(tmp_path, "bot.store.redis:RedisStore.take_parked")
        group = Cluster(slack, None, articles, env, tmp_path)  # type: ignore[arg-type]  # no model
        try:
            port = _free_port()
            group.start("web", ["serve", "--http", "--host", "127.0.0.1", "--port", str(port)])
            group.webs.append(f"http://127.0.0.1:{port}")
            for name in WORKERS:
                group.start(name, ["worker", "--threads", "2"], workers)
            _wait_healthy(group.webs[0], group.procs["web"], timeout=60)
            for name in WORKERS:
                _wait_for(lambda name=name: "threads on queue" in group.log(name), 60, group)
            yield group
        finally:
            group.stop()
            redis_server.delete_prefix(redis_url, prefix)


WORKERS = ("worker-1", "worker-2")


def _redis_parked(cluster: Cluster, channel: str) -> int:
    """How many questions are parked in the thread (the store's `conv:…:parked` hash)."""
    key = f"{cluster.env['REDIS_PREFIX']}conv:{Conversation(TEAM, channel, THREAD).key}:parked"
    with redis.Redis.from_url(cluster.env["REDIS_URL"]) as client:
        return int(client.hlen(key))


@pytest.mark.timeout(180)
def test_redis_worker_killed_while_reading_another_answers_the_parked_question_once(
    cluster: Cluster,
) -> None:
    """The worker reading the article dies mid-read with the question parked; the other
    worker gets the read once the dead one's heartbeat is missed, and answers the question
    (the safety net, due later, finds it answered)."""
    channel = "C0PARKRED"
    slack, base = cluster.slack, cluster.webs[0]
    mention, question = _events(slack, channel, cluster.articles.url(f"/slow?delay={READ_SECONDS}"))
    summary_job = f"ev:Ev0{channel}1.0"
    assert signed_post(base, mention, "application/json") == 200
    _wait_for(lambda: _in_thread(slack, "chat.postMessage", channel), 30, cluster)
    assert signed_post(base, question, "application/json") == 200
    _wait_for(lambda: _redis_parked(cluster, channel) == 1, 30, cluster)
    asked = time.monotonic()
    _wait_for(lambda: _reading(cluster.articles), 30, cluster)
    (reader,) = [name for name in WORKERS if f"{summary_job}: started" in cluster.log(name)]
    assert _finals(slack, channel) == [], "the read ended before the kill"
    os.killpg(cluster.procs[reader].pid, signal.SIGKILL)
    cluster.procs[reader].wait(timeout=10)
    assert _finals(slack, channel) == [], "the read ended before the kill"
    assert _redis_parked(cluster, channel) == 1  # the question outlives the worker

    _wait_for(lambda: len(_finals(slack, channel)) == 2, 90, cluster)
    answered = time.monotonic() - asked
    # Past the safety net's time: it has run (on the survivor), and found the question
    # answered. A duplicate would show up now.
    (other,) = [name for name in WORKERS if name != reader]
    net_job = f"ev:Ev0{channel}2.0"
    _wait_for(lambda: f"{net_job}: started" in cluster.log(other), 60, cluster)
    time.sleep(2)
    _assert_each_reply_once(slack, channel, cluster.logs)
    assert _redis_parked(cluster, channel) == 0
    assert answered < FETCH_TOTAL_TIMEOUT + parked.GRACE_SECONDS, "the reader's retry answers"
    assert f"{summary_job}: run 2" in cluster.log(other), cluster.logs()


@pytest.mark.timeout(180)
@pytest.mark.parametrize("cluster", [True], ids=["dying"], indirect=True)
def test_redis_worker_killed_after_taking_the_question_leaves_it_to_the_safety_net(
    cluster: Cluster,
) -> None:
    """As on SQLite: the worker reading the article took the parked question and died before
    queueing its answer. The other worker runs the net when it is due (answered from the
    remembered article) and, once the dead one's heartbeat is missed, the summary again."""
    channel = "C0PARKNETR"
    slack, base = cluster.slack, cluster.webs[0]
    mention, question = _events(slack, channel, cluster.articles.url("/slow?delay=2"))
    assert signed_post(base, mention, "application/json") == 200
    _wait_for(lambda: _in_thread(slack, "chat.postMessage", channel), 30, cluster)
    assert signed_post(base, question, "application/json") == 200
    _wait_for(lambda: crash_hook.crashed(cluster.tmp), 30, cluster)
    _wait_for(lambda: any(cluster.procs[n].poll() is not None for n in WORKERS), 10, cluster)
    (dead,) = [name for name in WORKERS if cluster.procs[name].poll() is not None]
    assert crash_hook.crashed(cluster.tmp) == "take_parked"
    assert _redis_parked(cluster, channel) == 0  # taken: only its safety net is left
    assert _finals(slack, channel) == []

    _wait_for(lambda: len(_finals(slack, channel)) == 2, 90, cluster)
    (other,) = [name for name in WORKERS if name != dead]
    _wait_for(lambda: f"ev:Ev0{channel}1.0: run 2" in cluster.log(other), 30, cluster)
    time.sleep(2)  # a duplicate would show up now
    _assert_each_reply_once(slack, channel, cluster.logs)
    assert f"ev:Ev0{channel}2.0: started" in cluster.log(other)  # the net answered
