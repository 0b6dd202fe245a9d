"""Deciding in two steps: which intent (ranking), then how sure (confidence).

Intents are ranked by the classifier's probability. (Blending in the matcher's
similarity to the examples, as before, changed nothing on the development sets
once the examples grew fourfold, and cost half of each question's time.) In a long
message, the part that holds the question (`focus`) weighs more than the story
around it. The matcher still weighs words: the share of a message the bot knows.

How sure the bot is that the best intent is right is a separate question, answered
by a small logistic model over signals of the ranking (`Signals`): the classifier's
probability of the best intent and of the out-of-scope classes, the margin over the
runner-up, the share of the message's words the bot knows (in the whole message and
in its question), whether the message names the domain's subject. Its weights are
chosen by benchmarks/calibrate.py on the development sets, like the thresholds
applied to the confidence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain import Match
from bot.nlp.analyzer import Analysis
from bot.nlp.classifier import SoftmaxModel
from bot.nlp.matcher import TermWeights

__all__ = ["ConfidenceModel", "Ranker", "Ranking", "Signals"]

# Intents a ranking lists: the best and the alternatives channels show (the three after
# the best, once the engine has put the best's mirror first and taken it out of the rest).
_TOP = 5
# Analyses and rankings remembered; emptied when full (a flood of distinct messages).
_KEPT = 8_192


@dataclass(frozen=True, kw_only=True)
class Signals:
    """What the confidence is computed from, for the best intent of a ranking."""

    probability: float  # the classifier's probability of the best intent
    in_scope: float  # 1 - the probability of the out-of-scope classes
    # the same, for the whole message alone: a story around a question counts too
    # ("je repeins la chambre... faut-il que je recommence ?" is not about the bot)
    whole_in_scope: float
    unsourced: float  # the probability of the class of questions the sources do not answer
    margin: float  # best probability - runner-up probability
    coverage: float  # share of the whole message's weight on known words
    focus_coverage: float  # the same, in the part holding the question
    named: float  # 1 if the message names the domain's subject
    faq: float  # 1 if the best intent is an FAQ one (it must name its subject)
    length: float  # log(1 + number of terms)
    false_friend: float  # 1 if a word gives a domain word another sense ("maritime")
    # The known share squared, times in_scope; to the power 4 more for an FAQ
    # question that names no subject ("architecture gothique" is about something else).
    strict: float

    def vector(self) -> tuple[float, ...]:
        return (
            self.probability,
            self.in_scope,
            self.whole_in_scope,
            self.unsourced,
            self.margin,
            self.coverage,
            self.focus_coverage,
            self.named,
            self.faq,
            self.length,
            self.false_friend,
            self.strict,
        )


@dataclass(frozen=True, kw_only=True)
class ConfidenceModel:
    """A logistic model: confidence = sigmoid(bias + weights . signals)."""

    weights: tuple[float, ...]
    bias: float

    def confidence(self, signals: Signals) -> float:
        z = self.bias + sum([w * x for w, x in zip(self.weights, signals.vector(), strict=True)])
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(frozen=True, kw_only=True)
class Ranking:
    """In-scope intents best first, and whether the classifier judged the text out of scope."""

    matches: tuple[Match, ...]
    out_of_scope: bool
    # The out-of-scope class that won ("hors_sources": in the domain, not in the sources).
    rejected_by: str | None = None
    signals: Signals | None = None


class Ranker:
    """Ranks intents for analysed terms; pure and cheap per call."""

    def __init__(
        self,
        *,
        model: SoftmaxModel,
        weights: TermWeights,
        rejecting: frozenset[str],
        confidence: ConfidenceModel,
        unsourced: str | None = None,
        anchored: frozenset[str] = frozenset(),
        anchors: frozenset[str] = frozenset(),
        false_friends: frozenset[str] = frozenset(),
        focus_weight: float = 0.7,
        strict_gate: float = 0.5,
    ) -> None:
        """`anchored`: intents whose questions name one of the `anchors` (terms);
        `unsourced`: the out-of-scope class of domain questions the sources do not answer."""
        self.model = model
        self.weights = weights
        self._confidence = confidence
        self._anchored = anchored
        self._anchors = anchors
        self._false_friends = false_friends
        self._focus_weight = focus_weight
        self._strict_gate = strict_gate
        self._class_index = {name: i for i, name in enumerate(model.classes)}
        self._rejecting_order = [i for i, name in enumerate(model.classes) if name in rejecting]
        self._rejecting = frozenset(self._rejecting_order)
        # The classes a ranking may list, in class order (ties keep it).
        self._listable = [i for i in range(len(model.classes)) if i not in self._rejecting]
        self._unsourced = self._class_index.get(unsourced) if unsourced is not None else None
        # Rankings by (message, question): a function of them, asked again and again
        # by a long-lived process (FAQ questions, a dialogue's retries).
        self._rankings: dict[tuple[Analysis, Analysis | None], Ranking] = {}

    @property
    def confidence(self) -> ConfidenceModel:
        """The model of how sure the best intent is right."""
        return self._confidence

    @confidence.setter
    def confidence(self, model: ConfidenceModel) -> None:
        # A new confidence model (benchmarks/calibrate.py) ranks anew.
        self._confidence = model
        self._rankings = {}

    def preload(self, analyses: Sequence[Analysis]) -> None:
        """Computes the classifier's probabilities of these analyses ahead, in one sparse
        product over them all rather than a product per message."""
        self.model.preload(analyses)

    def rank(self, analysis: Analysis, focus: Analysis | None = None) -> Ranking:
        """Rank intents for a message; `focus` is the part of a long message that holds
        its question ("... bref, c'est quoi la différence ?"), weighed above the rest."""
        key = (analysis, focus)
        ranking = self._rankings.get(key)
        if ranking is None:
            if len(self._rankings) >= _KEPT:
                self._rankings.clear()
            ranking = self._rankings[key] = self._rank(analysis, focus)
        return ranking

    def _rank(self, analysis: Analysis, focus: Analysis | None) -> Ranking:
        terms = analysis.terms
        if not terms:
            return Ranking(matches=(), out_of_scope=False)
        probabilities = self.model.probabilities(analysis)
        whole: list[float] = probabilities.tolist()
        whole_in_scope = in_scope = 1.0 - sum([whole[i] for i in self._rejecting_order])
        coverage = focus_coverage = self.weights.coverage(terms)
        listed = whole
        if focus is not None and focus.terms:
            w = self._focus_weight
            probabilities = (1 - w) * probabilities + w * self.model.probabilities(focus)
            focus_coverage = self.weights.coverage(focus.terms)
            listed = probabilities.tolist()
            in_scope = 1.0 - sum([listed[i] for i in self._rejecting_order])
        # A few dozen classes: sorted in Python, as numpy would (the first of equals
        # first), without the cost of numpy calls on arrays this short. The first of
        # the most probable classes, as max(range(...), key=...) finds it.
        best_class = listed.index(max(listed))
        out_of_scope = best_class in self._rejecting
        top = sorted(self._listable, key=listed.__getitem__, reverse=True)[:_TOP]
        best_name = self.model.classes[top[0]]
        named = not self._anchors.isdisjoint(terms)
        faq = best_name in self._anchored
        strict = coverage * coverage * in_scope * (1.0 if named or not faq else coverage**4)
        signals = Signals(
            probability=listed[top[0]],
            in_scope=in_scope,
            whole_in_scope=whole_in_scope,
            unsourced=listed[self._unsourced] if self._unsourced is not None else 0.0,
            margin=listed[top[0]] - listed[top[1]] if len(top) > 1 else 1.0,
            coverage=coverage,
            focus_coverage=focus_coverage,
            named=float(named),
            faq=float(faq),
            length=math.log1p(len(terms)),
            false_friend=float(not self._false_friends.isdisjoint(terms)),
            strict=strict,
        )
        # The model is linear; a question that names no subject and holds unknown words
        # is capped by `strict` itself, whatever else it scores ("une instance de divorce").
        confidence = min(self._confidence.confidence(signals), strict / self._strict_gate)
        best = listed[top[0]] or 1.0
        classes = self.model.classes
        matches = tuple(
            [
                Match(
                    intent=classes[i], confidence=round(confidence * max(0.0, listed[i]) / best, 4)
                )
                for i in top
            ]
        )
        # Words that are not even French ("zorglub") tell nothing about what was meant.
        readable = out_of_scope and self.weights.reads_any(terms)
        rejected_by = self.model.classes[best_class] if readable else None
        return Ranking(
            matches=matches, out_of_scope=out_of_scope, rejected_by=rejected_by, signals=signals
        )
