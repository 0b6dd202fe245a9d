"""The session stores: one contract, run against memory, a real SQLite file and a real
redis-server; then what only a URL or a file can show."""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from bot.errors import StoreUnavailable, StoreUrlError
from bot.sessions import AsyncClaims, MemoryStore, SessionStore
from bot.stores import default_store_url, open_store, shown_url
from bot.stores.redis_store import RedisStore
from bot.stores.sqlite_store import SqliteStore
from tests.redis_server import RedisServer

_prefixes = itertools.count(1)

# A factory opens a store of the backend (a second call: another process's view).
Factory = Callable[..., SessionStore]
# Lets seconds pass for a test's stores.
Elapse = Callable[[float], None]


class Clock:
    """The time the memory and SQLite stores of a test read: the wall clock's (recency
    orders their sessions), pushed ahead when the test lets time pass."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def __call__(self) -> float:
        return time.time() + self.ahead


@pytest.fixture(params=["memory", "sqlite", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def open_backend(
    backend: str, clock: Clock, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Factory]:
    """Opens stores of one backend sharing the same data (one file, one Redis prefix)."""
    opened: list[SessionStore] = []
    prefix = f"test{next(_prefixes)}:"

    def open_one(**limits: Any) -> SessionStore:
        store: SessionStore
        if backend == "memory":
            store = opened[0] if opened else MemoryStore(clock=clock, **limits)
        elif backend == "sqlite":
            path = tmp_path / "sessions.sqlite3"
            store = SqliteStore(path, sweep_every=1, clock=clock, **limits)
        else:
            server: RedisServer = request.getfixturevalue("redis_server")
            store = RedisStore(server.url, prefix=prefix, **limits)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def elapse(backend: str, clock: Clock) -> Elapse:
    """Lets `seconds` pass for the test's stores: at once on the clock the memory and SQLite
    stores read; really for redis-server, whose expiries follow its own clock."""

    def wait(seconds: float) -> None:
        if backend == "redis":
            time.sleep(seconds)
        else:
            clock.ahead += seconds

    return wait


# --- Sessions --------------------------------------------------------------------------------


def test_a_session_comes_back_as_the_json_object_it_was(open_backend: Factory) -> None:
    store = open_backend()
    value: dict[str, Any] = {"dialogue": {"answers": {"multi_os": "oui"}}, "n": 1, "é": None}
    store.put("T1/C1/1.0", value)
    value["n"] = 2
    assert store.get("T1/C1/1.0") == {
        "dialogue": {"answers": {"multi_os": "oui"}},
        "n": 1,
        "é": None,
    }


def test_another_process_sees_the_same_sessions(open_backend: Factory) -> None:
    first, second = open_backend(), open_backend()
    first.put("k", {"n": 1})
    assert second.get("k") == {"n": 1}
    second.put("k", {"n": 2})
    assert first.get("k") == {"n": 2}


def test_a_value_that_is_not_json_is_refused(open_backend: Factory) -> None:
    store = open_backend()
    with pytest.raises(TypeError):
        store.put("k", {"bad": object()})
    assert store.get("k") is None


def test_a_deleted_or_unknown_session_is_none(open_backend: Factory) -> None:
    store = open_backend()
    store.put("k", {"n": 1})
    store.delete("k")
    store.delete("never")
    assert (store.get("k"), store.get("never")) == (None, None)


def test_the_least_recently_used_session_goes_first_beyond_the_cap(open_backend: Factory) -> None:
    store = open_backend(max_sessions=2)
    store.put("a", {"n": 1})
    store.put("b", {"n": 2})
    assert store.get("a") == {"n": 1}  # a is now the most recent
    store.put("c", {"n": 3})
    assert (store.get("a"), store.get("b"), store.get("c")) == ({"n": 1}, None, {"n": 3})


def test_an_idle_session_expires_and_use_keeps_it_alive(
    open_backend: Factory, elapse: Elapse
) -> None:
    store = open_backend(ttl_seconds=1.0)
    store.put("idle", {"n": 1})
    store.put("busy", {"n": 2})
    elapse(0.6)
    assert store.get("busy") == {"n": 2}
    elapse(0.6)
    assert store.get("idle") is None
    assert store.get("busy") == {"n": 2}


def test_many_threads_can_share_a_store(open_backend: Factory) -> None:
    store = open_backend(max_sessions=50)

    def hammer(i: int) -> None:
        for n in range(100):
            store.put(f"{i}-{n % 70}", {"n": n})
            store.get(f"{(i + 1) % 8}-{n % 70}")
            if n % 7 == 0:
                store.delete(f"{i}-{n % 70}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(hammer, range(8)))
    assert len(store) <= 50  # type: ignore[arg-type]


# --- Claims ----------------------------------------------------------------------------------


def test_a_claim_is_held_by_one_owner_until_released(open_backend: Factory) -> None:
    mine, theirs = open_backend(), open_backend()
    assert mine.claim("event:Ev1", "worker-1", ttl=30)
    assert not theirs.claim("event:Ev1", "worker-2", ttl=30)
    theirs.release("event:Ev1", "worker-2")  # not theirs to release
    assert not theirs.claim("event:Ev1", "worker-2", ttl=30)
    mine.release("event:Ev1", "worker-1")
    assert theirs.claim("event:Ev1", "worker-2", ttl=30)


def test_a_claim_expires_so_a_crashed_owner_blocks_no_one_for_ever(
    open_backend: Factory, elapse: Elapse
) -> None:
    crashed, alive = open_backend(), open_backend()
    assert crashed.claim("lock:T1/C1/1.0", "dead-worker", ttl=0.3)
    elapse(0.5)
    assert alive.claim("lock:T1/C1/1.0", "worker-2", ttl=30)
    assert not crashed.extend("lock:T1/C1/1.0", "dead-worker", ttl=30)


def test_only_the_owner_extends_a_claim(open_backend: Factory, elapse: Elapse) -> None:
    store = open_backend()
    assert store.claim("event:Ev2", "worker-1", ttl=0.5)
    assert not store.extend("event:Ev2", "worker-2", ttl=60)
    assert store.extend("event:Ev2", "worker-1", ttl=60)
    elapse(0.7)  # past the first expiry: the extension holds
    assert not store.claim("event:Ev2", "worker-2", ttl=30)


def test_claims_are_sessions_apart(open_backend: Factory) -> None:
    store = open_backend()
    store.claim("k", "worker-1", ttl=30)
    assert store.get("k") is None
    store.put("k", {"n": 1})
    assert not store.claim("k", "worker-2", ttl=30)


def test_racing_processes_take_each_claim_exactly_once(open_backend: Factory) -> None:
    stores = [open_backend(), open_backend()]
    won: list[str] = []
    guard = threading.Lock()

    def race(worker: int) -> None:
        store = stores[worker % 2]
        for n in range(40):
            if store.claim(f"event:{n}", f"worker-{worker}", ttl=30):
                with guard:
                    won.append(f"event:{n}")

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(race, range(6)))
    assert sorted(won) == sorted(f"event:{n}" for n in range(40))


# --- Marks ---------------------------------------------------------------------------------


def test_a_mark_is_taken_once_and_an_unmarked_key_has_none(open_backend: Factory) -> None:
    store = open_backend()
    store.mark("T1/C1/1.0")
    assert store.take_mark("T1/C1/1.0")
    assert not store.take_mark("T1/C1/1.0")
    assert not store.take_mark("T1/C1/2.0")


def test_another_process_sees_the_same_marks(open_backend: Factory) -> None:
    first, second = open_backend(), open_backend()
    first.mark("k")
    assert second.take_mark("k")
    assert not first.take_mark("k")


def test_a_mark_outlives_its_session_then_expires_in_its_own_time(
    open_backend: Factory, elapse: Elapse
) -> None:
    store = open_backend(ttl_seconds=0.3, mark_ttl_seconds=1.0)
    store.put("k", {"n": 1})
    store.mark("k")
    elapse(0.6)
    assert store.get("k") is None
    assert store.take_mark("k")
    store.mark("k")
    elapse(1.15)
    assert not store.take_mark("k")


def test_marking_again_keeps_a_mark_alive(open_backend: Factory, elapse: Elapse) -> None:
    store = open_backend(mark_ttl_seconds=1.0)
    store.mark("k")
    elapse(0.6)
    store.mark("k")
    elapse(0.6)
    assert store.take_mark("k")


def test_the_oldest_mark_goes_first_beyond_the_cap(open_backend: Factory) -> None:
    store = open_backend(max_marks=2)
    for key in ("a", "b", "c"):
        store.mark(key)
    assert [store.take_mark(key) for key in ("a", "b", "c")] == [False, True, True]


def test_marks_are_sessions_apart(open_backend: Factory) -> None:
    store = open_backend()
    store.put("k", {"n": 1})
    assert not store.take_mark("k")
    store.mark("k")
    store.delete("k")
    assert store.get("k") is None
    assert store.take_mark("k")


def test_racing_processes_take_each_mark_exactly_once(open_backend: Factory) -> None:
    stores = [open_backend(), open_backend()]
    for n in range(40):
        stores[0].mark(f"T1/C1/{n}")
    won: list[str] = []
    guard = threading.Lock()

    def race(worker: int) -> None:
        store = stores[worker % 2]
        for n in range(40):
            if store.take_mark(f"T1/C1/{n}"):
                with guard:
                    won.append(f"T1/C1/{n}")

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(race, range(6)))
    assert sorted(won) == sorted(f"T1/C1/{n}" for n in range(40))


def test_a_lock_taken_with_its_session_reads_the_session_only_once_taken(
    open_backend: Factory,
) -> None:
    mine, theirs = open_backend(), open_backend()
    mine.put("T1/C1/2.0", {"n": 1})
    assert mine.claim_get("lock:T1/C1/2.0", "worker-1", ttl=30, key="T1/C1/2.0") == (
        True,
        {"n": 1},
    )
    assert theirs.claim_get("lock:T1/C1/2.0", "worker-2", ttl=30, key="T1/C1/2.0") == (
        False,
        None,
    )
    assert theirs.claim_get("lock:T1/C1/3.0", "worker-2", ttl=30, key="T1/C1/3.0") == (
        True,
        None,
    )


def test_a_session_saved_with_its_lock_let_go_is_read_by_the_next_owner(
    open_backend: Factory,
) -> None:
    mine, theirs = open_backend(), open_backend()
    assert mine.claim_get("lock:T1/C1/4.0", "worker-1", ttl=30, key="T1/C1/4.0")[0]
    mine.put_release("T1/C1/4.0", {"n": 2}, claim="lock:T1/C1/4.0", owner="worker-1")
    assert theirs.claim_get("lock:T1/C1/4.0", "worker-2", ttl=30, key="T1/C1/4.0") == (
        True,
        {"n": 2},
    )
    theirs.put_release("T1/C1/4.0", {"n": 3}, claim="lock:T1/C1/4.0", owner="worker-1")
    assert not mine.claim("lock:T1/C1/4.0", "worker-1", ttl=30)  # not worker-1's to let go
    assert mine.get("T1/C1/4.0") == {"n": 3}


# --- Work handed over: claims that carry what they stand for ---------------------------------


def test_a_claim_that_runs_out_with_its_payload_is_taken_over_once(
    open_backend: Factory, elapse: Elapse
) -> None:
    dead, first, second = open_backend(), open_backend(), open_backend()
    body = {"event_id": "Ev7", "event": {"text": "c'est quoi docker ?"}}
    assert dead.claim("event:Ev7", "dead-worker", ttl=0.3, payload=body)
    assert first.take_over("event:", "worker-1", ttl=30) == []  # still held
    elapse(0.5)
    assert first.take_over("event:", "worker-1", ttl=30) == [("event:Ev7", body)]
    assert second.take_over("event:", "worker-2", ttl=30) == []
    assert not second.claim("event:Ev7", "worker-2", ttl=30)


def test_a_settled_claim_is_never_taken_over_and_still_refuses_a_retry(
    open_backend: Factory,
    elapse: Elapse,
) -> None:
    store = open_backend()
    assert store.claim("event:Ev8", "worker-1", ttl=0.3, payload={"n": 8})
    assert store.settle("event:Ev8", "worker-1", ttl=30)
    elapse(0.5)
    assert store.take_over("event:", "worker-2", ttl=30) == []
    assert not store.claim("event:Ev8", "worker-2", ttl=30)


def test_only_the_owner_settles_a_claim(open_backend: Factory, elapse: Elapse) -> None:
    store = open_backend()
    assert store.claim("event:Ev9", "worker-1", ttl=0.3, payload={"n": 9})
    assert not store.settle("event:Ev9", "worker-2", ttl=30)
    elapse(0.5)
    assert [key for key, _ in store.take_over("event:", "worker-2", ttl=30)] == ["event:Ev9"]


def test_an_extended_claim_is_not_taken_over(open_backend: Factory, elapse: Elapse) -> None:
    store = open_backend()
    assert store.claim("event:Ev10", "worker-1", ttl=0.4, payload={"n": 10})
    assert store.extend("event:Ev10", "worker-1", ttl=30)
    elapse(0.6)
    assert store.take_over("event:", "worker-2", ttl=30) == []


def test_take_over_keeps_to_its_prefix_and_ignores_claims_without_payload(
    open_backend: Factory,
    elapse: Elapse,
) -> None:
    store = open_backend()
    store.claim("lock:T1/C1/1.0", "dead-worker", ttl=0.3)
    store.claim("other:Ev11", "dead-worker", ttl=0.3, payload={"n": 11})
    elapse(0.5)
    assert store.take_over("event:", "worker-2", ttl=30) == []


def test_racing_processes_take_each_abandoned_claim_over_exactly_once(
    open_backend: Factory,
    elapse: Elapse,
) -> None:
    dead = open_backend()
    for n in range(30):
        dead.claim(f"event:{n}", "dead-worker", ttl=0.3, payload={"n": n})
    elapse(0.5)
    stores = [open_backend(), open_backend()]
    won: list[str] = []
    guard = threading.Lock()

    def race(worker: int) -> None:
        for _ in range(10):
            taken = stores[worker % 2].take_over("event:", f"worker-{worker}", ttl=30, limit=4)
            with guard:
                won.extend(key for key, _ in taken)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(race, range(4)))
    assert sorted(won) == sorted(f"event:{n}" for n in range(30))


# --- Opening a store from its URL --------------------------------------------------------------


def test_sqlite_sessions_survive_a_restart(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/data/sessions.sqlite3"
    before = open_store(url)
    before.put("T1/D1", {"dialogue": {"n": 3}})
    before.close()
    after = open_store(url)
    assert after.get("T1/D1") == {"dialogue": {"n": 3}}


@pytest.mark.parametrize("attempt", range(20))
def test_processes_opening_a_new_sqlite_file_at_once_all_open_it(
    tmp_path: Path, attempt: int
) -> None:
    # Each store is its own connection, as each process has: they race for the journal
    # mode and the tables of a file that does not exist yet.
    path = tmp_path / f"new-{attempt}.sqlite3"
    start = threading.Barrier(16)

    def open_at_once(_: int) -> SqliteStore:
        start.wait()
        return SqliteStore(path)

    with ThreadPoolExecutor(16) as pool:
        stores = list(pool.map(open_at_once, range(16)))
    stores[0].put("k", {"v": 1})
    assert all(store.get("k") == {"v": 1} for store in stores)
    for store in stores:
        store.close()


def test_the_sqlite_file_stays_bounded_by_the_cap(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3", max_sessions=100, sweep_every=10)
    for n in range(1_000):
        store.put(f"k{n}", {"n": n})
    assert len(store) == 100
    assert store.get("k999") == {"n": 999} and store.get("k0") is None


def test_the_redis_index_stays_bounded_by_the_cap(redis_server: RedisServer) -> None:
    store = RedisStore(redis_server.url, prefix="bounded:", max_sessions=100)
    for n in range(1_000):
        store.put(f"k{n}", {"n": n})
    assert len(store) == 100
    assert store.get("k999") == {"n": 999} and store.get("k0") is None
    import redis

    assert len(redis.Redis.from_url(redis_server.url).keys("bounded:s:*")) == 100


def test_the_marks_stay_bounded_by_their_cap_in_sqlite_and_redis(
    tmp_path: Path, redis_server: RedisServer
) -> None:

    import redis

    sqlite_store = SqliteStore(tmp_path / "m.sqlite3", max_marks=100, sweep_every=10)
    redis_store = RedisStore(redis_server.url, prefix="bounded-marks:", max_marks=100)
    for n in range(1_000):
        sqlite_store.mark(f"T1/C1/{n}")
        redis_store.mark(f"T1/C1/{n}")
    with closing(sqlite3.connect(tmp_path / "m.sqlite3")) as db:
        (rows,) = db.execute("SELECT count(*) FROM marks").fetchone()
    assert rows <= 100 + 10
    assert len(redis.Redis.from_url(redis_server.url).keys("bounded-marks:m:*")) == 100
    assert sqlite_store.take_mark("T1/C1/999") and not sqlite_store.take_mark("T1/C1/0")
    assert redis_store.take_mark("T1/C1/999") and not redis_store.take_mark("T1/C1/0")


def test_acks_claim_on_an_event_loop_in_batches_each_key_once(
    open_backend: Factory, backend: str
) -> None:
    import asyncio

    if backend == "memory":
        # One process only: its acks claim on a thread, with no event loop of its own.
        assert not isinstance(open_backend(), AsyncClaims)
        return
    first, second = open_backend(), open_backend()
    assert isinstance(first, AsyncClaims) and isinstance(second, AsyncClaims)

    async def burst() -> list[bool]:
        # Two processes' acks for the same 50 deliveries, all at once.
        claims = [
            store.claim_async(f"event:{n}", f"worker-{w}", ttl=30, payload={"n": n})
            for n in range(50)
            for w, store in enumerate((first, second))
        ]
        try:
            return list(await asyncio.gather(*claims))
        finally:
            await first.close_async()
            await second.close_async()

    won = asyncio.run(burst())
    assert [won[2 * n] + won[2 * n + 1] for n in range(50)] == [1] * 50
    # The threads' own claims see them.
    assert not first.claim("event:0", "worker-3", ttl=30)


def test_a_sqlite_ack_claim_waits_for_another_writer_without_holding_the_loop_up(
    tmp_path: Path,
) -> None:
    import asyncio

    # Given another process writing to the file (its write lock held)
    store = SqliteStore(tmp_path / "s.sqlite3", busy_timeout=60)
    other = sqlite3.connect(tmp_path / "s.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def ack_meanwhile() -> tuple[bool, int]:
        claim = asyncio.ensure_future(store.claim_async("event:1", "w1", ttl=30, payload={}))
        ticks = 0
        for _ in range(20):  # When the loop goes on serving while the claim waits
            await asyncio.sleep(0.001)
            ticks += 1
        assert not claim.done()
        other.execute("COMMIT")  # and the other writer is done
        taken = await claim
        await store.close_async()
        return taken, ticks

    # Then the claim is taken once the lock is free, and the loop never stopped meanwhile
    assert asyncio.run(ack_meanwhile()) == (True, 20)
    assert not store.claim("event:1", "w2", ttl=30)
    other.close()
    store.close()


def test_a_sqlite_ack_claim_reports_a_file_that_stays_locked_as_unavailable(
    tmp_path: Path,
) -> None:
    import asyncio

    store = SqliteStore(tmp_path / "s.sqlite3", busy_timeout=0.05)
    other = sqlite3.connect(tmp_path / "s.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def ack() -> bool:
        try:
            return await store.claim_async("event:1", "w1", ttl=30)
        finally:
            await store.close_async()

    with pytest.raises(StoreUnavailable, match="locked"):
        asyncio.run(ack())
    other.execute("ROLLBACK")
    other.close()
    store.close()


def test_a_burst_of_threads_waits_for_a_redis_connection_instead_of_failing(
    own_redis: RedisServer,
) -> None:
    import redis

    # A server that takes few clients, as a busy shared Redis would: the store's threads
    # must share a bounded pool of connections rather than open one each.
    admin = redis.Redis.from_url(own_redis.url)
    admin.config_set("maxclients", 12)
    store = RedisStore(own_redis.url, prefix="burst:", max_connections=8)
    gate = threading.Barrier(48)

    def one(n: int) -> int:
        gate.wait()
        for m in range(10):
            store.put(f"k{n}", {"m": m})
        taken, value = store.claim_get(f"lock:k{n}", f"w{n}", ttl=30, key=f"k{n}")
        assert taken and value == {"m": 9}
        store.put_release(f"k{n}", {"m": 10}, claim=f"lock:k{n}", owner=f"w{n}")
        return n

    with ThreadPoolExecutor(48) as pool:
        assert sorted(pool.map(one, range(48))) == list(range(48))
    assert admin.info("stats")["rejected_connections"] == 0
    store.close()
    admin.close()


def test_open_store_opens_each_backend(tmp_path: Path, redis_server: RedisServer) -> None:
    for url in ("memory://", f"sqlite://{tmp_path}/s.sqlite3", redis_server.url):
        store = open_store(url)
        store.put("k", {"url": url})
        assert store.get("k") == {"url": url}
        store.close()


def test_the_default_store_is_a_sqlite_file_in_the_user_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_store_url() == f"sqlite://{tmp_path}/vmbot/sessions.sqlite3"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://ailleurs",
        "sqlite://",
        "sqlite://hote/fichier",
        "redis://",
        "redis://h:abc/0",
        "redis://localhost:6379/x",
        "memory://quelque/chose",
        "sessions.sqlite3",
        "",
    ],
)
def test_a_bad_store_url_is_refused_in_french(url: str) -> None:
    with pytest.raises(StoreUrlError, match=r"^Adresse du stockage des conversations invalide"):
        open_store(url)


def test_an_unreachable_store_is_reported_in_french_without_its_password() -> None:
    from tests.redis_server import free_port

    url = f"redis://:motdepasse@127.0.0.1:{free_port()}/0"
    with pytest.raises(StoreUnavailable) as raised:
        open_store(url)
    text = str(raised.value)
    assert text.startswith("Le stockage des conversations ne répond pas (redis://***@127.0.0.1:")
    assert "motdepasse" not in text


def test_an_unwritable_sqlite_folder_is_reported_in_french(tmp_path: Path) -> None:
    (tmp_path / "fichier").write_text("")
    with pytest.raises(StoreUnavailable, match=r"^Le stockage des conversations ne répond pas"):
        open_store(f"sqlite://{tmp_path}/fichier/sessions.sqlite3")


def test_a_shown_url_hides_only_the_password() -> None:
    assert shown_url("redis://cache:6379/1") == "redis://cache:6379/1"
    assert shown_url("redis://user:pw@cache:6379/1") == "redis://***@cache:6379/1"


# --- `vmbot slack --store` -------------------------------------------------------------------


@pytest.fixture
def slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "0123456789abcdef")
    monkeypatch.delenv("VMBOT_STORE", raising=False)


@pytest.mark.usefixtures("slack_env")
@pytest.mark.parametrize("how", ["option", "variable"])
def test_vmbot_slack_refuses_a_bad_store_url_in_one_french_line_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    from bot.adapters import cli

    args = ["slack", "--http", "--port", "0"]
    if how == "option":
        args += ["--store", "postgres://base"]
    else:
        monkeypatch.setenv("VMBOT_STORE", "postgres://base")
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("Adresse du stockage des conversations invalide : « postgres://base »")


@pytest.mark.usefixtures("slack_env")
def test_vmbot_slack_stops_with_exit_1_when_the_store_does_not_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.adapters import cli
    from tests.redis_server import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"
    assert cli.main(["slack", "--http", "--port", "0", "--store", url]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"Le stockage des conversations ne répond pas ({url})")


@pytest.mark.usefixtures("slack_env")
def test_vmbot_slack_refuses_several_workers_on_a_memory_store(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.adapters import cli

    args = ["slack", "--http", "--port", "0", "--workers", "2", "--store", "memory://"]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("Plusieurs processus (--workers)")
