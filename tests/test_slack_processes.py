"""Two real `vmbot slack --http` processes sharing one real redis-server, against the fake
Slack Web API on 127.0.0.1: one conversation goes on whichever process gets each delivery,
a retry is answered once, and a process killed mid-conversation loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.adapters.slack_sessions import EVENT_LEASE
from bot.dialogue.flow import Conversation
from bot.stores import open_store
from tests.redis_server import RedisServer, free_port
from tests.test_slack import (
    ADVICE,
    BOT_TOKEN,
    LABELS,
    ROOT,
    SECRET,
    SHORT_LEASE,
    WAIT,
    Endpoint,
    FakeSlack,
    channel_message,
    click,
    dm,
    expected_texts,
    has_buttons,
    http_request,
    mention,
    new_ts,
)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack()
    yield server
    server.close()


@dataclass
class Process(Endpoint):
    """One `vmbot slack --http` process, its stderr in a file."""

    popen: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=WAIT)

    def ready(self) -> Process:
        """This process, once it answers on its port."""
        deadline = time.monotonic() + WAIT
        while True:
            try:
                if http_request("GET", self.port, "/healthz")[0] == 200:
                    return self
            except ConnectionError:
                pass
            assert self.popen.poll() is None, self.log.read_text("utf-8")
            assert time.monotonic() < deadline, "vmbot slack did not start"
            time.sleep(0.05)

    def stop(self) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            self.popen.wait(timeout=WAIT)
        return self.popen.returncode


def start(
    fake: FakeSlack, store: str, port: int, log: Path, *extra: str, lease: float = EVENT_LEASE
) -> Process:
    """A started process, answering on `port`."""
    return launch(fake, store, port, log, *extra, lease=lease).ready()


def launch(
    fake: FakeSlack, store: str, port: int, log: Path, *extra: str, lease: float = EVENT_LEASE
) -> Process:
    """A process starting: several start side by side, then each is waited for (`ready`)."""
    env = os.environ | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url,
        "VMBOT_SLACK_LEASE": str(lease),
    }
    command = [sys.executable, "-m", "bot", "slack", "--http", "--host", "127.0.0.1"]
    with log.open("ab") as err:
        popen = subprocess.Popen(
            [*command, "--port", str(port), "--store", store, *extra],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    return Process(port=port, fake=fake, popen=popen, log=log)


@pytest.fixture
def processes(
    fake: FakeSlack, own_redis: RedisServer, conversation: Conversation, tmp_path: Path
) -> Iterator[list[Process]]:
    logs = [tmp_path / f"vmbot-{n}.log" for n in (1, 2)]
    launched = [launch(fake, own_redis.url, free_port(), log) for log in logs]
    started = [process.ready() for process in launched]
    yield started
    for process in started:
        process.stop()


RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def test_two_processes_on_one_redis_carry_a_recommendation_through_a_kill(
    processes: list[Process],
    fake: FakeSlack,
    conversation: Conversation,
    own_redis: RedisServer,
) -> None:
    one, two = processes
    root = new_ts()
    first = mention(ADVICE, ts=root)
    one.send(first)
    fake.wait_posts(root, 1)
    # Slack thinks the first delivery was lost and retries it on the other process.
    status, _, headers = two.send(first, **RETRY)
    assert (status, headers.get("x-slack-no-retry")) == (200, "1")

    words: list[str] = []
    posts = fake.posts(root)
    while has_buttons(posts[-1]) and len(words) < 15:
        word = "oui" if len(words) % 3 == 1 else "non"
        # Deliveries alternate between the processes, clicks and typed follow-ups too.
        process = (one, two)[len(words) % 2]
        if len(words) % 4 < 2:
            assert click(process, posts[-1], LABELS[word]) == 200
        else:
            follow_up = channel_message(word, ts=new_ts(), thread_ts=root)
            assert process.send(follow_up)[0] == 200
        words.append(word)
        posts = fake.wait_posts(root, len(words) + 1)
        if len(words) == 2:
            # Killed between two messages, and started again on its port.
            one.kill()
            one = processes[0] = start(fake, own_redis.url, one.port, one.log)

    assert len(words) >= 3, "the recommendation ended before the kill"
    assert not has_buttons(posts[-1])
    assert [p.params["text"] for p in posts] == expected_texts(conversation, [ADVICE, *words])
    for process in processes:
        assert process.stop() == 143
    assert [p.params["text"] for p in fake.posts(root)] == [p.params["text"] for p in posts]


def test_sigterm_lets_the_answers_in_flight_finish_then_exits(
    fake: FakeSlack, conversation: Conversation, tmp_path: Path
) -> None:
    log = tmp_path / "vmbot.log"
    process = start(fake, f"sqlite://{tmp_path}/sessions.sqlite3", free_port(), log)
    fake.held["chat.postMessage"] = gate = threading.Event()
    # Thirty acked answers: sixteen held by a slow Slack, the others queued behind them.
    channels = [f"D{n}" for n in range(1, 31)]
    for channel in channels:
        assert process.send(dm("c'est quoi docker ?", ts=new_ts(), channel=channel))[0] == 200
    fake.wait_for(lambda _: fake.waiting >= 16)
    process.popen.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + WAIT
    while True:  # it stops accepting at once...
        try:
            http_request("GET", process.port, "/healthz")
        except ConnectionError:
            break
        assert time.monotonic() < deadline, "still accepting after SIGTERM"
        time.sleep(0.05)
    assert process.popen.poll() is None  # ...but waits for the answers in flight
    gate.set()
    assert process.popen.wait(timeout=WAIT) == 143
    for channel in channels:
        assert len(fake.in_dm(channel)) == 1
    lines = [line for line in log.read_text("utf-8").splitlines() if "vmbot.slack.events" in line]
    assert len(lines) == len(channels) and all('"outcome": "answered"' in x for x in lines)


def test_several_workers_share_the_port_and_the_store_and_stop_on_sigterm(
    fake: FakeSlack, conversation: Conversation, tmp_path: Path
) -> None:
    log = tmp_path / "vmbot.log"
    store = f"sqlite://{tmp_path}/sessions.sqlite3"
    process = start(fake, store, free_port(), log, "--workers", "2")
    channels = [f"D{n}" for n in range(1, 9)]
    for channel in channels:
        assert process.send(dm(ADVICE, ts=new_ts(), channel=channel))[0] == 200
    for channel in channels:
        (question,) = fake.wait_in_dm(1, channel)
        assert click(process, question, "Non") == 200
        assert (
            fake.wait_in_dm(2, channel)[1].params["text"]
            == expected_texts(conversation, [ADVICE, "non"])[1]
        )
    assert process.stop() == 143
    assert "arrêté proprement" in log.read_text("utf-8")


@pytest.fixture(params=["redis", "sqlite"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """One shared store for the processes of a test: a real redis-server, or a SQLite file."""
    if request.param == "redis":
        server: RedisServer = request.getfixturevalue("own_redis")
        return server.url
    return f"sqlite://{tmp_path}/sessions.sqlite3"


@pytest.fixture
def on_store(
    fake: FakeSlack, conversation: Conversation, store_url: str, tmp_path: Path
) -> Iterator[list[Process]]:
    """Two processes sharing `store_url`, stopped (or killed) after the test; a killed
    one's claims run out within SHORT_LEASE."""
    started: list[Process] = []
    try:
        for n in (1, 2):
            log = tmp_path / f"vmbot-{n}.log"
            started.append(launch(fake, store_url, free_port(), log, lease=SHORT_LEASE))
        yield [process.ready() for process in started]
    finally:
        for process in started:
            if process.popen.poll() is None:
                process.kill()


def test_deliveries_acked_by_a_killed_process_are_answered_once_by_the_other(
    on_store: list[Process],
    fake: FakeSlack,
    conversation: Conversation,
    store_url: str,
    tmp_path: Path,
) -> None:
    one, two = on_store
    # Each conversation is locked (as by a slow answer): the first process acks its
    # deliveries and waits for the locks, holding them unanswered when it is killed.
    held = open_store(store_url)
    roots = [new_ts() for _ in range(5)]
    for root in roots:
        assert held.claim(f"lock:T1/C1/{root}", "slow-answer", ttl=60)
    for root in roots:
        assert one.send(mention("c'est quoi docker ?", ts=root))[0] == 200
    one.kill()
    for root in roots:
        held.release(f"lock:T1/C1/{root}", "slow-answer")

    for root in roots:
        fake.wait_posts(root, 1)
    assert two.stop() == 143  # lets whatever it is still answering finish
    expected = expected_texts(conversation, ["c'est quoi docker ?"])
    for root in roots:
        assert [p.params["text"] for p in fake.posts(root)] == expected
    assert "taken over" in (tmp_path / "vmbot-2.log").read_text("utf-8")


def test_a_reply_a_killed_process_had_sent_is_not_sent_again_and_the_conversation_goes_on(
    on_store: list[Process], fake: FakeSlack, conversation: Conversation
) -> None:
    one, two = on_store
    fake.held["chat.postMessage"] = gate = threading.Event()
    root = new_ts()
    assert one.send(mention(ADVICE, ts=root))[0] == 200
    fake.wait_for(lambda _: fake.waiting >= 1)
    one.kill()  # Slack got the question; the process died before hearing back
    gate.set()
    del fake.held["chat.postMessage"]
    (question,) = fake.wait_posts(root, 1)
    # The other process takes the delivery over, finds the question posted, and keeps it
    # as the conversation's pending question: its buttons work.
    fake.wait_for(lambda calls: any(c.method == "conversations.replies" for c in calls))
    deadline = time.monotonic() + WAIT
    while click(two, question, "Non") == 200 and len(fake.posts(root)) < 2:
        assert time.monotonic() < deadline, "the click was never answered"
        time.sleep(0.5)
    posts = fake.wait_posts(root, 2)
    assert two.stop() == 143
    assert [p.params["text"] for p in fake.posts(root)] == expected_texts(
        conversation, [ADVICE, "non"]
    )
    assert posts[0].params["text"] == question.params["text"]
