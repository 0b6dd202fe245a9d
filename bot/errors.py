"""The one family of errors vmbot raises; adapters turn them into French messages."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BotError",
    "DataError",
    "DataMissingError",
    "DataProblem",
    "NlpModelError",
    "SlackConfigError",
    "SlackStartError",
    "StateError",
    "StoreUnavailable",
    "StoreUrlError",
]


class BotError(Exception):
    """Base of every error vmbot raises on purpose."""


@dataclass(frozen=True, kw_only=True)
class DataProblem:
    """One problem found in a data file: where it is and what is wrong (in French)."""

    path: str
    where: str
    detail: str

    def __str__(self) -> str:
        place = f" ({self.where})" if self.where else ""
        return f"{self.path}{place} : {self.detail}"


class DataError(BotError):
    """The data folders (intents, corpus) are invalid; carries every problem found."""

    def __init__(self, problems: list[DataProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class DataMissingError(DataError):
    """A data folder does not exist: the data was not found, rather than invalid."""


class NlpModelError(BotError):
    """spaCy's French model could not be loaded."""


class StateError(BotError):
    """A stored state that is not one of ours (corrupt, foreign, or from another version)."""


class SlackConfigError(BotError):
    """A missing or malformed SLACK_* variable; the message is one French line."""


class SlackStartError(BotError):
    """Slack (or the port) cannot be reached at start-up; the message is one French line."""


class StoreUrlError(BotError):
    """A `--store` / VMBOT_STORE address vmbot cannot use; the message is one French line."""


class StoreUnavailable(BotError):
    """The session store did not answer (down, unreachable, locked); says why in one line."""
