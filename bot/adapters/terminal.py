"""The process's own streams: fit for any terminal, and their failures told in French."""

from __future__ import annotations

import codecs
import errno
import logging
import os
import sys
import unicodedata
from typing import BinaryIO

from bot import messages as msg

__all__ = [
    "describe",
    "fit_streams",
    "is_output_error",
    "readable",
    "report_cache_on_stderr",
    "silence_stdout",
    "stdin_bytes",
]

# Failures of the output itself (a full disk, a broken device), not of some file.
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}
_ERROR_NAMES = {
    errno.ENOSPC: msg.OS_NO_SPACE,
    errno.EDQUOT: msg.OS_QUOTA,
    errno.EFBIG: msg.OS_TOO_BIG,
    errno.EIO: msg.OS_IO,
}
_ASCII_FOLD = "vmbot-ascii-fold"
# Signs with no ASCII decomposition that French text uses all the time.
_ASCII_SIGNS = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "«": '"', "»": '"', "’": "'", "‘": "'"}
    | {"“": '"', "”": '"', "—": "-", "–": "-", "•": "-"}
)


def readable(argument: str) -> str:
    """A command-line argument as text: bytes the locale could not decode become U+FFFD
    instead of lone surrogates, which no strict UTF-8 output can write."""
    return argument.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _fold(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end].translate(_ASCII_SIGNS)
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return folded, error.end


codecs.register_error(_ASCII_FOLD, _fold)


def fit_streams() -> None:
    """On a terminal that cannot show French (ASCII only), write without accents rather
    than fail: "sécurité" becomes "securite", an emoji disappears."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            "é€".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors=_ASCII_FOLD)


def report_cache_on_stderr() -> None:
    """Let the index cache say on stderr when it builds (first run) or cannot be written."""
    log = logging.getLogger("bot.index_cache")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def stdin_bytes() -> BinaryIO | None:
    """Standard input as bytes, or None when the process was started with it closed."""
    stream = sys.stdin
    return getattr(stream, "buffer", None) if stream is not None else None


def is_output_error(error: OSError) -> bool:
    """Whether writing the output failed (full disk, device error)."""
    return error.errno in _OUTPUT_ERRNOS


def describe(error: OSError) -> str:
    """The failure in French words."""
    return _ERROR_NAMES.get(error.errno or 0, error.strerror or str(error))


def silence_stdout() -> None:
    """Point stdout at /dev/null: the interpreter's last flush must not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass  # no stdout to silence
