"""Which words are real words: French and English word lists, and the commonest words of
the languages people may write in instead of French.

A word the bot has never seen is either a real word it does not know (left as it
is, or joined to its word family) or a typo of a word it knows (corrected). Only a
dictionary tells the two apart: without one, "droits" was "corrected" into
"doigt" and "power" into "poser". The lists come from pyspellchecker's word
frequency files, read once when the index is built and cached with it.
"""

from __future__ import annotations

import contextlib
import heapq
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from bot.nlp.text import fold

__all__ = [
    "LANGUAGES",
    "CommonWords",
    "Dictionaries",
    "WordLists",
    "build_word_lists",
    "stem",
    "word_lists_version",
]

# Languages a message may be written in instead of French, told apart by their
# commonest words ("the", "una", "der", "della", "uma").
LANGUAGES = ("en", "es", "de", "it", "pt")
_COMMON = 2_000


@dataclass(frozen=True, kw_only=True)
class Dictionaries:
    """Every real French and English word form, folded, one per line: a text reads
    back at once, where a set of three hundred thousand words takes a tenth of a
    second; the sets are built the first time a word must be judged."""

    french: str
    english: str


@dataclass(frozen=True, kw_only=True)
class CommonWords:
    """The commonest folded words of French and of each language in LANGUAGES."""

    common: dict[str, frozenset[str]]


class WordLists:
    """The commonest words of each language, and whether a form is a real word.

    The full dictionaries arrive as text and become sets the first time a word the
    bot does not know has to be judged: most questions hold none.

    >>> WordLists(common={}, french=frozenset({"droits"}), english=frozenset({"power"})
    ...           ).is_word("power")
    True
    """

    def __init__(
        self,
        *,
        common: dict[str, frozenset[str]],
        french: frozenset[str] | str = frozenset(),
        english: frozenset[str] | str = frozenset(),
        later: Callable[[], Dictionaries] | None = None,
    ) -> None:
        """`later`: where the full dictionaries come from, read the first time a word
        is judged instead of `french` and `english` (three megabytes that most
        questions never need)."""
        self.common = common
        self._french_source = french
        self._english_source = english
        self._later = later

    @cached_property
    def _sources(self) -> tuple[frozenset[str] | str, frozenset[str] | str]:
        if self._later is not None:
            found = self._later()
            return found.french, found.english
        return self._french_source, self._english_source

    @cached_property
    def french(self) -> frozenset[str]:
        return _words(self._sources[0])

    @cached_property
    def english(self) -> frozenset[str]:
        return _words(self._sources[1])

    def is_word(self, form: str) -> bool:
        """Whether a folded form is a real French or English word (so no typo)."""
        return form in self.french or form in self.english

    def is_french(self, form: str) -> bool:
        """Whether a folded form is a real French word."""
        return form in self.french


def _words(source: frozenset[str] | str) -> frozenset[str]:
    return source if isinstance(source, frozenset) else frozenset(source.split("\n"))


def word_lists_version() -> str:
    """The installed pyspellchecker's version, part of the cache key, read from its
    own info.py (importlib.metadata scans every installed distribution)."""
    from importlib.util import find_spec

    spec = find_spec("spellchecker")
    if spec is not None and spec.origin is not None:
        with contextlib.suppress(OSError):
            info = (Path(spec.origin).parent / "info.py").read_text("utf-8")
            found = re.search(r'__version__\s*=\s*"([^"]+)"', info)
            if found:
                return found.group(1)
    from importlib.metadata import version

    return version("pyspellchecker")


def build_word_lists() -> tuple[CommonWords, Dictionaries]:
    """Read pyspellchecker's frequency lists (seconds; cached by the caller)."""
    full: dict[str, frozenset[str]] = {}
    common: dict[str, frozenset[str]] = {}
    for language in ("fr", *LANGUAGES):
        frequencies = _frequencies(language)
        common[language] = _commonest(frequencies)
        if language in ("fr", "en"):
            full[language] = frozenset(_fold_all(frequencies))
    return CommonWords(common=common), Dictionaries(
        french="\n".join(sorted(full["fr"])), english="\n".join(sorted(full["en"]))
    )


def _frequencies(language: str) -> dict[str, int]:
    """pyspellchecker's word frequencies of a language, lower-cased (the counts of words
    that differ only in case summed), as its `SpellChecker(language=...)` holds them.

    Read straight from its resource file: the checker also computes, for every list,
    the set of letters of all words and other statistics vmbot does not use (a third
    of building the word lists).
    """
    import gzip
    import json
    import pkgutil

    packed = pkgutil.get_data("spellchecker", f"resources/{language}.json.gz")
    if packed is None:
        raise FileNotFoundError(f"spellchecker/resources/{language}.json.gz")
    raw: dict[str, int] = json.loads(gzip.decompress(packed).decode("utf-8"))
    lowered = {key.lower(): count for key, count in raw.items()}
    if len(lowered) != len(raw):
        lowered = {}
        for key, count in raw.items():
            lowered[key.lower()] = lowered.get(key.lower(), 0) + count
    return lowered


def _fold_all(words: Iterable[str]) -> list[str]:
    """`fold` of each word, in one call over them all: folding works letter by letter
    (a line break changes nothing around it), and 300,000 calls cost a second."""
    joined = "\n".join(words)
    folded = fold.__wrapped__(joined)  # not remembered: a one-off text of megabytes
    out = folded.split("\n")
    if len(out) != joined.count("\n") + 1:  # a word folded into a line break: one by one
        return [fold(word) for word in words]
    return out


def _commonest(counts: dict[str, int]) -> frozenset[str]:
    # The counts of the commonest words first (a plain numeric heap), then the words
    # ranked among those that reach the smallest of them: the same words as ranking
    # (count, word) over the whole list, a fifth of the time.
    if len(counts) > _COMMON:
        floor = heapq.nlargest(_COMMON, counts.values())[-1]
        counts = {word: n for word, n in counts.items() if n >= floor}
    top = heapq.nlargest(_COMMON, counts.items(), key=lambda item: (item[1], item[0]))
    return frozenset(fold(word) for word, _ in top if word.isalpha())


@lru_cache(maxsize=50_000)
def stem(form: str) -> str:
    """The French stem of a folded form: one key for a word family.

    >>> stem("isolement") == stem("isoler") == stem("isolation")
    True
    """
    return str(_french_stemmer().stemWord(form))


@lru_cache(maxsize=1)
def _french_stemmer() -> Any:
    # snowballstemmer imports the stemmers of thirty languages: a question whose
    # words are all known never pays for them.
    import snowballstemmer

    return snowballstemmer.stemmer("french")
