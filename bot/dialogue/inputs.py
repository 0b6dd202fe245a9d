"""What a channel hands to a conversation step: typed, so that only free text goes
through the French parser. A button's "Oui" is a verdict, `/recommencer` a command,
"2" after a clarifying question a choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain import Verdict

__all__ = ["Choice", "Command", "Input", "Text", "Verdict"]


@dataclass(frozen=True, kw_only=True)
class Text:
    """A message typed by the user, read by the French parser."""

    text: str


class Command(StrEnum):
    """A request about the conversation itself, not a message to understand."""

    RESTART = "restart"
    GOODBYE = "goodbye"
    SOURCES = "sources"  # the sources of the last reply
    HELP = "help"


@dataclass(frozen=True, kw_only=True)
class Choice:
    """The number of one of the choices a clarifying question offered (from 1)."""

    number: int


# A verdict (Verdict.YES, .NO, .UNKNOWN) answers the pending follow-up question.
Input = Text | Verdict | Command | Choice
