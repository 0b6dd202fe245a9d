"""What the processes serving one Slack app share through the session store.

Besides the conversations: which Slack deliveries are being answered or were answered (so
that a retry reaches the user once, whichever process gets it), and a lock per
conversation (so that two messages of one thread never overwrite each other's state).
Both are expiring claims, renewed while their process lives: a crashed process blocks
nothing for long. A delivery's claim carries the delivery itself, so that when its process
dies before answering, a live one takes it over and answers it (Slack never redelivers an
event it got an ack for). The store being down is logged once, when it happens, and once
more when it comes back.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio.to_thread

from bot.errors import StoreUnavailable
from bot.sessions import AsyncClaims, KeyedLocks, RecentKeys, SessionStore

__all__ = ["EVENT_KEPT", "EVENT_LEASE", "Held", "SharedSessions"]

# A delivery being answered, renewed every lease / TICKS_PER_LEASE while its process lives:
# a process that died hands its deliveries over within one lease and one tick. A
# conversation being updated is locked for a lease too, renewed the same way.
EVENT_LEASE = 10.0
TICKS_PER_LEASE = 5
# An answered delivery: longer than Slack's last retry (about five minutes after the first).
EVENT_KEPT = 3600.0
# A delivery nobody could answer for this long is not answered any more: it is logged.
EVENT_STALE = 900.0
# A process waiting for a conversation's lock gives up after LOCK_WAIT (an answer waits
# at most about a minute for Slack's Web API).
LOCK_WAIT = 90.0
_EVENTS = "event:"


class SharedSessions:
    """The store, and the claims every process of the app takes in it, for `lease` seconds
    at a time (how long a dead process's deliveries and conversations wait for another)."""

    def __init__(
        self, store: SessionStore, *, log: logging.Logger, lease: float = EVENT_LEASE
    ) -> None:
        if lease <= 0:
            raise ValueError("lease must be positive")
        self.store = store
        self.lease = lease
        self.owner = f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"
        self._log = log
        self._local = KeyedLocks()
        self._seen = RecentKeys()
        self._down = False
        self._health = threading.Lock()
        # Claims this process holds and renews: delivery ids, and lock name -> token.
        self._held = threading.Lock()
        self._events: set[str] = set()
        self._locks: dict[str, str] = {}
        self._closing = threading.Event()

    # --- Deliveries ----------------------------------------------------------------------

    def take_event(self, event_id: str, *, retry: bool, body: dict[str, Any]) -> bool:
        """Whether this process should answer the delivery: nobody else answers or answered
        it. Its claim keeps `body`, for a process to take over if this one dies.

        The store down, only this process's memory decides, and retries are dropped (an
        answer twice is worse than a retry lost while the store is down).
        """
        if not self._seen.add(event_id):
            return False
        payload = {"body": body, "since": time.time()}
        try:
            taken = self.store.claim(
                _EVENTS + event_id, self.owner, ttl=self.lease, payload=payload
            )
        except StoreUnavailable as exc:
            self.failed(exc)
            return not retry
        return self._took(event_id, taken)

    async def take_event_async(self, event_id: str, *, retry: bool, body: dict[str, Any]) -> bool:
        """`take_event` on an HTTP server's event loop: on the store's own connections for
        the loop where it has some (`AsyncClaims`), else on a thread."""
        if not self._seen.add(event_id):
            return False
        payload = {"body": body, "since": time.time()}
        key = _EVENTS + event_id
        try:
            if isinstance(self.store, AsyncClaims):
                taken = await self.store.claim_async(
                    key, self.owner, ttl=self.lease, payload=payload
                )
            else:
                claim = partial(self.store.claim, key, self.owner, ttl=self.lease, payload=payload)
                taken = await anyio.to_thread.run_sync(claim)
        except StoreUnavailable as exc:
            self.failed(exc)
            return not retry
        return self._took(event_id, taken)

    def _took(self, event_id: str, taken: bool) -> bool:
        self.answered()
        if taken:
            with self._held:
                self._events.add(event_id)
        return taken

    def holds(self, event_id: str | None) -> bool:
        """Whether this process still holds the delivery (no other process took it over)."""
        if event_id is None:
            return True
        with self._held:
            return event_id in self._events

    def event_done(self, event_id: str) -> None:
        """Keep the delivery's claim long enough that no retry is answered again, and
        nobody takes it over."""
        with self._held:
            self._events.discard(event_id)
        try:
            self.store.settle(_EVENTS + event_id, self.owner, ttl=EVENT_KEPT)
        except StoreUnavailable as exc:  # its claim runs out: the answer is not posted again
            self.failed(exc)

    def run(self, replay: Callable[[str, dict[str, Any]], bool]) -> threading.Thread:
        """Start renewing this process's claims, and taking over the deliveries of processes
        that died: `replay(event_id, body)` answers one (False once it no longer can)."""
        thread = threading.Thread(target=self._tick, args=(replay,), daemon=True)
        thread.name = "vmbot-claims"
        thread.start()
        return thread

    def stop_taking_over(self) -> None:
        """Shutting down: take nothing more over; renew what is held until it is done."""
        self._closing.set()

    def _tick(self, replay: Callable[[str, dict[str, Any]], bool]) -> None:
        while True:
            time.sleep(self.lease / TICKS_PER_LEASE)
            try:
                self._renew()
                if self._closing.is_set():
                    with self._held:
                        if not self._events and not self._locks:
                            return
                    continue
                self._take_over(replay)
            except StoreUnavailable as exc:
                self.failed(exc)

    def _renew(self) -> None:
        with self._held:
            events, locks = list(self._events), list(self._locks.items())
        for event_id in events:
            if not self.store.extend(_EVENTS + event_id, self.owner, ttl=self.lease):
                with self._held:  # taken over meanwhile (this process was too slow)
                    self._events.discard(event_id)
        for name, token in locks:
            self.store.extend(name, token, ttl=self.lease)

    def _take_over(self, replay: Callable[[str, dict[str, Any]], bool]) -> None:
        for key, payload in self.store.take_over(_EVENTS, self.owner, ttl=self.lease):
            event_id = key.removeprefix(_EVENTS)
            since = float(payload.get("since") or 0.0)
            if time.time() - since > EVENT_STALE:
                self._log.error("delivery %s abandoned: no process could answer it", event_id)
                self.store.settle(key, self.owner, ttl=EVENT_KEPT)
                continue
            self._log.warning("delivery %s taken over from a process that stopped", event_id)
            with self._held:
                self._events.add(event_id)
            if not replay(event_id, payload.get("body") or {}):
                with self._held:  # shutting down: its claim runs out for another process
                    self._events.discard(event_id)

    # --- Conversations -------------------------------------------------------------------

    @contextmanager
    def conversation(self, key: str) -> Iterator[Held]:
        """Hold the conversation's lock, in this process and in the store (waiting for it),
        with its state as the lock was taken.

        StoreUnavailable if the store does not answer, or the lock stays taken too long.
        """
        with self._local.hold(key):
            name, token = f"lock:{key}", f"{self.owner}/{secrets.token_hex(4)}"
            deadline = time.monotonic() + LOCK_WAIT
            delay = 0.002
            while True:
                taken, record = self.store.claim_get(name, token, ttl=self.lease, key=key)
                if taken:
                    break
                if time.monotonic() > deadline:
                    raise StoreUnavailable(f"conversation lock {key!r} still taken")
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
            held = Held(self.store, key=key, record=record, lock=name, token=token)
            with self._held:
                self._locks[name] = token
            try:
                yield held
            finally:
                with self._held:
                    del self._locks[name]
                if not held.released:
                    with suppress(StoreUnavailable):  # down, the lock expires by itself
                        self.store.release(name, token)

    # --- The store's health --------------------------------------------------------------

    def failed(self, exc: StoreUnavailable) -> None:
        """Note the store is down; logged once, not for every message."""
        with self._health:
            was_down, self._down = self._down, True
        if not was_down:
            self._log.error("session store unavailable: %s", exc)

    def answered(self) -> None:
        """Note the store answered; logged if it was down."""
        with self._health:
            was_down, self._down = self._down, False
        if was_down:
            self._log.warning("session store available again")


@dataclass
class Held:
    """A conversation whose lock this process holds: its state as the lock was taken."""

    store: SessionStore
    key: str
    record: dict[str, Any] | None
    lock: str
    token: str
    released: bool = False

    def save_and_release(self, record: dict[str, Any]) -> None:
        """Save the conversation's last state and let its lock go, in one step."""
        self.store.put_release(self.key, record, claim=self.lock, owner=self.token)
        self.released = True
