"""`vmbot slack`: the real Bolt app, served over HTTP on 127.0.0.1, against a fake Web API.

Nothing reaches Slack: a local `http.server` stands in for the Web API (it records every
call), and the tests post events signed like Slack signs them. Waits are on conditions
with timeouts; "nothing was sent" is checked after Bolt's thread pool has drained.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import itertools
import json
import logging
import os
import queue
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
import yaml
from slack_bolt import App
from slack_sdk.signature import SignatureVerifier

from bot import messages as msg
from bot.adapters import cli
from bot.adapters.slack import (
    SlackConfigError,
    SlackStartError,
    connect_socket_mode,
    create_app,
    make_http_server,
    reply_blocks,
    settings_from_env,
)
from bot.adapters.slack_listeners import listeners_of
from bot.adapters.slack_sessions import EVENT_LEASE
from bot.assembly import conversation_for
from bot.dialogue.flow import Conversation
from bot.dialogue.state import Reply
from bot.domain import Source
from bot.engine import Bot
from bot.sessions import KeyedLocks, MemoryStore, RecentKeys, SessionStore
from tests.teardowns import Teardowns

ROOT = Path(__file__).resolve().parent.parent
SECRET = "0123456789abcdef0123456789abcdef"
BOT_TOKEN = "xoxb-1-test"
APP_TOKEN = "xapp-1-test"
ADVICE = "je voudrais un conseil pour mon projet"
TORN = "vm portabilité et ressources"  # two topics, both likely
WAIT = 30.0
# The lease of the processes' claims where a test kills one (10 s when served): its
# deliveries are taken over within 2.4 s, while a live process, renewing its own every
# 0.4 s, keeps them even on a busy machine.
SHORT_LEASE = 2.0


# --- A fake Slack Web API ---------------------------------------------------------------


@dataclass
class Call:
    method: str  # "chat.postMessage"..., or "response_url" for respond()
    params: dict[str, Any]
    status: int
    response: dict[str, Any]
    at: float
    path: str = ""


class _FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # Slack takes bursts of calls: no reset from the fake itself

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a caller killed by a test
            super().handle_error(request, client_address)


@dataclass
class FakeSlack:
    """The Web API on 127.0.0.1: records calls, answers ok, or a scripted failure once."""

    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, str], dict[str, Any]]]] = field(
        default_factory=dict
    )
    ws_url: str = ""
    # Calls to these methods wait until their event is set: a slow Slack.
    held: dict[str, threading.Event] = field(default_factory=dict)
    waiting: int = 0  # calls held so far
    cond: threading.Condition = field(default_factory=threading.Condition)
    # Calls to these methods take this many seconds: a slow Slack, for the load benchmark.
    delays: dict[str, float] = field(default_factory=dict)
    # Called with each call recorded (holding cond): the load benchmark counts its replies.
    observers: list[Callable[[Call], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ts = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake.handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = _FakeServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    @property
    def hook_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T1/B1/x"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("content-length") or 0)
        raw = request.rfile.read(length).decode()
        if len(raw.encode()) < length:
            return  # the caller died mid-request: Slack never got the call
        if "json" in request.headers.get("content-type", ""):
            params = json.loads(raw) if raw else {}
        else:
            params = {k: v[0] for k, v in parse_qs(raw).items()}
        path = request.path.split("?", 1)[0]
        method = path.removeprefix("/api/") if path.startswith("/api/") else "response_url"
        if method in self.held:
            with self.cond:
                self.waiting += 1
                self.cond.notify_all()
            self.held[method].wait(WAIT)
        if method in self.delays:
            time.sleep(self.delays[method])
        with self.cond:
            scripted = self.failures.get(method)
            status, headers, body = scripted.pop(0) if scripted else (200, {}, {})
            # A failure "carried out": Slack did the work, then the answer got lost.
            carried_out = bool(body.get("carried_out"))
            if body.get("ok") is not False:
                body = self.ok(method, params)
            recorded = 200 if carried_out else status
            call = Call(method, params, recorded, body, time.monotonic(), path)
            self.calls.append(call)
            for observe in self.observers:
                observe(call)
            self.cond.notify_all()
        data = json.dumps(body).encode()
        request.send_response(status)
        for name, value in headers.items():
            request.send_header(name, value)
        request.send_header("content-type", "application/json")
        request.send_header("content-length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def ok(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        params = params or {}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test",
                "user": "vmbot",
                "team_id": "T1",
                "user_id": "UBOT",
                "bot_id": "BBOT",
            }
        if method == "chat.postMessage":
            ts = f"{1_700_000_000 + next(self._ts)}.000100"
            return {"ok": True, "channel": params.get("channel"), "ts": ts}
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method in ("conversations.replies", "conversations.history"):
            return {"ok": True, "messages": self.messages(params)}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.ws_url}
        return {"ok": True}

    def messages(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """The bot's messages of a channel (`ts`: of one thread), newest first, as
        conversations.history and conversations.replies give them (called holding cond)."""
        found = []
        for call in reversed(self.calls):
            if call.method != "chat.postMessage" or call.status != 200:
                continue
            if call.params.get("channel") != params.get("channel"):
                continue
            if "ts" in params and call.params.get("thread_ts") != params["ts"]:
                continue
            message = {
                "type": "message",
                "ts": call.response["ts"],
                "text": call.params.get("text"),
            }
            if str(params.get("include_all_metadata")).lower() in ("1", "true"):
                message["metadata"] = call.params.get("metadata")
            found.append(message)
        return found

    def wait_for(self, predicate: Callable[[list[Call]], Any], timeout: float = WAIT) -> Any:
        with self.cond:
            result = self.cond.wait_for(lambda: predicate(self.calls), timeout)
        assert result, f"timed out; calls: {[c.method for c in self.calls]}"
        return result

    def done(self, method: str) -> list[Call]:
        """The successful calls to `method`, in order."""
        with self.cond:
            return [c for c in self.calls if c.method == method and c.status == 200]

    def posts(self, thread_ts: str) -> list[Call]:
        return [p for p in self.done("chat.postMessage") if p.params.get("thread_ts") == thread_ts]

    def wait_posts(self, thread_ts: str, count: int) -> list[Call]:
        self.wait_for(lambda _: len(self.posts(thread_ts)) >= count)
        return self.posts(thread_ts)

    def in_dm(self, channel: str = "D1") -> list[Call]:
        """The replies posted in the direct message itself, not in a thread."""
        return [
            p
            for p in self.done("chat.postMessage")
            if p.params.get("channel") == channel and "thread_ts" not in p.params
        ]

    def wait_in_dm(self, count: int, channel: str = "D1") -> list[Call]:
        self.wait_for(lambda _: len(self.in_dm(channel)) >= count)
        return self.in_dm(channel)


# --- The app under test, served like `vmbot slack --http` serves it -------------------


@dataclass
class Endpoint:
    """Slack's side of one `vmbot slack --http`: signed deliveries to its port."""

    port: int
    fake: FakeSlack

    def post(
        self, body: str, headers: dict[str, str], path: str = "/slack/events"
    ) -> tuple[int, str, dict[str, str]]:
        return http_request("POST", self.port, path, body, headers)

    def send(self, payload: dict[str, Any], **extra: str) -> tuple[int, str, dict[str, str]]:
        """An Events API delivery, signed."""
        body = json.dumps(payload)
        headers = {"content-type": "application/json", **signed(body), **extra}
        return self.post(body, headers)

    def interact(self, payload: dict[str, Any]) -> tuple[int, str, dict[str, str]]:
        """A block_actions payload, form-encoded and signed as Slack sends it."""
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(
            body, {"content-type": "application/x-www-form-urlencoded", **signed(body)}
        )


@dataclass
class Served(Endpoint):
    """The app served in this process, with its store."""

    app: App
    store: Any

    def drain(self) -> None:
        """Wait for every listener Bolt started: afterwards, nothing more will be sent."""
        self.app.listener_runner.listener_executor.shutdown(wait=True)


def eventually(predicate: Callable[[], Any], what: str, *, every: float = 0.02) -> None:
    """Wait for `predicate` to hold, checking every `every` seconds, for at most WAIT:
    for a state no notification announces (a log line, a store's key)."""
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(every)


def http_request(
    verb: str, port: int, path: str, body: str = "", headers: dict[str, str] | None = None
) -> tuple[int, str, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        connection.request(verb, path, body.encode(), headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode(), dict(response.getheaders())
    finally:
        connection.close()


def signed(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


_numbers = itertools.count(1)


def new_ts() -> str:
    return f"{1_600_000_000 + next(_numbers)}.000200"


def event_body(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_numbers):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
    }


def mention(
    text: str, *, ts: str, thread_ts: str | None = None, channel: str = "C1"
) -> dict[str, Any]:
    event = {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {text}", "ts": ts}
    event |= {"channel": channel, "event_ts": ts}
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event_body(event)


def dm(text: str, *, ts: str, channel: str = "D1", **extra: Any) -> dict[str, Any]:
    event = {"type": "message", "channel_type": "im", "channel": channel, "user": "U1"}
    event |= {"text": text, "ts": ts, "event_ts": ts, **extra}
    return event_body(event)


def click(served: Endpoint, question: Call, label: str, user: str = "U1") -> int:
    """Click a button of a posted question, as Slack reports it."""
    blocks = question.params["blocks"]
    actions = next(b for b in blocks if b["type"] == "actions")
    button = next(e for e in actions["elements"] if e["text"]["text"] == label)
    ts, channel = question.response["ts"], question.params["channel"]
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "alice", "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "trigger_id": "1.2.3",
        "team": {"id": "T1", "domain": "test"},
        "channel": {"id": channel, "name": "general"},
        "message": {
            "type": "message",
            "user": "UBOT",
            "bot_id": "BBOT",
            "ts": ts,
            **({"thread_ts": t} if (t := question.params.get("thread_ts")) else {}),
            "text": question.params["text"],
            "blocks": blocks,
        },
        "response_url": served.fake.hook_url,
        "actions": [{**button, "block_id": actions["block_id"], "action_ts": str(time.time())}],
    }
    status, _, _ = served.interact(payload)
    return status


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def has_buttons(call: Call) -> bool:
    return any(b["type"] == "actions" for b in call.params["blocks"])


LABELS = dict(msg.SLACK_ANSWER_BUTTONS)


# --- Fixtures ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_slack_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("SLACK_"):
            monkeypatch.delenv(name)
    # `vmbot slack` keeps its sessions in the user's data folder: a temporary one here.
    monkeypatch.delenv("VMBOT_STORE", raising=False)
    monkeypatch.delenv("VMBOT_SLACK_LEASE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def fake(teardowns: Teardowns) -> Iterator[FakeSlack]:
    server = FakeSlack()
    yield server
    teardowns.add(server.close, after_the_others=True)  # the servers calling it first


@pytest.fixture
def served(fake: FakeSlack, conversation: Conversation, teardowns: Teardowns) -> Iterator[Served]:
    yield from serve(fake, conversation, teardowns=teardowns)


@pytest.fixture(scope="module")
def hesitant(hesitant_bot: Bot) -> Conversation:
    """A conversation whose every question gets a clarifying question."""
    return conversation_for(hesitant_bot)


@pytest.fixture
def served_hesitant(
    fake: FakeSlack, hesitant: Conversation, teardowns: Teardowns
) -> Iterator[Served]:
    yield from serve(fake, hesitant, teardowns=teardowns)


def serve(
    fake: FakeSlack,
    conversation: Conversation,
    store: SessionStore | None = None,
    *,
    lease: float = EVENT_LEASE,
    teardowns: Teardowns | None = None,
) -> Iterator[Served]:
    """The app over a real HTTP server on 127.0.0.1, talking to the fake Slack. Once its
    answers are done, the server stops in `teardowns` if given (nothing of the test is
    sent or logged after that), else at once."""
    store = MemoryStore() if store is None else store
    app = create_app(
        conversation,
        bot_token=BOT_TOKEN,
        signing_secret=SECRET,
        api_url=fake.url,
        store=store,
        lease=lease,
    )
    server = make_http_server(app, host="127.0.0.1", port=0, signing_secret=SECRET, store=store)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield Served(app=app, port=server.server_address[1], fake=fake, store=store)
    app.listener_runner.listener_executor.shutdown(wait=True)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join()

    if teardowns is None:
        stop()
    else:
        teardowns.add(stop)


def expected_texts(conversation: Conversation, messages: list[str]) -> list[str]:
    """What the pure conversation answers to these messages, escaped as sent to Slack."""
    state: object = None
    texts = []
    for message in messages:
        state, reply = conversation.step(state, message)
        texts.append(escaped(reply.text))
    return texts


# --- Mentions and direct messages ---------------------------------------------------------


def test_a_mention_is_answered_in_its_thread(served: Served, bot: Bot) -> None:
    ts = new_ts()
    status, _, _ = served.send(mention("c'est quoi un hyperviseur ?", ts=ts))
    assert status == 200
    (reply,) = served.fake.wait_posts(ts, 1)
    assert reply.params["channel"] == "C1"
    assert reply.params["text"] == escaped(bot.ask("c'est quoi un hyperviseur ?").text)
    context = next(b for b in reply.params["blocks"] if b["type"] == "context")
    assert any("dvm." in e["text"] or "mvc." in e["text"] for e in context["elements"])


def test_a_mention_inside_a_thread_is_answered_in_that_thread(served: Served) -> None:
    root, ts = new_ts(), new_ts()
    served.send(mention("c'est quoi docker ?", ts=ts, thread_ts=root))
    (reply,) = served.fake.wait_posts(root, 1)
    assert reply.params["thread_ts"] == root


def test_the_bare_mention_is_stripped_from_the_text(served: Served) -> None:
    ts = new_ts()
    served.send(mention("", ts=ts))
    (reply,) = served.fake.wait_posts(ts, 1)
    assert reply.params["text"] == escaped(msg.EMPTY_MESSAGE)


def test_a_direct_message_is_answered_in_the_dm_which_keeps_one_conversation(
    served: Served, conversation: Conversation
) -> None:
    served.send(dm(ADVICE, ts=new_ts()))
    served.fake.wait_in_dm(1)
    served.send(dm("non", ts=new_ts()))  # a new top-level message, same conversation
    reply = served.fake.wait_in_dm(2)[1]
    assert "thread_ts" not in reply.params
    assert reply.params["text"] == expected_texts(conversation, [ADVICE, "non"])[1]
    assert has_buttons(reply)


def test_a_message_in_a_thread_of_the_dm_is_answered_in_that_thread(served: Served) -> None:
    root = new_ts()
    served.send(dm("c'est quoi docker ?", ts=new_ts(), thread_ts=root))
    (reply,) = served.fake.wait_posts(root, 1)
    assert reply.params["channel"] == "D1"
    served.drain()
    assert served.fake.in_dm() == []


def test_a_button_in_the_dm_is_answered_in_the_dm(
    served: Served, conversation: Conversation
) -> None:
    served.send(dm(ADVICE, ts=new_ts()))
    (question,) = served.fake.wait_in_dm(1)
    assert click(served, question, "Oui") == 200
    reply = served.fake.wait_in_dm(2)[1]
    assert reply.params["text"] == expected_texts(conversation, [ADVICE, "oui"])[1]


def test_two_threads_of_a_channel_are_two_conversations(served: Served) -> None:
    one, two = new_ts(), new_ts()
    served.send(mention(ADVICE, ts=one))
    served.fake.wait_posts(one, 1)
    served.send(mention("non", ts=new_ts(), thread_ts=two))
    (reply,) = served.fake.wait_posts(two, 1)
    assert not has_buttons(reply)  # "non" alone, out of any advice, asks nothing


@pytest.mark.parametrize(
    "extra",
    [
        {"bot_id": "B2"},
        {"bot_profile": {"id": "B2", "name": "autre"}},
        {"subtype": "bot_message", "bot_id": "B2"},
        {"subtype": "message_changed"},
        {"subtype": "channel_join"},
        {"user": "UBOT"},  # ourselves
    ],
)
def test_bots_and_message_subtypes_are_ignored_and_hold_no_claim(
    served: Served, extra: dict[str, Any]
) -> None:
    payload = dm("c'est quoi docker ?", ts=new_ts(), **extra)
    status, _, _ = served.send(payload)
    assert status == 200
    served.drain()
    assert served.fake.done("chat.postMessage") == []
    # Nothing keeps renewing the delivery's claim (Slack sends the bot's own replies back).
    listeners = listeners_of(served.app)
    assert listeners is not None and not listeners.shared.holds(payload["event_id"])


def test_a_channel_message_without_mention_is_ignored(served: Served) -> None:
    payload = dm("c'est quoi docker ?", ts=new_ts(), channel="C1")
    payload["event"]["channel_type"] = "channel"
    served.send(payload)
    served.drain()
    assert served.fake.done("chat.postMessage") == []


def channel_message(
    text: str, *, ts: str, thread_ts: str | None, channel: str = "C1", kind: str = "channel"
) -> dict[str, Any]:
    payload = dm(text, ts=ts, channel=channel)
    payload["event"]["channel_type"] = kind
    if thread_ts is not None:
        payload["event"]["thread_ts"] = thread_ts
    return payload


@pytest.mark.parametrize(("channel", "kind"), [("C1", "channel"), ("G1", "group")])
def test_a_follow_up_in_a_thread_the_bot_converses_in_needs_no_mention(
    served: Served, conversation: Conversation, channel: str, kind: str
) -> None:
    root = new_ts()
    served.send(mention(ADVICE, ts=root, channel=channel))
    served.fake.wait_posts(root, 1)
    served.send(channel_message("non", ts=new_ts(), thread_ts=root, channel=channel, kind=kind))
    reply = served.fake.wait_posts(root, 2)[1]
    assert reply.params["text"] == expected_texts(conversation, [ADVICE, "non"])[1]


def test_a_thread_the_bot_takes_no_part_in_is_left_alone(served: Served) -> None:
    root = new_ts()
    served.send(channel_message("c'est quoi docker ?", ts=new_ts(), thread_ts=root))
    served.drain()
    assert served.fake.done("chat.postMessage") == []


def test_a_follow_up_in_a_thread_whose_conversation_expired_says_so_once(
    served: Served,
) -> None:
    root, _ = expired_question(served)
    served.send(channel_message("oui", ts=new_ts(), thread_ts=root))
    notice = served.fake.wait_posts(root, 2)[1]
    assert notice.params["text"] == escaped(msg.SLACK_SESSION_EXPIRED)
    served.send(channel_message("non", ts=new_ts(), thread_ts=root))
    served.drain()
    assert len(served.fake.posts(root)) == 2


def test_after_the_expiry_notice_a_mention_begins_again_and_needs_no_mention_after(
    served: Served, conversation: Conversation
) -> None:
    root, _ = expired_question(served)
    served.send(channel_message("oui", ts=new_ts(), thread_ts=root))
    served.fake.wait_posts(root, 2)
    served.send(mention("c'est quoi docker ?", ts=new_ts(), thread_ts=root))
    served.fake.wait_posts(root, 3)
    served.send(channel_message("et un hyperviseur ?", ts=new_ts(), thread_ts=root))
    reply = served.fake.wait_posts(root, 4)[3]
    assert (
        reply.params["text"]
        == (expected_texts(conversation, ["c'est quoi docker ?", "et un hyperviseur ?"])[1])
    )


def test_a_direct_message_thread_leaves_no_mark(served: Served) -> None:
    ts = new_ts()
    served.send(dm("c'est quoi docker ?", ts=new_ts(), thread_ts=ts))
    served.fake.wait_posts(ts, 1)
    served.drain()
    assert not served.store.take_mark("T1/D1")
    assert not served.store.take_mark(f"T1/D1/{ts}")


def test_a_follow_up_that_mentions_the_bot_is_answered_once(served: Served) -> None:
    root, ts = new_ts(), new_ts()
    served.send(mention("c'est quoi docker ?", ts=root))
    served.fake.wait_posts(root, 1)
    served.send(channel_message("<@UBOT> et un hyperviseur ?", ts=ts, thread_ts=root))
    served.send(mention("et un hyperviseur ?", ts=ts, thread_ts=root))  # Slack sends both
    served.fake.wait_posts(root, 2)
    served.drain()
    assert len(served.fake.posts(root)) == 2


def test_a_mention_in_a_direct_message_is_answered_once(served: Served) -> None:
    ts = new_ts()
    served.send(mention("c'est quoi docker ?", ts=ts, channel="D1"))  # Slack sends both events
    served.send(dm("<@UBOT> c'est quoi docker ?", ts=ts))
    served.fake.wait_in_dm(1)
    served.drain()
    assert len(served.fake.in_dm()) == 1


def test_slack_gets_its_ack_before_the_answer_is_sent(served: Served) -> None:
    served.fake.held["chat.postMessage"] = gate = threading.Event()
    ts = new_ts()
    assert served.send(dm("c'est quoi docker ?", ts=ts))[0] == 200  # while Slack is slow
    assert served.fake.in_dm() == []
    gate.set()
    served.fake.wait_in_dm(1)


# --- The guided recommendation with buttons --------------------------------------------------


def test_a_whole_recommendation_through_buttons(served: Served, conversation: Conversation) -> None:
    fake = served.fake
    root = new_ts()
    served.send(mention(ADVICE, ts=root))
    question = fake.wait_posts(root, 1)[0]
    assert [e["text"]["text"] for e in question.params["blocks"][-1]["elements"]] == [
        "Oui",
        "Non",
        "Je ne sais pas",
    ]
    # A double click: two deliveries of the same click, at the same time.
    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(lambda _: click(served, question, "Non"), range(2)))
    assert statuses == [200, 200]
    words = ["non"]
    posts = fake.wait_posts(root, 2)
    while has_buttons(posts[-1]) and len(words) < 15:
        word = "oui" if len(words) % 3 == 1 else "non"
        assert click(served, posts[-1], LABELS[word]) == 200
        words.append(word)
        posts = fake.wait_posts(root, len(words) + 1)
    served.drain()

    posts = fake.posts(root)
    assert [p.params["text"] for p in posts] == expected_texts(conversation, [ADVICE, *words])
    final = posts[-1]
    assert not has_buttons(final)
    context = next(b for b in final.params["blocks"] if b["type"] == "context")
    assert context["elements"][0]["text"] == msg.SOURCES_HEADER
    assert re.search(r"`[a-z]+\.[a-z.-]+` «", context["elements"][1]["text"])
    updates = fake.done("chat.update")
    assert len(updates) == len(words)  # the double click updated nothing more
    for update, question, word in zip(updates, posts, words, strict=False):
        assert update.params["ts"] == question.response["ts"]
        assert all(b["type"] != "actions" for b in update.params["blocks"])
        assert update.params["blocks"][-1]["elements"][0]["text"] == msg.SLACK_CHOSEN.format(
            user="U1", label=LABELS[word]
        )


def test_a_clarifying_question_offers_its_choices_as_buttons(
    served_hesitant: Served, hesitant: Conversation
) -> None:
    served = served_hesitant
    root = new_ts()
    served.send(mention(TORN, ts=root))
    offer = served.fake.wait_posts(root, 1)[0]
    _, reply = hesitant.step(None, TORN)
    labels = [e["text"]["text"] for e in offer.params["blocks"][-1]["elements"]]
    assert len(labels) == len(reply.choices) >= 2 and labels[1].startswith("2. ")
    assert click(served, offer, labels[1]) == 200
    answered = served.fake.wait_posts(root, 2)[1]
    chosen = hesitant.bot.intent(reply.choices[1])
    assert answered.params["text"] == escaped(chosen.answer)


def test_a_late_click_on_an_answered_question_is_ignored(served: Served) -> None:
    root = new_ts()
    served.send(mention(ADVICE, ts=root))
    question = served.fake.wait_posts(root, 1)[0]
    click(served, question, "Oui")
    served.fake.wait_posts(root, 2)
    click(served, question, "Non")  # the same message, once more
    served.drain()
    assert len(served.fake.posts(root)) == 2
    assert len(served.fake.done("chat.update")) == 1


def expired_question(served: Served) -> tuple[str, Call]:
    """A question asked in a new thread (its root ts, its post), whose conversation then
    leaves the store, as its expiry would (once the question is saved in it)."""
    root = new_ts()
    served.send(mention(ADVICE, ts=root))
    question = served.fake.wait_posts(root, 1)[0]
    key, deadline = f"T1/C1/{root}", time.monotonic() + WAIT
    while (served.store.get(key) or {}).get("question_ts") is None:
        assert time.monotonic() < deadline, "the question was never saved"
        time.sleep(0.01)
    served.store.delete(key)
    return root, question


def test_a_click_on_a_question_whose_conversation_expired_says_so_and_how_to_begin_again(
    served: Served,
) -> None:
    root, question = expired_question(served)
    assert click(served, question, "Oui") == 200
    notice = served.fake.wait_posts(root, 2)[1]
    assert notice.params["text"] == escaped(msg.SLACK_SESSION_EXPIRED)
    (update,) = served.fake.wait_for(lambda _: served.fake.done("chat.update"))
    assert update.params["ts"] == question.response["ts"] and not has_buttons(update)


def test_a_double_click_on_a_question_whose_conversation_expired_says_so_once(
    served: Served,
) -> None:
    root, question = expired_question(served)
    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(lambda _: click(served, question, "Non"), range(2))) == [200, 200]
    served.fake.wait_posts(root, 2)
    served.drain()
    assert len(served.fake.posts(root)) == 2


def test_the_user_id_shown_after_a_click_cannot_forge_markup(served: Served) -> None:
    root = new_ts()
    served.send(mention(ADVICE, ts=root))
    question = served.fake.wait_posts(root, 1)[0]
    click(served, question, "Oui", user="U1> <!channel")
    (update,) = served.fake.wait_for(lambda _: served.fake.done("chat.update"))
    shown = update.params["blocks"][-1]["elements"][0]["text"]
    assert shown.startswith("<@U1&gt; &lt;!channel>") and "<!channel>" not in shown


def test_a_click_is_acked_at_once_while_every_answer_waits_on_a_slow_web_api(
    served: Served, conversation: Conversation
) -> None:
    root = new_ts()
    served.send(mention(ADVICE, ts=root))
    question = served.fake.wait_posts(root, 1)[0]
    served.fake.held["chat.postMessage"] = gate = threading.Event()
    for n in range(20):  # more answers in flight than the listener pool has threads
        served.send(dm("c'est quoi docker ?", ts=new_ts(), channel=f"D{n}"))
    served.fake.wait_for(lambda _: served.fake.waiting >= 16)
    assert click(served, question, "Non") == 200
    gate.set()
    posts = served.fake.wait_posts(root, 2)
    assert posts[1].params["text"] == expected_texts(conversation, [ADVICE, "non"])[1]


def test_a_click_whose_message_update_answers_500_is_still_answered(
    served: Served, conversation: Conversation
) -> None:
    root = new_ts()
    served.send(mention(ADVICE, ts=root))
    question = served.fake.wait_posts(root, 1)[0]
    served.fake.failures["chat.update"] = [(500, {}, {"ok": False, "error": "internal_error"})]
    assert click(served, question, "Non") == 200
    posts = served.fake.wait_posts(root, 2)
    assert posts[1].params["text"] == expected_texts(conversation, [ADVICE, "non"])[1]
    assert [c.status for c in served.fake.calls if c.method == "chat.update"] == [500, 200]


def test_a_click_with_a_malformed_value_is_acked_and_logged_in_one_line(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    root = new_ts()
    served.send(mention(ADVICE, ts=root))
    question = served.fake.wait_posts(root, 1)[0]
    actions = next(b for b in question.params["blocks"] if b["type"] == "actions")
    actions["elements"][0]["value"] = "{not json"
    assert click(served, question, "Oui") == 200
    served.drain()
    assert len(served.fake.posts(root)) == 1
    (line,) = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert line.exc_info is None


def test_a_click_is_acknowledged_before_its_answer_is_sent(served: Served) -> None:
    root = new_ts()
    served.send(mention(ADVICE, ts=root))
    question = served.fake.wait_posts(root, 1)[0]
    served.fake.held["chat.update"] = gate = threading.Event()
    assert click(served, question, "Oui") == 200
    assert len(served.fake.posts(root)) == 1
    gate.set()
    served.fake.wait_posts(root, 2)


def test_a_typed_answer_makes_the_old_buttons_stale(served: Served) -> None:
    root = new_ts()
    served.send(mention(ADVICE, ts=root))
    question = served.fake.wait_posts(root, 1)[0]
    served.send(mention("oui", ts=new_ts(), thread_ts=root))
    served.fake.wait_posts(root, 2)
    click(served, question, "Non")
    served.drain()
    assert len(served.fake.posts(root)) == 2


# --- Slack's delivery rules ----------------------------------------------------------------


def test_a_duplicated_event_id_is_answered_once(served: Served) -> None:
    ts = new_ts()
    payload = mention("c'est quoi docker ?", ts=ts)
    assert served.send(payload)[0] == 200
    assert served.send(payload)[0] == 200
    served.fake.wait_posts(ts, 1)
    served.drain()
    assert len(served.fake.posts(ts)) == 1


def test_a_retry_of_an_answered_event_is_acknowledged_and_not_answered(served: Served) -> None:
    ts = new_ts()
    payload = mention("c'est quoi docker ?", ts=ts)
    served.send(payload)
    served.fake.wait_posts(ts, 1)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    status, _, headers = served.send(payload, **retry)
    assert status == 200
    assert headers.get("x-slack-no-retry") == "1"
    served.drain()
    assert len(served.fake.posts(ts)) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        signed("autre corps"),
        signed("{}", secret="f" * 32),
        {"X-Slack-Request-Timestamp": "demain", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "\u00b2", "X-Slack-Signature": "v0=00"},
    ],
    ids=["unsigned", "signature of another body", "other secret", "bad timestamp", "digit ²"],
)
def test_unsigned_or_wrongly_signed_requests_get_401(
    served: Served, headers: dict[str, str]
) -> None:
    body = json.dumps(mention("c'est quoi docker ?", ts=new_ts(), channel="C9"))
    status, _, _ = served.post(body, {"content-type": "application/json", **headers})
    assert status == 401
    served.drain()
    assert [c.method for c in served.fake.calls] == ["auth.test"]


def test_a_stale_request_gets_401_and_its_event_id_stays_unseen(served: Served) -> None:
    ts = new_ts()
    payload = mention("c'est quoi docker ?", ts=ts)
    body = json.dumps(payload)
    stale = signed(body, timestamp=int(time.time()) - 6 * 60)
    assert served.post(body, {"content-type": "application/json", **stale})[0] == 401
    assert served.send(payload)[0] == 200  # the genuine delivery is still answered
    served.fake.wait_posts(ts, 1)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{pas du json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ("[" * 100_000 + "]" * 100_000, "application/json"),
        ("payload=%7Bcass%C3%A9", "application/x-www-form-urlencoded"),
    ],
    ids=["bad syntax", "array", "deep nesting", "bad form payload"],
)
def test_a_signed_malformed_body_gets_400_and_no_traceback(
    served: Served, body: str, content_type: str, capfd: pytest.CaptureFixture[str]
) -> None:
    status, _, _ = served.post(body, {"content-type": content_type, **signed(body)})
    assert status == 400
    assert "Traceback" not in capfd.readouterr().err


def test_an_unsigned_malformed_body_gets_401(served: Served) -> None:
    assert served.post("{pas du json", {"content-type": "application/json"})[0] == 401


def test_url_verification_returns_the_challenge(served: Served) -> None:
    status, body, _ = served.send({"type": "url_verification", "challenge": "abc", "token": "x"})
    assert status == 200 and json.loads(body) == {"challenge": "abc"}


def test_health_and_unknown_paths(served: Served) -> None:
    assert http_request("GET", served.port, "/healthz")[:2] == (200, "ok")
    assert http_request("GET", served.port, "/nope")[0] == 404
    assert served.post("{}", signed("{}"), path="/autre")[0] == 404


def test_each_handled_event_logs_one_line_without_text_or_token(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ts = new_ts()
    payload = mention("c'est quoi un hyperviseur ?", ts=ts)
    served.send(payload)
    served.fake.wait_posts(ts, 1)
    served.send(payload)  # a duplicate
    served.drain()
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "vmbot.slack.events"]
    assert sorted(line["outcome"] for line in lines) == ["answered", "duplicate"]
    (answered,) = [line for line in lines if line["outcome"] == "answered"]
    assert (answered["event"], answered["channel"], answered["thread"]) == (
        payload["event_id"],
        "C1",
        ts,
    )
    assert answered["intent"] and isinstance(answered["latency_ms"], int)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert "quoi" not in logged and BOT_TOKEN not in logged and SECRET not in logged


def test_a_429_is_retried_after_the_delay_slack_asks_for(served: Served) -> None:
    served.fake.failures["chat.postMessage"] = [
        (429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"})
    ]
    ts = new_ts()
    served.send(dm("c'est quoi docker ?", ts=ts))
    served.fake.wait_in_dm(1)
    attempts = [c for c in served.fake.calls if c.method == "chat.postMessage"]
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0


def test_a_500_on_a_reply_is_retried_and_the_reply_posted(served: Served, bot: Bot) -> None:
    served.fake.failures["chat.postMessage"] = [
        (500, {}, {"ok": False, "error": "internal_error"}),
        (503, {}, {"ok": False, "error": "service_unavailable"}),
    ]
    served.send(dm("c'est quoi docker ?", ts=new_ts()))
    (reply,) = served.fake.wait_in_dm(1)
    assert reply.params["text"] == escaped(bot.ask("c'est quoi docker ?").text)
    attempts = [c.status for c in served.fake.calls if c.method == "chat.postMessage"]
    assert attempts == [500, 503, 200]


def test_a_reply_slack_took_before_failing_is_not_posted_again(served: Served) -> None:
    served.fake.failures["chat.postMessage"] = [(500, {}, {"carried_out": True})]
    served.send(dm("c'est quoi docker ?", ts=new_ts()))
    served.fake.wait_for(lambda calls: any(c.method == "conversations.history" for c in calls))
    served.drain()
    assert len(served.fake.in_dm()) == 1
    assert len([c for c in served.fake.calls if c.method == "chat.postMessage"]) == 1


def test_repeated_429s_and_a_malformed_retry_after_do_not_lose_the_reply(
    served: Served,
) -> None:
    limited = (429, {"Retry-After": "0"}, {"ok": False, "error": "ratelimited"})
    malformed = (429, {"Retry-After": "abc"}, {"ok": False, "error": "ratelimited"})
    # The malformed one first: it waits the backoff, which doubles with each attempt.
    served.fake.failures["chat.postMessage"] = [malformed, limited, limited, limited, limited]
    served.send(dm("c'est quoi docker ?", ts=new_ts()))
    served.fake.wait_in_dm(1)
    served.drain()
    assert len(served.fake.in_dm()) == 1


def test_a_reply_slack_refuses_is_logged_and_the_conversation_kept(
    served: Served, conversation: Conversation, caplog: pytest.LogCaptureFixture
) -> None:
    served.fake.failures["chat.postMessage"] = [(200, {}, {"ok": False, "error": "is_archived"})]
    served.send(dm(ADVICE, ts=new_ts()))
    served.fake.wait_for(lambda calls: any(c.method == "chat.postMessage" for c in calls))
    served.send(dm("non", ts=new_ts()))
    refused, reply = served.fake.wait_in_dm(2)
    assert refused.response["ok"] is False
    assert reply.params["text"] == expected_texts(conversation, [ADVICE, "non"])[1]
    served.drain()
    assert any("not answered" in r.getMessage() for r in caplog.records)


def test_twenty_threads_at_once_each_keep_their_own_conversation(
    served: Served, conversation: Conversation
) -> None:
    words = ("oui", "non", "je ne sais pas")

    def script(i: int) -> list[str]:
        messages, state = [ADVICE], None
        state, reply = conversation.step(state, ADVICE)
        while reply.expecting is not None and len(messages) < 12:
            messages.append(words[(i + len(messages)) % 3] if i % 5 else "non")
            state, reply = conversation.step(state, messages[-1])
        return messages

    def converse(i: int) -> tuple[list[str], list[str]]:
        root, messages = f"{1_500_000_000 + i}.000001", script(i)
        served.send(mention(ADVICE, ts=root))
        for n, word in enumerate(messages[1:], start=1):
            last = served.fake.wait_posts(root, n)[-1]
            if i % 2:
                click(served, last, LABELS[word])
            else:
                served.send(mention(word, ts=f"{1_500_000_000 + i}.{n + 1:06d}", thread_ts=root))
        posts = served.fake.wait_posts(root, len(messages))
        return [p.params["text"] for p in posts], expected_texts(conversation, messages)

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(converse, range(20)))
    served.drain()
    for got, expected in results:
        assert got == expected
    assert len(served.store) == 20


# --- The slash command -------------------------------------------------------------------------


def test_the_slash_command_answers_ephemerally(served: Served, bot: Bot) -> None:
    body = urlencode(
        {
            "token": "legacy",
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/vmbot",
            "text": "docker est-il sécurisé ?",
            "response_url": served.fake.hook_url,
            "trigger_id": "1.2.3",
        }
    )
    headers = {"content-type": "application/x-www-form-urlencoded", **signed(body)}
    served.fake.held["response_url"] = gate = threading.Event()
    status, _, _ = served.post(body, headers)
    assert status == 200  # acknowledged before the answer is sent
    assert [c.method for c in served.fake.calls] == ["auth.test"]
    gate.set()
    (response,) = served.fake.wait_for(
        lambda calls: [c for c in calls if c.method == "response_url"]
    )
    assert response.params["response_type"] == "ephemeral"
    assert response.params["text"] == escaped(bot.ask("docker est-il sécurisé ?").text)
    assert "dvm.securite.docker" in json.dumps(response.params["blocks"])
    served.drain()
    assert served.fake.done("chat.postMessage") == []


def _slash_command(served: Served, *, trigger_id: str) -> tuple[str, dict[str, str]]:
    """A signed `/vmbot c'est quoi docker ?`, as Slack posts it."""
    body = urlencode(
        {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/vmbot",
            "text": "c'est quoi docker ?",
            "response_url": served.fake.hook_url,
            "trigger_id": trigger_id,
        }
    )
    return body, {"content-type": "application/x-www-form-urlencoded", **signed(body)}


def test_a_replayed_slash_command_is_answered_once(served: Served) -> None:
    body, headers = _slash_command(served, trigger_id="4.5.6")
    assert served.post(body, headers)[0] == 200
    assert served.post(body, headers)[0] == 200  # the same signed request, sent again
    served.fake.wait_for(lambda calls: [c for c in calls if c.method == "response_url"])
    served.drain()
    assert len([c for c in served.fake.calls if c.method == "response_url"]) == 1


def test_a_slash_command_answer_is_retried_when_its_response_url_answers_500(
    served: Served, bot: Bot
) -> None:
    served.fake.failures["response_url"] = [(500, {}, {"ok": False})]
    body, headers = _slash_command(served, trigger_id="7.8.9")
    assert served.post(body, headers)[0] == 200
    served.fake.wait_for(lambda calls: [c for c in calls if c.method == "response_url"][1:])
    answers = [c for c in served.fake.calls if c.method == "response_url"]
    assert [c.status for c in answers] == [500, 200]
    assert answers[1].params["text"] == escaped(bot.ask("c'est quoi docker ?").text)


def test_a_slash_command_answer_retried_after_a_5xx_replaces_the_one_slack_may_have_posted(
    served: Served,
) -> None:
    served.fake.failures["response_url"] = [(500, {}, {"carried_out": True})]
    body, headers = _slash_command(served, trigger_id="7.8.10")
    assert served.post(body, headers)[0] == 200
    served.fake.wait_for(lambda calls: [c for c in calls if c.method == "response_url"][1:])
    first, retried = [c for c in served.fake.calls if c.method == "response_url"]
    assert "replace_original" not in first.params
    assert retried.params["replace_original"] is True
    assert retried.params["text"] == first.params["text"]


def test_a_slash_command_whose_response_url_answers_4xx_is_answered_in_the_channel(
    served: Served, bot: Bot
) -> None:
    served.fake.failures["response_url"] = [(404, {}, {"ok": False, "error": "expired_url"})]
    body, headers = _slash_command(served, trigger_id="7.8.11")
    assert served.post(body, headers)[0] == 200
    (posted,) = served.fake.wait_for(
        lambda calls: [c for c in calls if c.method == "chat.postEphemeral"]
    )
    assert (posted.params["channel"], posted.params["user"]) == ("C1", "U1")
    assert posted.params["text"] == escaped(bot.ask("c'est quoi docker ?").text)
    served.drain()
    assert [c.status for c in served.fake.calls if c.method == "response_url"] == [404]


# --- Block Kit -------------------------------------------------------------------------------


def test_mrkdwn_control_characters_are_escaped() -> None:
    blocks = reply_blocks(Reply(text="a < b & c > d"), session="k", thread_ts="1.0")
    assert blocks == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "a &lt; b &amp; c &gt; d"}}
    ]


def test_a_question_gets_three_buttons_that_type_the_answer() -> None:
    blocks = reply_blocks(Reply(text="Q ?", expecting="multi_os"), session="T/C/1", thread_ts="1")
    buttons = blocks[-1]["elements"]
    assert [json.loads(b["value"])["word"] for b in buttons] == ["oui", "non", "je ne sais pas"]
    assert {json.loads(b["value"])["session"] for b in buttons} == {"T/C/1"}
    assert len({b["action_id"] for b in buttons}) == 3


def test_offered_choices_get_numbered_buttons_that_type_their_number() -> None:
    reply = Reply(text="Vouliez-vous dire ?", choices=("securite", "architecture"))
    labels = ("Docker est-il sûr ?", "Comment sont-ils construits ? " * 5)
    blocks = reply_blocks(reply, session="k", thread_ts="1", choice_labels=labels)
    buttons = blocks[-1]["elements"]
    assert [json.loads(b["value"])["word"] for b in buttons] == ["1", "2"]
    assert all(len(b["text"]["text"]) <= 75 for b in buttons)


def test_long_texts_and_many_sources_fit_block_kit_limits() -> None:
    sources = tuple(Source(document="d", passage=f"p.{i}", excerpt="mot " * 200) for i in range(15))
    blocks = reply_blocks(Reply(text="ligne\n" * 1500, sources=sources), session="k", thread_ts="1")
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) > 1 and all(len(b["text"]["text"]) <= 3000 for b in sections)
    (context,) = [b for b in blocks if b["type"] == "context"]
    assert len(context["elements"]) <= 10
    assert all(len(e["text"]) < 200 for e in context["elements"])


# --- The session store --------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_store_evicts_the_least_recently_used_session() -> None:
    store = MemoryStore(max_sessions=2)
    store.put("a", {"n": 1})
    store.put("b", {"n": 2})
    assert store.get("a") == {"n": 1}  # a is now the most recent
    store.put("c", {"n": 3})
    assert (store.get("a"), store.get("b"), store.get("c")) == ({"n": 1}, None, {"n": 3})


def test_idle_sessions_expire_and_use_keeps_them_alive() -> None:
    clock = Clock()
    store = MemoryStore(ttl_seconds=60, clock=clock)
    store.put("idle", {"n": 1})
    store.put("busy", {"n": 2})
    clock.now = 50
    assert store.get("busy") == {"n": 2}
    clock.now = 100
    assert store.get("idle") is None
    assert store.get("busy") == {"n": 2}
    assert len(store) == 1


def test_the_store_keeps_copies_and_refuses_what_is_not_json() -> None:
    store = MemoryStore()
    value: dict[str, Any] = {"answers": {"x": "oui"}}
    store.put("k", value)
    value["answers"]["x"] = "non"
    assert store.get("k") == {"answers": {"x": "oui"}}
    with pytest.raises(TypeError):
        store.put("k", {"bad": object()})
    store.delete("k")
    store.delete("never")
    assert store.get("k") is None


def test_one_session_lock_serialises_and_different_sessions_do_not_wait() -> None:
    locks = KeyedLocks()
    inside = {"same": 0, "max": 0}
    guard = threading.Lock()
    barrier = threading.Barrier(2, timeout=10)

    def same(_: int) -> None:
        with locks.hold("thread"):
            with guard:
                inside["same"] += 1
                inside["max"] = max(inside["max"], inside["same"])
            time.sleep(0.002)
            with guard:
                inside["same"] -= 1

    def different(i: int) -> None:
        with locks.hold(f"t{i}"):
            barrier.wait()  # both hold their lock at once, or this times out

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(same, range(40)))
        list(pool.map(different, range(2)))
    assert inside["max"] == 1
    assert len(locks) == 0


def test_seen_event_ids_are_bounded() -> None:
    seen = RecentKeys(max_keys=3)
    # "b" is the least recently seen when "d" comes: it is forgotten, "a" is not.
    added = [seen.add(k) for k in ("a", "b", "a", "c", "d", "a", "b")]
    assert added == [True, True, False, True, True, False, True]


# --- Configuration and the command line -----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "name", "word"),
    [
        (["slack"], {}, "SLACK_BOT_TOKEN", "absente"),
        (["slack"], {"SLACK_BOT_TOKEN": "xoxp-1-user"}, "SLACK_BOT_TOKEN", "invalide"),
        (["slack"], {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_APP_TOKEN", "absente"),
        (
            ["slack"],
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": BOT_TOKEN},
            "SLACK_APP_TOKEN",
            "invalide",
        ),
        (["slack", "--http"], {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET", "absente"),
        (
            ["slack", "--http"],
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": '"abc def"'},
            "SLACK_SIGNING_SECRET",
            "invalide",
        ),
        (
            ["slack", "--http"],
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": "127.0.0.1:8765/api/",
            },
            "SLACK_API_URL",
            "invalide",
        ),
        *[
            (
                ["slack", "--http"],
                {
                    "SLACK_BOT_TOKEN": BOT_TOKEN,
                    "SLACK_SIGNING_SECRET": SECRET,
                    "SLACK_API_URL": url,
                },
                "SLACK_API_URL",
                "invalide",
            )
            for url in ("http://[::1", "http://127.0.0.1:abc/api/")
        ],
        *[
            (
                ["slack", "--http"],
                {
                    "SLACK_BOT_TOKEN": BOT_TOKEN,
                    "SLACK_SIGNING_SECRET": SECRET,
                    "VMBOT_SLACK_LEASE": lease,
                },
                "VMBOT_SLACK_LEASE",
                "invalide",
            )
            for lease in ("dix", "0.5", "nan", "3600")
        ],
    ],
)
def test_a_missing_or_malformed_variable_gets_one_french_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    env: dict[str, str],
    name: str,
    word: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"La variable d'environnement {name} est {word}")


def test_settings_accept_a_complete_environment() -> None:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": "http://h/",
        "VMBOT_SLACK_LEASE": "2,5",
    }
    settings = settings_from_env(env, http=False)
    assert (settings.app_token, settings.signing_secret, settings.api_url, settings.lease) == (
        APP_TOKEN,
        None,
        "http://h/",
        2.5,
    )
    del env["VMBOT_SLACK_LEASE"]
    assert settings_from_env(env, http=False).lease == EVENT_LEASE
    with pytest.raises(SlackConfigError):
        settings_from_env({"SLACK_BOT_TOKEN": BOT_TOKEN}, http=True)


def test_a_refused_bot_token_stops_start_up_with_exit_1(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.failures["auth.test"] = [(200, {}, {"ok": False, "error": "invalid_auth"})]
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("SLACK_API_URL", fake.url)
    assert cli.main(["slack", "--http", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert (
        err.startswith("Slack refuse le jeton du bot (SLACK_BOT_TOKEN)") and "invalid_auth" in err
    )


def test_a_start_that_fails_leaves_logging_signals_and_switch_interval_as_they_were(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Otherwise every later test of the session prints its events' INFO lines.
    fake.failures["auth.test"] = [(200, {}, {"ok": False, "error": "invalid_auth"})]
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("SLACK_API_URL", fake.url)
    log = logging.getLogger("vmbot")

    def process() -> tuple[object, ...]:
        sigterm = signal.getsignal(signal.SIGTERM)
        return (log.handlers[:], log.level, sigterm, sys.getswitchinterval())

    before = process()
    assert cli.main(["slack", "--http", "--port", "0"]) == 1
    assert process() == before


def test_a_refused_app_token_says_so_in_french_alone_with_exit_1(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    fake.failures["apps.connections.open"] = [(200, {}, {"ok": False, "error": "invalid_auth"})]
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", fake.url)
    assert cli.main(["slack", "--store", "memory://"]) == 1
    err = capfd.readouterr().err.splitlines()
    assert err[-1] == "Slack refuse le jeton d'application (SLACK_APP_TOKEN) : invalid_auth"
    assert not [line for line in err if "WSS" in line or "Slack API" in line]


def test_an_api_url_with_credentials_is_never_shown(
    conversation: Conversation, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    url = f"http://vmbot:hunter2@127.0.0.1:{_closed_port()}/api/"
    with pytest.raises(SlackStartError) as raised:
        create_app(conversation, bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=url)
    assert "hunter2" not in str(raised.value) and "***@127.0.0.1" in str(raised.value)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", url)
    assert cli.main(["slack", "--store", "memory://"]) == 1
    assert "hunter2" not in "".join(capfd.readouterr())


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_busy_port_is_reported(served: Served) -> None:
    with pytest.raises(SlackStartError, match="Impossible d'écouter"):
        make_http_server(served.app, host="127.0.0.1", port=served.port, signing_secret=SECRET)


def test_vmbot_slack_http_serves_events_end_to_end(
    fake: FakeSlack, conversation: Conversation
) -> None:
    # `conversation` has filled the session's cache: the process starts in seconds.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url,
    }
    command = [sys.executable, "-m", "bot", "slack", "--http", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                if http_request("GET", port, "/healthz")[0] == 200:
                    break
            except ConnectionRefusedError:
                assert process.poll() is None, "vmbot slack stopped"
                assert time.monotonic() < deadline, "vmbot slack did not start"
                time.sleep(0.1)
        ts = new_ts()
        body = json.dumps(dm("c'est quoi un hyperviseur ?", ts=ts))
        status, _, _ = http_request(
            "POST",
            port,
            "/slack/events",
            body,
            {"content-type": "application/json", **signed(body)},
        )
        assert status == 200
        fake.wait_in_dm(1)
    finally:
        # SIGTERM, as a service manager stops it: SIGINT is ignored in background jobs.
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=WAIT)
    assert process.returncode == 143
    assert "arrêté proprement" in err
    assert f"http://127.0.0.1:{port}/slack/events" in err


# --- Socket Mode ---------------------------------------------------------------------------------


class FakeSocketMode:
    """A WebSocket endpoint on 127.0.0.1 speaking just enough of Socket Mode."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"ws://127.0.0.1:{self.listener.getsockname()[1]}/link/?ticket=t"
        self.received: queue.Queue[dict[str, Any]] = queue.Queue()
        self.connected = threading.Event()
        self.conn: socket.socket | None = None
        self.send_lock = threading.Lock()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        self.conn = conn
        with conn:
            try:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                found = re.search(rb"sec-websocket-key:\s*(\S+)", request, re.IGNORECASE)
                assert found is not None
                magic = found.group(1) + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
                accept = base64.b64encode(hashlib.sha1(magic).digest())
                conn.sendall(
                    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
                )
                self.connected.set()
                self.send({"type": "hello", "num_connections": 1})
                while (frame := self._read_frame(conn)) is not None:
                    opcode, payload = frame
                    if opcode == 0x9:
                        self._send_frame(0xA, payload)
                    elif opcode == 0x1:
                        self.received.put(json.loads(payload))
                    elif opcode == 0x8:
                        return
            except OSError:
                return

    @staticmethod
    def _read_frame(conn: socket.socket) -> tuple[int, bytes] | None:
        def exactly(n: int) -> bytes | None:
            data = b""
            while len(data) < n:
                chunk = conn.recv(n - len(data))
                if not chunk:
                    return None
                data += chunk
            return data

        head = exactly(2)
        if head is None:
            return None
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length >= 126:
            extended = exactly(2 if length == 126 else 8)
            if extended is None:
                return None
            length = int.from_bytes(extended, "big")
        mask = exactly(4) if head[1] & 0x80 else b"\0\0\0\0"
        payload = exactly(length) if length else b""
        if mask is None or payload is None:
            return None
        return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        size = len(payload)
        if size < 126:
            head = bytes([0x80 | opcode, size])
        elif size < 1 << 16:
            head = bytes([0x80 | opcode, 126]) + struct.pack("!H", size)
        else:
            head = bytes([0x80 | opcode, 127]) + struct.pack("!Q", size)
        assert self.conn is not None
        with self.send_lock:
            self.conn.sendall(head + payload)

    def send(self, message: dict[str, Any]) -> None:
        self._send_frame(0x1, json.dumps(message).encode())

    def ack(self, envelope_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT
        while True:
            message = self.received.get(timeout=max(0.0, deadline - time.monotonic()))
            if message.get("envelope_id") == envelope_id:
                return message

    def close(self) -> None:
        self.listener.close()
        self.thread.join(timeout=WAIT)


def test_socket_mode_answers_an_event_and_drops_its_retry(
    fake: FakeSlack, conversation: Conversation, bot: Bot, teardowns: Teardowns
) -> None:
    ws = FakeSocketMode()
    fake.ws_url = ws.url
    app = create_app(conversation, bot_token=BOT_TOKEN, api_url=fake.url)
    handler = connect_socket_mode(app, app_token=APP_TOKEN)
    try:
        assert ws.connected.wait(WAIT)
        ts = new_ts()
        payload = dm("c'est quoi un hyperviseur ?", ts=ts)
        envelope = {"type": "events_api", "accepts_response_payload": False, "payload": payload}
        ws.send({**envelope, "envelope_id": "env-1", "retry_attempt": 0, "retry_reason": ""})
        assert ws.ack("env-1") == {"envelope_id": "env-1"}
        (reply,) = fake.wait_in_dm(1)
        assert reply.params["text"] == escaped(bot.ask("c'est quoi un hyperviseur ?").text)
        ws.send({**envelope, "envelope_id": "env-2", "retry_attempt": 1})
        ws.ack("env-2")
        app.listener_runner.listener_executor.shutdown(wait=True)
        assert len(fake.in_dm()) == 1
        opened = [c for c in fake.calls if c.method == "apps.connections.open"]
        assert len(opened) == 1
    finally:
        app.listener_runner.listener_executor.shutdown(wait=True)

        # The client waits for its receiving thread, up to 3 s; the fake Slack closes after.
        teardowns.add(handler.client.close)
        teardowns.add(ws.close, after_the_others=True)


# --- The app manifest --------------------------------------------------------------------------


def test_the_manifest_declares_what_the_adapter_uses() -> None:
    manifest = yaml.safe_load((ROOT / "slack" / "manifest.yaml").read_text("utf-8"))
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert scopes >= {"app_mentions:read", "chat:write", "im:history", "im:read", "im:write"}
    assert scopes >= {"channels:history", "groups:history"}  # follow-ups in threads
    assert "commands" in scopes
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.im",
        "message.channels",
        "message.groups",
    }
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/vmbot"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_the_http_manifest_is_the_socket_mode_one_with_request_urls() -> None:
    socket_mode = yaml.safe_load((ROOT / "slack" / "manifest.yaml").read_text("utf-8"))
    http = yaml.safe_load((ROOT / "slack" / "manifest-http.yaml").read_text("utf-8"))
    url = "https://vmbot.example.org/slack/events"
    assert http["settings"].pop("socket_mode_enabled") is False
    assert socket_mode["settings"].pop("socket_mode_enabled") is True
    assert http["settings"]["event_subscriptions"].pop("request_url") == url
    assert http["settings"]["interactivity"].pop("request_url") == url
    assert http["features"]["slash_commands"][0].pop("url") == url
    assert http == socket_mode


@pytest.mark.parametrize(
    "typed",
    [
        "c'est quoi <https://www.docker.com|docker> ?",
        "<@U0123ABCD> c'est quoi docker ?",
        "c'est *quoi* `docker` ?",
    ],
)
def test_slack_markup_is_read_as_the_words_it_shows(
    served: Served, conversation: Conversation, typed: str
) -> None:
    ts = new_ts()
    served.send(dm(typed, ts=ts))
    (reply,) = served.fake.wait_in_dm(1)
    assert reply.params["text"] == expected_texts(conversation, ["c'est quoi docker ?"])[0]


def test_the_deployment_examples_run_vmbot_slack_http_safely() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text("utf-8")
    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) == 2  # multi-stage
    assert re.search(r"^USER vmbot$", dockerfile, re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", dockerfile, re.MULTILINE)
    assert '"vmbot", "slack", "--http"' in dockerfile
    unit = (ROOT / "deploy" / "vmbot.service").read_text("utf-8")
    assert "DynamicUser=yes" in unit and "SuccessExitStatus=143" in unit
    assert re.search(r"^ExecStart=\S+/vmbot slack --http ", unit, re.MULTILINE)
    readme = (ROOT / "README.md").read_text("utf-8")
    for example in ("deploy/vmbot.service", "deploy/Dockerfile", "slack/manifest-http.yaml"):
        assert example in readme
