"""The lemma table: spaCy's French lemmas for every word form the bot knows.

This is the only module that imports spaCy. Importing and loading the French
pipeline costs seconds, so it runs when the index is built, never per question:
the table it yields maps folded word forms to folded lemmas, and both the index
and the queries are analysed through that same table.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.errors import NlpModelError
from bot.nlp.dictionary import stem
from bot.nlp.sounds import sound_key
from bot.nlp.text import fold, tokenize

__all__ = [
    "MIN_TYPO_LENGTH",
    "MODEL_NAME",
    "LemmaTable",
    "TypoCorrector",
    "build_lemma_table",
    "closest_form",
    "model_version",
]

MODEL_NAME = "fr_core_news_sm"
# The lemmatizer needs POS tags from the morphologizer; the rest is not needed.
_EXCLUDED = ["parser", "senter", "ner"]
# A form is read as a typo of a neighbour this many times more frequent.
_MORE_FREQUENT = 5
# Shorter words are left alone: "vite" or "cobol" would be "corrected" into others.
MIN_TYPO_LENGTH = 5
# From this length, a typo may hold two slips ("hyperviseru" -> two letters swapped
# count one); shorter words allow one, or "power" becomes "poser".
_TWO_SLIPS_FROM = 8


def allowed_slips(form: str) -> int:
    """How many typing slips (edits, a swap counting one) a typo of this length may hold."""
    if len(form) < MIN_TYPO_LENGTH:
        return 0
    return 2 if len(form) >= _TWO_SLIPS_FROM else 1


@dataclass(frozen=True, kw_only=True)
class LemmaTable:
    """Folded form -> folded lemma, the folded lemmas spaCy knows as French words, and
    word families: French stem -> the known lemma of that family ("isol" -> "isolation").
    """

    lemmas: dict[str, str]
    french_words: frozenset[str]
    families: dict[str, str] = field(default_factory=dict)


def model_version() -> str:
    """The installed French model's version, part of the cache key.

    Read from the model's own meta.json: importlib.metadata scans every installed
    distribution, a tenth of a warm start.
    """
    import json
    from importlib.util import find_spec

    spec = find_spec(MODEL_NAME)
    if spec is None or spec.origin is None:
        return f"{MODEL_NAME}-absent"
    try:
        meta = json.loads((Path(spec.origin).parent / "meta.json").read_text("utf-8"))
        return f"{MODEL_NAME}-{meta['version']}"
    except (OSError, ValueError, KeyError):
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"{MODEL_NAME}-{version(MODEL_NAME)}"
        except PackageNotFoundError:
            return f"{MODEL_NAME}-absent"


def build_lemma_table(
    texts: Iterable[str],
    fixes: dict[str, str],
    is_word: Callable[[str], bool] = lambda form: False,
) -> LemmaTable:
    """Lemmatise every text with spaCy and keep, for each folded form, its usual lemma.

    `is_word` tells real words (of any language the users mix in) from typos: a
    real word spaCy does not know ("power") keeps its own form.

    Forms written with accents vote twice: "sécurisé" tells that "securise" is a
    participle of "sécuriser", which spaCy cannot guess from the bare form.
    """
    try:
        import spacy

        nlp = spacy.load(MODEL_NAME, exclude=_EXCLUDED)
    except (ImportError, OSError) as exc:
        raise NlpModelError(str(exc)) from exc
    lemmatizer: Any = nlp.get_pipe("lemmatizer")
    _index_as_sets(lemmatizer.lookups.get_table("lemma_index"))
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    # Each distinct text is read once and votes as often as it occurs (a sixth of the
    # texts are repeats: "pas", "je"); forms and lemmas meet in the same order.
    occurrences = Counter(texts)
    for doc, times in zip(nlp.pipe(occurrences, batch_size=256), occurrences.values(), strict=True):
        for token in doc:
            # Re-split with the query tokenizer so that keys are the forms queries yield;
            # a token it splits ("aujourd'hui", "pare-feu") gives each piece as it is.
            forms = tokenize(fold(token.text))
            if len(forms) != 1:
                for piece in forms:
                    votes[piece][piece] += times
                continue
            form = forms[0]
            lemma = "".join(tokenize(fold(token.lemma_))) or form
            weight = 1 if token.text.isascii() else 2
            votes[form][lemma] += weight * times
    lemmas = {form: counts.most_common(1)[0][0] for form, counts in votes.items()}
    lookup = lemmatizer.lookups.get_table("lemma_lookup")
    french = {fold(lemma) for values in lookup.values() for lemma in values}
    # A form tagged with the wrong part of speech gets a rule-made non-word ("tu fais"
    # -> "fai"): spaCy's lookup table knows the form's real lemma.
    # A lemma that is the form itself or another known form ("ressource") is kept.
    for form, lemma in lemmas.items():
        if lemma not in french and lemma != form and lemma not in votes and form in lookup:
            lemmas[form] = "".join(tokenize(fold(lookup[form][0]))) or lemma
    lemmas.update(fixes)
    # Invariable words ("comme", "versus") are no lemma of anything: spaCy knows them
    # as lookup keys or stop words, and they are never typos.
    stop_words = {fold(w) for w in nlp.Defaults.stop_words}
    known = [f for f in votes if f in lookup or f in stop_words or is_word(f)]
    _absorb_typos(lemmas, votes, french | set(fixes) | set(known))
    french.update(lemmas.values())
    return LemmaTable(
        lemmas=lemmas, french_words=frozenset(french), families=_families(lemmas, votes)
    )


def _index_as_sets(index: Any) -> None:
    # The French lemmatizer asks whether a word (and each form its suffix rules make)
    # is in this table's list of its part of speech: a scan of up to 66,000 words, for
    # every token not seen before. Sets answer the same, in constant time (8 s -> 0.5 s
    # over the data's 89,000 tokens).
    for pos in list(index):
        index[pos] = frozenset(index[pos])


def _families(lemmas: dict[str, str], votes: dict[str, Counter[str]]) -> dict[str, str]:
    # Each stem goes to the lemma its forms are most often seen with: "isoler",
    # "isolement" and "isolé" join "isolation" when that is the word the data uses.
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for form, lemma in lemmas.items():
        seen[stem(form)][lemma] += votes[form].total() if form in votes else 1
    return {key: counts.most_common(1)[0][0] for key, counts in seen.items() if len(key) >= 4}


def _absorb_typos(lemmas: dict[str, str], votes: dict[str, Counter[str]], french: set[str]) -> None:
    # Examples are typed like users type: "dokcer" thrice, "docker" a hundred times.
    # A form spaCy does not know, a typo (or typed by ear) of a far more frequent one,
    # takes its lemma; otherwise it would count as a word of its own and typo
    # correction would never map a user's "dokcer" onto "docker".
    totals = {f: c.total() for f, c in votes.items()}
    corrector = TypoCorrector(f for f in totals if f in french or not f.isdigit())
    for form, total in totals.items():
        # spaCy's lemma of a word it does not know is a guess ("kubernetis" ->
        # "kuberneti"): such forms may still be typos; real French lemmas are kept.
        if form in french or form.isdigit() or lemmas.get(form) in french:
            continue
        best = corrector.closest(form, frequency=totals)
        if best is not None and totals[best] >= _MORE_FREQUENT * total:
            lemmas[form] = lemmas[best]


def closest_form(form: str, choices: Sequence[str]) -> str | None:
    """The known form this one is most likely a typo of, if any.

    Typos keep the first letter and hold one slip (two in long words: a letter
    missing, doubled, swapped or struck beside); shorter words are left alone, as
    "vite" or "cobol" would be "corrected" into other words.

    >>> closest_form("conteneru", ["conteneur", "container"]), closest_form("cool", ["cobol"])
    ('conteneur', None)
    >>> closest_form("power", ["poser"]), closest_form("hyperviseru", ["hyperviseur"])
    ('poser', 'hyperviseur')
    """
    slips = allowed_slips(form)
    if not slips:
        return None
    same_start = [
        c for c in choices if c[:1] == form[:1] and c != form and abs(len(c) - len(form)) <= slips
    ]
    return _nearest(form, same_start, slips)


def _nearest(form: str, candidates: Sequence[str], slips: int) -> str | None:
    best = process.extractOne(form, candidates, scorer=OSA.distance, score_cutoff=slips)
    return best[0] if best is not None else None


class TypoCorrector:
    """The known form a typed word is most likely a typo of: by spelling, else by sound.

    The second chance catches what people type by ear, where the first letter
    may differ ("ipervizeur", "konteneur"): sound keys are compared instead.

    >>> corrector = TypoCorrector(["hyperviseur", "conteneur", "securite"])
    >>> corrector.closest("ipervizeur"), corrector.closest("kontener"), corrector.closest("kotlin")
    ('hyperviseur', 'conteneur', None)
    """

    def __init__(self, forms: Iterable[str]) -> None:
        self._forms = sorted({f for f in forms if len(f) >= MIN_TYPO_LENGTH - 1})
        # Forms by first letter and length: a typo keeps both, give or take a slip, so
        # only a few buckets are compared, not the whole vocabulary (which made
        # absorbing the examples' typos quadratic). Each bucket in sorted order.
        self._by_start: dict[tuple[str, int], list[str]] = defaultdict(list)
        for form in self._forms:
            self._by_start[(form[:1], len(form))].append(form)
        self._by_sound: dict[str, list[str]] = defaultdict(list)
        for form in self._forms:
            self._by_sound[sound_key(form)].append(form)
        # Sound keys by first letter: a typo by ear still starts with the same sound.
        self._keys_by_start: dict[str, list[str]] = defaultdict(list)
        for key in self._by_sound:
            self._keys_by_start[key[:1]].append(key)

    def _spelled(self, form: str) -> str | None:
        """`closest_form` over the known forms, reading only the buckets it could match."""
        slips = allowed_slips(form)
        if not slips:
            return None
        start, size = form[:1], len(form)
        buckets = [
            self._by_start.get((start, n), ()) for n in range(size - slips, size + slips + 1)
        ]
        # Sorted as the whole list was: among equally close forms, the same one wins.
        same_start = sorted(c for bucket in buckets for c in bucket if c != form)
        return _nearest(form, same_start, slips)

    def closest(self, form: str, *, frequency: Mapping[str, int] | None = None) -> str | None:
        """The known form `form` is a typo of, or None when it is not close to any.

        Of forms that sound alike, the most frequent wins when `frequency` is given
        (the examples' own typos lose to the word they misspell), else the best spelled.
        """
        spelled = self._spelled(form)
        if spelled is not None or len(form) < MIN_TYPO_LENGTH:
            return spelled
        key = sound_key(form)
        # Short keys sound like too much ("happy" -> "api" -> "appli"), and a typo by
        # ear keeps the word's sound: the same key, or one slip in a long one.
        if len(key) < MIN_TYPO_LENGTH:
            return None
        if key in self._by_sound:
            alike = key
        else:
            # A short key must sound the same; a long one may hold one slip.
            if len(key) < _TWO_SLIPS_FROM - 1:
                return None
            keys = [k for k in self._keys_by_start.get(key[:1], []) if abs(len(k) - len(key)) <= 1]
            best = process.extractOne(key, keys, scorer=OSA.distance, score_cutoff=1)
            if best is None:
                return None
            alike = best[0]
        # Of the forms that sound alike ("conteneur", "conteneurs"), the best spelled.
        others = [f for f in self._by_sound[alike] if f != form]
        if frequency is not None and others:
            return max(others, key=lambda f: (frequency.get(f, 0), f))
        spelled_alike = process.extractOne(form, others, scorer=fuzz.ratio)
        return spelled_alike[0] if spelled_alike is not None else None
