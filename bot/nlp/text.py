"""Pure string steps shared by indexing and querying: folding and tokenizing French."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "tokenize"]

_LIGATURES = str.maketrans(
    {"œ": "oe", "æ": "ae", "’": "'", "‘": "'", "`": "'", "ß": "ss", "+": " plus "}
)
# "l'image", "qu'est", "jusqu'au": the elided word is its own token.
_ELISION = re.compile(r"\b(qu|jusqu|lorsqu|puisqu|quoiqu|[cdjlmnst])'")
_TOKEN = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case and strip accents, so that "Sécurité" and "securite" meet.

    >>> fold("Qu’est-ce qu’une Machine Virtuelle ?")
    "qu'est-ce qu'une machine virtuelle ?"
    """
    text = text.lower().translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokenize(folded: str) -> list[str]:
    """Split folded text into word tokens, elisions split off and punctuation dropped.

    >>> tokenize("qu'est-ce que l'hyperviseur ?")
    ['qu', 'est', 'ce', 'que', 'l', 'hyperviseur']
    """
    return _TOKEN.findall(_ELISION.sub(r"\1 ", folded))
