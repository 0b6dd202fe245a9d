"""The lemma table: spaCy's French lemmas for every word form the bot knows.

This is the only module that imports spaCy. Importing and loading the French
pipeline costs seconds, so it runs when the index is built, never per question:
the table it yields maps folded word forms to folded lemmas, and both the index
and the queries are analysed through that same table.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
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
    "Parses",
    "TypoCorrector",
    "build_lemma_table",
    "closest_form",
    "model_version",
    "parse",
    "parser_version",
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


@dataclass(frozen=True, kw_only=True)
class Parses:
    """spaCy's reading of some texts, and what the model's tables say of their words.

    Loading the model costs seconds and reading every text of the data ten more, so
    the readings are kept (`bot.assembly` caches them under the model and this code):
    when the data changes, only its new texts go through the model, and the model is
    not loaded at all when there is none.
    """

    texts: tuple[str, ...]
    # Where each text's tokens end in `tokens` and `lemmas` (the tokens of texts[i]
    # are those from ends[i - 1] to ends[i]).
    ends: tuple[int, ...]
    tokens: tuple[str, ...]
    lemmas: tuple[str, ...]
    # The folded lemmas of the model's lookup table, and its stop words, folded.
    french: frozenset[str]
    stop_words: frozenset[str]
    # Each folded form of the texts' tokens that the lookup table holds -> its first
    # lemma there (a form of the texts missing here is not in the table).
    looked_up: dict[str, str]

    def readings(self) -> dict[str, list[tuple[str, str]]]:
        """Text -> its tokens, each as (text, lemma)."""
        out: dict[str, list[tuple[str, str]]] = {}
        start = 0
        for text, end in zip(self.texts, self.ends, strict=True):
            out[text] = list(zip(self.tokens[start:end], self.lemmas[start:end], strict=True))
            start = end
        return out


def parser_version() -> str:
    """What decides `Parses`: the French model, spaCy and this module's code (not the
    rest of the core: a change elsewhere keeps the readings)."""
    from importlib.util import find_spec

    digest = hashlib.sha256(Path(__file__).read_bytes())
    spec = find_spec("spacy")
    if spec is not None and spec.origin is not None:
        with contextlib.suppress(OSError):
            digest.update((Path(spec.origin).parent / "about.py").read_bytes())
    return f"{model_version()}-{digest.hexdigest()[:16]}"


def parse(texts: Iterable[str], known: Parses | None = None) -> Parses:
    """spaCy's reading of each distinct text (in the order first seen): taken from
    `known` when it holds the text, else from the model, loaded only when some text
    is new. Raise NlpModelError when the model is needed and missing."""
    distinct = list(dict.fromkeys(texts))
    readings = known.readings() if known is not None else {}
    new = [text for text in distinct if text not in readings]
    if known is not None and not new:
        french, stop_words, looked_up = known.french, known.stop_words, known.looked_up
    else:
        nlp = _french_pipeline()
        for text, doc in zip(new, nlp.pipe(new, batch_size=256), strict=True):
            readings[text] = [(token.text, token.lemma_) for token in doc]
        lemmatizer: Any = nlp.get_pipe("lemmatizer")
        lookup = lemmatizer.lookups.get_table("lemma_lookup")
        french = frozenset(fold(lemma) for values in lookup.values() for lemma in values)
        stop_words = frozenset(fold(w) for w in nlp.Defaults.stop_words)
        forms = {form for text in distinct for token, _ in readings[text] for form in _forms(token)}
        looked_up = {form: lookup[form][0] for form in forms if form in lookup}
    tokens = [reading for text in distinct for reading in readings[text]]
    forms = {form for token, _ in tokens for form in _forms(token)}
    return Parses(
        texts=tuple(distinct),
        ends=tuple(itertools.accumulate(len(readings[text]) for text in distinct)),
        tokens=tuple(token for token, _ in tokens),
        lemmas=tuple(lemma for _, lemma in tokens),
        french=french,
        stop_words=stop_words,
        looked_up={form: lemma for form, lemma in looked_up.items() if form in forms},
    )


def _forms(token: str) -> list[str]:
    # The forms queries yield for a spaCy token: the query tokenizer's pieces of it.
    return tokenize(fold(token))


def _french_pipeline() -> Any:
    try:
        import spacy

        nlp = spacy.load(MODEL_NAME, exclude=_EXCLUDED)
    except (ImportError, OSError) as exc:
        raise NlpModelError(str(exc)) from exc
    lemmatizer: Any = nlp.get_pipe("lemmatizer")
    _index_as_sets(lemmatizer.lookups.get_table("lemma_index"))
    return nlp


def build_lemma_table(
    texts: Iterable[str],
    fixes: dict[str, str],
    is_word: Callable[[str], bool] = lambda form: False,
    parses: Parses | None = None,
) -> LemmaTable:
    """Lemmatise every text with spaCy and keep, for each folded form, its usual lemma.

    `is_word` tells real words (of any language the users mix in) from typos: a
    real word spaCy does not know ("power") keeps its own form. `parses`: the texts'
    readings if already made (`parse`), else they are made here.

    Forms written with accents vote twice: "sécurisé" tells that "securise" is a
    participle of "sécuriser", which spaCy cannot guess from the bare form.
    """
    texts = list(texts)
    if parses is None:
        parses = parse(texts)
    readings = parses.readings()
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    # Each distinct text is read once and votes as often as it occurs (a sixth of the
    # texts are repeats: "pas", "je"); forms and lemmas meet in the same order.
    for text, times in Counter(texts).items():
        for token, token_lemma in readings[text]:
            # Re-split with the query tokenizer so that keys are the forms queries yield;
            # a token it splits ("aujourd'hui", "pare-feu") gives each piece as it is.
            forms = _forms(token)
            if len(forms) != 1:
                for piece in forms:
                    votes[piece][piece] += times
                continue
            form = forms[0]
            lemma = "".join(tokenize(fold(token_lemma))) or form
            weight = 1 if token.isascii() else 2
            votes[form][lemma] += weight * times
    lemmas = {form: counts.most_common(1)[0][0] for form, counts in votes.items()}
    lookup = parses.looked_up
    french = set(parses.french)
    # A form tagged with the wrong part of speech gets a rule-made non-word ("tu fais"
    # -> "fai"): spaCy's lookup table knows the form's real lemma.
    # A lemma that is the form itself or another known form ("ressource") is kept.
    for form, lemma in lemmas.items():
        if lemma not in french and lemma != form and lemma not in votes and form in lookup:
            lemmas[form] = "".join(tokenize(fold(lookup[form]))) or lemma
    lemmas.update(fixes)
    # Invariable words ("comme", "versus") are no lemma of anything: spaCy knows them
    # as lookup keys or stop words, and they are never typos.
    stop_words = parses.stop_words
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
        self._known = frozenset(self._forms)
        self._merged: dict[tuple[str, int, int], list[str]] = {}
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
        same_start = self._near_sizes(form[:1], len(form), slips)
        if form in self._known:
            same_start = [c for c in same_start if c != form]
        return _nearest(form, same_start, slips)

    def _near_sizes(self, start: str, size: int, slips: int) -> list[str]:
        """The forms with this first letter and a length within `slips` of `size`,
        merged once per (letter, length, slips): typos of new words keep coming."""
        key = (start, size, slips)
        merged = self._merged.get(key)
        if merged is None:
            buckets = [
                self._by_start.get((start, n), ()) for n in range(size - slips, size + slips + 1)
            ]
            # Sorted as the whole list was: among equally close forms, the same one wins.
            merged = self._merged[key] = sorted(c for bucket in buckets for c in bucket)
        return merged

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
