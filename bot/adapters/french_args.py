"""argparse in French: help, usage and errors, as every other word vmbot prints."""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any, NoReturn

from bot import messages as msg
from bot.adapters.exit_codes import EXIT_USAGE

__all__ = ["FrenchParser"]

# argparse's own messages (Python 3.11 to 3.13), and their French. Patterns, compiled
# at the first error only: every start would pay for them.
_ERRORS = [
    (r"unrecognized arguments: (.*)", msg.ARGS_UNRECOGNIZED),
    (r"the following arguments are required: (.*)", msg.ARGS_REQUIRED),
    (r"ambiguous option: (\S+) could match (.*)", msg.ARGS_AMBIGUOUS),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", msg.ARGS_CHOICE),
    (r"argument (\S+): invalid \S+ value: (.*)", msg.ARGS_BAD_VALUE),
    (r"argument (\S+): expected one argument", msg.ARGS_ONE_VALUE),
    (r"argument (\S+): not allowed with argument (.*)", msg.ARGS_EXCLUSIVE),
    (r"argument (\S+): (.*)", msg.ARGS_OTHER),
]
# What argparse calls the subcommand's argument (its dest).
_NAMES = {"command": "commande"}


def french_error(message: str) -> str:
    """argparse's English error in French; a message it does not know is kept.

    >>> french_error("unrecognized arguments: --nope")
    'arguments non reconnus : --nope'
    """
    for pattern, french in _ERRORS:
        found = re.fullmatch(pattern, message)
        if found:
            return french.format(*(_NAMES.get(g, g) for g in found.groups()))
    return message


class _FrenchFormatter(argparse.HelpFormatter):
    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        # argparse would ask shutil, which imports bz2 and lzma: a few milliseconds of
        # every start, for the width of a help text most runs never print.
        super().__init__(prog, indent_increment, max_help_position, width or _columns() - 2)

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, msg.ARGS_USAGE if prefix is None else prefix)


def _columns() -> int:
    """The terminal's width as shutil.get_terminal_size finds it: $COLUMNS, the
    terminal of stdout, else 80."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class FrenchParser(argparse.ArgumentParser):
    """An ArgumentParser whose every word is French; errors exit with code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _FrenchFormatter)
        helped = kwargs.pop("add_help", True)  # argparse's own -h has English help
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = msg.ARGS_POSITIONALS
        self._optionals.title = msg.ARGS_OPTIONALS
        if helped:
            self.add_argument("-h", "--help", action="help", help=msg.ARGS_HELP)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, msg.ARGS_ERROR.format(prog=self.prog, error=french_error(message)))
