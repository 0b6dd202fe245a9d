"""One confidence per intent from two views: the classifier and the similarity matcher.

Intents are ranked by the classifier's probability blended with the matcher's
similarity (which holds the near-duplicate signal), mostly the former: 5-fold
cross-validation put a pure classifier and a 0.8 blend within noise of each
other, both ahead of an even mean. Whether the question is in scope at all is a separate matter: the
confidence of the best intent is the squared share of the question the bot's
vocabulary covers, times the classifier's probability that it is not out of
scope (uncertainty between two in-scope intents is no sign of an off-topic
question). Other intents get that confidence scaled by their score relative to
the best. benchmarks/calibrate.py chose this form by cross-validation.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Match
from bot.nlp.analyzer import Analysis
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
        self,
        *,
        model: SoftmaxModel,
        matcher: IntentMatcher,
        rejecting: frozenset[str],
        classifier_weight: float = 0.8,
    ) -> None:
        self.model = model
        self.matcher = matcher
        self._rejecting = rejecting
        self._weight = classifier_weight

    def rank(self, analysis: Analysis) -> Ranking:
        terms = analysis.terms
        similar = {m.intent: m.confidence for m in self.matcher.match(terms)}
        if not similar:
            return Ranking(matches=(), out_of_scope=False)
        probabilities = self.model.probabilities(analysis)
        coverage = self.matcher.coverage(terms)
        best_class = self.model.classes[int(probabilities.argmax())]
        in_scope = 1.0 - sum(
            float(p)
            for name, p in zip(self.model.classes, probabilities, strict=True)
            if name in self._rejecting
        )
        scores = {
            name: self._weight * float(p) + (1 - self._weight) * similar.get(name, 0.0)
            for name, p in zip(self.model.classes, probabilities, strict=True)
            if name not in self._rejecting
        }
        best = max(scores.values()) or 1.0
        confidence = coverage * coverage * in_scope
        matches = [
            Match(intent=name, confidence=round(confidence * score / best, 4))
            for name, score in scores.items()
        ]
        matches.sort(key=lambda m: -m.confidence)
        return Ranking(matches=tuple(matches), out_of_scope=best_class in self._rejecting)
