"""Pure string steps shared by indexing and querying: folding and tokenizing French."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

__all__ = ["MAX_INPUT_CHARS", "PhraseSet", "clean", "fold", "tokenize"]

# A message longer than this is cut: nobody types more, and reading stays instant.
MAX_INPUT_CHARS = 2_000

_LIGATURES: dict[str, str] = {
    "œ": "oe",
    "æ": "ae",
    "’": "'",
    "‘": "'",
    "`": "'",
    "ß": "ss",
    "+": " plus ",
}
_TOKEN = re.compile(r"[a-z0-9]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean(text: str) -> str:
    """The message as read: cut to the one input limit, control characters and broken
    surrogates blanked, trimmed.

    >>> clean("  salut\x07 ")
    'salut'
    """
    return _CONTROL.sub(" ", text[:MAX_INPUT_CHARS]).strip()


def _accent_table() -> dict[str, str]:
    # Latin letters with accents, folded once here: most messages need nothing else.
    table: dict[str, str] = {}
    for code in range(0xC0, 0x250):
        base = "".join(
            c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c)
        )
        if base.isascii() and base != chr(code):
            table[chr(code)] = base
    return table


_FOLD_MAP: dict[str, str] = {**_accent_table(), **_LIGATURES}
# The characters folding replaces, found by one regular expression: str.translate
# looks every character up in a table, three times slower on French text.
_FOLDED = re.compile("[" + re.escape("".join(_FOLD_MAP)) + "]")


# A message is folded several times over (read, language, focus, analysis): each
# distinct text once. Bounded: texts are at most MAX_INPUT_CHARS long.
@lru_cache(maxsize=4_096)
def fold(text: str) -> str:
    """Lower-case and strip accents, so that "Sécurité" and "securite" meet.

    >>> fold("Qu’est-ce qu’une Machine Virtuelle ?"), fold("Ŝtŭpa ﬁ")
    ("qu'est-ce qu'une machine virtuelle ?", 'stupa fi')
    """
    text = _FOLDED.sub(_fold_match, text.lower())
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold_match(match: re.Match[str]) -> str:
    return _FOLD_MAP[match.group()]


def tokenize(folded: str) -> list[str]:
    """Split folded text into word tokens, elisions split off and punctuation dropped.

    >>> tokenize("qu'est-ce que l'hyperviseur ?")
    ['qu', 'est', 'ce', 'que', 'l', 'hyperviseur']
    """
    return _TOKEN.findall(folded)


class PhraseSet:
    """Phrases (token tuples) found in a token sequence, the longest first at each place.

    >>> phrases = PhraseSet([("je", "sais"), ("je", "ne", "sais", "pas"), ("pas",)])
    >>> phrases.at(["euh", "je", "ne", "sais", "pas"], 1), phrases.find(["bon", "pas", "ok"])
    (('je', 'ne', 'sais', 'pas'), [(1, ('pas',))])
    """

    def __init__(self, phrases: Iterable[tuple[str, ...]]) -> None:
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in sorted(set(phrases), key=len, reverse=True):
            if phrase:
                self._by_first.setdefault(phrase[0], []).append(phrase)

    def __bool__(self) -> bool:
        return bool(self._by_first)

    @property
    def firsts(self) -> frozenset[str]:
        """The tokens some phrase starts with: a sequence without any holds none."""
        return frozenset(self._by_first)

    def at(self, tokens: Sequence[str], i: int) -> tuple[str, ...] | None:
        """The longest phrase that starts at position i, if any (None past the end)."""
        if i >= len(tokens):
            return None
        for phrase in self._by_first.get(tokens[i], ()):
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                return phrase
        return None

    def find(self, tokens: Sequence[str]) -> list[tuple[int, tuple[str, ...]]]:
        """Every non-overlapping phrase, left to right, each the longest at its place."""
        found = []
        i = 0
        by_first = self._by_first
        # Only where a phrase may start: most tokens start none.
        for at in [j for j, token in enumerate(tokens) if token in by_first]:
            if at < i:
                continue  # inside the phrase just found
            phrase = self.at(tokens, at)
            if phrase is not None:
                found.append((at, phrase))
                i = at + len(phrase)
        return found
