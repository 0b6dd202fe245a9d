"""The session state: everything a channel stores between two messages, as plain JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.domain import AnswerKind, Source, Verdict
from bot.errors import StateError

__all__ = ["DialogueState", "Reply", "StateError"]

_VERSION = 2


@dataclass(frozen=True, kw_only=True)
class DialogueState:
    """Where a conversation stands. Immutable: every step returns a new one."""

    answers: dict[str, Verdict] = field(default_factory=dict)
    expecting: str | None = None  # criterion of the pending follow-up question
    asked: int = 0  # times the pending question has been put: never a third time
    recommendation: str | None = None
    choices: tuple[str, ...] = ()  # intents offered by number by a clarifying question
    last_sources: tuple[Source, ...] = ()
    ended: bool = False

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (what Slack and other channels store)."""
        data = asdict(self)
        data["answers"] = {k: v.value for k, v in self.answers.items()}
        data["choices"] = list(self.choices)
        data["last_sources"] = [asdict(s) for s in self.last_sources]
        data["version"] = _VERSION
        return data

    @classmethod
    def from_json(cls, data: object) -> DialogueState:
        """Rebuild a state from `to_json()`'s output; StateError for anything else.

        >>> DialogueState.from_json(DialogueState(expecting="multi_os").to_json()).expecting
        'multi_os'
        """
        if not isinstance(data, dict) or data.get("version") not in (_VERSION, *_MIGRATIONS):
            raise StateError("not a vmbot state")
        data = _MIGRATIONS.get(data["version"], dict)(data)
        try:
            state = cls(
                answers={str(k): Verdict(v) for k, v in dict(data["answers"]).items()},
                expecting=_optional_str(data["expecting"]),
                asked=int(data["asked"]),
                recommendation=_optional_str(data["recommendation"]),
                choices=tuple(str(c) for c in data["choices"]),
                last_sources=tuple(Source(**s) for s in data["last_sources"]),
                ended=bool(data["ended"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise StateError(str(exc)) from exc
        return state


def _from_version_1(data: dict[str, Any]) -> dict[str, Any]:
    # Version 1 counted unreadable answers; version 2 counts how often the pending
    # question was put: it was put once at least.
    migrated = {k: v for k, v in data.items() if k != "failed_tries"}
    migrated["asked"] = 1 if data.get("expecting") is not None else 0
    return migrated


# Stored states of earlier versions, turned into the current one (Slack keeps states
# across upgrades).
_MIGRATIONS = {1: _from_version_1}


def _optional_str(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise StateError("expected a string or null")
    return value


@dataclass(frozen=True, kw_only=True)
class Reply:
    """What the bot says to one message, with what channels need to show it."""

    text: str
    intent: str | None = None
    confidence: float = 0.0
    expecting: str | None = None
    recommendation: str | None = None
    sources: tuple[Source, ...] = ()
    ended: bool = False
    kind: AnswerKind | None = None  # set when the reply is an FAQ answer, clarify or fallback
    choices: tuple[str, ...] = ()  # the intents a clarifying question offers, numbered
