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

An FAQ question names its subject (Docker, a VM, a hypervisor...). When the best
intent is an FAQ one and the question names none, the words the bot does not
know weigh more: "architecture gothique" is about something else, while "niveau
secu c'est quoi le mieux" (every word known) keeps its confidence.
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
# Extra power of the coverage for FAQ questions that name no anchor: 0 would ignore
# anchors. Chosen on benchmarks/data/dev_questions.yaml (out-of-scope rejection
# 0.886 -> 0.95, in-scope accuracy unchanged from 0 to 8).
_UNANCHORED_COVERAGE_POWER = 4


@dataclass(frozen=True, kw_only=True)
class Ranking:
    """In-scope intents best first, and whether the classifier judged the text out of scope."""

    matches: tuple[Match, ...]
    out_of_scope: bool
    # The out-of-scope class that won ("hors_sources": in the domain, not in the sources).
    rejected_by: str | None = None


class Ranker:
    """Ranks intents for analysed terms; pure and cheap per call."""

    def __init__(
        self,
        *,
        model: SoftmaxModel,
        matcher: IntentMatcher,
        rejecting: frozenset[str],
        anchored: frozenset[str] = frozenset(),
        anchors: frozenset[str] = frozenset(),
        classifier_weight: float = 0.8,
    ) -> None:
        """`anchored`: intents whose questions name one of the `anchors` (terms)."""
        self.model = model
        self.matcher = matcher
        self._anchored = anchored
        self._anchors = anchors
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
        best_class = int(probabilities.argmax())
        out_of_scope = bool(np.isin(best_class, self._rejecting_index))
        in_scope = 1.0 - float(probabilities[self._rejecting_index].sum())
        scores = self._weight * probabilities
        for match in similar:
            scores[self._class_index[match.intent]] += (1 - self._weight) * match.confidence
        scores[self._rejecting_index] = -np.inf
        top = np.argsort(-scores, kind="stable")[: min(_TOP, self._answerable)]
        best = float(scores[top[0]]) or 1.0
        confidence = coverage * coverage * in_scope
        if self.model.classes[top[0]] in self._anchored and self._anchors.isdisjoint(terms):
            confidence *= coverage**_UNANCHORED_COVERAGE_POWER
        matches = tuple(
            Match(
                intent=self.model.classes[i],
                confidence=round(confidence * float(scores[i]) / best, 4),
            )
            for i in top
        )
        # Words that are not even French ("zorglub") tell nothing about what was meant.
        readable = self.matcher.reads_any(terms)
        rejected_by = self.model.classes[best_class] if out_of_scope and readable else None
        return Ranking(matches=matches, out_of_scope=out_of_scope, rejected_by=rejected_by)
