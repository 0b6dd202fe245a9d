"""Sessions and claims in Redis, shared by processes on several machines (redis-py).

Sessions are keys with a TTL, and a sorted set of their last use bounds their number
(marks likewise, with their own set and a longer TTL);
claims are `SET NX PX` keys, given back or extended only by their owner (Lua scripts,
so that checking the owner and changing the key are one step). A claim's payload lives in
a hash beside it, and a sorted set of payload claims by deadline (the server's clock) is
what `take_over` scans. The scripts touch claim keys they compute: one server, no cluster.
Taking a conversation's lock with its state, and saving its state with letting the lock
go, are one script each: one round trip, not two. Connections come from a bounded pool
that a burst waits on, rather than opening more than the server accepts.

A Slack ack claims its delivery with `claim_async`, on the HTTP server's event loop and on
a connection of its own (redis.asyncio): an ack never waits for a thread, nor for a
connection that answering work holds, and the claims of a burst go in one round trip.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

from bot.errors import StoreUnavailable
from bot.sessions import MARK_TTL, MAX_MARKS, Batched

__all__ = ["RedisStore"]


# KEYS: session, index. ARGV: value, ttl (ms), now (s), max sessions.
_PUT = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[2]) / 1000)
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if extra > 0 then
  local oldest = redis.call('ZPOPMIN', KEYS[2], extra)
  for i = 1, #oldest, 2 do redis.call('DEL', oldest[i]) end
end
"""
# KEYS: session, index, claim. ARGV: value, ttl (ms), now (s), max sessions, owner.
_PUT_RELEASE = (
    _PUT
    + """
if redis.call('GET', KEYS[3]) == ARGV[5] then redis.call('DEL', KEYS[3]) end
"""
)
# KEYS: claim, session, index. ARGV: owner, claim ttl (ms), session ttl (ms), now (s).
# A lock's claim has no payload: no deadline nor payload to clear. The session read is
# kept alive, as `get` does.
_CLAIM_GET = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end
local text = redis.call('GET', KEYS[2])
if not text then return {1} end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], 'XX', ARGV[4], KEYS[2])
return {1, text}
"""
# The server's time in milliseconds: deadlines never depend on a client's clock.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""
# KEYS: claim, deadlines, payloads. ARGV: owner, ttl (ms), payload ('' for none).
_CLAIM = (
    _NOW
    + """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[2], KEYS[1])
  redis.call('HDEL', KEYS[3], KEYS[1])
else
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), KEYS[1])
  redis.call('HSET', KEYS[3], KEYS[1], ARGV[3])
end
return 1
"""
)
# KEYS: claim, deadlines, payloads. ARGV: owner, ttl (ms), settle (1: drop the payload).
_RENEW = (
    _NOW
    + """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if ARGV[3] == '1' then
  redis.call('ZREM', KEYS[2], KEYS[1])
  redis.call('HDEL', KEYS[3], KEYS[1])
else
  redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[2]), KEYS[1])
end
return 1
"""
)
# KEYS: deadlines, payloads. ARGV: owner, ttl (ms), limit, prefix of the claim keys.
_TAKE_OVER = (
    _NOW
    + """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 64)
local taken = {}
for _, key in ipairs(due) do
  if #taken >= 2 * tonumber(ARGV[3]) then break end
  local payload = redis.call('HGET', KEYS[2], key)
  if payload == false then
    redis.call('ZREM', KEYS[1], key)
  elseif string.sub(key, 1, #ARGV[4]) == ARGV[4] then
    if redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) then
      redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), key)
      table.insert(taken, key)
      table.insert(taken, payload)
    else
      redis.call('ZADD', KEYS[1], now + math.max(redis.call('PTTL', key), 0), key)
    end
  end
end
return taken
"""
)
# KEYS: mark, marks' index. The mark's TTL and the index's trimming keep it alive and bounded.
_TAKE_MARK = """
redis.call('ZREM', KEYS[2], KEYS[1])
return redis.call('DEL', KEYS[1])
"""
# KEYS: claim, deadlines, payloads. ARGV: owner.
_RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('ZREM', KEYS[2], KEYS[1])
redis.call('HDEL', KEYS[3], KEYS[1])
return redis.call('DEL', KEYS[1])
"""


class RedisStore:
    """A `SessionStore` on a Redis server, at most `max_sessions` sessions under `prefix`.

    Every command fails within `timeout` seconds when the server is down (no retry: the
    caller decides), and the next command reconnects by itself once it is back.
    """

    def __init__(
        self,
        url: str,
        *,
        max_sessions: int = 10_000,
        ttl_seconds: float = 24 * 3600.0,
        max_marks: int = MAX_MARKS,
        mark_ttl_seconds: float = MARK_TTL,
        prefix: str = "vmbot:",
        timeout: float = 1.0,
        max_connections: int = 64,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if min(max_sessions, max_marks) < 1 or min(ttl_seconds, mark_ttl_seconds) <= 0:
            raise ValueError("the caps and lifetimes must be positive")
        self.max_sessions = max_sessions
        self.ttl_seconds = ttl_seconds
        self.max_marks = max_marks
        self.mark_ttl_seconds = mark_ttl_seconds
        self._ttl_ms = max(1, round(ttl_seconds * 1000))
        self._prefix = prefix
        self._index = f"{prefix}sessions"
        self._marks = f"{prefix}marks"
        self._deadlines = f"{prefix}claims:deadlines"
        self._payloads = f"{prefix}claims:payloads"
        self._clock = clock
        # Every thread of the process shares `max_connections` connections: more threads
        # than that (a burst) wait their turn, `timeout` at most, instead of each opening
        # one more connection until the server refuses them (its maxclients).
        pool = redis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=timeout,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            decode_responses=True,
        )
        self._redis = redis.Redis(connection_pool=pool)
        self._put = self._redis.register_script(_PUT)
        self._put_release = self._redis.register_script(_PUT_RELEASE)
        self._claim_get = self._redis.register_script(_CLAIM_GET)
        self._claim_script = self._redis.register_script(_CLAIM)
        self._renew = self._redis.register_script(_RENEW)
        self._take_over = self._redis.register_script(_TAKE_OVER)
        self._release = self._redis.register_script(_RELEASE)
        self._take_mark = self._redis.register_script(_TAKE_MARK)
        self._url, self._timeout = url, timeout
        # The acks' own connection, one per event loop (a redis.asyncio client is bound to
        # the loop it was made on; tests run several servers, each on its loop).
        self._ack_batches: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[redis.asyncio.Redis, Batched[Any, Any]]
        ] = weakref.WeakKeyDictionary()

    @contextmanager
    def _guard(self) -> Iterator[redis.Redis]:
        try:
            yield self._redis
        except redis.RedisError as exc:
            raise StoreUnavailable(str(exc) or type(exc).__name__) from exc

    def _session(self, key: str) -> str:
        return f"{self._prefix}s:{key}"

    def _claim(self, key: str) -> str:
        return f"{self._prefix}c:{key}"

    def get(self, key: str) -> dict[str, Any] | None:
        name = self._session(key)
        with self._guard() as r:
            pipe = r.pipeline(transaction=False)
            pipe.getex(name, px=self._ttl_ms)
            pipe.zadd(self._index, {name: self._clock()}, xx=True)
            text, _ = pipe.execute()
        if text is None:
            return None
        value: dict[str, Any] = json.loads(text)
        return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        text = json.dumps(value, ensure_ascii=False)  # fails here, not later, if not JSON
        with self._guard():
            self._put(
                keys=[self._session(key), self._index],
                args=[text, self._ttl_ms, self._clock(), self.max_sessions],
            )

    def delete(self, key: str) -> None:
        name = self._session(key)
        with self._guard() as r:
            pipe = r.pipeline(transaction=False)
            pipe.delete(name)
            pipe.zrem(self._index, name)
            pipe.execute()

    def _claim_keys(self, key: str) -> list[str]:
        return [self._claim(key), self._deadlines, self._payloads]

    def claim(
        self, key: str, owner: str, *, ttl: float, payload: dict[str, Any] | None = None
    ) -> bool:
        text = "" if payload is None else json.dumps(payload, ensure_ascii=False)
        with self._guard():
            taken = self._claim_script(keys=self._claim_keys(key), args=[owner, _ms(ttl), text])
        return bool(taken)

    async def claim_async(
        self, key: str, owner: str, *, ttl: float, payload: dict[str, Any] | None = None
    ) -> bool:
        """`claim`, awaited on the running event loop: the claims of acks that arrive
        together go to the server together, in one round trip on the loop's connection."""
        text = "" if payload is None else json.dumps(payload, ensure_ascii=False)
        try:
            return bool(await self._ack_claims()((key, [owner, _ms(ttl), text])))
        except redis.RedisError as exc:
            # A pooled connection the server closed says nothing of where: the address.
            where = self._redis.connection_pool.connection_kwargs
            detail = str(exc) or type(exc).__name__
            raise StoreUnavailable(f"{detail} ({where.get('host')}:{where.get('port')})") from exc

    async def close_async(self) -> None:
        """Let go of the running event loop's connection (`claim_async`'s)."""
        acks = self._ack_batches.pop(asyncio.get_running_loop(), None)
        if acks is not None:
            await acks[0].aclose(close_connection_pool=True)

    def _ack_claims(self) -> Batched[tuple[str, list[Any]], Any]:
        loop = asyncio.get_running_loop()
        acks = self._ack_batches.get(loop)
        if acks is None:
            pool = redis.asyncio.ConnectionPool.from_url(
                self._url,
                max_connections=1,
                socket_timeout=self._timeout,
                socket_connect_timeout=self._timeout,
                retry=AsyncRetry(NoBackoff(), 0),
                decode_responses=True,
            )
            client = redis.asyncio.Redis(connection_pool=pool)
            acks = self._ack_batches[loop] = (client, Batched(partial(self._send_claims, client)))
        return acks[1]

    async def _send_claims(
        self, client: redis.asyncio.Redis, batch: list[tuple[str, list[Any]]]
    ) -> list[Any]:
        """The claims of acks that arrived together, in one pipeline (one round trip)."""
        results: list[Any]
        try:
            pipe = client.pipeline(transaction=False)
            for key, args in batch:
                pipe.evalsha(self._claim_script.sha, 3, *self._claim_keys(key), *args)
            results = await pipe.execute(raise_on_error=False)
            for n, (key, args) in enumerate(batch):
                if isinstance(results[n], redis.exceptions.NoScriptError):
                    # The server restarted, or was flushed: the script's text this once.
                    results[n] = await client.eval(_CLAIM, 3, *self._claim_keys(key), *args)
        except redis.RedisError as exc:
            results = [exc] * len(batch)
        return results

    def extend(self, key: str, owner: str, *, ttl: float) -> bool:
        with self._guard():
            kept = self._renew(keys=self._claim_keys(key), args=[owner, _ms(ttl), 0])
        return bool(kept)

    def settle(self, key: str, owner: str, *, ttl: float) -> bool:
        with self._guard():
            kept = self._renew(keys=self._claim_keys(key), args=[owner, _ms(ttl), 1])
        return bool(kept)

    def take_over(
        self, prefix: str, owner: str, *, ttl: float, limit: int = 16
    ) -> list[tuple[str, dict[str, Any]]]:
        with self._guard():
            flat = self._take_over(
                keys=[self._deadlines, self._payloads],
                args=[owner, _ms(ttl), limit, self._claim(prefix)],
            )
        start = len(self._claim(""))
        return [
            (str(key)[start:], json.loads(text))
            for key, text in zip(flat[::2], flat[1::2], strict=True)
        ]

    def release(self, key: str, owner: str) -> None:
        with self._guard():
            self._release(keys=self._claim_keys(key), args=[owner])

    def claim_get(
        self, claim: str, owner: str, *, ttl: float, key: str
    ) -> tuple[bool, dict[str, Any] | None]:
        name = self._session(key)
        with self._guard():
            reply = self._claim_get(
                keys=[self._claim(claim), name, self._index],
                args=[owner, _ms(ttl), self._ttl_ms, self._clock()],
            )
        if not reply[0]:
            return False, None
        value: dict[str, Any] | None = json.loads(reply[1]) if len(reply) > 1 else None
        return True, value

    def put_release(self, key: str, value: dict[str, Any], *, claim: str, owner: str) -> None:
        text = json.dumps(value, ensure_ascii=False)  # fails here, not later, if not JSON
        with self._guard():
            self._put_release(
                keys=[self._session(key), self._index, self._claim(claim)],
                args=[text, self._ttl_ms, self._clock(), self.max_sessions, owner],
            )

    def mark(self, key: str) -> None:
        # A mark is a session of its own kind: same script, its own index, cap and TTL.
        with self._guard():
            self._put(
                keys=[self._mark(key), self._marks],
                args=["1", _ms(self.mark_ttl_seconds), self._clock(), self.max_marks],
            )

    def take_mark(self, key: str) -> bool:
        with self._guard():
            taken = self._take_mark(keys=[self._mark(key), self._marks])
        return bool(taken)

    def _mark(self, key: str) -> str:
        return f"{self._prefix}m:{key}"

    def ping(self) -> None:
        with self._guard() as r:
            r.ping()

    def close(self) -> None:
        self._redis.close()
        self._redis.connection_pool.disconnect()

    def __len__(self) -> int:
        with self._guard() as r:
            now = self._clock()
            r.zremrangebyscore(self._index, "-inf", now - self.ttl_seconds)
            count: int = r.zcard(self._index)
            return count


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))
