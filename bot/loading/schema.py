"""Reading YAML data files and checking their shape: every problem is gathered, with
its file and place, in French; nothing is printed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot import messages as msg
from bot.errors import DataError, DataMissingError, DataProblem
from bot.nlp.text import fold, tokenize

__all__ = [
    "SAFE_LOADER",
    "Field",
    "Problems",
    "data_files",
    "items",
    "phrase",
    "raise_if_any",
    "read_yaml",
    "require_folders",
    "unreadable",
]

SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, kw_only=True)
class Field:
    """What a key of a YAML mapping must hold."""

    kind: type | tuple[type, ...]
    required: bool = True


class Problems:
    """Collects problems for one file; `where` names the intent or passage at hand."""

    def __init__(self, path: Path, problems: list[DataProblem]) -> None:
        self.path = path
        self._all = problems

    def add(self, where: str, detail: str) -> None:
        self._all.append(DataProblem(path=str(self.path), where=where, detail=detail))

    def fields(self, raw: Any, schema: dict[str, Field], where: str) -> bool:
        """Check a mapping against a schema; report every unknown, missing or mistyped field."""
        if not isinstance(raw, dict):
            self.add(where, msg.DATA_NOT_MAPPING)
            return False
        ok = True
        for key in raw:
            if key not in schema:
                self.add(where, msg.DATA_UNKNOWN_FIELD.format(field=key))
                ok = False
        for key, spec in schema.items():
            if key not in raw or raw[key] is None:
                if spec.required:
                    self.add(where, msg.DATA_MISSING_FIELD.format(field=key))
                    ok = False
            elif not isinstance(raw[key], spec.kind) or (
                # YAML reads "on", "yes", "no" as booleans: only a boolean field takes one.
                isinstance(raw[key], bool) and spec.kind is not bool
            ):
                self.add(where, msg.DATA_BAD_TYPE.format(field=key))
                ok = False
        return ok


def read_yaml(path: Path, problems: list[DataProblem]) -> Any:
    """Parse one YAML file; a syntax or encoding error becomes a problem naming the line."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(unreadable(path, exc))
    return None


def unreadable(path: Path, exc: Exception) -> DataProblem:
    """The problem of a file that cannot be read: where YAML stopped, or why."""
    if isinstance(exc, yaml.YAMLError):
        mark = getattr(exc, "problem_mark", None)
        where = msg.DATA_LINE.format(line=mark.line + 1) if mark is not None else ""
        return DataProblem(path=str(path), where=where, detail=msg.DATA_BAD_YAML)
    if isinstance(exc, FileNotFoundError):
        return DataProblem(path=str(path), where="", detail=msg.DATA_MISSING_FILE)
    return DataProblem(path=str(path), where="", detail=msg.DATA_UNREADABLE.format(error=exc))


def require_folders(*folders: Path) -> None:
    """Raise DataMissingError naming every folder that does not exist."""
    missing = [
        DataProblem(path=str(f), where="", detail=msg.DATA_MISSING_FOLDER)
        for f in folders
        if not f.is_dir()
    ]
    if missing:
        raise DataMissingError(missing)


def data_files(folder: Path, problems: list[DataProblem]) -> list[Path]:
    """The YAML files of an existing data folder, in a stable order; none is a problem."""
    files = sorted(folder.glob("*.yaml"))
    if not files:
        problems.append(DataProblem(path=str(folder), where="", detail=msg.DATA_EMPTY_FOLDER))
    return files


def raise_if_any(problems: list[DataProblem]) -> None:
    """Raise DataError listing every problem, if there is one."""
    if problems:
        raise DataError(problems)


def items(raw: Any, check: Problems, key: str) -> list[tuple[str, Any]]:
    """(where, item) for each entry of a top-level list, or a problem if it is no list."""
    if not isinstance(raw, list):
        check.add(key, msg.DATA_NOT_LIST)
        return []
    out = []
    for i, item in enumerate(raw):
        name = item.get("id") if isinstance(item, dict) else None
        out.append((msg.DATA_ITEM.format(key=key, id=name or f"n° {i + 1}"), item))
    return out


def phrase(text: str) -> tuple[str, ...]:
    """A phrase of the data as the analyzer compares it: folded tokens."""
    return tuple(tokenize(fold(text)))
