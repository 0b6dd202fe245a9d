"""Matching analysed questions to intents: weighted lemma overlap plus fuzzy near-duplicates.

Each term is weighted by how telling it is (an IDF over intents). A question is
compared with every example (nearest neighbour) and with each intent as a whole
(centroid), by cosine. Words the bot has never seen stay in the question's norm,
so "conteneur maritime" scores far below "conteneur": that is what rejects
out-of-scope questions that share a word with the domain.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.domain import Match

__all__ = ["IntentMatcher", "MatcherSettings", "TermWeights", "TrainingExample", "idf_of"]

_FUZZY_CANDIDATES = 20
# Far above any word's postings today (915 examples): only changes very large catalogs.
_MAX_POSTINGS = 2_000
# Terms whose weight, and term sequences whose matches, are remembered; emptied
# when full (a flood of gibberish).
_WEIGHTS_KEPT = 50_000


@dataclass(frozen=True, kw_only=True)
class TrainingExample:
    intent: str
    terms: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class MatcherSettings:
    """How much words count, set by hand (the engine's thresholds and confidence
    model are calibrated on top of them)."""

    nearest_weight: float = 0.6
    centroid_weight: float = 0.4
    # Weights of words absent from every example.
    domain_word_weight: float = 0.8  # found in the corpus: on topic, but not telling
    french_word_weight: float = 1.6  # a real French word from elsewhere
    unknown_word_weight: float = 2.2  # not French either: English, gibberish
    false_friend_weight: float = 5.0  # "maritime", "laver": another sense of a domain word
    fuzzy_cutoff: float = 90.0


def idf_of(examples: Sequence[TrainingExample]) -> dict[str, float]:
    """How telling each term of the examples is: an IDF over intents."""
    df: dict[str, set[str]] = defaultdict(set)
    for example in examples:
        for term in example.terms:
            df[term].add(example.intent)
    n = len({e.intent for e in examples})
    return {t: math.log(1.0 + n / len(owners)) for t, owners in df.items()}


class TermWeights:
    """How much each term of a question counts: its IDF when the examples use it,
    else by what it is (another sense of a domain word, a word of the articles, a
    real word, gibberish). Words the bot has never seen stay in the question's norm,
    so "conteneur maritime" weighs far less than "conteneur" alone."""

    def __init__(
        self,
        idf: dict[str, float],
        *,
        is_word: Callable[[str], bool],
        is_french: Callable[[str], bool] | None = None,
        domain_words: Iterable[str] = (),
        false_friends: frozenset[str] = frozenset(),
        settings: MatcherSettings | None = None,
    ) -> None:
        self.settings = settings or MatcherSettings()
        self.idf = idf
        self._is_word = is_word
        self._is_french = is_french or is_word
        self._domain = frozenset(domain_words) - idf.keys()
        self._false_friends = false_friends
        # Weights of the terms asked about: the same few thousand words come back.
        self._weights: dict[str, float] = {}

    def weight(self, term: str) -> float:
        """How much a term of a question counts, known or not."""
        known = self._weights.get(term)
        if known is None:
            if len(self._weights) >= _WEIGHTS_KEPT:
                self._weights.clear()
            known = self._weights[term] = self._weight(term)
        return known

    def _weight(self, term: str) -> float:
        idf = self.idf.get(term)
        if idf is not None:
            return idf
        s = self.settings
        if term in self._false_friends:
            return s.false_friend_weight
        if term in self._domain:
            return s.domain_word_weight
        if term.isdigit() or self._is_word(term):
            return s.french_word_weight
        return s.unknown_word_weight

    def reads_any(self, terms: Iterable[str]) -> bool:
        """Whether some term is French: from the examples, or a real French word."""
        return any(t in self.idf or self._is_french(t) for t in terms)

    def vector(self, terms: Iterable[str]) -> dict[str, float]:
        return {t: self.weight(t) for t in terms}

    def coverage(self, terms: Sequence[str]) -> float:
        """The share of the question's weight on words seen in the examples, in [0, 1]."""
        # known_share(vector(terms), norm) in one pass, without the vector: each
        # distinct term once, in order, so the sums add the same squares alike.
        weight, idf = self.weight, self.idf
        total = known = 0.0
        for term in dict.fromkeys(terms):
            w = weight(term)
            square = w * w
            total += square
            if term in idf:
                known += square
        return math.sqrt(known) / math.sqrt(total) if total else 0.0

    def known_share(self, query: Mapping[str, float], norm: float) -> float:
        if norm == 0.0:
            return 0.0
        return math.sqrt(sum(w * w for t, w in query.items() if t in self.idf)) / norm


class IntentMatcher:
    """Ranks intents for a sequence of terms; built once, queried many times."""

    def __init__(
        self,
        examples: Sequence[TrainingExample],
        *,
        is_word: Callable[[str], bool] = lambda term: False,
        domain_words: Iterable[str] = (),
        false_friends: frozenset[str] = frozenset(),
        settings: MatcherSettings | None = None,
    ) -> None:
        self.weights = TermWeights(
            idf_of(examples),
            is_word=is_word,
            domain_words=domain_words,
            false_friends=false_friends,
            settings=settings,
        )
        self.settings = self.weights.settings
        self._intents = sorted({e.intent for e in examples})
        intent_index = {name: i for i, name in enumerate(self._intents)}
        self._example_intent: list[int] = []
        self._example_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        centroids: list[dict[str, float]] = [defaultdict(float) for _ in self._intents]
        self._example_texts: list[str] = []
        for example in examples:
            vector = _unit(self._vector(example.terms))
            if not vector:
                continue
            idx = len(self._example_intent)
            self._example_intent.append(intent_index[example.intent])
            self._example_texts.append(" ".join(example.terms))
            for term, weight in vector.items():
                self._example_postings[term].append((idx, weight))
                centroids[intent_index[example.intent]][term] += weight
        self._centroid_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, centroid in enumerate(centroids):
            for term, weight in _unit(centroid).items():
                self._centroid_postings[term].append((i, weight))
        _truncate(self._example_postings, _MAX_POSTINGS)
        _truncate(self._centroid_postings, _MAX_POSTINGS)
        # The matches of the term sequences asked about: a dialogue reads the same
        # statements again (each part, then the whole), a long-lived process too.
        self._matches: dict[tuple[str, ...], tuple[Match, ...]] = {}

    def weight(self, term: str) -> float:
        return self.weights.weight(term)

    def coverage(self, terms: Sequence[str]) -> float:
        return self.weights.coverage(terms)

    def _vector(self, terms: Iterable[str]) -> dict[str, float]:
        return self.weights.vector(terms)

    def match(self, terms: Sequence[str]) -> list[Match]:
        """The intents the terms reach, with a score in [0, 1], best first."""
        key = tuple(terms)
        known = self._matches.get(key)
        if known is None:
            if len(self._matches) >= _WEIGHTS_KEPT:
                self._matches.clear()
            known = self._matches[key] = tuple(self._match(key))
        return list(known)

    def _match(self, terms: tuple[str, ...]) -> list[Match]:
        query = self._vector(terms)
        norm = math.sqrt(sum(w * w for w in query.values()))
        if norm == 0.0:
            return []
        dots: dict[int, float] = defaultdict(float)
        for term, weight in query.items():
            for idx, w in self._example_postings.get(term, ()):
                dots[idx] += weight * w
        # Only intents some term reaches are scored: the cost follows the postings
        # read, not the number of intents.
        nearest: dict[int, float] = {}
        for idx, dot in dots.items():
            intent = self._example_intent[idx]
            nearest[intent] = max(nearest.get(intent, 0.0), dot / norm)
        centroid: dict[int, float] = defaultdict(float)
        for term, weight in query.items():
            for intent, w in self._centroid_postings.get(term, ()):
                centroid[intent] += weight * w / norm
        s = self.settings
        scores = {
            i: s.nearest_weight * nearest.get(i, 0.0) + s.centroid_weight * centroid.get(i, 0.0)
            for i in nearest.keys() | centroid.keys()
        }
        self._boost_near_duplicate(" ".join(terms), query, norm, dots, scores)
        ranked = sorted(scores, key=lambda i: (-scores[i], i))
        return [
            Match(intent=self._intents[i], confidence=round(min(1.0, scores[i]), 4)) for i in ranked
        ]

    def _boost_near_duplicate(
        self,
        text: str,
        query: Mapping[str, float],
        norm: float,
        dots: Mapping[int, float],
        scores: dict[int, float],
    ) -> None:
        # A question that is an example up to a typo or a word order deserves that
        # example's intent, whatever the weights say; but only if most of its
        # weight is on known terms, or "machine a laver" would copy "machine".
        if self.weights.known_share(query, norm) < 0.9:
            return
        # A near-duplicate shares most terms, so it is among the closest examples
        # by weight: comparing strings with those only keeps the cost flat as
        # examples are added.
        nearest = heapq.nlargest(_FUZZY_CANDIDATES, dots, key=dots.__getitem__)
        best = process.extractOne(
            text,
            {i: self._example_texts[i] for i in nearest},
            scorer=fuzz.token_sort_ratio,
            score_cutoff=self.settings.fuzzy_cutoff,
        )
        if best is not None:
            intent = self._example_intent[best[2]]
            scores[intent] = max(scores.get(intent, 0.0), best[1] / 100.0)


def _truncate(postings: dict[str, list[tuple[int, float]]], limit: int) -> None:
    # A word in thousands of examples tells little about any one of them: keeping
    # the entries where it weighs most bounds the work per query term.
    for term, entries in postings.items():
        if len(entries) > limit:
            postings[term] = heapq.nlargest(limit, entries, key=lambda e: e[1])


def _unit(vector: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {t: w / norm for t, w in vector.items()} if norm else {}
