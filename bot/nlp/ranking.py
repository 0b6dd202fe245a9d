"""One confidence per intent from two views: the classifier and the similarity matcher.

The classifier ranks well but is sure of itself on questions it has never seen;
the matcher knows which words it has never seen. The confidence is their mean,
scaled by the share of the question the bot's vocabulary covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain import Match
from bot.nlp.classifier import SoftmaxModel
from bot.nlp.matcher import IntentMatcher

__all__ = ["Ranker", "Ranking"]


@dataclass(frozen=True, kw_only=True)
class Ranking:
    """In-scope intents best first, and whether the classifier judged the text out of scope."""

    matches: tuple[Match, ...]
    out_of_scope: bool


class Ranker:
    """Ranks intents for analysed terms; pure and cheap per call."""

    def __init__(
        self, *, model: SoftmaxModel, matcher: IntentMatcher, rejecting: frozenset[str]
    ) -> None:
        self.model = model
        self.matcher = matcher
        self._rejecting = rejecting

    def rank(self, terms: Sequence[str]) -> Ranking:
        similar = {m.intent: m.confidence for m in self.matcher.match(terms)}
        if not similar:
            return Ranking(matches=(), out_of_scope=False)
        probabilities = self.model.probabilities(terms)
        coverage = self.matcher.coverage(terms)
        best_class = self.model.classes[int(probabilities.argmax())]
        matches = [
            Match(
                intent=name,
                confidence=round(coverage * (float(p) + similar.get(name, 0.0)) / 2, 4),
            )
            for name, p in zip(self.model.classes, probabilities, strict=True)
            if name not in self._rejecting
        ]
        matches.sort(key=lambda m: -m.confidence)
        return Ranking(matches=tuple(matches), out_of_scope=best_class in self._rejecting)
