"""The advisor's choice of question, weighed per side total, is the one the plain
enumeration of every way of answering the open criteria makes, each way as likely as
the prior says."""

import itertools
import math
import random
from collections import defaultdict

import pytest

from bot.dialogue import advisor
from bot.domain import Criterion, Verdict
from bot.engine import Bot


def _criterion(name: str, favours: str, weight: int, prevalence: float = 0.2) -> Criterion:
    return Criterion(
        id=name,
        favours=favours,
        weight=weight,
        prevalence=prevalence,
        question="",
        reason="",
        absent="",
        sources=(),
        examples=(),
    )


def _enumerated(criteria: list[Criterion], answers: dict[str, Verdict]) -> dict[str, float]:
    """The reference: every way of answering the open criteria, one by one (2^n), each
    as likely as the prior makes it."""
    open_ones = [c for c in criteria if c.id not in answers]
    open_ids = [c.id for c in open_ones]
    priors = [_prior(criteria, answers, c) for c in open_ones]
    chances: dict[str, float] = defaultdict(float)
    for values in itertools.product((Verdict.YES, Verdict.NO), repeat=len(open_ids)):
        chance = math.prod(
            p if v is Verdict.YES else 1 - p for p, v in zip(priors, values, strict=True)
        )
        result = advisor.outcome(criteria, {**answers, **dict(zip(open_ids, values, strict=True))})
        chances[result] += chance
    return chances


def _prior(criteria: list[Criterion], answers: dict[str, Verdict], need: Criterion) -> float:
    """The reference chance of a need: its prevalence, times OPPOSED per unit of weight
    the user has on the other side."""
    other = sum(
        c.weight for c in criteria if c.favours != need.favours and answers.get(c.id) is Verdict.YES
    )
    return need.prevalence * advisor.OPPOSED**other


def _entropy(chances: dict[str, float]) -> float:
    total = sum(chances.values())
    return -sum(p / total * math.log2(p / total) for p in chances.values() if p)


def _enumerated_settled(criteria: list[Criterion], answers: dict[str, Verdict]) -> str | None:
    result = advisor.outcome(criteria, answers)
    chance = _enumerated(criteria, answers).get(result, 0.0)
    return result if chance >= advisor.SETTLED - 1e-9 else None


def _enumerated_choice(criteria: list[Criterion], answers: dict[str, Verdict]) -> str | None:
    """The reference choice: the least uncertainty expected, then the heaviest, then the
    first."""
    if _enumerated_settled(criteria, answers) is not None:
        return None
    keys = [
        (
            round(
                _prior(criteria, answers, c)
                * _entropy(_enumerated(criteria, {**answers, c.id: Verdict.YES}))
                + (1 - _prior(criteria, answers, c))
                * _entropy(_enumerated(criteria, {**answers, c.id: Verdict.NO})),
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
        _criterion(
            f"c{i}",
            rng.choice(["vm", "conteneur"]),
            rng.randint(1, 3),
            rng.choice([0.05, 0.1, 0.2, 0.3]),
        )
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
        expected = _enumerated_settled(criteria, answers)
        assert advisor.settled_outcome(criteria, answers) == expected, answers


def _questions_until_settled(criteria: list[Criterion], answers: dict[str, Verdict]) -> list[str]:
    """The criteria asked, each answered no, until the advisor stops."""
    asked = []
    while (chosen := advisor.next_question(criteria, answers)) is not None:
        asked.append(chosen.id)
        answers = {**answers, chosen.id: Verdict.NO}
    return asked


def test_clear_container_needs_spare_the_user_some_strong_vm_questions(bot: Bot) -> None:
    criteria = list(bot.catalog.criteria.values())
    strong_vm = [c.id for c in criteria if c.favours == "vm" and c.weight >= advisor.STRONG_NEED]
    told = dict.fromkeys(("microservices", "deploiement_rapide", "cloud_distribue"), Verdict.YES)
    assert len(_questions_until_settled(criteria, told)) < len(strong_vm)


def test_one_container_need_alone_still_asks_about_the_strong_vm_needs(bot: Bot) -> None:
    criteria = list(bot.catalog.criteria.values())
    asked = _questions_until_settled(criteria, {"deploiement_rapide": Verdict.YES})
    assert {"dependances_os", "application_heritee"} <= set(asked)


def test_needs_on_one_side_make_the_other_sides_rarer() -> None:
    alone = advisor.damping("vm", vm_known=0, container_known=0)
    assert advisor.damping("vm", vm_known=0, container_known=3) < alone
    assert advisor.damping("vm", vm_known=3, container_known=0) == alone
