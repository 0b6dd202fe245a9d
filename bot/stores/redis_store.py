"""Sessions and claims in Redis, shared by processes on several machines (redis-py).

Sessions are keys with a TTL, and a sorted set of their last use bounds their number;
claims are `SET NX PX` keys, given back or extended only by their owner (Lua scripts,
so that checking the owner and changing the key are one step).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from bot.errors import StoreUnavailable

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
# KEYS: claim. ARGV: owner, ttl (ms).
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# KEYS: claim. ARGV: owner.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
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
        prefix: str = "vmbot:",
        timeout: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_sessions < 1 or ttl_seconds <= 0:
            raise ValueError("max_sessions and ttl_seconds must be positive")
        self.max_sessions = max_sessions
        self.ttl_seconds = ttl_seconds
        self._ttl_ms = max(1, round(ttl_seconds * 1000))
        self._prefix = prefix
        self._index = f"{prefix}sessions"
        self._clock = clock
        self._redis = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            decode_responses=True,
        )
        self._put = self._redis.register_script(_PUT)
        self._extend = self._redis.register_script(_EXTEND)
        self._release = self._redis.register_script(_RELEASE)

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

    def claim(self, key: str, owner: str, *, ttl: float) -> bool:
        with self._guard() as r:
            taken = r.set(self._claim(key), owner, nx=True, px=max(1, round(ttl * 1000)))
        return bool(taken)

    def extend(self, key: str, owner: str, *, ttl: float) -> bool:
        with self._guard():
            kept = self._extend(keys=[self._claim(key)], args=[owner, max(1, round(ttl * 1000))])
        return bool(kept)

    def release(self, key: str, owner: str) -> None:
        with self._guard():
            self._release(keys=[self._claim(key)], args=[owner])

    def ping(self) -> None:
        with self._guard() as r:
            r.ping()

    def close(self) -> None:
        self._redis.close()

    def __len__(self) -> int:
        with self._guard() as r:
            now = self._clock()
            r.zremrangebyscore(self._index, "-inf", now - self.ttl_seconds)
            count: int = r.zcard(self._index)
            return count
