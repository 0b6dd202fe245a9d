"""Sessions and claims in one SQLite file: survives restarts, shared by the processes of
one machine, no server to run. The standard `sqlite3` module, in WAL mode.

A Slack ack claims its delivery with `claim_async`, on a connection of its own (never
waiting for the answering threads' one), and the claims of acks that arrive together go
in one transaction, run on the event loop itself: it never waits there (the write lock
is tried, and tried again shortly after while another writer has it), nor syncs the
disk, so an ack costs no trip to a thread, each of which waits for the GIL behind the
answers."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from bot.errors import StoreUnavailable
from bot.sessions import MARK_TTL, MAX_MARKS, Batched, StepByStep

__all__ = ["SqliteStore"]

# An ack's claim finding the file's write lock taken tries again after ACK_RETRY seconds,
# doubling up to ACK_RETRY_MAX: writes hold the lock for well under a millisecond.
ACK_RETRY = 0.0005
ACK_RETRY_MAX = 0.004

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    key TEXT PRIMARY KEY, value TEXT NOT NULL, used REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_used ON sessions (used);
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires REAL NOT NULL, payload TEXT
);
CREATE INDEX IF NOT EXISTS claims_expires ON claims (expires);
CREATE TABLE IF NOT EXISTS marks (key TEXT PRIMARY KEY, marked REAL NOT NULL);
CREATE INDEX IF NOT EXISTS marks_marked ON marks (marked);
"""


class _Busy(Exception):
    """Another connection holds the file's write lock."""


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY or "locked" in str(exc)


class SqliteStore(StepByStep):
    """A `SessionStore` in a SQLite file.

    Reads never return an expired session; a sweep every `sweep_every` writes deletes
    expired sessions, claims and marks, and the least recently used sessions and marks
    beyond `max_sessions` and `max_marks`, so the file stays bounded (by the caps plus
    `sweep_every` rows).
    Times are wall-clock seconds, which every process of the machine shares.
    """

    def __init__(
        self,
        path: Path,
        *,
        max_sessions: int = 10_000,
        ttl_seconds: float = 24 * 3600.0,
        max_marks: int = MAX_MARKS,
        mark_ttl_seconds: float = MARK_TTL,
        sweep_every: int = 64,
        busy_timeout: float = 2.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if min(max_sessions, max_marks, sweep_every) < 1:
            raise ValueError("max_sessions, max_marks and sweep_every must be positive")
        if min(ttl_seconds, mark_ttl_seconds) <= 0:
            raise ValueError("ttl_seconds and mark_ttl_seconds must be positive")
        self.path = path
        self.max_sessions = max_sessions
        self.ttl_seconds = ttl_seconds
        self.max_marks = max_marks
        self.mark_ttl_seconds = mark_ttl_seconds
        self.sweep_every = sweep_every
        self._clock = clock
        self._lock = threading.Lock()
        self._writes = 0
        self._busy_timeout = busy_timeout
        # The acks' connection, opened at the first ack; its claims batched per event loop.
        self._ack_lock = threading.Lock()
        self._ack_db: sqlite3.Connection | None = None
        self._ack_batches: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, Batched[tuple[str, str, float, str | None], bool]
        ] = weakref.WeakKeyDictionary()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit: each statement is its own transaction, and every claim is one
            # statement, so two processes can never both take a key.
            self._db = sqlite3.connect(
                path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailable(f"{path} : {exc}") from exc
        self._set_up(deadline=time.monotonic() + busy_timeout)

    def _set_up(self, *, deadline: float) -> None:
        """WAL mode and the tables. Two processes opening a new file at once may find it
        locked without SQLite's busy wait (a lock that cannot wait without a deadlock,
        as when the journal mode changes): tried again until `deadline`."""
        while True:
            try:
                with self._lock:
                    self._db.execute("PRAGMA journal_mode=WAL")
                    self._db.execute("PRAGMA synchronous=NORMAL")
                    self._db.executescript(_SCHEMA)
                    self._add_payloads()
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise StoreUnavailable(f"{self.path} : {exc}") from exc
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"{self.path} : {exc}") from exc
            time.sleep(ACK_RETRY_MAX)

    @contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"{self.path} : {exc}") from exc

    def _add_payloads(self) -> None:
        # A file written before claims carried payloads gets the column (another process
        # opening the file at the same moment may have added it first).
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(claims)")}
        if "payload" not in columns:
            with suppress(sqlite3.OperationalError):
                self._db.execute("ALTER TABLE claims ADD COLUMN payload TEXT")

    def get(self, key: str) -> dict[str, Any] | None:
        now = self._clock()
        with self._guard() as db:
            row = db.execute(
                "UPDATE sessions SET used = ? WHERE key = ? AND used >= ? RETURNING value",
                (now, key, now - self.ttl_seconds),
            ).fetchone()
        if row is None:
            return None
        value: dict[str, Any] = json.loads(row[0])
        return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        text = json.dumps(value, ensure_ascii=False)  # fails here, not later, if not JSON
        now = self._clock()
        with self._guard() as db:
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE"
                " SET value = excluded.value, used = excluded.used",
                (key, text, now),
            )
            self._wrote(db, now)

    def delete(self, key: str) -> None:
        with self._guard() as db:
            db.execute("DELETE FROM sessions WHERE key = ?", (key,))

    def claim(
        self, key: str, owner: str, *, ttl: float, payload: dict[str, Any] | None = None
    ) -> bool:
        text = None if payload is None else json.dumps(payload, ensure_ascii=False)
        now = self._clock()
        with self._guard() as db:
            taken = db.execute(
                "INSERT INTO claims VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE"
                " SET owner = excluded.owner, expires = excluded.expires,"
                " payload = excluded.payload WHERE claims.expires <= ?",
                (key, owner, now + ttl, text, now),
            ).rowcount
        return taken == 1

    async def claim_async(
        self, key: str, owner: str, *, ttl: float, payload: dict[str, Any] | None = None
    ) -> bool:
        """`claim`, awaited on the running event loop (see the module's docstring)."""
        text = None if payload is None else json.dumps(payload, ensure_ascii=False)
        loop = asyncio.get_running_loop()
        claims = self._ack_batches.get(loop)
        if claims is None:
            claims = self._ack_batches[loop] = Batched(self._claim_batch)
        return await claims((key, owner, ttl, text))

    async def close_async(self) -> None:
        self._ack_batches.pop(asyncio.get_running_loop(), None)

    async def _claim_batch(self, batch: list[tuple[str, str, float, str | None]]) -> list[Any]:
        """The claims of acks that arrived together: one transaction on the acks' connection,
        on the loop itself. The file's write lock is tried without waiting, and tried again
        a millisecond or so later while another writer has it: SQLite's own busy wait sleeps
        up to 100 ms at a time (and a thread hop waits for the GIL behind the answers)."""
        deadline = time.monotonic() + self._busy_timeout
        delay = ACK_RETRY
        while True:
            try:
                return self._claim_many(batch)
            except _Busy:
                if time.monotonic() > deadline:
                    busy = StoreUnavailable(f"{self.path} : database is locked")
                    return [busy] * len(batch)
            await asyncio.sleep(delay)
            delay = min(2 * delay, ACK_RETRY_MAX)

    def _claim_many(self, batch: list[tuple[str, str, float, str | None]]) -> list[Any]:
        """One try at the batch's transaction; _Busy if another writer holds the file."""
        now = self._clock()
        with self._ack_lock:  # servers on loops of their own (tests) share the connection
            return self._try_claims(batch, now)

    def _try_claims(self, batch: list[tuple[str, str, float, str | None]], now: float) -> list[Any]:
        try:
            db = self._ack_connection()
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if _is_busy(exc):
                    raise _Busy from exc
                raise
            try:
                taken = [
                    db.execute(
                        "INSERT INTO claims VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE"
                        " SET owner = excluded.owner, expires = excluded.expires,"
                        " payload = excluded.payload WHERE claims.expires <= ?",
                        (key, owner, now + ttl, text, now),
                    ).rowcount
                    == 1
                    for key, owner, ttl, text in batch
                ]
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            return [StoreUnavailable(f"{self.path} : {exc}")] * len(batch)
        return taken

    def _ack_connection(self) -> sqlite3.Connection:
        # Never waits for the write lock (timeout 0: `_claim_batch` tries again), never
        # syncs the disk on commit (NORMAL, as the sessions' connection: a commit in WAL
        # mode then only appends), and leaves checkpoints, which do sync, to that
        # connection: nothing here holds the event loop up.
        if self._ack_db is None:
            db = sqlite3.connect(
                self.path, timeout=0, isolation_level=None, check_same_thread=False
            )
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA wal_autocheckpoint=0")
            self._ack_db = db
        return self._ack_db

    def extend(self, key: str, owner: str, *, ttl: float) -> bool:
        now = self._clock()
        with self._guard() as db:
            kept = db.execute(
                "UPDATE claims SET expires = ? WHERE key = ? AND owner = ? AND expires > ?",
                (now + ttl, key, owner, now),
            ).rowcount
        return kept == 1

    def settle(self, key: str, owner: str, *, ttl: float) -> bool:
        now = self._clock()
        with self._guard() as db:
            kept = db.execute(
                "UPDATE claims SET expires = ?, payload = NULL"
                " WHERE key = ? AND owner = ? AND expires > ?",
                (now + ttl, key, owner, now),
            ).rowcount
        return kept == 1

    def take_over(
        self, prefix: str, owner: str, *, ttl: float, limit: int = 16
    ) -> list[tuple[str, dict[str, Any]]]:
        now = self._clock()
        # One statement: two processes sweeping at once never take the same claim.
        with self._guard() as db:
            rows = db.execute(
                "UPDATE claims SET owner = ?, expires = ? WHERE key IN"
                " (SELECT key FROM claims WHERE payload IS NOT NULL AND expires <= ?"
                " AND substr(key, 1, ?) = ? ORDER BY expires LIMIT ?)"
                " RETURNING key, payload",
                (owner, now + ttl, now, len(prefix), prefix, limit),
            ).fetchall()
        return [(key, json.loads(text)) for key, text in rows]

    def release(self, key: str, owner: str) -> None:
        with self._guard() as db:
            db.execute("DELETE FROM claims WHERE key = ? AND owner = ?", (key, owner))

    def mark(self, key: str) -> None:
        now = self._clock()
        with self._guard() as db:
            db.execute(
                "INSERT INTO marks VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
                " SET marked = excluded.marked",
                (key, now),
            )
            self._wrote(db, now)

    def take_mark(self, key: str) -> bool:
        now = self._clock()
        # One statement: of two processes taking the same mark, one gets it.
        with self._guard() as db:
            row = db.execute("DELETE FROM marks WHERE key = ? RETURNING marked", (key,)).fetchone()
        return row is not None and now - row[0] <= self.mark_ttl_seconds

    def ping(self) -> None:
        with self._guard() as db:
            db.execute("SELECT count(*) FROM claims WHERE key = ''").fetchone()

    def close(self) -> None:
        with self._lock:
            self._db.close()
        with self._ack_lock:
            if self._ack_db is not None:
                self._ack_db.close()

    def __len__(self) -> int:
        now = self._clock()
        with self._guard() as db:
            self._sweep(db, now)
            (count,) = db.execute("SELECT count(*) FROM sessions").fetchone()
        return int(count)

    def _wrote(self, db: sqlite3.Connection, now: float) -> None:
        self._writes += 1
        if self._writes % self.sweep_every == 0:
            self._sweep(db, now)

    def _sweep(self, db: sqlite3.Connection, now: float) -> None:
        db.execute("DELETE FROM sessions WHERE used < ?", (now - self.ttl_seconds,))
        db.execute(
            "DELETE FROM sessions WHERE key IN"
            " (SELECT key FROM sessions ORDER BY used DESC LIMIT -1 OFFSET ?)",
            (self.max_sessions,),
        )
        db.execute("DELETE FROM marks WHERE marked < ?", (now - self.mark_ttl_seconds,))
        db.execute(
            "DELETE FROM marks WHERE key IN"
            " (SELECT key FROM marks ORDER BY marked DESC LIMIT -1 OFFSET ?)",
            (self.max_marks,),
        )
        # A claim with its payload waits to be taken over (or settled) by a live process.
        db.execute("DELETE FROM claims WHERE expires <= ? AND payload IS NULL", (now,))
