"""Whether a message is written in French at all: its script, and its commonest words.

A French-only bot answers a message in English or Spanish with a French word on
the matter, rather than with the nearest intent of words it half knows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from bot.domain import Grammar
from bot.nlp.dictionary import LANGUAGES, WordLists
from bot.nlp.text import fold, tokenize

__all__ = ["LanguageGuard", "foreign_script"]

# A message in another language has this many words at least: "help", "bye" are chat;
# a shorter one only with a word that builds a question there ("is docker secure?").
_FROM_WORDS = 4
# Punctuation no French text opens with: "¿qué es docker?".
_FOREIGN_PUNCTUATION = frozenset("¿¡")
# Letters in ASCII are Latin; the others are found by one scan, not a loop per character.
_ASCII_LETTERS = re.compile("[A-Za-z]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


class LanguageGuard:
    """Tells messages in another language from French ones, franglais included."""

    def __init__(self, words: WordLists, grammar: Grammar, neutral: Iterable[str]) -> None:
        """`neutral`: terms that tell no language (the domain's names: "docker", "vm")."""
        # "bye", "thanks", "ok", "yes": typed in English by French speakers too.
        chat = [p for ps in grammar.chat_words.values() for p in ps]
        chat += [" ".join(p) for p in grammar.acknowledgements]
        chat += [" ".join(p) for ps in grammar.verdicts.values() for p in ps]
        french = words.common["fr"]
        # Only their words French does not share: "exactement" or "il fait" (answers to a
        # follow-up question too) still tell French.
        chat_words = {t for p in chat for t in tokenize(fold(p))} - french
        self._names = frozenset(neutral)
        self._neutral = self._names | chat_words
        self._markers = grammar.foreign_markers
        # Words common in both ("the" is in French subtitles too) tell nothing.
        self._telling = [
            (words.common[language] - french, french - words.common[language])
            for language in LANGUAGES
        ]
        # Words some other language has and French lacks: a message needs two of them
        # to be in that language, which most French messages lack (one count, not ten).
        self._any_theirs = frozenset().union(*(theirs for theirs, _ in self._telling))

    def foreign(self, text: str) -> bool:
        """Whether a message is written in another script or language than French.

        >>> from bot.domain import Grammar
        >>> common = {"fr": frozenset({"est", "la", "entre"}), "en": frozenset({"what", "is",
        ...           "the", "between"}), "es": frozenset(), "de": frozenset(),
        ...           "it": frozenset(), "pt": frozenset()}
        >>> guard = LanguageGuard(WordLists(common=common), Grammar.empty(), {"docker", "vm"})
        >>> guard.foreign("what is the difference between docker and a vm")
        True
        >>> guard.foreign("c'est quoi la main difference entre docker et une vm")
        False
        """
        # Two substring searches: cheaper than a set read over every character.
        if foreign_script(text) or any(mark in text for mark in _FOREIGN_PUNCTUATION):
            return True
        words = [t for t in tokenize(fold(text)) if t.isalpha() and t not in self._names]
        tokens = [t for t in words if t not in self._neutral]
        short = len(tokens) < _FROM_WORDS
        if short:
            if self._markers.isdisjoint(words):
                return False
            # "what ?" alone is chat; "what is docker?" asks in English.
            tokens = words
        if sum(map(self._any_theirs.__contains__, tokens)) < 2:
            return False
        for theirs_only, ours_only in self._telling:
            theirs = sum(map(theirs_only.__contains__, tokens))
            ours = sum(map(ours_only.__contains__, tokens))
            if theirs >= 2 and (ours == 0 if short else theirs > 2 * ours):
                return True
        return False


def foreign_script(text: str) -> bool:
    """Whether most letters are outside the Latin script (Cyrillic, Chinese, ...).

    >>> foreign_script("Docker 和虚拟机有什么区别"), foreign_script("Sécurité de Docker")
    (True, False)
    """
    if text.isascii():
        return False
    others = [c for c in _NON_ASCII.findall(text) if c.isalpha()]
    if not others:
        return False
    letters = len(_ASCII_LETTERS.findall(text)) + len(others)
    latin = letters - sum(1 for c in others if not _latin(c))
    return latin < letters / 2


@lru_cache(maxsize=4_096)
def _latin(letter: str) -> bool:
    # A French message holds a few accented letters, the same ones again and again:
    # their Unicode names are looked up once.
    return "LATIN" in unicodedata.name(letter, "")
