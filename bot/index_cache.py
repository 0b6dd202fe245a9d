"""Index artefacts on disk (lemma table, trained model), keyed by what they are computed from.

spaCy costs seconds to load and the model a second to train, so both are built
once per change of the data (or of the model, or of this code's format) and read
back in milliseconds by every later process.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import hashlib
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot import messages as msg
from bot.artefact_format import ALIGN, dumps, loads

__all__ = [
    "announce",
    "artefact_path",
    "cache_key",
    "cached",
    "code_fingerprint",
    "default_cache_dir",
    "load",
    "store",
    "texts_of",
]

_FORMAT = 6
# A file starts with this line, then one JSON line (format, key, payload digest), then
# the payload (bot/artefact_format.py: JSON and raw arrays, nothing that can run code):
# a file of another key, truncated or altered is never trusted.
_MAGIC = b"vmbot-cache\n"
_SUFFIX = ".vmbot"
# What earlier versions left: pickles, never read again, removed when a file is stored.
_LEGACY = ("*.pickle",)
_log = logging.getLogger(__name__)
_warned: set[Path] = set()
_KEPT = 3  # artefacts of one name kept: several checkouts may share the cache
# Fields that name or place things rather than hold French: never lemmatised.
_NOT_TEXT = frozenset({"id", "file", "passage", "document", "favours", "kind", "origin"})
T = TypeVar("T")


def default_cache_dir() -> Path:
    """`$VMBOT_CACHE_DIR`, else the user's cache directory."""
    configured = os.environ.get("VMBOT_CACHE_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("vmbot", appauthor=False))


@functools.cache
def code_fingerprint() -> str:
    """A hash of the code that computes the artefacts (the whole core, not the
    channels): changing any of it invalidates them."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        if "adapters" not in path.relative_to(package).parts:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(*parts: Any) -> str:
    """A short stable hash of parts: JSON values, and dataclasses, sets and enums
    (the whole validated data), written in a canonical order.

    >>> cache_key("a", [1, 2]) == cache_key("a", [1, 2]) != cache_key("a", [2, 1])
    True
    >>> cache_key({"x"}, frozenset({"b", "a"})) == cache_key({"x"}, frozenset({"a", "b"}))
    True
    """
    text = json.dumps([_FORMAT, *parts], default=_canonical, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _canonical(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, set | frozenset):
        return sorted(value, key=lambda v: json.dumps(v, default=_canonical, sort_keys=True))
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


def texts_of(value: Any) -> list[str]:
    """Every French text a value holds, walking dataclasses, mappings and sequences.

    Keys of mappings count too (synonyms' canonical terms, and ids where they key a
    mapping: harmless words); fields that hold only ids or paths are skipped. The
    lemma table is built from what this finds, so a text added to the data in a new
    field is lemmatised without anyone listing it.
    """
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, enum.Enum):
            continue  # a value from a closed set, not text
        if isinstance(item, str):
            out.append(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack += [
                getattr(item, f.name) for f in dataclasses.fields(item) if f.name not in _NOT_TEXT
            ]
        elif isinstance(item, dict):
            stack += list(item)
            stack += list(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack += sorted(item, key=str) if isinstance(item, set | frozenset) else list(item)
    return out


def cached(
    name: str,
    key: str,
    kind: type[T],
    build: Callable[[], T],
    cache_dir: Path | None,
    *,
    shipped: Path | None = None,
) -> T:
    """The artefact stored under (name, key) if readable and of the right kind (in the
    read-only `shipped` folder first, then in the cache), else built and cached."""
    found = load(name, key, kind, shipped) or load(name, key, kind, cache_dir)
    if found is not None:
        return found
    announce(name)
    value = build()
    store(cache_dir, name, key, value)
    return value


def announce(name: str) -> None:
    """Say (at INFO, on this module's logger) that an artefact is being built: seconds
    of silence otherwise, on a first run or after the data changed."""
    _log.info(msg.CACHE_BUILDING.format(what=msg.CACHE_ARTEFACTS.get(name, name)))


def load(name: str, key: str, kind: type[T], cache_dir: Path | None) -> T | None:
    """The artefact stored under (name, key), if it is one: written by vmbot for this
    key, whole, holding only data, and of the right kind."""
    path = _path(cache_dir, name, key)
    if path is None or not path.is_file():
        return None
    # Whatever is wrong with the file, it is rebuilt, never trusted.
    with contextlib.suppress(Exception):
        data = _read(path)
        end = data.find(b"\n", len(_MAGIC))
        if not data.startswith(_MAGIC) or end < 0:
            return None
        header = json.loads(bytes(data[len(_MAGIC) : end]))
        payload = memoryview(data)[end + 1 :]
        expected = {"format": _FORMAT, "key": key, "sha256": hashlib.sha256(payload).hexdigest()}
        if header != expected:
            return None
        found = loads(payload, kind)
        # Pruning keeps the most recently used: a checkout sharing the cache with
        # others does not lose its artefacts to theirs.
        with contextlib.suppress(OSError):
            os.utime(path)
        return found
    return None


def _read(path: Path) -> bytearray:
    """The file's bytes, read once into a writable buffer: the arrays of the artefact
    are views of it."""
    with path.open("rb") as fh:
        data = bytearray(os.fstat(fh.fileno()).st_size)
        view, got = memoryview(data), 0
        while got < len(data):
            n = fh.readinto(view[got:])
            if not n:
                break
            got += n
    del view
    del data[got:]
    return data


def store(cache_dir: Path | None, name: str, key: str, value: object) -> None:
    """Keep an artefact under (name, key); older ones of that name are removed."""
    path = _path(cache_dir, name, key)
    if path is None:
        return
    _store(path, key, value)
    # Each change of the data or the code leaves a stale artefact: keep the latest few.
    with contextlib.suppress(OSError):
        older = sorted(path.parent.glob(f"{name}-*{_SUFFIX}"), key=lambda p: p.stat().st_mtime)
        stale = [p for p in older[:-_KEPT] if p != path]
        for pattern in _LEGACY:
            stale += path.parent.glob(pattern)
        for old in stale:
            old.unlink()


def artefact_path(cache_dir: Path | None, name: str, key: str) -> Path | None:
    """Where the artefact (name, key) is kept in a cache folder."""
    return _path(cache_dir, name, key)


def _path(cache_dir: Path | None, name: str, key: str) -> Path | None:
    return cache_dir / f"{name}-{key}{_SUFFIX}" if cache_dir is not None else None


def _store(path: Path, key: str, value: object) -> None:
    import tempfile  # with shutil, bz2 and lzma: a warm start writes nothing

    payload = dumps(value)
    header = {"format": _FORMAT, "key": key, "sha256": hashlib.sha256(payload).hexdigest()}
    head = _MAGIC + json.dumps(header).encode()
    # Spaces after the JSON: the payload starts aligned, so its arrays are read in place.
    head += b" " * (-(len(head) + 1) % ALIGN) + b"\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(head + payload)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    except OSError as exc:
        # A read-only or full disk only costs speed, but every run pays it: say so once.
        if path.parent not in _warned:
            _warned.add(path.parent)
            _log.warning(msg.CACHE_UNWRITABLE.format(folder=path.parent, error=exc.strerror))
