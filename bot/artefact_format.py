"""How cached artefacts are written: JSON for the structure, numpy arrays for numbers.

Reading a file back cannot run code, whoever wrote it: the file is a numpy archive
read with `allow_pickle=False`, and its JSON names only vmbot's own dataclasses and
enums (found among the modules already loaded, never imported), scipy's compressed
sparse matrices, and plain containers. Generic over the artefacts' types: a field
added to a dataclass, or an array turned sparse, needs no change here.
"""

from __future__ import annotations

import dataclasses
import enum
import io
import json
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import numpy as np

__all__ = ["FormatError", "dumps", "loads"]

T = TypeVar("T")
_TREE = "tree"
# scipy.sparse classes an artefact may hold, rebuilt from (data, indices, indptr).
_SPARSE = frozenset({"csr_matrix", "csc_matrix", "csr_array", "csc_array"})
# JSON values that stand for themselves: decoded without a call each (tables of
# thousands of words load in milliseconds).
_PLAIN = (str, int, float, bool, type(None))
# Texts longer than this are stored as UTF-8 arrays: JSON would parse them slowly.
_LONG_TEXT = 4096
# Collections of words at least this long are stored as one text of lines (and
# numbers as arrays): tens of thousands of words load in a few milliseconds.
_MANY = 64
_COLLECTIONS: dict[str, Any] = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}


class FormatError(ValueError):
    """The bytes are not an artefact this code can rebuild."""


def dumps(value: object) -> bytes:
    """The artefact as bytes: a numpy archive of its arrays and its JSON structure.

    >>> from bot.nlp.lemmas import LemmaTable
    >>> table = LemmaTable(lemmas={"vms": "vm"}, french_words=frozenset({"vm"}))
    >>> loads(dumps(table), LemmaTable) == table
    True
    """
    arrays: list[np.ndarray[Any, Any]] = []
    tree = json.dumps(_encode(value, arrays), ensure_ascii=False).encode()
    buffer = io.BytesIO()
    entries: dict[str, Any] = {f"a{i}": a for i, a in enumerate(arrays)}
    entries[_TREE] = np.frombuffer(tree, dtype=np.uint8)
    np.savez(buffer, **entries)
    return buffer.getvalue()


def loads(payload: bytes, kind: type[T]) -> T:
    """The artefact of `dumps`, if it is a `kind`; FormatError for anything else."""
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        tree = json.loads(arrays.pop(_TREE).tobytes())
        value = _decode(tree, arrays)
    except FormatError:
        raise
    except Exception as exc:  # a zip, JSON or numpy error: not one of ours
        raise FormatError(str(exc)) from exc
    if not isinstance(value, kind):
        raise FormatError(f"expected {kind.__name__}, found {type(value).__name__}")
    return value


def _encode(value: Any, arrays: list[np.ndarray[Any, Any]]) -> Any:
    def array(a: np.ndarray[Any, Any]) -> dict[str, int]:
        if a.dtype.hasobject:
            raise TypeError("an array of Python objects is not data")
        arrays.append(a)
        return {"$array": len(arrays) - 1}

    if isinstance(value, enum.Enum):  # before str: a StrEnum is a str too
        return {"$enum": _name(type(value)), "value": _encode(value.value, arrays)}
    if isinstance(value, str) and len(value) > _LONG_TEXT:
        return {"$text": array(np.frombuffer(value.encode(), dtype=np.uint8))["$array"]}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            f.name: _encode(getattr(value, f.name), arrays) for f in dataclasses.fields(value)
        }
        return {"$data": _name(type(value)), "fields": fields}
    if isinstance(value, np.ndarray):
        return array(value)
    if isinstance(value, np.generic):
        return {"$scalar": array(np.asarray(value))["$array"]}
    if type(value).__name__ in _SPARSE and type(value).__module__.startswith("scipy.sparse"):
        return {
            "$sparse": type(value).__name__,
            "shape": list(value.shape),
            "parts": [array(value.data), array(value.indices), array(value.indptr)],
        }
    if isinstance(value, dict | list | tuple | set | frozenset) and len(value) >= _MANY:
        packed = _packed(value, array)
        if packed is not None:
            return packed
    if isinstance(value, dict):
        if all(type(k) is str for k in value):  # a JSON object, read in one go
            return {"$map": {k: _encode(v, arrays) for k, v in value.items()}}
        return {"$dict": [[_encode(k, arrays), _encode(v, arrays)] for k, v in value.items()]}
    if isinstance(value, list):
        return [_encode(v, arrays) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v, arrays) for v in value]}
    if isinstance(value, set | frozenset):
        kind = "$frozenset" if isinstance(value, frozenset) else "$set"
        return {kind: [_encode(v, arrays) for v in value]}
    raise TypeError(f"cannot store {type(value).__name__}")


def _lines(words: Iterable[Any]) -> str | None:
    """Words as one text of lines, if they are all plain text without line breaks."""
    listed = list(words)
    if not all(type(w) is str and "\n" not in w for w in listed):
        return None
    return "\n".join(listed)


def _packed(value: Any, array: Callable[[np.ndarray[Any, Any]], dict[str, int]]) -> Any:
    """A large collection of words (or a word -> word or number table) as arrays, or
    None when it holds anything else."""

    def text(lines: str) -> int:
        return array(np.frombuffer(lines.encode(), dtype=np.uint8))["$array"]

    if not isinstance(value, dict):
        lines = _lines(value)
        if lines is None:
            return None
        return {"$words": text(lines), "as": type(value).__name__, "n": len(value)}
    keys = _lines(value)
    if keys is None:
        return None
    values = list(value.values())
    kinds = {type(v) for v in values}
    if kinds == {str}:
        lines = _lines(values)
        if lines is None:
            return None
        packed = {"$table": text(keys), "words": text(lines)}
    elif kinds in ({int}, {float}):
        numbers = np.array(values, dtype=np.int64 if kinds == {int} else np.float64)
        packed = {"$table": text(keys), "numbers": array(numbers)["$array"]}
    else:
        return None
    return packed | {"n": len(value)}


def _unpacked(node: dict[str, Any], arrays: dict[str, np.ndarray[Any, Any]]) -> Any:
    def lines(index: int) -> list[str]:
        words = arrays[f"a{index}"].tobytes().decode().split("\n")
        return words if node["n"] else []

    if "$words" in node:
        return _COLLECTIONS[node["as"]](lines(node["$words"]))
    keys = lines(node["$table"])
    values = lines(node["words"]) if "words" in node else arrays[f"a{node['numbers']}"].tolist()
    if len(keys) != node["n"] or len(values) != node["n"]:
        raise FormatError("table of the wrong size")
    return dict(zip(keys, values, strict=True))


def _decode(node: Any, arrays: dict[str, np.ndarray[Any, Any]]) -> Any:
    if isinstance(node, _PLAIN):
        return node
    if isinstance(node, list):
        return _items(node, arrays)
    if "$map" in node:
        return {k: v if type(v) in _PLAIN else _decode(v, arrays) for k, v in node["$map"].items()}
    if "$words" in node or "$table" in node:
        return _unpacked(node, arrays)
    if "$text" in node:
        return arrays[f"a{node['$text']}"].tobytes().decode()
    if "$array" in node:
        return arrays[f"a{node['$array']}"]
    if "$scalar" in node:
        return arrays[f"a{node['$scalar']}"][()]
    if "$tuple" in node:
        return tuple(_items(node["$tuple"], arrays))
    if "$frozenset" in node:
        return frozenset(_items(node["$frozenset"], arrays))
    if "$set" in node:
        return set(_items(node["$set"], arrays))
    if "$dict" in node:
        return {_decode(k, arrays): _decode(v, arrays) for k, v in node["$dict"]}
    if "$enum" in node:
        enum_type = _ours(node["$enum"])
        if not issubclass(enum_type, enum.Enum):
            raise FormatError(f"{node['$enum']} is no enum")
        return enum_type(_decode(node["value"], arrays))
    if "$data" in node:
        return _rebuilt(_ours(node["$data"]), node["fields"], arrays)
    if "$sparse" in node:
        return _sparse(node, arrays)
    raise FormatError("unknown node")


def _items(nodes: list[Any], arrays: dict[str, np.ndarray[Any, Any]]) -> list[Any]:
    if all(type(v) in _PLAIN for v in nodes):
        return nodes
    return [v if type(v) in _PLAIN else _decode(v, arrays) for v in nodes]


def _rebuilt(cls: type, fields: dict[str, Any], arrays: dict[str, np.ndarray[Any, Any]]) -> Any:
    """A dataclass instance with exactly its declared fields, set as pickle would set
    them (no __init__ or __post_init__ run)."""
    if not dataclasses.is_dataclass(cls) or set(fields) != {
        f.name for f in dataclasses.fields(cls)
    }:
        raise FormatError(f"{cls.__name__}: fields differ")
    value = object.__new__(cls)
    for name, node in fields.items():
        object.__setattr__(value, name, _decode(node, arrays))
    return value


def _sparse(node: dict[str, Any], arrays: dict[str, np.ndarray[Any, Any]]) -> Any:
    name = node["$sparse"]
    if name not in _SPARSE:
        raise FormatError(f"refused sparse type {name}")
    import scipy.sparse  # only artefacts that hold sparse matrices pay for it

    data, indices, indptr = (_decode(p, arrays) for p in node["parts"])
    return getattr(scipy.sparse, name)((data, indices, indptr), shape=tuple(node["shape"]))


def _name(cls: type) -> str:
    if not cls.__module__.startswith("bot."):
        raise TypeError(f"cannot store {cls.__module__}.{cls.__qualname__}")
    return f"{cls.__module__}:{cls.__qualname__}"


def _ours(name: Any) -> type:
    """One of vmbot's dataclasses or enums, from a module already loaded: a name in a
    file never makes anything be imported."""
    module_name, _, qualname = str(name).partition(":")
    module = sys.modules.get(module_name) if module_name.startswith("bot.") else None
    found = getattr(module, qualname, None) if "." not in qualname else None
    if not isinstance(found, type) or not (
        dataclasses.is_dataclass(found) or issubclass(found, enum.Enum)
    ):
        raise FormatError(f"refused type {name}")
    return found
