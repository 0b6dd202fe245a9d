"""The criteria model: which needs a statement speaks of, and what it says of each.

Two questions, two kinds of model, each trained on the criteria's examples:
- topic: one binary model per criterion (is the statement about it?), so that a
  statement may speak of two needs at once ("une vieille appli qui ne tourne que
  sous Windows XP") without their sharing one probability;
- polarity: one three-way model per criterion (the user has the need, has not, does
  not know), trained on that criterion's own examples, whose terms a negation
  covers are marked ("il n'y a pas de ¬microservice"). Each example that holds no
  negation also teaches its negated form, marked and with the opposite verdict:
  so "pas de microservices" reads as "non" without an example of its own, while
  a negation that is the need itself ("ne s'installe pas sur les versions
  récentes": legacy) is learnt from the examples that say it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Any

from bot.domain import Catalog, IntentKind, Verdict
from bot.nlp.analyzer import Analysis, Analyzer
from bot.nlp.classifier import SoftmaxModel, train_softmax, vocabulary
from bot.nlp.matcher import TrainingExample

__all__ = ["NeedsModel", "statement_analysis", "train_needs"]

_ABOUT, _OTHER = "oui", "non"
# Statements whose features the topic models keep; past it, each model reads its own.
_ROWS_KEPT = 4_096
_NOT = "¬"


@dataclass(frozen=True, kw_only=True)
class NeedsModel:
    """Per criterion: a topic model (about it or not) and a polarity model; and the
    terms of the examples they learnt from (what share of a statement they know)."""

    topics: dict[str, SoftmaxModel]
    polarities: dict[str, SoftmaxModel]
    # the terms of each criterion's examples: what the reader's word weights stand on
    said: tuple[TrainingExample, ...]

    def about(self, criterion: str, analysis: Analysis) -> float:
        """The probability that the statement speaks of this criterion."""
        model = self.topics[criterion]
        rows = self._topic_rows
        if rows is None or len(rows) > _ROWS_KEPT:
            probabilities = model.probabilities(analysis)
        else:
            # The topic models share their features: one row serves them all.
            row = rows.get(analysis)
            if row is None:
                row = rows[analysis] = model.row(analysis)
            probabilities = model.probabilities_of_row(*row)
        return float(probabilities[model.classes.index(_ABOUT)])

    @cached_property
    def _topic_rows(self) -> dict[Analysis, tuple[Any, Any]] | None:
        """The rows of the statements read so far, if the topic models share one feature
        index (they are trained on the same statements); None if not. Compared by value:
        a model loaded from the cache holds its own copy."""
        indexes = [m.index for m in self.topics.values()]
        return {} if all(i is indexes[0] or i == indexes[0] for i in indexes) else None

    def verdict(self, criterion: str, analysis: Analysis) -> Verdict:
        """What the statement says of the criterion.

        `analysis` is a `statement_analysis`: its terms carry the negation marks.
        """
        model = self.polarities[criterion]
        return Verdict(model.classes[int(model.probabilities(analysis).argmax())])


def _flipped(verdict: Verdict) -> Verdict:
    return {Verdict.YES: Verdict.NO, Verdict.NO: Verdict.YES}.get(verdict, verdict)


@lru_cache(maxsize=1024)
def statement_analysis(text: str, analyzer: Analyzer) -> Analysis:
    """A statement's analysis for the polarity models: the terms a negation covers
    are marked ("¬microservice"). Memoised: reading a message asks for the same
    statements several times, and the analysis is a function of the text."""
    return replace(analyzer.analyze(text), terms=analyzer.negated_terms(text))


def _negated(analysis: Analysis) -> Analysis:
    """The same statement, negated: every term marked."""
    return replace(analysis, terms=tuple(_NOT + t for t in analysis.terms))


def train_needs(catalog: Catalog, analyzer: Analyzer) -> NeedsModel:
    """Train both models on the criteria's examples. Statements about no criterion
    (the neutral ones, and every out-of-scope example) teach the topic models what
    no need looks like."""
    criteria = list(catalog.criteria.values())
    unrelated = [*catalog.neutral_statements] + [
        e for i in catalog.intents.values() if i.kind is IntentKind.OUT_OF_SCOPE for e in i.examples
    ]
    # Per criterion: (verdict, plain analysis for the topic, marked one for polarity).
    said: dict[str, list[tuple[Verdict, Analysis, Analysis]]] = {}
    for criterion in criteria:
        texts = criterion.examples_by_verdict()
        texts = {
            **texts,
            Verdict.YES: (*texts[Verdict.YES], criterion.reason),
            Verdict.NO: (*texts[Verdict.NO], criterion.absent),
        }
        said[criterion.id] = [
            (verdict, analyzer.analyze(t), statement_analysis(t, analyzer))
            for verdict, ts in texts.items()
            for t in ts
        ]
    others = [analyzer.analyze(t) for t in unrelated]
    grammar = analyzer.grammar
    negation_words = grammar.negations | grammar.negations_after_ne
    topics: dict[str, SoftmaxModel] = {}
    polarities: dict[str, SoftmaxModel] = {}
    # Every topic model learns from all the statements (its own criterion's as "oui"):
    # they share one vocabulary, computed once, and so one row per statement read.
    everything = [(_OTHER, a) for s in said.values() for _, a, _ in s] + [
        (_OTHER, a) for a in others
    ]
    _, index, idf = vocabulary(everything)
    shared = (tuple(sorted((_ABOUT, _OTHER))), index, idf)
    for need, samples in said.items():
        outside = [a for c, s in said.items() if c != need for _, a, _ in s] + others
        # Each need is a small share of all statements: its examples weigh more, a
        # third of the rest together, or the topic would only win when alone.
        heavier = max(1.0, len(outside) / (3 * max(len(samples), 1)))
        topics[need] = train_softmax(
            [(_ABOUT, a) for _, a, _ in samples] + [(_OTHER, a) for a in outside],
            sample_weights=[heavier] * len(samples) + [1.0] * len(outside),
            features_of=shared if samples and outside else None,
        )
        # Each plain example teaches its negation too: "pas de ¬microservice" is no.
        # Not an example that holds a negation word, marked or not: "tourne plus sur
        # les OS récents" (typed without its "ne") is no plain statement to negate.
        negated = [
            (_flipped(v).value, _negated(m))
            for v, _, m in samples
            if v is not Verdict.UNKNOWN and negation_words.isdisjoint(m.tokens)
        ]
        polarities[need] = train_softmax([(v.value, m) for v, _, m in samples] + negated)
    examples = tuple(
        TrainingExample(intent=c, terms=a.terms) for c, s in said.items() for _, a, _ in s
    )
    return NeedsModel(topics=topics, polarities=polarities, said=examples)
