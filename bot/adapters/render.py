"""Answers as JSON objects and as plain text: the shapes every channel shares."""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

from bot.domain import Answer, Source

__all__ = ["answer_json", "json_line", "sources_json", "terminal_width", "wrap"]

_WIDTH = 80  # the widest a text is wrapped to, even on a wide terminal: easier to read

# Line breaks JSON leaves raw: a reader splitting on every Unicode line break
# (Python's str.splitlines) would see one record as several.
_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}
# Found by one scan: str.translate looks every character of a long answer up.
_LINE_BREAK = re.compile("[\u2028\u2029\x85]")


def json_line(value: Any) -> str:
    """`value` as one line of JSON: readable UTF-8, with no character that breaks a line.

    >>> json_line({"q": "é\u2028x"})
    '{"q": "é\\\\u2028x"}'
    """
    return _LINE_BREAK.sub(_escaped, json.dumps(value, ensure_ascii=False))


def _escaped(match: re.Match[str]) -> str:
    return _LINE_BREAKS[match.group()]


def sources_json(sources: tuple[Source, ...]) -> list[dict[str, str]]:
    return [{"document": s.document, "passage": s.passage, "excerpt": s.excerpt} for s in sources]


def answer_json(answer: Answer) -> dict[str, Any]:
    """The `vmbot ask --json` object."""
    return {
        "question": answer.question,
        "intent": answer.intent,
        "confidence": answer.confidence,
        "answer": answer.text,
        "sources": sources_json(answer.sources),
        "alternatives": [
            {"intent": m.intent, "confidence": m.confidence} for m in answer.alternatives
        ],
        "kind": answer.kind.value,
        "choices": list(answer.choices),
        # Why a fallback: off_domain, unsourced, unclear, language or empty (else null).
        "reason": answer.reason.value if answer.reason is not None else None,
    }


def terminal_width() -> int:
    """The width to wrap replies to on this terminal."""
    import shutil  # with bz2 and lzma: only when the output is a terminal

    return min(_WIDTH, shutil.get_terminal_size((_WIDTH, 24)).columns) - 2


def wrap(text: str, width: int) -> str:
    """Each line of the text wrapped to `width`, its own line breaks (lists, numbered
    choices) kept; a list item's continuation is indented."""
    return "\n".join(
        textwrap.fill(line, width, subsequent_indent="  " if line.startswith("- ") else "")
        if line
        else ""
        for line in text.split("\n")
    )
