"""What the processes serving one Slack app share through the session store.

Besides the conversations: which Slack events are being answered or were answered (so
that a retry reaches the user once, whichever process gets it), and a lock per
conversation (so that two messages of one thread never overwrite each other's state).
Both are expiring claims: a crashed process blocks nothing for long. The store being
down is logged once, when it happens, and once more when it comes back.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from bot.errors import StoreUnavailable
from bot.sessions import KeyedLocks, RecentKeys, SessionStore

__all__ = ["EVENT_LEASE", "LOCK_TTL", "SharedSessions"]

# An event being answered: a retry within this time is left to the process answering it,
# a retry after it (that process died) is answered. Answering takes well under a second.
EVENT_LEASE = 30.0
# An answered event: longer than Slack's last retry (about five minutes after the first).
EVENT_KEPT = 3600.0
# A conversation being updated; a waiting process gives up after LOCK_WAIT.
LOCK_TTL = 30.0
LOCK_WAIT = LOCK_TTL + 5.0


class SharedSessions:
    """The store, and the claims every process of the app takes in it."""

    def __init__(self, store: SessionStore, *, log: logging.Logger) -> None:
        self.store = store
        self.owner = f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"
        self._log = log
        self._local = KeyedLocks()
        self._seen = RecentKeys()
        self._down = False
        self._health = threading.Lock()

    def take_event(self, event_id: str, *, retry: bool) -> bool:
        """Whether this process should answer the event: nobody else answers or answered it.

        The store down, only this process's memory decides, and retries are dropped (an
        answer twice is worse than a retry lost while the store is down).
        """
        if not self._seen.add(event_id):
            return False
        try:
            taken = self.store.claim(f"event:{event_id}", self.owner, ttl=EVENT_LEASE)
        except StoreUnavailable as exc:
            self.failed(exc)
            return not retry
        self.answered()
        return taken

    def event_done(self, event_id: str) -> None:
        """Keep the event's claim long enough that no retry is answered again."""
        self.store.extend(f"event:{event_id}", self.owner, ttl=EVENT_KEPT)

    @contextmanager
    def conversation(self, key: str) -> Iterator[None]:
        """Hold the conversation's lock, in this process and in the store (waiting for it).

        StoreUnavailable if the store does not answer, or the lock stays taken too long.
        """
        with self._local.hold(key):
            name, token = f"lock:{key}", f"{self.owner}/{secrets.token_hex(4)}"
            deadline = time.monotonic() + LOCK_WAIT
            delay = 0.002
            while not self.store.claim(name, token, ttl=LOCK_TTL):
                if time.monotonic() > deadline:
                    raise StoreUnavailable(f"conversation lock {key!r} still taken")
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
            try:
                yield
            finally:
                with suppress(StoreUnavailable):  # down, the lock expires by itself
                    self.store.release(name, token)

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
