"""The session stores `vmbot slack` can use, opened from one URL (`--store`, VMBOT_STORE).

`memory://` (one process, lost on restart), `sqlite:///path/to/file` (the default: a file
in the user's data folder), `redis://host:port/db` (several processes or machines).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import SplitResult, urlsplit

import platformdirs

from bot import messages as msg
from bot.errors import StoreUnavailable, StoreUrlError
from bot.sessions import MemoryStore, SessionStore

__all__ = ["default_store_url", "open_store", "shown_url"]

SCHEMES = ("memory", "sqlite", "redis", "rediss")


def default_store_url() -> str:
    """A SQLite file in the user's data folder (`~/.local/share/vmbot` on Linux)."""
    folder = platformdirs.user_data_path("vmbot", appauthor=False)
    return f"sqlite://{(folder / 'sessions.sqlite3').as_posix()}"


def open_store(
    url: str, *, max_sessions: int = 10_000, ttl_seconds: float = 24 * 3600.0
) -> SessionStore:
    """The store `url` names, checked to answer.

    StoreUrlError if the URL is not one of ours, StoreUnavailable if the store does not
    answer; both say so in one French line.

    >>> open_store("memory://").get("fil")
    >>> open_store("ftp://ailleurs")
    Traceback (most recent call last):
    ...
    bot.errors.StoreUrlError: Adresse du stockage des conversations invalide : « ftp://ailleurs »...
    """
    parts = _parse(url)
    store: SessionStore
    try:
        if parts.scheme == "memory":
            store = MemoryStore(max_sessions=max_sessions, ttl_seconds=ttl_seconds)
        elif parts.scheme == "sqlite":
            from bot.stores.sqlite_store import SqliteStore

            store = SqliteStore(
                Path(parts.path), max_sessions=max_sessions, ttl_seconds=ttl_seconds
            )
        else:
            from bot.stores.redis_store import RedisStore

            store = RedisStore(url, max_sessions=max_sessions, ttl_seconds=ttl_seconds)
        store.ping()
    except StoreUnavailable as exc:
        raise StoreUnavailable(msg.STORE_UNREACHABLE.format(url=shown_url(url), error=exc)) from exc
    except ValueError as exc:  # redis-py's own checks of the URL (a bad db number...)
        raise StoreUrlError(msg.STORE_URL_INVALID.format(url=shown_url(url))) from exc
    return store


def _parse(url: str) -> SplitResult:
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # "redis://h:abc" fails here
    except ValueError:
        raise StoreUrlError(msg.STORE_URL_INVALID.format(url=shown_url(url))) from None
    valid = parts.scheme in SCHEMES and (
        (parts.scheme == "memory" and not parts.path.strip("/"))
        or (parts.scheme == "sqlite" and not parts.netloc and len(parts.path) > 1)
        or (
            parts.scheme.startswith("redis")
            and bool(parts.hostname)
            and (parts.path.strip("/") == "" or parts.path.strip("/").isdecimal())
        )
    )
    if not valid:
        raise StoreUrlError(msg.STORE_URL_INVALID.format(url=shown_url(url)))
    return parts


def shown_url(url: str) -> str:
    """The URL without its password, fit to print.

    >>> shown_url("redis://:secret@cache:6379/0")
    'redis://***@cache:6379/0'
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("@")[-1]
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]).geturl()
