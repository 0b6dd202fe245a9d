"""The criteria model: which needs a statement speaks of, and what it says of each.

Two questions, two kinds of model, each trained on the criteria's examples:
- topic: one binary model per criterion (is the statement about it?), so that a
  statement may speak of two needs at once ("une vieille appli qui ne tourne que
  sous Windows XP") without their sharing one probability;
- polarity: one three-way model per criterion (the user has the need, has not, does
  not know), trained on that criterion's own examples. It reads what a statement
  says before its negation: "il n'y a pas de microservices" is learnt as a statement
  that there are microservices, negated; reading it, the model says "oui" and the
  negation turns it into "non". So "ce n'est pas un monolithe" (a monolith, negated)
  reads as "oui" without an example of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.domain import Criterion, Verdict
from bot.nlp.analyzer import Analysis, Analyzer
from bot.nlp.classifier import SoftmaxModel, train_softmax
from bot.nlp.forms import Forms

__all__ = ["NeedsModel", "statement_analysis", "train_needs"]

_ABOUT, _OTHER = "oui", "non"
_NEGATED_CUE = "negated"
_WITHOUT = "sans"


@dataclass(frozen=True, kw_only=True)
class NeedsModel:
    """Per criterion: a topic model (about it or not) and a polarity model."""

    topics: dict[str, SoftmaxModel]
    polarities: dict[str, SoftmaxModel]

    def about(self, criterion: str, analysis: Analysis) -> float:
        """The probability that the statement speaks of this criterion."""
        model = self.topics[criterion]
        return float(model.probabilities(analysis)[model.classes.index(_ABOUT)])

    def verdict(self, criterion: str, analysis: Analysis) -> tuple[Verdict, float]:
        """What the statement says of the criterion, and how sure that reading is."""
        model = self.polarities[criterion]
        p = model.probabilities(analysis)
        best = int(p.argmax())
        verdict = Verdict(model.classes[best])
        return (_flipped(verdict) if _NEGATED_CUE in analysis.cues else verdict), float(p[best])


def _flipped(verdict: Verdict) -> Verdict:
    return {Verdict.YES: Verdict.NO, Verdict.NO: Verdict.YES}.get(verdict, verdict)


def statement_analysis(text: str, analyzer: Analyzer, forms: Forms) -> Analysis:
    """A statement's analysis, with a cue when it is negated.

    "pas", "jamais", "rien", "aucun", "ni"... negate once however many there are
    ("on n'a rien chez AWS ni ailleurs"); "sans" negates alone and cancels another
    negation ("ça ne tourne pas sans Windows" needs Windows); a restriction is no
    negation ("pour Windows et rien d'autre").
    """
    analysis = analyzer.analyze(text)
    negations = forms.grammar.negations
    words = set(forms.without_restrictives(list(analysis.tokens)))
    negated = bool(words & (negations - {_WITHOUT}))
    if _WITHOUT in words:
        negated = not negated
    if negated:
        return replace(analysis, cues=(*analysis.cues, _NEGATED_CUE))
    return analysis


def train_needs(
    criteria: Sequence[Criterion],
    unrelated: Sequence[str],
    analyzer: Analyzer,
    forms: Forms,
) -> NeedsModel:
    """Train both models; `unrelated` are statements about no criterion (neutral ones,
    off-topic messages): the topic models learn from them what no need looks like."""
    said: dict[str, list[tuple[Verdict, Analysis]]] = {}
    for criterion in criteria:
        texts = criterion.examples_by_verdict()
        texts = {
            **texts,
            Verdict.YES: (*texts[Verdict.YES], criterion.reason),
            Verdict.NO: (*texts[Verdict.NO], criterion.absent),
        }
        said[criterion.id] = [
            (verdict, statement_analysis(t, analyzer, forms))
            for verdict, ts in texts.items()
            for t in ts
        ]
    others = [statement_analysis(t, analyzer, forms) for t in unrelated]
    topics: dict[str, SoftmaxModel] = {}
    polarities: dict[str, SoftmaxModel] = {}
    for need, samples in said.items():
        outside = [a for c, s in said.items() if c != need for _, a in s] + others
        # Each need is a small share of all statements: its examples are repeated so
        # that they weigh a third of the rest, or the topic would only win when alone.
        repeat = max(1, len(outside) // (3 * max(len(samples), 1)))
        topics[need] = train_softmax(
            [(_ABOUT, a) for _, a in samples] * repeat + [(_OTHER, a) for a in outside]
        )
        # Learnt before negation: a negated example teaches what its words affirm.
        polarities[need] = train_softmax(
            [((_flipped(v) if _NEGATED_CUE in a.cues else v).value, a) for v, a in samples]
        )
    return NeedsModel(topics=topics, polarities=polarities)
