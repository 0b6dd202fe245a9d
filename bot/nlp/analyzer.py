"""Analysis: French text -> the terms the matcher compares (lemmas, synonyms, no stop words).

Every text goes through the same steps at index time and at query time, so a
user's "ipervizeur" or "isolement" meets the examples' "hyperviseur" or
"isolation". The words the steps rely on (elisions, negations, emoji...) are data:
`Grammar` and `Lexicon`, loaded from intents/.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain import Grammar, Lexicon, Phrase
from bot.nlp.dictionary import WordLists, stem
from bot.nlp.lemmas import MIN_TYPO_LENGTH, LemmaTable, TypoCorrector
from bot.nlp.text import MAX_INPUT_CHARS, PhraseSet, fold, tokenize

__all__ = ["Analysis", "Analyzer"]

_ELISION_ONSET = frozenset("aeiouyh")
# A preposition never ends a question: "lequel est le plus sur ?" means "sûr".
_FINAL_SUR = re.compile(r"\bsur(?=\s*\?)")
# Longer than any French word, so the window always holds the whole neighbour.
_NEIGHBOUR_CHARS = 30
_TYPO_CACHE_SIZE = 20_000
_ANALYSIS_CACHE_SIZE = 4_096
# Cues: a subject to avoid or negated ("éviter Docker"), preferred ("les VM plutôt
# que...") or ranked below another ("... mieux que les conteneurs").
_AVOIDED, _NEGATED, _PREFERRED, _OUTRANKED = "avoid:", "neg:", "pref:", "over:"
# What marks a term a negation covers; the word that opens a negation before its verb.
_NOT = "¬"
# "ne s'installe plus", "n'en a jamais eu": the negation word comes soon after "ne".
_NE_REACH = 4
# "choisir plutôt des VM", "opter pour la conteneurisation": the chosen side follows soon.
_CHOICE_REACH = 3
# "plus adaptée, une VM, que Docker": the head of a comparison stands this close to its "que".
_COMPARISON_REACH = 4
# What a statement opening with "que du" says: one kind only (a lexicon synonym too).
_ONLY = "uniquement"
# "une VM, c'est un peu trop": the excess word comes a little later than a negation.
_EXCESS_REACH = 6


@dataclass(frozen=True, kw_only=True)
class Analysis:
    """A text as the bot reads it: folded tokens, the terms that carry meaning, and
    cues of direction ("neg:conteneur": Docker is what to avoid).

    Tokens are as typed but for accent senses, resolved before folding.
    """

    tokens: tuple[str, ...]
    terms: tuple[str, ...]
    cues: tuple[str, ...] = ()
    # The words as spelled for the character n-grams: as typed, but a phrase the lexicon
    # names by a canonical term is spelled as that term ("on dit quoi" is "salut", not
    # a "quoi" that looks like a definition). None: the tokens.
    spelled: tuple[str, ...] | None = None

    @property
    def words(self) -> tuple[str, ...]:
        """The words whose spelling the models see."""
        return self.tokens if self.spelled is None else self.spelled


class Analyzer:
    """Turns text into terms with the same steps at index time and at query time.

    Steps: fold and tokenize, lemma from the table (an unknown real
    word joins its word family; an unknown non-word is corrected when it is a
    plausible typo of a known form), synonyms to their canonical term, cues of
    direction, stop words dropped.
    """

    def __init__(
        self, table: LemmaTable, lexicon: Lexicon, grammar: Grammar, words: WordLists
    ) -> None:
        self.table = table
        self.grammar = grammar
        self.words = words
        self._lemmas = table.lemmas
        self._french = table.french_words
        self._families = table.families
        self._stop = lexicon.stop_words
        self._typos: TypoCorrector | None = None  # built at the first typo to correct
        self._corrections: dict[str, str] = {}
        self._unknown_lemmas: dict[str, str] = {}  # lemmas of forms the table lacks
        self._analyses: dict[str, Analysis] = {}
        self._synonyms = self._compile_synonyms({**lexicon.synonyms, **grammar.chat_words})
        # The lengths of the phrases each first lemma opens, longest first, and the
        # lemmas that may follow it in them: only those windows are tried where a
        # phrase may start, not every length up to the longest. A lemma that is its
        # own canonical term ("docker") opens nothing by itself.
        sizes: dict[str, set[int]] = {}
        seconds: dict[str, set[str]] = {}
        for key, canonical in self._synonyms.items():
            if len(key) > 1:
                seconds.setdefault(key[0], set()).add(key[1])
            if len(key) > 1 or canonical != key[0]:
                sizes.setdefault(key[0], set()).add(len(key))
        self._synonym_sizes = {first: tuple(sorted(s, reverse=True)) for first, s in sizes.items()}
        self._synonym_seconds = {first: frozenset(s) for first, s in seconds.items()}
        self._anchor_lemmas = frozenset(
            self._lemmas.get(t, t) for a in lexicon.anchors for t in tokenize(fold(a))
        )
        self._sides = {
            self._lemmas.get(term, term): side
            for side, phrases in lexicon.sides.items()
            for term in self._phrase_terms(phrases)
        }
        self._negations = frozenset(self._lemmas.get(w, w) for w in grammar.negations)
        self._only_openers = self._lemma_phrases(grammar.only_openers)
        self._excess = frozenset(self._lemmas.get(w, w) for w in grammar.excess)
        self._restrictives = PhraseSet(grammar.restrictives)
        self._avoidance = self._lemma_phrases(grammar.avoidance)
        self._choosing = self._lemma_phrases(grammar.choosing)
        self._comparatives = self._lemma_phrases(grammar.comparatives)
        self._opposites = {
            self._lemmas.get(k, k): self._lemmas.get(v, v)
            for k, v in grammar.negated_opposites.items()
        }
        self._degrees = frozenset(self._lemmas.get(w, w) for w in grammar.degree_words)
        self._negation_openers = frozenset(grammar.negation_openers)
        self._comparison_heads = frozenset(self._lemmas.get(w, w) for w in grammar.comparison_heads)
        self._comparison_tails = frozenset(self._lemmas.get(w, w) for w in grammar.comparison_tails)
        self._comparison_marks = self._first_lemmas(grammar.comparatives) | self._comparison_tails
        self._avoidance_firsts = self._first_lemmas(grammar.avoidance)
        self._choice_firsts = self._first_lemmas(grammar.choosing)
        self._senses = lexicon.accent_senses
        self._accented = _alternation(self._senses)

    def _compile_synonyms(self, synonyms: dict[str, tuple[str, ...]]) -> dict[Phrase, str]:
        compiled: dict[Phrase, str] = {}
        for canonical, phrases in synonyms.items():
            for phrase in phrases:
                key = tuple(self.lemma(t) for t in tokenize(fold(phrase)))
                if key:
                    compiled[key] = fold(canonical)
        return compiled

    def _lemma_phrases(self, phrases: Iterable[Phrase]) -> PhraseSet:
        return PhraseSet(tuple(self.lemma(t) for t in p) for p in phrases)

    def _first_lemmas(self, phrases: Iterable[Phrase]) -> frozenset[str]:
        """The lemmas phrases start with, as `_lemma_phrases` reads them."""
        return frozenset(self.lemma(p[0]) for p in phrases if p)

    def _phrase_terms(self, phrases: Iterable[str]) -> set[str]:
        terms: set[str] = set()
        for phrase in phrases:
            merged = self._apply_synonyms([self.lemma(t) for t in tokenize(fold(phrase))])
            terms.update(self._drop_stop_words(merged))
        return terms

    def is_french(self, form: str) -> bool:
        """Whether a folded form is French: known to the bot, or in the French dictionary."""
        return form in self._lemmas or form in self._french or self.words.is_french(form)

    def is_word(self, form: str) -> bool:
        """Whether a folded form is a word: known to the bot, or real French or English."""
        return form in self._lemmas or form in self._french or self.words.is_word(form)

    def lemma(self, form: str) -> str:
        """The lemma of one folded token, correcting a typo when the form is unknown.

        >>> from bot.domain import Lexicon
        >>> from bot.nlp.dictionary import WordLists
        >>> table = LemmaTable(lemmas={"conteneurs": "conteneur"}, french_words=frozenset())
        >>> lexicon = Lexicon(stop_words=frozenset(), synonyms={}, lemma_fixes={},
        ...                   false_friends=frozenset())
        >>> words = WordLists(common={}, french=frozenset({"conteneuse"}))
        >>> analyzer = Analyzer(table, lexicon, Grammar.empty(), words)
        >>> analyzer.lemma("conteneusr"), analyzer.lemma("conteneuse")
        ('conteneur', 'conteneuse')
        """
        known = self._lemmas.get(form)
        if known is not None:
            return known
        # Forms the table does not hold take several look-ups (plural, elision, word
        # lists, family stem, typo): remembered, as a user's words recur; emptied when
        # full (a flood of gibberish).
        unknown = self._unknown_lemmas
        known = unknown.get(form)
        if known is not None:
            return known
        if len(unknown) >= _TYPO_CACHE_SIZE:
            unknown.clear()
        if form[-1:] in ("s", "x") and form[:-1] in self._lemmas:
            known = self._lemmas[form[:-1]]
        elif (rest := self._without_elision(form)) is not None:
            known = self._lemmas[rest]
        elif form in self._french or self.words.is_word(form):
            # A real word is no typo: it keeps its form, or joins its family
            # ("isolement" -> "isolation") when the data holds another of its words.
            known = self._families.get(stem(form), form) if form.isalpha() else form
        else:
            known = self._lemmas.get(self._correct(form), form)
        unknown[form] = known
        return known

    def _without_elision(self, form: str) -> str | None:
        # "cest", "jai", "lhyperviseur": an elision typed without its apostrophe. Only
        # function words and the subject's names are split off: "davantage" or "laide"
        # would become other words, and nothing tells unknown French from a glued form.
        if form in self._french:
            return None
        for prefix, before in self.grammar.elisions.items():
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
        if len(form) < MIN_TYPO_LENGTH or form.isdigit():
            return form
        cached = self._corrections.get(form)
        if cached is not None:
            return cached
        if self._typos is None:
            self._typos = TypoCorrector(self._lemmas)
        corrected = self._typos.closest(form) or form
        if len(self._corrections) < _TYPO_CACHE_SIZE:
            self._corrections[form] = corrected
        return corrected

    def lemmas(self, text: str) -> list[str]:
        """Every token's lemma, stop words included."""
        return [self.lemma(t) for t in self.tokens(text)]

    def tokens(self, text: str) -> list[str]:
        """The folded tokens of a text, accent senses read first."""
        text = text[:MAX_INPUT_CHARS]
        if self._accented is not None:
            # Before folding: "Docker est-il sûr ?" asks about safety, not "sur" (on).
            text = text.lower()
            if not text.isascii():  # ASCII is its own normal form
                text = unicodedata.normalize("NFC", text)
            if "sur" in text:
                text = _FINAL_SUR.sub("sûr", text)
            if not text.isascii():  # every accent sense is spelled with an accent
                text = self._accented.sub(self._sense, text)
        return tokenize(fold(text))

    def _sense(self, match: re.Match[str]) -> str:
        # Only the neighbouring words matter: a bounded window keeps a text full of
        # "sûr" linear.
        start, end = match.start(), match.end()
        before = tokenize(fold(match.string[max(0, start - _NEIGHBOUR_CHARS) : start]))[-1:]
        after = tokenize(fold(match.string[end : end + _NEIGHBOUR_CHARS]))[:1]
        grammar = self.grammar
        if grammar.safety_degrees.intersection(before):
            return self._senses[match.group(0)]
        if grammar.certainty_before.intersection(before) or grammar.certainty_after.intersection(
            after
        ):
            return match.group(0)
        return self._senses[match.group(0)]

    def analyze(self, text: str) -> Analysis:
        """Tokens, terms and cues of a text, analysed once for every reader."""
        # A function of the text: the engine and the needs reader ask for the same
        # texts several times per message. Bounded: emptied when full.
        known = self._analyses.get(text)
        if known is None:
            if len(self._analyses) >= _ANALYSIS_CACHE_SIZE:
                self._analyses.clear()
            known = self._analyses[text] = self._analyze(text)
        return known

    def _analyze(self, text: str) -> Analysis:
        tokens = self.tokens(text)
        # Most tokens are in the table: looked up here, without a call each.
        table = self._lemmas.get
        lemmas = [known if (known := table(t)) is not None else self.lemma(t) for t in tokens]
        merged: list[str] = []
        spelled: list[str] = []
        i = 0
        opener = self._only_openers.at(lemmas, 0) if lemmas else None
        if opener is not None:  # "que du Linux": only Linux, not "que" and "du"
            merged.append(_ONLY)
            spelled.append(_ONLY)
            i = len(opener)
        starts = self._synonym_sizes
        # Most words start no phrase: the runs between those that may are copied whole.
        for at in [j for j, lemma in enumerate(lemmas) if lemma in starts]:
            if at < i:
                continue  # inside the phrase just read
            merged += lemmas[i:at]
            spelled += tokens[i:at]
            term, size = self._term_at(lemmas, at)
            merged.append(term)
            # A synonym stands for its canonical term; any other word keeps its spelling.
            replaced = size > 1 or term != lemmas[at]
            spelled.append(term if replaced else tokens[at])
            i = at + size
        merged += lemmas[i:]
        spelled += tokens[i:]
        self._flip_negated(merged, spelled)
        return Analysis(
            tokens=tuple(tokens),
            terms=self._drop_stop_words(merged),
            cues=self._cues(merged),
            spelled=tuple(spelled),
        )

    def negated_terms(self, text: str) -> tuple[str, ...]:
        """The terms of a statement, those a negation covers marked with "¬".

        A negation covers what follows it to the end of the statement, from its "ne"
        when it has one ("ne s'installe pas sur les versions récentes": installer too);
        "sans" turns it off again ("ne tourne pas sans Windows" needs Windows).
        Restrictions negate nothing ("pour Windows et rien d'autre").

        >>> from dataclasses import replace
        >>> from bot.domain import Lexicon
        >>> from bot.nlp.dictionary import WordLists
        >>> table = LemmaTable(lemmas={}, french_words=frozenset())
        >>> lexicon = Lexicon(stop_words=frozenset({"on", "a", "de", "n", "pas"}), synonyms={},
        ...                   lemma_fixes={}, false_friends=frozenset())
        >>> grammar = replace(Grammar.empty(), negations=frozenset({"pas", "sans"}))
        >>> words = WordLists(common={})
        >>> Analyzer(table, lexicon, grammar, words).negated_terms("on n'a pas de cloud")
        ('¬cloud',)
        """
        tokens = self.tokens(text)
        grammar = self.grammar
        restricted = _covered(tokens, self._restrictives)
        after_ne = grammar.negations | grammar.negations_after_ne
        negations = [t in grammar.negations and i not in restricted for i, t in enumerate(tokens)]
        closes = [t in after_ne and i not in restricted for i, t in enumerate(tokens)]
        flags = []
        negating = False
        for i, token in enumerate(tokens):
            if negations[i]:
                cancels = token in grammar.negation_cancellers
                negating = not negating if cancels and negating else True
            elif token in grammar.negation_openers and any(closes[i + 1 : i + 1 + _NE_REACH]):
                negating = True
            flags.append(negating)
        lemmas = [self.lemma(t) for t in tokens]
        marked = []
        i = 0
        while i < len(lemmas):
            term, size = self._term_at(lemmas, i)
            if term not in self._stop:
                marked.append(_NOT + term if flags[i] else term)
            i += size
        return tuple(marked)

    def _term_at(self, lemmas: Sequence[str], i: int) -> tuple[str, int]:
        """The term that starts at position i, and how many lemmas it takes: the
        longest synonym phrase there ("machine virtuelle" -> "vm"), else the lemma."""
        first = lemmas[i]
        sizes = self._synonym_sizes.get(first)
        if sizes is None:
            return first, 1  # most words start no phrase: no window to try
        left = len(lemmas) - i
        # No longer phrase when the next lemma follows the first in none of them.
        longer = left > 1 and lemmas[i + 1] in self._synonym_seconds.get(first, ())
        for size in sizes:
            if size <= left and (longer or size == 1):
                canonical = self._synonyms.get(tuple(lemmas[i : i + size]))
                if canonical is not None:
                    return canonical, size
        return first, 1

    def terms(self, text: str) -> tuple[str, ...]:
        """The terms that carry meaning, in order.

        >>> from bot.domain import Lexicon
        >>> from bot.nlp.dictionary import WordLists
        >>> table = LemmaTable(lemmas={"machines": "machine", "virtuelles": "virtuel"},
        ...                    french_words=frozenset())
        >>> lexicon = Lexicon(stop_words=frozenset({"les", "le"}),
        ...                   synonyms={"vm": ("machine virtuelle",)}, lemma_fixes={},
        ...                   false_friends=frozenset())
        >>> words = WordLists(common={})
        >>> Analyzer(table, lexicon, Grammar.empty(), words).terms("Les Machines Virtuelles")
        ('vm',)
        """
        return self.analyze(text).terms

    def _apply_synonyms(self, lemmas: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(lemmas):
            term, size = self._term_at(lemmas, i)
            out.append(term)
            i += size
        return out

    def _cues(self, merged: Sequence[str]) -> tuple[str, ...]:
        """Which side (VM, containers) the text avoids, negates, prefers or ranks below.

        "quand éviter Docker" avoids containers; "une VM n'est pas le bon choix"
        negates VMs; "ce que les VM font mieux que les conteneurs" prefers VMs over
        containers: word order carries the meaning.
        """
        if self._sides.keys().isdisjoint(merged):
            return ()  # no side named: no cue, whatever the words around
        # Phrases are only looked for where their first word stands: most words open none.
        marks, avoids, chooses = self._comparison_marks, self._avoidance_firsts, self._choice_firsts
        compared_at = next(
            (i for i, t in enumerate(merged) if t in marks and self._compares_at(merged, i)),
            len(merged),
        )
        cues: list[str] = []
        avoiding = negating = False
        # A negation before the comparison turns it round ("une VM ne vaut pas le coup
        # par rapport à Docker" prefers Docker), and ends there: Docker is not negated.
        turned = False
        chosen_at: int | None = None
        for i, term in enumerate(merged):
            if i == compared_at:
                turned, negating = negating, False
            negating = negating or term in self._negations
            avoiding = avoiding or (term in avoids and self._avoidance.at(merged, i) is not None)
            if term in chooses and self._choosing.at(merged, i) is not None:
                chosen_at = i
                avoiding = False  # what is chosen next is not avoided
            side = self._sides.get(term)
            if side is None:
                continue
            if avoiding:
                cues.append(_AVOIDED + side)
            # The subject of a negation stands before it: "une VM n'est pas adaptée",
            # "une VM c'est trop pour nous".
            # Not past the comparison: "une VM et pas Docker" negates Docker alone.
            reach = merged[i + 1 : compared_at] if i < compared_at else merged[i + 1 :]
            negated = any(t in self._negations for t in reach[:_NE_REACH]) or any(
                t in self._excess for t in reach[:_EXCESS_REACH]
            )
            if negating or negated:
                cues.append(_NEGATED + side)
            if compared_at < len(merged):
                preferred = i < compared_at
                if (preferred and (negating or negated)) or (not preferred and turned):
                    preferred = not preferred
                cues.append((_PREFERRED if preferred else _OUTRANKED) + side)
            elif chosen_at is not None and i - chosen_at <= _CHOICE_REACH:
                # "préférable d'opter pour la conteneurisation": the first side named
                # after the verb is the one chosen, unless it is avoided or negated.
                if not (avoiding or negating or negated):
                    cues.append(_PREFERRED + side)
                chosen_at = None
        return tuple(dict.fromkeys(cues))

    def _flip_negated(self, merged: list[str], spelled: list[str]) -> None:
        """A term right after a negation means its opposite: "pas différent" and "ne
        change pas" ask what is alike, "pas pareil" what differs, "pas très lourd" is
        light. Only right after, or past words of degree: "je ne comprends pas la
        différence" still asks for the difference."""
        if self._opposites.keys().isdisjoint(merged):
            return  # most messages: no word with an opposite
        # The negation is spent on the term: left in, it would negate what follows
        # ("ne change pas entre Docker et une VM" negates neither).
        spent: set[int] = set()
        for i in range(1, len(merged)):
            opposite = self._opposites.get(merged[i])
            if opposite is None:
                continue
            # "pas très lourd": the negation reaches past words of degree.
            at = i - 1
            while at > 0 and merged[at] in self._degrees:
                at -= 1
            before = merged[at]
            if at in spent:
                continue
            if before in self._negations:
                spent.add(at)
            elif before in self._negation_openers:
                spent.add(at)
                # "ne change pas": the "pas" after the verb goes with its "ne"
                if i + 1 < len(merged) and merged[i + 1] in self._negations:
                    spent.add(i + 1)
            else:
                continue
            merged[i] = spelled[i] = opposite
        for i in sorted(spent, reverse=True):
            del merged[i], spelled[i]

    def _compares_at(self, merged: Sequence[str], i: int) -> bool:
        """Whether the comparison turns at position i: "mieux que", or the "que" of
        "mieux une VM que Docker" a few words after its head."""
        if self._comparatives.at(merged, i):
            return True
        return merged[i] in self._comparison_tails and not self._comparison_heads.isdisjoint(
            merged[max(0, i - _COMPARISON_REACH) : i]
        )

    def _drop_stop_words(self, lemmas: Iterable[str]) -> tuple[str, ...]:
        stop = self._stop
        return tuple([t for t in lemmas if t not in stop])


def _covered(tokens: Sequence[str], phrases: PhraseSet) -> set[int]:
    return {i for start, p in phrases.find(tokens) for i in range(start, start + len(p))}


def _alternation(keys: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(keys, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"\b(?:" + "|".join(map(re.escape, ordered)) + r")\b")
