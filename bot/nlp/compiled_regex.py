"""Long regular expressions compiled once, their compiled form kept for the next time.

spaCy's French tokenizer builds, at import, a 1.4 MB regular expression (hyphenated
words kept whole: its character classes spelled out once per alternative) that
Python's `re` takes five seconds to compile: most of the model's load, on every
rebuild of the index. What `re` compiles it into (a list of integers handed to its
C engine, `_sre.compile`) is recorded during the load; the next load hands it back
for the same pattern, and the compiler is skipped.

This reads `re`'s internals, so it holds only for the interpreter that recorded
(`python_build` is part of what is kept) and steps aside whenever they differ from
what it expects: a pattern is then compiled as usual. The C engine validates any
code it is given, and the cache checks its files' digests: a wrong list is refused,
never run.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["CompiledRegex", "python_build", "reusing"]

# Shorter patterns compile in milliseconds: not worth keeping.
_LONG = 16_384


@dataclass(frozen=True, kw_only=True)
class CompiledRegex:
    """A pattern as `re` compiled it: the arguments of `_sre.compile`."""

    pattern: str
    flags: int  # as given to re.compile
    compiled_flags: int
    code: npt.NDArray[np.uint32]
    groups: int
    groupindex: dict[str, int]
    indexgroup: tuple[str | None, ...]


def python_build() -> str:
    """The interpreter whose `re` compiled (its compiled code is valid only there)."""
    import sys

    engine = _engine()
    magic = (getattr(engine, "MAGIC", None), getattr(engine, "CODESIZE", None))
    return f"{sys.implementation.cache_tag} {sys.version} {magic}"


def _engine() -> Any:
    # `re`'s C engine (the `_sre` module), as its compiler reaches it.
    return getattr(getattr(re, "_compiler", None), "_sre", None)


@contextlib.contextmanager
def reusing(known: tuple[CompiledRegex, ...]) -> Iterator[list[CompiledRegex]]:
    """Within the block, a long pattern in `known` is not compiled again; the long
    patterns compiled anew are added to the list yielded."""
    recorded: list[CompiledRegex] = []
    compiler: Any = getattr(re, "_compiler", None)
    original: Callable[..., Any] | None = getattr(compiler, "compile", None)
    engine = _engine()
    if original is None or engine is None:
        yield recorded
        return
    by_pattern = {(k.pattern, k.flags): k for k in known}

    def compile(p: Any, flags: int = 0) -> Any:
        if not isinstance(p, str) or len(p) < _LONG:
            return original(p, flags)
        found = by_pattern.get((p, flags))
        if found is not None:
            with contextlib.suppress(Exception):
                return engine.compile(
                    p,
                    found.compiled_flags,
                    found.code.tolist(),
                    found.groups,
                    dict(found.groupindex),
                    found.indexgroup,
                )
        seen: list[tuple[Any, ...]] = []
        compiler._sre = _Recording(engine, seen)
        try:
            compiled = original(p, flags)
        finally:
            compiler._sre = engine
        if len(seen) == 1 and len(seen[0]) == 6 and seen[0][0] == p:
            _, compiled_flags, code, groups, groupindex, indexgroup = seen[0]
            recorded.append(
                CompiledRegex(
                    pattern=p,
                    flags=flags,
                    compiled_flags=compiled_flags,
                    code=np.array(code, dtype=np.uint32),
                    groups=groups,
                    groupindex=dict(groupindex),
                    indexgroup=tuple(indexgroup),
                )
            )
        return compiled

    compiler.compile = compile
    try:
        yield recorded
    finally:
        compiler.compile = original


class _Recording:
    """`_sre` as the compiler sees it, noting the arguments of each compile call."""

    def __init__(self, engine: Any, seen: list[tuple[Any, ...]]) -> None:
        self._engine = engine
        self._seen = seen

    def compile(self, *args: Any) -> Any:
        self._seen.append(args)
        return self._engine.compile(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)
