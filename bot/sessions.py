"""Where channels keep conversations between two messages: a small store interface.

A store keeps one JSON object per session, bounded and expiring, and expiring *claims*:
a key taken by one owner until it is released or its time runs out. Claims are what
several processes share besides the sessions: a Slack event being answered, a
conversation being updated. It also keeps *marks*: a small, long-lived flag per
conversation that lasts well beyond the session (a channel thread the bot took part in,
so that a follow-up there after the session expired gets a word rather than silence).
`MemoryStore` serves one process; `bot.stores` opens the
SQLite and Redis stores from a URL. Thread-safe, so that a thread pool can share one.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

__all__ = [
    "MARK_TTL",
    "MAX_MARKS",
    "AsyncClaims",
    "Batched",
    "KeyedLocks",
    "MemoryStore",
    "RecentKeys",
    "SessionStore",
    "StepByStep",
]

T = TypeVar("T")
R = TypeVar("R")

# A mark outlives its session (a day by default) by far: a thread comes back weeks later.
MARK_TTL = 30 * 24 * 3600.0
MAX_MARKS = 50_000


class SessionStore(Protocol):
    """Anything that keeps one JSON object per session key."""

    def get(self, key: str) -> dict[str, Any] | None:
        """The session's object, or None if there is none (never seen, evicted or expired)."""

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Keep `value` (JSON-serialisable) as the session's object."""

    def delete(self, key: str) -> None:
        """Forget the session (no error if it is unknown)."""

    def claim(
        self, key: str, owner: str, *, ttl: float, payload: dict[str, Any] | None = None
    ) -> bool:
        """Take `key` for `owner` for `ttl` seconds; False if another owner holds it.

        With a `payload` (the work the claim stands for), the claim is kept when its time
        runs out, until `take_over` hands it to another owner or its owner `settle`s it.
        """

    def extend(self, key: str, owner: str, *, ttl: float) -> bool:
        """Hold `key` `ttl` seconds more from now; False if `owner` no longer holds it."""

    def settle(self, key: str, owner: str, *, ttl: float) -> bool:
        """The claim's work is done: hold `key` `ttl` seconds more, without its payload, so
        that nobody takes it over; False if `owner` no longer holds it."""

    def take_over(
        self, prefix: str, owner: str, *, ttl: float, limit: int = 16
    ) -> list[tuple[str, dict[str, Any]]]:
        """At most `limit` claims under `prefix` whose time ran out with their payload (their
        owner died): now held by `owner` for `ttl`, each given to one caller only."""

    def release(self, key: str, owner: str) -> None:
        """Let `key` go, if `owner` still holds it."""

    def claim_get(
        self, claim: str, owner: str, *, ttl: float, key: str
    ) -> tuple[bool, dict[str, Any] | None]:
        """`claim(claim, owner, ttl=ttl)`, and if taken, the session `key`: one step (one
        round trip to a server), since a conversation's lock is taken to read its state."""

    def put_release(self, key: str, value: dict[str, Any], *, claim: str, owner: str) -> None:
        """`put(key, value)`, then `release(claim, owner)`: one step (one round trip to a
        server), since a conversation's state is saved as its lock is let go."""

    def mark(self, key: str) -> None:
        """Mark `key` for the store's mark lifetime (much longer than a session's), from now;
        the oldest marks go first beyond the store's cap."""

    def take_mark(self, key: str) -> bool:
        """Remove `key`'s mark; True if it had one still alive (one caller only)."""

    def ping(self) -> None:
        """Return if the store answers; StoreUnavailable (saying why) if not."""

    def close(self) -> None:
        """Let go of connections and files."""


@runtime_checkable
class AsyncClaims(Protocol):
    """A store that also takes claims on an asyncio event loop, without a thread (Redis):
    an HTTP server's acks then never wait for a thread nor for answering work."""

    async def claim_async(
        self, key: str, owner: str, *, ttl: float, payload: dict[str, Any] | None = None
    ) -> bool:
        """`claim`, awaited on the running loop."""

    async def close_async(self) -> None:
        """Let go of the running loop's connections."""


class Batched(Generic[T, R]):
    """Calls made on one event loop, sent in batches by `send`: every call that arrives
    while a batch is on its way goes in the next one. A burst of acks then costs two trips
    to the store, not one each (nor a connection or a thread each).

    `send(items)` gives one result per item, an exception standing for its item's failure.

    >>> import asyncio
    >>> async def send(items): return [2 * n for n in items]
    >>> async def burst(): return await asyncio.gather(*(Batched(send)(n) for n in (1, 2)))
    >>> asyncio.run(burst())
    [2, 4]
    """

    def __init__(self, send: Callable[[list[T]], Awaitable[list[R | Exception]]]) -> None:
        self._send = send
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._sender: asyncio.Task[None] | None = None

    async def __call__(self, item: T) -> R:
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.ensure_future(self._run())
        return await done

    async def _run(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                results = await self._send([item for item, _ in batch])
            except BaseException:  # cancelled (the loop closes): no caller waits for ever
                for _, done in batch + self._waiting:
                    done.cancel()
                raise
            for (_, done), result in zip(batch, results, strict=True):
                if done.done():  # its caller went away
                    continue
                if isinstance(result, Exception):
                    done.set_exception(result)
                else:
                    done.set_result(result)


class StepByStep:
    """`claim_get` and `put_release` made of the single steps: for a store in the process
    or on its disk, where a step costs no round trip."""

    def claim_get(
        self: SessionStore, claim: str, owner: str, *, ttl: float, key: str
    ) -> tuple[bool, dict[str, Any] | None]:
        if not self.claim(claim, owner, ttl=ttl):
            return False, None
        return True, self.get(key)

    def put_release(
        self: SessionStore, key: str, value: dict[str, Any], *, claim: str, owner: str
    ) -> None:
        self.put(key, value)
        self.release(claim, owner)


class MemoryStore(StepByStep):
    """An in-memory store, bounded (least recently used sessions go first) and expiring.

    >>> store = MemoryStore(max_sessions=2)
    >>> store.put("a", {"n": 1}); store.put("b", {"n": 2}); store.put("c", {"n": 3})
    >>> store.get("a"), store.get("c")
    (None, {'n': 3})
    """

    def __init__(
        self,
        *,
        max_sessions: int = 10_000,
        ttl_seconds: float = 24 * 3600.0,
        max_marks: int = MAX_MARKS,
        mark_ttl_seconds: float = MARK_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if min(max_sessions, max_marks) < 1 or min(ttl_seconds, mark_ttl_seconds) <= 0:
            raise ValueError("the caps and lifetimes must be positive")
        self.max_sessions = max_sessions
        self.ttl_seconds = ttl_seconds
        self.max_marks = max_marks
        self.mark_ttl_seconds = mark_ttl_seconds
        self._clock = clock
        # key -> when it was marked; in that order.
        self._marks: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()
        # key -> (last use, JSON text); the order is the order of last use.
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        # claim key -> (owner, expiry, payload as JSON text or None); in order of taking.
        self._claims: OrderedDict[str, tuple[str, float, str | None]] = OrderedDict()

    def get(self, key: str) -> dict[str, Any] | None:
        now = self._clock()
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            used, text = item
            if now - used > self.ttl_seconds:
                del self._items[key]
                return None
            self._items[key] = (now, text)
            self._items.move_to_end(key)
        value: dict[str, Any] = json.loads(text)
        return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        text = json.dumps(value, ensure_ascii=False)  # fails here, not later, if not JSON
        now = self._clock()
        with self._lock:
            self._items[key] = (now, text)
            self._items.move_to_end(key)
            self._drop_expired(now)
            while len(self._items) > self.max_sessions:
                self._items.popitem(last=False)

    def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)

    def claim(
        self, key: str, owner: str, *, ttl: float, payload: dict[str, Any] | None = None
    ) -> bool:
        text = None if payload is None else json.dumps(payload, ensure_ascii=False)
        now = self._clock()
        with self._lock:
            held = self._claims.get(key)
            if held is not None and held[1] > now:
                return False
            self._claims.pop(key, None)
            self._claims[key] = (owner, now + ttl, text)
            # Claims are short-lived: the oldest go first once the table is full.
            while len(self._claims) > self.max_sessions:
                self._claims.popitem(last=False)
            return True

    def extend(self, key: str, owner: str, *, ttl: float) -> bool:
        return self._renew(key, owner, ttl=ttl, keep_payload=True)

    def settle(self, key: str, owner: str, *, ttl: float) -> bool:
        return self._renew(key, owner, ttl=ttl, keep_payload=False)

    def _renew(self, key: str, owner: str, *, ttl: float, keep_payload: bool) -> bool:
        now = self._clock()
        with self._lock:
            held = self._claims.get(key)
            if held is None or held[0] != owner or held[1] <= now:
                return False
            self._claims[key] = (owner, now + ttl, held[2] if keep_payload else None)
            return True

    def take_over(
        self, prefix: str, owner: str, *, ttl: float, limit: int = 16
    ) -> list[tuple[str, dict[str, Any]]]:
        now = self._clock()
        taken: list[tuple[str, dict[str, Any]]] = []
        with self._lock:
            for key, (_, expiry, text) in list(self._claims.items()):
                if len(taken) >= limit:
                    break
                if text is not None and expiry <= now and key.startswith(prefix):
                    self._claims[key] = (owner, now + ttl, text)
                    taken.append((key, json.loads(text)))
        return taken

    def release(self, key: str, owner: str) -> None:
        with self._lock:
            held = self._claims.get(key)
            if held is not None and held[0] == owner:
                del self._claims[key]

    def mark(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            self._marks.pop(key, None)
            self._marks[key] = now
            while self._marks:  # the oldest first: stop at the first one still alive
                oldest, marked = next(iter(self._marks.items()))
                if len(self._marks) <= self.max_marks and now - marked <= self.mark_ttl_seconds:
                    break
                del self._marks[oldest]

    def take_mark(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            marked = self._marks.pop(key, None)
        return marked is not None and now - marked <= self.mark_ttl_seconds

    def ping(self) -> None:
        return None

    def close(self) -> None:
        return None

    def __len__(self) -> int:
        with self._lock:
            self._drop_expired(self._clock())
            return len(self._items)

    def _drop_expired(self, now: float) -> None:
        # The oldest come first: stop at the first session still alive.
        while self._items:
            key, (used, _) = next(iter(self._items.items()))
            if now - used <= self.ttl_seconds:
                break
            del self._items[key]


class KeyedLocks:
    """One lock per key, so that two messages of one conversation never interleave.

    Locks exist only while a thread holds or awaits them: the table does not grow
    with the number of conversations ever seen.

    >>> locks = KeyedLocks()
    >>> with locks.hold("thread-1"):
    ...     len(locks)
    1
    >>> len(locks)
    0
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)


class RecentKeys:
    """A bounded set of recently seen keys (event ids), to drop duplicate deliveries.

    >>> seen = RecentKeys(max_keys=2)
    >>> [seen.add(k) for k in ("e1", "e1", "e2", "e3", "e1")]
    [True, False, True, True, True]
    """

    def __init__(self, *, max_keys: int = 10_000) -> None:
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._keys: OrderedDict[str, None] = OrderedDict()

    def add(self, key: str) -> bool:
        """Remember `key`; True if it is new, False if it was already seen."""
        with self._lock:
            if key in self._keys:
                self._keys.move_to_end(key)
                return False
            self._keys[key] = None
            if len(self._keys) > self.max_keys:
                self._keys.popitem(last=False)
            return True
