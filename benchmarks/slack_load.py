"""Load on `vmbot slack --http`: several processes sharing one store, over loopback only.

For each store (a real redis-server, a SQLite file), starts PROCESSES `vmbot slack --http`
processes against a fake Slack Web API on 127.0.0.1, and plays, in turn:

1. conversations: THREADS threads of MESSAGES questions, all threads at once (begun within
   the first 2 seconds), each message sent once its previous one is answered, deliveries
   spread over the processes; a tenth of them delivered twice (a Slack retry, to another
   process); one process killed (SIGKILL) half-way and restarted (a delivery refused
   meanwhile goes to another process);
2. bursts: BURSTS rounds of 50 deliveries sent at the same instant;
3. long messages: 2,000-character questions, 30 a second for 5 seconds;
4. a slow Web API (every call takes 2 s): button clicks and `/vmbot` commands;
5. a failing Web API: chat.postMessage answers 500 then 429 (Retry-After: 1) for a while.

Every reply carries its delivery's id (message metadata; commands answer on a response URL
of their own): the script counts deliveries answered exactly once, lost, duplicated, the ack
latencies and replies per second. An ack's latency runs from the delivery's arrival (when
Slack would send it: the scheduled instant of a paced phase, the first attempt of one that
had to be sent again) to its 200, so that a delivery waiting on the load client or on a
refused connection is not hidden. Then it fills each store
with STORED conversations to show it stays bounded by its cap. Usage:

    python benchmarks/slack_load.py [--threads 200] [--messages 5] [--processes 2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.slack_listeners import delivery_id  # noqa: E402
from bot.stores.redis_store import RedisStore  # noqa: E402
from bot.stores.sqlite_store import SqliteStore  # noqa: E402
from tests.redis_server import RedisServer, free_port  # noqa: E402
from tests.test_slack import ADVICE, Call, FakeSlack, mention, signed  # noqa: E402
from tests.test_slack_processes import Process, start  # noqa: E402

QUESTIONS = (
    "c'est quoi docker ?",
    "c'est quoi un hyperviseur ?",
    "docker est-il sécurisé ?",
    "quelle différence entre une VM et un conteneur ?",
    "kubernetes ça sert à quoi ?",
)
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
ANSWER_WAIT = 120.0  # a delivery not answered by then is lost
START_SPREAD = 2.0
LONG = ("je me demande vraiment, pour mon projet qui grandit, " * 40)[:1990] + " docker ?"


class Ledger:
    """What the fake Slack received, by delivery id: replies, and the acks' latencies."""

    def __init__(self, fake: FakeSlack) -> None:
        self.replies: Counter[str] = Counter()
        self.expected: set[str] = set()
        self.acks: list[float] = []
        self.refused = 0  # connections refused or reset: Slack would send again
        self.by_phase: dict[str, list[float]] = {}
        self.answered = threading.Lock()
        self._answers: dict[str, threading.Event] = {}
        self.questions: dict[str, Call] = {}  # thread -> its latest question with buttons
        fake.observers.append(self.observe)

    def observe(self, call: Call) -> None:
        if call.status != 200 or not call.response.get("ok", True):
            return
        if call.method == "chat.postMessage":
            delivery = ((call.params.get("metadata") or {}).get("event_payload") or {}).get(
                "delivery"
            )
            if any(b.get("type") == "actions" for b in call.params.get("blocks") or []):
                self.questions[str(call.params.get("thread_ts"))] = call
        elif call.method == "response_url":
            delivery = "command:" + call.path.rsplit("/", 1)[-1]
        else:
            return
        if delivery:
            with self.answered:
                self.replies[delivery] += 1
                self._event(delivery).set()

    def ack(self, phase: str, seconds: float) -> None:
        with self.answered:
            self.acks.append(seconds)
            self.by_phase.setdefault(phase, []).append(seconds)

    def wait(self, delivery: str, timeout: float = ANSWER_WAIT) -> bool:
        with self.answered:
            event = self._event(delivery)
        return event.wait(timeout)

    def _event(self, delivery: str) -> threading.Event:
        # One event per delivery: a reply wakes the thread waiting for it, not all of them.
        return self._answers.setdefault(delivery, threading.Event())


class Deliverer:
    """Signed deliveries to the processes, retried on another one when refused (as Slack
    retries a delivery that failed)."""

    def __init__(self, processes: list[Process], ledger: Ledger) -> None:
        self.processes = processes
        self.ledger = ledger

    def send(
        self,
        phase: str,
        first: int,
        body: str,
        *,
        form: bool = False,
        retry: bool = False,
        arrival: float | None = None,
    ) -> None:
        """Deliver `body`, from `arrival` (time.perf_counter(); now if None) until a 200."""
        extra = RETRY if retry else {}
        kind = "application/x-www-form-urlencoded" if form else "application/json"
        began = time.perf_counter() if arrival is None else arrival
        for attempt in range(len(self.processes) * 20):
            process = self.processes[(first + attempt) % len(self.processes)]
            headers = {"content-type": kind, **signed(body), **extra}
            try:
                connection = http.client.HTTPConnection("127.0.0.1", process.port, timeout=30)
                connection.request("POST", "/slack/events", body.encode(), headers)
                status = connection.getresponse().status
                connection.close()
            except OSError:
                with self.ledger.answered:
                    self.ledger.refused += 1
                extra = RETRY  # Slack retries a delivery that failed
                time.sleep(0.1)
                continue
            if status == 200:
                self.ledger.ack(phase, time.perf_counter() - began)
                return
        raise RuntimeError("no process took the delivery")

    def event(
        self,
        phase: str,
        first: int,
        payload: dict[str, Any],
        *,
        retry: bool = False,
        arrival: float | None = None,
    ) -> str:
        self.ledger.expected.add(payload["event_id"])
        self.send(phase, first, json.dumps(payload), retry=retry, arrival=arrival)
        return str(payload["event_id"])


def conversations(
    deliver: Deliverer, args: argparse.Namespace, kill: threading.Event, ids: Any
) -> None:
    """Phase 1: THREADS threads of MESSAGES questions at once, with duplicates."""
    rng = random.Random(7)
    duplicated = {
        (t, m) for t in range(args.threads) for m in range(args.messages) if rng.random() < 0.1
    }

    def converse(t: int) -> None:
        # The conversations begin within START_SPREAD seconds, not at one instant: bursts
        # are phase 2's business.
        time.sleep(START_SPREAD * t / args.threads)
        root = f"{next(ids)}.000100"
        for m in range(args.messages):
            ts = root if m == 0 else f"{next(ids)}.000200"
            text = QUESTIONS[(t + m) % len(QUESTIONS)]
            payload = mention(text, ts=ts, thread_ts=None if m == 0 else root)
            payload["event_id"] = f"EvC{t:05d}x{m}"
            deliver.event("conversations", t + m, payload)
            if (t, m) in duplicated:
                deliver.event("conversations", t + m + 1, payload, retry=True)
            deliver.ledger.wait(payload["event_id"])
            if len(deliver.ledger.replies) >= args.threads * args.messages // 2:
                kill.set()  # half-way

    with ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(converse, range(args.threads)))


def bursts(deliver: Deliverer, args: argparse.Namespace, ids: Any) -> None:
    """Phase 2: rounds of 50 deliveries released at the same instant."""
    for round_ in range(args.bursts):
        gate = threading.Barrier(50)

        def one(n: int, round_: int = round_, gate: threading.Barrier = gate) -> str:
            payload = mention(QUESTIONS[n % len(QUESTIONS)], ts=f"{next(ids)}.000300")
            payload["event_id"] = f"EvB{round_:02d}x{n:03d}"
            gate.wait()
            return deliver.event("bursts", n, payload)

        with ThreadPoolExecutor(50) as pool:
            sent = list(pool.map(one, range(50)))
        for delivery in sent:
            deliver.ledger.wait(delivery)


def long_messages(deliver: Deliverer, ids: Any) -> None:
    """Phase 3: 2,000-character questions, 30 a second for 5 seconds."""
    sent: list[str] = []
    with ThreadPoolExecutor(32) as pool:
        began = time.perf_counter()
        for n in range(150):
            time.sleep(max(0.0, began + n / 30 - time.perf_counter()))
            payload = mention(LONG, ts=f"{next(ids)}.000400")
            payload["event_id"] = f"EvL{n:04d}"
            sent.append(payload["event_id"])
            # Due at its instant: waiting for a free thread of the load client counts.
            pool.submit(deliver.event, "long messages", n, payload, arrival=began + n / 30)
    for delivery in sent:
        deliver.ledger.wait(delivery)


def slow_api(deliver: Deliverer, fake: FakeSlack, ids: Any, count: int = 40) -> None:
    """Phase 4: clicks and slash commands while every Web API call takes 2 s."""
    roots = [f"{next(ids)}.000500" for _ in range(count)]
    for n, root in enumerate(roots):
        payload = mention(ADVICE, ts=root)
        payload["event_id"] = f"EvQ{n:04d}"
        deliver.event("slow API", n, payload)
    for n in range(count):
        deliver.ledger.wait(f"EvQ{n:04d}")
    fake.delays["chat.postMessage"] = fake.delays["chat.update"] = 2.0
    fake.delays["response_url"] = 2.0
    sent: list[str] = []

    def click(n: int) -> None:
        question = deliver.ledger.questions[roots[n]]
        payload = _click(question, fake.hook_url)
        delivery = delivery_id(payload)
        assert delivery is not None
        deliver.ledger.expected.add(delivery)
        sent.append(delivery)
        deliver.send("slow API", n, urlencode({"payload": json.dumps(payload)}), form=True)

    def command(n: int) -> None:
        trigger = f"{next(ids)}.{n}"
        body = {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/vmbot",
            "text": QUESTIONS[n % len(QUESTIONS)],
            "response_url": f"{fake.hook_url.rsplit('/', 1)[0]}/{trigger}",
            "trigger_id": trigger,
        }
        deliver.ledger.expected.add(f"command:{trigger}")
        sent.append(f"command:{trigger}")
        deliver.send("slow API", n, urlencode(body), form=True)

    with ThreadPoolExecutor(2 * count) as pool:
        for n in range(count):
            pool.submit(click, n)
            pool.submit(command, n)
    for delivery in list(sent):
        deliver.ledger.wait(delivery)
    fake.delays.clear()


def failing_api(deliver: Deliverer, fake: FakeSlack, ids: Any, count: int = 60) -> None:
    """Phase 5: chat.postMessage answers 500 twenty times, then 429 twenty times."""
    fake.failures["chat.postMessage"] = [
        (500, {}, {"ok": False, "error": "internal_error"}) for _ in range(20)
    ] + [(429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}) for _ in range(20)]
    sent = []
    with ThreadPoolExecutor(20) as pool:
        for n in range(count):
            payload = mention(QUESTIONS[n % len(QUESTIONS)], ts=f"{next(ids)}.000600")
            payload["event_id"] = f"EvF{n:04d}"
            sent.append(payload["event_id"])
            pool.submit(deliver.event, "failing API", n, payload)
    for delivery in sent:
        deliver.ledger.wait(delivery)


def _click(question: Call, hook_url: str) -> dict[str, Any]:
    blocks = question.params["blocks"]
    actions = next(b for b in blocks if b["type"] == "actions")
    button = actions["elements"][1]  # "Non"
    ts, channel = question.response["ts"], question.params["channel"]
    return {
        "type": "block_actions",
        "user": {"id": "U1", "username": "alice", "team_id": "T1"},
        "api_app_id": "A1",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "trigger_id": "1.2.3",
        "team": {"id": "T1", "domain": "test"},
        "channel": {"id": channel, "name": "general"},
        "message": {
            "type": "message",
            "ts": ts,
            "thread_ts": question.params.get("thread_ts"),
            "text": question.params["text"],
            "blocks": blocks,
        },
        "response_url": hook_url,
        "actions": [{**button, "block_id": actions["block_id"], "action_ts": str(time.time())}],
    }


def run_load(store_url: str, args: argparse.Namespace, folder: Path) -> dict[str, object]:
    fake = FakeSlack()
    ledger = Ledger(fake)
    processes = [
        start(fake, store_url, free_port(), folder / f"vmbot-{n}.log")
        for n in range(args.processes)
    ]
    deliver = Deliverer(processes, ledger)
    ids = iter(range(1_800_000_000, 1_900_000_000))
    lock = threading.Lock()
    ids_lock = _Locked(ids, lock)
    kill = threading.Event()
    restarted = threading.Event()

    def kill_and_restart() -> None:
        kill.wait()
        victim = processes[0]
        victim.popen.send_signal(signal.SIGKILL)
        victim.popen.wait()
        processes[0] = start(fake, store_url, victim.port, victim.log)
        restarted.set()

    killer = threading.Thread(target=kill_and_restart)
    killer.start()
    began = time.perf_counter()
    timings: dict[str, float] = {}
    phases: tuple[tuple[str, Callable[[], None]], ...] = (
        ("conversations", lambda: conversations(deliver, args, kill, ids_lock)),
        ("bursts", lambda: bursts(deliver, args, ids_lock)),
        ("long messages", lambda: long_messages(deliver, ids_lock)),
        ("slow API", lambda: slow_api(deliver, fake, ids_lock)),
        ("failing API", lambda: failing_api(deliver, fake, ids_lock)),
    )
    try:
        for name, phase in phases:
            phase_began = time.perf_counter()
            phase()
            timings[name] = time.perf_counter() - phase_began
        killer.join()
        wall = time.perf_counter() - began
    finally:
        kill.set()
        killer.join()
        # Late duplicates, if any, would come now: each process finishes what it holds.
        for process in processes:
            process.stop()
        fake.close()
    replies = sum(ledger.replies.values())
    once = sum(1 for d in ledger.expected if ledger.replies[d] == 1)
    lost = sum(1 for d in ledger.expected if ledger.replies[d] == 0)
    twice = sum(ledger.replies[d] - 1 for d in ledger.expected if ledger.replies[d] > 1)
    figures: dict[str, object] = {
        "deliveries": len(ledger.expected),
        "answered exactly once": once,
        "lost": lost,
        "duplicated": twice,
        "connections refused": ledger.refused,
        "ack p50 ms": _ms(statistics.median(ledger.acks)),
        "ack p99 ms": _ms(_p99(ledger.acks)),
        "replies/s": round(replies / wall, 1),
        "killed and restarted": restarted.is_set(),
        "seconds": round(wall),
    }
    for name, acks in ledger.by_phase.items():
        figures[f"{name}: ack p99 ms"] = _ms(_p99(acks))
        figures[f"{name}: s"] = round(timings[name], 1)
    return figures


class _Locked:
    """An iterator several threads can share."""

    def __init__(self, items: Any, lock: threading.Lock) -> None:
        self._items, self._lock = items, lock

    def __iter__(self) -> _Locked:
        return self

    def __next__(self) -> Any:
        with self._lock:
            return next(self._items)


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.99) - 1)]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def bounded(store: RedisStore | SqliteStore, count: int) -> int:
    for n in range(count):
        store.put(f"T1/C1/{n}", {"dialogue": {"answers": {"multi_os": "oui"}}, "question_ts": None})
    return len(store)


def main() -> None:
    parser = argparse.ArgumentParser(description="Load on vmbot slack --http")
    parser.add_argument("--threads", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--bursts", type=int, default=5)
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--stores", default="redis,sqlite")
    args = parser.parse_args()
    # The first run builds the models' cache: before the clock starts, not in each process.
    subprocess.run(
        [sys.executable, "-m", "bot", "ask", "c'est quoi docker ?"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    stores = args.stores.split(",")
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        redis = RedisServer(folder)
        redis.start()
        try:
            if "redis" in stores:
                results["redis"] = run_load(redis.url, args, folder)
            if "sqlite" in stores:
                results["sqlite"] = run_load(f"sqlite://{folder}/load.sqlite3", args, folder)
            for name, figures in results.items():
                print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in figures.items()), flush=True)
            kept_redis = bounded(RedisStore(redis.url, prefix="cap:"), args.stored)
            import redis as redis_client

            memory = redis_client.Redis.from_url(redis.url).info("memory")["used_memory_human"]
            sqlite_store = SqliteStore(folder / "cap.sqlite3")
            kept_sqlite = bounded(sqlite_store, args.stored)
            size = (folder / "cap.sqlite3").stat().st_size + sum(
                p.stat().st_size for p in folder.glob("cap.sqlite3-*")
            )
        finally:
            redis.stop()
    print(f"{args.stored} conversations stored, cap 10000: Redis keeps {kept_redis} ({memory}),")
    print(f"  SQLite keeps {kept_sqlite} ({size / 1e6:.1f} MB on disk)")


if __name__ == "__main__":
    main()
