"""The advisor's choice of question, counted per side total, is the one the plain
enumeration of every way of answering the open criteria makes."""

import itertools
import math
import random
from collections import Counter

import pytest

from bot.dialogue import advisor
from bot.domain import Criterion, Verdict
from bot.engine import Bot


def _criterion(name: str, favours: str, weight: int) -> Criterion:
    return Criterion(
        id=name,
        favours=favours,
        weight=weight,
        question="",
        reason="",
        absent="",
        sources=(),
        examples=(),
    )


def _enumerated(criteria: list[Criterion], answers: dict[str, Verdict]) -> Counter[str]:
    """The reference: every way of answering the open criteria, one by one (2^n)."""
    open_ids = [c.id for c in criteria if c.id not in answers]
    counts: Counter[str] = Counter()
    for values in itertools.product((Verdict.YES, Verdict.NO), repeat=len(open_ids)):
        counts[
            advisor.outcome(criteria, {**answers, **dict(zip(open_ids, values, strict=True))})
        ] += 1
    return counts


def _entropy(counts: Counter[str]) -> float:
    total = sum(counts.values())
    return -sum(n / total * math.log2(n / total) for n in counts.values() if n)


def _enumerated_choice(criteria: list[Criterion], answers: dict[str, Verdict]) -> str | None:
    """The reference choice: the least uncertainty left, then the heaviest, then the first."""
    if len(_enumerated(criteria, answers)) == 1:
        return None
    keys = [
        (
            round(
                sum(
                    _entropy(_enumerated(criteria, {**answers, c.id: v}))
                    for v in (Verdict.YES, Verdict.NO)
                ),
                9,
            ),
            -c.weight,
            order,
            c.id,
        )
        for order, c in enumerate(criteria)
        if c.id not in answers
    ]
    return min(keys)[3]


def _random_states(
    criteria: list[Criterion], rng: random.Random, count: int
) -> list[dict[str, Verdict]]:
    states = []
    for _ in range(count):
        answers = {}
        for c in criteria:
            pick = rng.choice([None, None, Verdict.YES, Verdict.NO, Verdict.UNKNOWN])
            if pick is not None:
                answers[c.id] = pick
        states.append(answers)
    return [{}, *states]


def _random_criteria(rng: random.Random) -> list[Criterion]:
    return [
        _criterion(f"c{i}", rng.choice(["vm", "conteneur"]), rng.randint(1, 3))
        for i in range(rng.randint(1, 10))
    ]


def test_the_question_chosen_is_the_enumerations_on_the_shipped_criteria(bot: Bot) -> None:
    criteria = list(bot.catalog.criteria.values())
    for answers in _random_states(criteria, random.Random(12), 300):
        chosen = advisor.next_question(criteria, answers)
        assert (chosen.id if chosen else None) == _enumerated_choice(criteria, answers), answers


@pytest.mark.parametrize("seed", range(20))
def test_the_question_chosen_is_the_enumerations_on_random_criteria(seed: int) -> None:
    rng = random.Random(seed)
    criteria = _random_criteria(rng)
    for answers in _random_states(criteria, rng, 30):
        chosen = advisor.next_question(criteria, answers)
        assert (chosen.id if chosen else None) == _enumerated_choice(criteria, answers), answers


@pytest.mark.parametrize("seed", range(20))
def test_the_settled_outcome_is_the_enumerations(seed: int) -> None:
    rng = random.Random(100 + seed)
    criteria = _random_criteria(rng)
    for answers in _random_states(criteria, rng, 30):
        counts = _enumerated(criteria, answers)
        expected = next(iter(counts)) if len(counts) == 1 else None
        assert advisor.settled_outcome(criteria, answers) == expected, answers
