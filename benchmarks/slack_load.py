"""Load on `vmbot slack --http`: several processes sharing one store, over loopback only.

For each store (a real redis-server, a SQLite file), starts PROCESSES `vmbot slack --http`
processes against a fake Slack Web API on 127.0.0.1, then plays THREADS conversations of
MESSAGES questions each, CONCURRENCY at a time, deliveries spread over the processes; a
share of deliveries is delivered twice (a Slack retry, to another process), and one process
is killed (SIGKILL) half-way and restarted: a delivery refused meanwhile is retried on another
process, as Slack does. Then counts events answered exactly once, lost and duplicated replies,
ack latencies and replies per second; and fills each store with 100,000 conversations to show
it stays bounded by its cap. Usage:

    python benchmarks/slack_load.py [--threads 200] [--messages 5] [--processes 2]
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.stores.redis_store import RedisStore  # noqa: E402
from bot.stores.sqlite_store import SqliteStore  # noqa: E402
from tests.redis_server import RedisServer, free_port  # noqa: E402
from tests.test_slack import FakeSlack, mention, signed  # noqa: E402
from tests.test_slack_processes import Process, start  # noqa: E402

QUESTIONS = (
    "c'est quoi docker ?",
    "c'est quoi un hyperviseur ?",
    "docker est-il sécurisé ?",
    "quelle différence entre une VM et un conteneur ?",
    "kubernetes ça sert à quoi ?",
)
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def deliver(processes: list[Process], first: int, body: str, retry: bool) -> float:
    """POST one signed delivery; on a refused connection, retry on the next process."""
    import http.client

    extra = RETRY if retry else {}
    for attempt in range(len(processes) * 3):
        process = processes[(first + attempt) % len(processes)]
        headers = {"content-type": "application/json", **signed(body), **extra}
        began = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", process.port, timeout=30)
            connection.request("POST", "/slack/events", body.encode(), headers)
            status = connection.getresponse().status
            connection.close()
        except OSError:
            extra = RETRY  # Slack retries a delivery that failed
            time.sleep(0.05)
            continue
        if status == 200:
            return time.perf_counter() - began
    raise RuntimeError("no process took the delivery")


def run_load(store_url: str, args: argparse.Namespace, folder: Path) -> dict[str, object]:
    fake = FakeSlack()
    processes = [
        start(fake, store_url, free_port(), folder / f"vmbot-{n}.log")
        for n in range(args.processes)
    ]
    acks: list[float] = []
    lock = threading.Lock()
    rng = random.Random(7)
    duplicated = {(t, m) for t in range(args.threads) for m in range(args.messages)}
    duplicated = {k for k in sorted(duplicated) if rng.random() < args.duplicates}
    killed = threading.Event()

    def converse(t: int) -> None:
        root = f"{1_800_000_000 + t}.000001"
        for m in range(args.messages):
            ts = root if m == 0 else f"{1_800_000_000 + t}.{m + 1:06d}"
            text = QUESTIONS[(t + m) % len(QUESTIONS)]
            payload = mention(text, ts=ts, thread_ts=None if m == 0 else root)
            payload["event_id"] = f"Ev{t:05d}x{m}"
            body = json.dumps(payload)
            took = deliver(processes, t + m, body, retry=False)
            if (t, m) in duplicated:
                took2 = deliver(processes, t + m + 1, body, retry=True)
                with lock:
                    acks.append(took2)
            with lock:
                acks.append(took)
            # Acked by the killed process and never answered: counted as lost.
            with suppress(AssertionError):
                fake.wait_for(partial(answered, root, m + 1), timeout=40)

    def answered(root: str, count: int, _: object) -> bool:
        return len(fake.posts(root)) >= count

    def kill_and_restart() -> None:
        fake.wait_for(lambda calls: len(calls) >= args.threads * args.messages // 2, timeout=600)
        victim = processes[0]
        victim.popen.send_signal(signal.SIGKILL)
        victim.popen.wait()
        killed.set()
        processes[0] = start(fake, store_url, victim.port, victim.log)

    began = time.perf_counter()
    killer = threading.Thread(target=kill_and_restart)
    killer.start()
    with ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(converse, range(args.threads)))
    killer.join()
    wall = time.perf_counter() - began
    time.sleep(2)  # late duplicates, if any, would show now
    replies = fake.done("chat.postMessage")
    per_thread: dict[str, int] = {}
    for reply in replies:
        per_thread[reply.params["thread_ts"]] = per_thread.get(reply.params["thread_ts"], 0) + 1
    expected = args.threads * args.messages
    exact = sum(min(n, args.messages) for n in per_thread.values())
    extra = sum(max(0, n - args.messages) for n in per_thread.values())
    for process in processes:
        process.stop()
    fake.close()
    acks.sort()
    return {
        "events": expected,
        "answered exactly once": exact - extra,
        "lost": expected - exact,
        "duplicated": extra,
        "ack p50 ms": round(statistics.median(acks) * 1000, 1),
        "ack p99 ms": round(acks[int(len(acks) * 0.99) - 1] * 1000, 1),
        "replies/s": round(len(replies) / wall, 1),
        "killed and restarted": killed.is_set(),
    }


def bounded(store: RedisStore | SqliteStore, count: int) -> int:
    for n in range(count):
        store.put(f"T1/C1/{n}", {"dialogue": {"answers": {"multi_os": "oui"}}, "question_ts": None})
    return len(store)


def main() -> None:
    parser = argparse.ArgumentParser(description="Load on vmbot slack --http")
    parser.add_argument("--threads", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--duplicates", type=float, default=0.10)
    parser.add_argument("--stored", type=int, default=100_000)
    args = parser.parse_args()
    # The first run builds the models' cache: before the clock starts, not in each process.
    subprocess.run(
        [sys.executable, "-m", "bot", "ask", "c'est quoi docker ?"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        redis = RedisServer(folder)
        redis.start()
        try:
            results = {
                "redis": run_load(redis.url, args, folder),
                "sqlite": run_load(f"sqlite://{folder}/load.sqlite3", args, folder),
            }
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
    for name, figures in results.items():
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    print(f"{args.stored} conversations stored, cap 10000: Redis keeps {kept_redis} ({memory}),")
    print(f"  SQLite keeps {kept_sqlite} ({size / 1e6:.1f} MB on disk)")


if __name__ == "__main__":
    main()
