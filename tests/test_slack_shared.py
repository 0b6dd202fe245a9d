"""Several processes serving one Slack app through one store (a SQLite file, a real
redis-server): no update of a conversation is lost, every event is answered once, and a
store that goes down gets apologies, one log line, and recovers by itself.

Each "process" here is an app of its own (its own store client, locks and memory) on its
own HTTP port, as `vmbot slack --http` would run it; test_slack_processes.py runs real ones.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import messages as msg
from bot.adapters.slack_sessions import SharedSessions
from bot.dialogue.flow import Conversation
from bot.engine import Bot
from bot.errors import StoreUnavailable
from bot.sessions import MemoryStore, SessionStore
from bot.stores.redis_store import RedisStore
from bot.stores.sqlite_store import SqliteStore
from tests.redis_server import RedisServer
from tests.teardowns import Teardowns
from tests.test_slack import (
    ADVICE,
    SHORT_LEASE,
    FakeSlack,
    Served,
    channel_message,
    click,
    dm,
    escaped,
    eventually,
    expected_texts,
    http_request,
    mention,
    new_ts,
    serve,
)

_prefixes = itertools.count(1)


@pytest.fixture
def fake(teardowns: Teardowns) -> Iterator[FakeSlack]:
    server = FakeSlack()
    yield server
    teardowns.add(server.close, after_the_others=True)  # the servers calling it first


@pytest.fixture(params=["sqlite", "redis"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., SessionStore]:
    """Opens a client of one shared store, as each process would."""
    prefix = f"shared{next(_prefixes)}:"

    def open_one(**limits: Any) -> SessionStore:
        if request.param == "sqlite":
            return SqliteStore(tmp_path / "sessions.sqlite3", **limits)
        server: RedisServer = request.getfixturevalue("redis_server")
        return RedisStore(server.url, prefix=prefix, **limits)

    return open_one


@pytest.fixture
def pair(
    fake: FakeSlack,
    conversation: Conversation,
    open_store: Callable[..., SessionStore],
    teardowns: Teardowns,
) -> Iterator[tuple[Served, Served]]:
    """Two processes, one store."""
    first = serve(fake, conversation, open_store(), lease=SHORT_LEASE, teardowns=teardowns)
    second = serve(fake, conversation, open_store(), lease=SHORT_LEASE, teardowns=teardowns)
    yield next(first), next(second)
    for served in (first, second):
        next(served, None)


def stored_dialogue(served: Served, key: str) -> object:
    record = served.store.get(key)
    assert record is not None
    return record["dialogue"]


def test_two_processes_answering_one_thread_at_once_lose_no_update(
    pair: tuple[Served, Served], fake: FakeSlack, conversation: Conversation
) -> None:
    one, two = pair
    root = new_ts()
    one.send(mention(ADVICE, ts=root))
    question = fake.wait_posts(root, 1)[0]
    # A click on the first process; Slack is slow to update the clicked message, and
    # meanwhile the next answer, typed, reaches the second process.
    fake.held["chat.update"] = gate = threading.Event()
    click(one, question, "Non")
    fake.wait_for(lambda _: fake.waiting >= 1)
    two.send(mention("oui", ts=new_ts(), thread_ts=root))
    time.sleep(0.5)  # room for the second process to read the conversation, if it can
    gate.set()
    fake.wait_posts(root, 3)
    one.drain()
    two.drain()

    state: object = None
    for text in (ADVICE, "non", "oui"):
        state, _ = conversation.step(state, text)
    assert stored_dialogue(one, f"T1/C1/{root}") == state.to_json()  # type: ignore[attr-defined]


def test_a_conversation_goes_on_across_processes(
    pair: tuple[Served, Served], fake: FakeSlack, conversation: Conversation
) -> None:
    one, two = pair
    root = new_ts()
    one.send(mention(ADVICE, ts=root))
    question = fake.wait_posts(root, 1)[0]
    click(two, question, "Non")
    fake.wait_posts(root, 2)
    one.send(mention("oui", ts=new_ts(), thread_ts=root))
    posts = fake.wait_posts(root, 3)
    assert [p.params["text"] for p in posts] == expected_texts(conversation, [ADVICE, "non", "oui"])


RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def test_a_retry_of_an_event_no_process_got_is_answered(
    pair: tuple[Served, Served], fake: FakeSlack
) -> None:
    _, two = pair
    ts = new_ts()
    status, _, _ = two.send(mention("c'est quoi docker ?", ts=ts), **RETRY)
    assert status == 200
    fake.wait_posts(ts, 1)
    two.drain()
    assert len(fake.posts(ts)) == 1


def test_a_retry_of_an_event_another_process_answered_is_not_answered(
    pair: tuple[Served, Served], fake: FakeSlack
) -> None:
    one, two = pair
    ts = new_ts()
    payload = mention("c'est quoi docker ?", ts=ts)
    one.send(payload)
    fake.wait_posts(ts, 1)
    status, _, headers = two.send(payload, **RETRY)
    assert (status, headers.get("x-slack-no-retry")) == (200, "1")
    one.drain()
    two.drain()
    assert len(fake.posts(ts)) == 1


def test_a_retry_while_another_process_is_answering_is_not_answered(
    pair: tuple[Served, Served], fake: FakeSlack
) -> None:
    one, two = pair
    fake.held["chat.postMessage"] = gate = threading.Event()
    ts = new_ts()
    payload = mention("c'est quoi docker ?", ts=ts)
    one.send(payload)
    fake.wait_for(lambda _: fake.waiting >= 1)
    assert two.send(payload, **RETRY)[0] == 200
    gate.set()
    fake.wait_posts(ts, 1)
    one.drain()
    two.drain()
    assert len(fake.posts(ts)) == 1


def test_a_retry_of_an_event_whose_process_died_while_answering_is_answered(
    pair: tuple[Served, Served], fake: FakeSlack
) -> None:
    _, two = pair
    ts = new_ts()
    payload = mention("c'est quoi docker ?", ts=ts)
    # A process took the event, then died: its claim runs out.
    two.store.claim(f"event:{payload['event_id']}", "dead-worker", ttl=0.3)
    time.sleep(0.5)
    assert two.send(payload, **RETRY)[0] == 200
    fake.wait_posts(ts, 1)


def test_a_conversation_locked_by_a_dead_process_is_answered_once_its_lock_expires(
    pair: tuple[Served, Served], fake: FakeSlack
) -> None:
    one, _ = pair
    root = new_ts()
    one.store.claim(f"lock:T1/C1/{root}", "dead-worker", ttl=1.0)
    one.send(mention("c'est quoi docker ?", ts=root))
    fake.wait_posts(root, 1)


def test_on_redis_a_turn_of_a_conversation_is_two_round_trips_on_its_lock_and_state(
    own_redis: RedisServer,
) -> None:
    import redis

    shared = SharedSessions(RedisStore(own_redis.url, prefix="trips:"), log=logging.getLogger())
    with shared.conversation("T1/C1/4.0") as held:  # loads the scripts, once per server
        held.save_and_release({"n": 0})
    shared.store.put("T1/C1/5.0", {"n": 1})
    sent: list[str] = []
    watcher = redis.Redis.from_url(own_redis.url, decode_responses=True)
    with watcher.monitor() as monitor:  # type: ignore[no-untyped-call]
        with shared.conversation("T1/C1/5.0") as held:
            assert held.record == {"n": 1}
            held.save_and_release({"n": 2})
        redis.Redis.from_url(own_redis.url).echo("end")
        while (command := monitor.next_command())["command"] != "ECHO end":
            if command["client_type"] != "lua" and "trips:" in command["command"]:
                sent.append(command["command"].split()[0])
    # Taking the lock with the state, saving the state with letting the lock go.
    assert sent == ["EVALSHA", "EVALSHA"]
    assert shared.store.get("T1/C1/5.0") == {"n": 2}
    shared.store.close()


# --- The store down, then back -----------------------------------------------------------------


def test_while_the_store_is_down_slack_is_acked_users_get_an_apology_and_it_recovers(
    fake: FakeSlack,
    conversation: Conversation,
    own_redis: RedisServer,
    caplog: pytest.LogCaptureFixture,
    bot: Bot,
) -> None:
    caplog.set_level(logging.INFO, logger="vmbot.slack")
    app = serve(fake, conversation, RedisStore(own_redis.url))
    served = next(app)
    try:
        root = new_ts()
        served.send(mention(ADVICE, ts=root))
        question = fake.wait_posts(root, 1)[0]
        # Its state saved (after the post) before the store goes down: this test is about
        # the messages that come while it is down.
        eventually(lambda: '"outcome": "answered"' in caplog.text, "the question never saved")

        own_redis.stop()
        ts = new_ts()
        assert served.send(dm("c'est quoi docker ?", ts=ts))[0] == 200
        assert served.send(mention("oui", ts=new_ts(), thread_ts=root))[0] == 200
        assert click(served, question, "Non") == 200
        apology = escaped(msg.SLACK_STORE_DOWN)
        fake.wait_for(lambda _: [p.params["text"] for p in fake.posts(root)][1:] == [apology] * 2)
        assert [p.params["text"] for p in fake.wait_in_dm(1)] == [apology]
        down = [r for r in caplog.records if "unavailable" in r.getMessage()]
        assert len(down) == 1 and str(own_redis.port) in down[0].getMessage()
        assert http_request("GET", served.port, "/healthz")[:2] == (
            503,
            msg.SLACK_HEALTH_STORE_DOWN,
        )

        own_redis.start()
        again = new_ts()
        served.send(dm("c'est quoi docker ?", ts=again))
        reply = fake.wait_in_dm(2)[1]
        assert reply.params["text"] == escaped(bot.ask("c'est quoi docker ?").text)
        assert any("available again" in r.getMessage() for r in caplog.records)
        assert http_request("GET", served.port, "/healthz")[:2] == (200, "ok")
    finally:
        next(app, None)


class _FallsAfterPosting:
    """A store that goes down between a reply being posted and its state being saved."""

    def __init__(self, store: SessionStore) -> None:
        self._store = store

    def put_release(self, key: str, value: dict[str, Any], *, claim: str, owner: str) -> None:
        raise StoreUnavailable("connection lost")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_a_reply_already_posted_gets_no_apology_when_the_store_falls_before_saving_it(
    fake: FakeSlack, conversation: Conversation, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="vmbot.slack")
    app = serve(fake, conversation, _FallsAfterPosting(MemoryStore()))
    served = next(app)
    try:
        root = new_ts()
        served.send(mention("c'est quoi docker ?", ts=root))
        fake.wait_posts(root, 1)
        served.drain()
        texts = [p.params["text"] for p in fake.posts(root)]
        assert len(texts) == 1 and texts[0] != escaped(msg.SLACK_STORE_DOWN)
        assert '"outcome": "store_down"' in caplog.text  # logged all the same
    finally:
        next(app, None)


class _DiesBeforeSettling:
    """A process's store client that stops before settling its deliveries (the process
    died right after replying): everything else goes to the real store."""

    def __init__(self, store: SessionStore) -> None:
        self._store = store

    def settle(self, key: str, owner: str, *, ttl: float) -> bool:
        raise StoreUnavailable("the process died")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_a_delivery_answered_by_a_process_that_died_before_settling_it_is_not_answered_again(
    pair: tuple[Served, Served],
    fake: FakeSlack,
    conversation: Conversation,
    open_store: Callable[..., SessionStore],
    caplog: pytest.LogCaptureFixture,
) -> None:
    dying = serve(fake, conversation, _DiesBeforeSettling(open_store()), lease=SHORT_LEASE)
    three = next(dying)
    try:
        root = new_ts()
        first = mention("c'est quoi docker ?", ts=root)
        three.send(first)
        fake.wait_posts(root, 1)
        # The thread moves on before the unsettled delivery's claim runs out.
        pair[0].send(mention("c'est quoi un hyperviseur ?", ts=new_ts(), thread_ts=root))
        fake.wait_posts(root, 2)
        eventually(lambda: "taken over" in caplog.text, "the delivery was never taken over")
        for served in (*pair, three):
            served.drain()
        assert len(fake.posts(root)) == 2
    finally:
        next(dying, None)


# --- A conversation gone, after a restart ----------------------------------------------------


def test_after_a_restart_a_follow_up_whose_session_expired_is_told_and_others_stay_silent(
    fake: FakeSlack, conversation: Conversation, open_store: Callable[..., SessionStore]
) -> None:
    # Given a thread the bot answered, then a restart after its session expired
    before = serve(fake, conversation, open_store(ttl_seconds=0.3))
    served = next(before)
    root = new_ts()
    served.send(mention("c'est quoi docker ?", ts=root))
    fake.wait_posts(root, 1)
    served.drain()
    next(before, None)
    time.sleep(0.5)
    after = serve(fake, conversation, open_store(ttl_seconds=0.3))
    served = next(after)
    try:
        # When a follow-up comes in that thread, and another in a thread it never took part in
        elsewhere = new_ts()
        served.send(channel_message("et un hyperviseur ?", ts=new_ts(), thread_ts=root))
        served.send(channel_message("c'est quoi docker ?", ts=new_ts(), thread_ts=elsewhere))
        # Then the first is told the conversation expired and how to begin again, once
        notice = fake.wait_posts(root, 2)[1]
        assert notice.params["text"] == escaped(msg.SLACK_SESSION_EXPIRED)
        served.send(channel_message("et kubernetes ?", ts=new_ts(), thread_ts=root))
        served.drain()
        assert len(fake.posts(root)) == 2
        assert fake.posts(elsewhere) == []
    finally:
        next(after, None)
