"""Labelled question sets (`vmbot eval`, the accuracy tests): `- {q: ..., intent: ...}`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot import messages as msg
from bot.errors import DataError, DataProblem
from bot.loading.schema import SAFE_LOADER, unreadable

__all__ = ["EvalItem", "load_eval_set"]

# q and intent are required; style (how it is written) and oos (domain / other, for
# out-of-scope items) are optional tags.
_EVAL_KEYS = frozenset({"q", "intent", "style", "oos"})


@dataclass(frozen=True, kw_only=True)
class EvalItem:
    """One labelled question: the intents that are right for it (empty: out of scope)."""

    question: str
    expected: frozenset[str]
    line: int
    style: str | None = None  # how it is written: sms, formal, story... (optional)


def load_eval_set(path: Path, known_intents: set[str]) -> list[EvalItem]:
    """Read a labelled set (`- {q: ..., intent: id | null | [ids]}`); DataError names the line."""
    problems: list[DataProblem] = []
    try:
        text = path.read_text(encoding="utf-8")
        # The node tree gives each entry's line, for errors that name it.
        nodes = yaml.compose(text, Loader=SAFE_LOADER)
        raw = yaml.load(text, Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DataError([unreadable(path, exc)]) from exc
    if not isinstance(raw, list) or nodes is None:
        raise DataError([DataProblem(path=str(path), where="", detail=msg.EVAL_NOT_LIST)])
    items: list[EvalItem] = []
    for node, entry in zip(nodes.value, raw, strict=True):
        line = node.start_mark.line + 1
        where = msg.DATA_LINE.format(line=line)
        if not isinstance(entry, dict) or not {"q", "intent"} <= set(entry) <= _EVAL_KEYS:
            problems.append(DataProblem(path=str(path), where=where, detail=msg.EVAL_BAD_ENTRY))
            continue
        question, intent = entry["q"], entry["intent"]
        expected = [] if intent is None else intent if isinstance(intent, list) else [intent]
        if (
            not isinstance(question, str)
            or not question.strip()
            or not all(isinstance(i, str) for i in expected)
        ):
            problems.append(DataProblem(path=str(path), where=where, detail=msg.EVAL_BAD_ENTRY))
            continue
        unknown = [i for i in expected if i not in known_intents]
        if unknown:
            problems.append(
                DataProblem(
                    path=str(path),
                    where=where,
                    detail=msg.EVAL_UNKNOWN_INTENT.format(intent=", ".join(map(str, unknown))),
                )
            )
            continue
        style = entry.get("style")
        items.append(
            EvalItem(
                question=question,
                expected=frozenset(expected),
                line=line,
                style=str(style) if style is not None else None,
            )
        )
    if problems:
        raise DataError(problems)
    return items
