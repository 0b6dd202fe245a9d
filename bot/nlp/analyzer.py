"""Analysis: French text -> the terms the matcher compares (lemmas, synonyms, no stop words)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain import Lexicon
from bot.nlp.lemmas import MIN_TYPO_LENGTH, LemmaTable, TypoCorrector
from bot.nlp.text import fold, tokenize

__all__ = ["MAX_QUESTION_CHARS", "Analysis", "Analyzer"]

# Words French elides before a vowel or a mute h ("l'image", "qu'il", "c'est").
# c, m, n, s, t elide only before a few pronouns and verbs; the others before any
# word, of which only function words and the subject's names are split off.
_ELIDED: dict[str, frozenset[str] | None] = {
    "qu": None,
    "c": frozenset({"est", "etait"}),
    "d": None,
    "j": None,
    "l": None,
    "m": frozenset({"a", "as", "en", "y", "est"}),
    "n": frozenset({"est", "a", "ai", "as", "en", "y", "etait", "ont"}),
    "s": frozenset({"il", "ils", "est", "en", "y", "etait"}),
    "t": frozenset({"es", "as", "a", "ai", "en", "y"}),
}
_ELISION_ONSET = frozenset("aeiouyh")
# A preposition never ends a question: "lequel est le plus sur ?" means "sûr".
_FINAL_SUR = re.compile(r"\bsur(?=\s*\?)")
# "bien sûr", "pas sûr", "je suis sûr que": certainty, not the word's domain sense.
_CERTAINTY_BEFORE = frozenset({"bien", "pas", "suis", "es", "etes", "sommes", "sois", "soyez"})
_CERTAINTY_AFTER = frozenset({"que", "qu", "de", "d"})
# Longer than any French word, so the window always holds the whole neighbour.
_NEIGHBOUR_CHARS = 30

# A question longer than this is cut: nobody types more, and analysis stays instant.
MAX_QUESTION_CHARS = 2_000
_TYPO_CACHE_SIZE = 20_000


@dataclass(frozen=True, kw_only=True)
class Analysis:
    """A text as the bot reads it: folded tokens, and the terms that carry meaning.

    Tokens are as typed but for accent senses, resolved before folding ("sûr").
    """

    tokens: tuple[str, ...]
    terms: tuple[str, ...]


class Analyzer:
    """Turns text into terms with the same steps at index time and at query time.

    Steps: fold and tokenize, lemma from the table (a typo is first corrected
    against the forms the bot knows), synonyms to their canonical term, stop
    words dropped.
    """

    def __init__(self, table: LemmaTable, lexicon: Lexicon) -> None:
        self.table = table
        self._lemmas = table.lemmas
        self._french = table.french_words
        self._stop = lexicon.stop_words
        self._typos = TypoCorrector(table.lemmas)
        self._corrections: dict[str, str] = {}
        self._synonyms = self._compile_synonyms(lexicon.synonyms)
        self._anchor_lemmas = frozenset(
            self._lemmas.get(t, t) for a in lexicon.anchors for t in tokenize(fold(a))
        )
        self._senses = lexicon.accent_senses
        self._accented = (
            re.compile(
                r"\b(?:"
                + "|".join(map(re.escape, sorted(self._senses, key=len, reverse=True)))
                + r")\b"
            )
            if self._senses
            else None
        )
        self._longest_synonym = max((len(k) for k in self._synonyms), default=1)

    def _compile_synonyms(self, synonyms: dict[str, tuple[str, ...]]) -> dict[tuple[str, ...], str]:
        compiled: dict[tuple[str, ...], str] = {}
        for canonical, phrases in synonyms.items():
            for phrase in phrases:
                key = tuple(self.lemma(t) for t in tokenize(fold(phrase)))
                if key:
                    compiled[key] = fold(canonical)
        return compiled

    @property
    def french_words(self) -> frozenset[str]:
        return self._french

    def lemma(self, form: str) -> str:
        """The lemma of one folded token, correcting a typo when the form is unknown.

        >>> from bot.domain import Lexicon
        >>> table = LemmaTable(lemmas={"conteneurs": "conteneur"}, french_words=frozenset())
        >>> lexicon = Lexicon(stop_words=frozenset(), synonyms={}, lemma_fixes={},
        ...                   false_friends=frozenset())
        >>> Analyzer(table, lexicon).lemma("conteneusr")
        'conteneur'
        """
        known = self._lemmas.get(form)
        if known is not None:
            return known
        if form[-1:] in ("s", "x") and form[:-1] in self._lemmas:
            return self._lemmas[form[:-1]]
        rest = self._without_elision(form)
        if rest is not None:
            return self._lemmas[rest]
        return self._lemmas.get(self._correct(form), form)

    def _without_elision(self, form: str) -> str | None:
        # "cest", "jai", "lhyperviseur": an elision typed without its apostrophe. Only
        # function words and the subject's names are split off: "davantage" or "laide"
        # would become other words, and nothing tells unknown French from a glued form.
        if form in self._french:
            return None
        for prefix, before in _ELIDED.items():
            rest = form[len(prefix) :]
            if not form.startswith(prefix) or rest[:1] not in _ELISION_ONSET:
                continue
            lemma = self._lemmas.get(rest)
            if lemma is None:
                continue
            if (
                rest in before
                if before is not None
                else (lemma in self._stop or lemma in self._anchor_lemmas)
            ):
                return rest
        return None

    def _correct(self, form: str) -> str:
        if len(form) < MIN_TYPO_LENGTH or form in self._french or form.isdigit():
            return form
        cached = self._corrections.get(form)
        if cached is not None:
            return cached
        corrected = self._typos.closest(form) or form
        if len(self._corrections) < _TYPO_CACHE_SIZE:
            self._corrections[form] = corrected
        return corrected

    def lemmas(self, text: str) -> list[str]:
        """Every token's lemma, stop words included."""
        return [self.lemma(t) for t in self._tokens(text)]

    def _tokens(self, text: str) -> list[str]:
        text = text[:MAX_QUESTION_CHARS]
        if self._accented is not None:
            # Before folding: "Docker est-il sûr ?" asks about safety, not "sur" (on).
            text = unicodedata.normalize("NFC", text.lower())
            text = _FINAL_SUR.sub("sûr", text)
            text = self._accented.sub(self._sense, text)
        return tokenize(fold(text))

    def _sense(self, match: re.Match[str]) -> str:
        # Only the neighbouring words matter: a bounded window keeps a text full of
        # "sûr" linear.
        start, end = match.start(), match.end()
        before = tokenize(fold(match.string[max(0, start - _NEIGHBOUR_CHARS) : start]))[-1:]
        after = tokenize(fold(match.string[end : end + _NEIGHBOUR_CHARS]))[:1]
        if _CERTAINTY_BEFORE.intersection(before) or _CERTAINTY_AFTER.intersection(after):
            return match.group(0)
        return self._senses[match.group(0)]

    def analyze(self, text: str) -> Analysis:
        """Tokens and terms of a text, analysed once for the matcher and the classifier."""
        tokens = self._tokens(text)
        lemmas = [self.lemma(t) for t in tokens]
        terms = self._drop_stop_words(self._apply_synonyms(lemmas))
        return Analysis(tokens=tuple(tokens), terms=terms)

    def terms(self, text: str) -> tuple[str, ...]:
        """The terms that carry meaning, in order.

        >>> from bot.domain import Lexicon
        >>> table = LemmaTable(lemmas={"machines": "machine", "virtuelles": "virtuel"},
        ...                    french_words=frozenset())
        >>> lexicon = Lexicon(stop_words=frozenset({"les", "le"}),
        ...                   synonyms={"vm": ("machine virtuelle",)}, lemma_fixes={},
        ...                   false_friends=frozenset())
        >>> Analyzer(table, lexicon).terms("Les Machines Virtuelles")
        ('vm',)
        """
        return self.analyze(text).terms

    def _apply_synonyms(self, lemmas: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(lemmas):
            for size in range(min(self._longest_synonym, len(lemmas) - i), 0, -1):
                canonical = self._synonyms.get(tuple(lemmas[i : i + size]))
                if canonical is not None:
                    out.append(canonical)
                    i += size
                    break
            else:
                out.append(lemmas[i])
                i += 1
        return out

    def _drop_stop_words(self, lemmas: Iterable[str]) -> tuple[str, ...]:
        return tuple(t for t in lemmas if t not in self._stop)
