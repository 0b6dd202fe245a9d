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

import numpy as np

from bot.domain import Match
from bot.nlp.analyzer import Analysis
from bot.nlp.classifier import SoftmaxModel
from bot.nlp.matcher import IntentMatcher

__all__ = ["Ranker", "Ranking"]

# Intents a ranking lists: the best and the alternatives channels show.
_TOP = 10


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
        self._weight = classifier_weight
        self._class_index = {name: i for i, name in enumerate(model.classes)}
        self._rejecting_index = np.array(
            [i for i, name in enumerate(model.classes) if name in rejecting], dtype=np.intp
        )
        self._answerable = len(model.classes) - len(self._rejecting_index)

    def rank(self, analysis: Analysis) -> Ranking:
        terms = analysis.terms
        if not terms:
            return Ranking(matches=(), out_of_scope=False)
        similar = self.matcher.match(terms)
        probabilities = self.model.probabilities(analysis)
        coverage = self.matcher.coverage(terms)
        out_of_scope = bool(np.isin(int(probabilities.argmax()), self._rejecting_index))
        in_scope = 1.0 - float(probabilities[self._rejecting_index].sum())
        scores = self._weight * probabilities
        for match in similar:
            scores[self._class_index[match.intent]] += (1 - self._weight) * match.confidence
        scores[self._rejecting_index] = -np.inf
        top = np.argsort(-scores, kind="stable")[: min(_TOP, self._answerable)]
        best = float(scores[top[0]]) or 1.0
        confidence = coverage * coverage * in_scope
        matches = tuple(
            Match(
                intent=self.model.classes[i],
                confidence=round(confidence * float(scores[i]) / best, 4),
            )
            for i in top
        )
        return Ranking(matches=matches, out_of_scope=out_of_scope)
