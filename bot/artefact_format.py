"""How cached artefacts are written: JSON for the structure, numpy arrays for numbers.

Reading a file back cannot run code, whoever wrote it: the arrays are raw numbers
(never Python objects) laid out after a JSON head, and the JSON names only vmbot's
own dataclasses and enums (found among the modules already loaded, never imported),
scipy's compressed sparse matrices, and plain containers. Generic over the artefacts'
types: a field added to a dataclass, or an array turned sparse, needs no change here.

The layout is read without parsing an archive or copying the arrays: a head length
(16 ASCII digits), the head (JSON: each array's dtype, shape and offset, and the
tree), then the arrays, each aligned, viewed in place by numpy.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np

__all__ = ["ALIGN", "FormatError", "dumps", "loads", "pack"]

T = TypeVar("T")
# The arrays start at multiples of this, from the payload's start (the cache file
# puts the payload at a multiple of it too): aligned for any dtype.
ALIGN = 64
_HEAD_DIGITS = 16
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
    """The artefact as bytes: its arrays and its JSON structure.

    >>> from bot.nlp.lemmas import LemmaTable
    >>> table = LemmaTable(lemmas={"vms": "vm"}, french_words=frozenset({"vm"}))
    >>> loads(dumps(table), LemmaTable) == table
    True
    """
    arrays: list[np.ndarray[Any, Any]] = []
    tree = _encode(value, arrays)
    return pack(tree, arrays)


def pack(tree: Any, arrays: Sequence[np.ndarray[Any, Any]]) -> bytes:
    """A JSON tree whose {"$array": i} nodes stand for arrays[i], laid out as `loads`
    reads it."""
    laid = [a if a.flags.c_contiguous else a.copy(order="C") for a in arrays]
    layout, size = [], 0
    for a in laid:
        if a.dtype.hasobject:
            raise TypeError("an array of Python objects is not data")
        layout.append([a.dtype.str, list(a.shape), size])
        size = _aligned(size + a.nbytes)
    head = json.dumps({"arrays": layout, "tree": tree}, ensure_ascii=False).encode()
    start = _aligned(_HEAD_DIGITS + len(head))
    out = bytearray(start + size)
    out[:_HEAD_DIGITS] = str(len(head)).rjust(_HEAD_DIGITS).encode()
    out[_HEAD_DIGITS : _HEAD_DIGITS + len(head)] = head
    for a, (_, _, offset) in zip(laid, layout, strict=True):
        out[start + offset : start + offset + a.nbytes] = a.reshape(-1).view(np.uint8).data
    return bytes(out)


def loads(payload: bytes | bytearray | memoryview, kind: type[T]) -> T:
    """The artefact of `dumps`, if it is a `kind`; FormatError for anything else. The
    arrays are views of `payload` (writable when it is)."""
    try:
        view = memoryview(payload)
        length = int(bytes(view[:_HEAD_DIGITS]))
        head = json.loads(bytes(view[_HEAD_DIGITS : _HEAD_DIGITS + length]))
        body = view[_aligned(_HEAD_DIGITS + length) :]
        arrays = {f"a{i}": _array(body, *laid) for i, laid in enumerate(head["arrays"])}
        value = _decode(head["tree"], arrays)
    except FormatError:
        raise
    except Exception as exc:  # a JSON, numpy or layout error: not one of ours
        raise FormatError(str(exc)) from exc
    if not isinstance(value, kind):
        raise FormatError(f"expected {kind.__name__}, found {type(value).__name__}")
    return value


def _aligned(size: int) -> int:
    return -(-size // ALIGN) * ALIGN


def _array(body: memoryview, dtype: str, shape: list[int], offset: int) -> np.ndarray[Any, Any]:
    kind = np.dtype(dtype)
    if kind.hasobject:
        raise FormatError("an array of Python objects is not data")
    count = math.prod(shape)
    if count == 0:
        return np.empty(shape, dtype=kind)
    if offset < 0 or offset + count * kind.itemsize > len(body):
        raise FormatError("an array beyond the end of the file")
    return np.frombuffer(body, dtype=kind, count=count, offset=offset).reshape(tuple(shape))


def _encode(value: Any, arrays: list[np.ndarray[Any, Any]]) -> Any:
    def array(a: np.ndarray[Any, Any]) -> dict[str, int]:
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
