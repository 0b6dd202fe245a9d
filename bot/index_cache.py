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
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "cache_key",
    "cached",
    "code_fingerprint",
    "default_cache_dir",
    "load",
    "store",
    "texts_of",
]

_FORMAT = 3
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


def cached(name: str, key: str, kind: type[T], build: Callable[[], T], cache_dir: Path | None) -> T:
    """The artefact stored under (name, key) if readable and of the right kind, else built."""
    found = load(name, key, kind, cache_dir)
    if found is not None:
        return found
    value = build()
    store(cache_dir, name, key, value)
    return value


def load(name: str, key: str, kind: type[T], cache_dir: Path | None) -> T | None:
    """The artefact stored under (name, key), if readable and of the right kind."""
    path = _path(cache_dir, name, key)
    if path is not None and path.is_file():
        # A truncated or foreign file is rebuilt, never trusted.
        with contextlib.suppress(Exception), path.open("rb") as fh:
            value = pickle.load(fh)
            if isinstance(value, kind):
                return value
    return None


def store(cache_dir: Path | None, name: str, key: str, value: object) -> None:
    """Keep an artefact under (name, key); older ones of that name are removed."""
    path = _path(cache_dir, name, key)
    if path is None:
        return
    _store(path, value)
    # Each change of the data or the code leaves a stale artefact: keep the latest few.
    with contextlib.suppress(OSError):
        older = sorted(path.parent.glob(f"{name}-*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in older[:-_KEPT]:
            if stale != path:
                stale.unlink()


def _path(cache_dir: Path | None, name: str, key: str) -> Path | None:
    return cache_dir / f"{name}-{key}.pickle" if cache_dir is not None else None


def _store(path: Path, value: object) -> None:
    # A read-only or full disk only costs speed: the next process rebuilds.
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
