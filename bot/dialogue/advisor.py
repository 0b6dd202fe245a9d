"""Which way the known criteria point, and which follow-up question to ask next.

Each side (VM, containers) scores the weights of its criteria the user has;
strong needs on both sides call for containers on VMs. Every way the unknown ones
could still be answered is weighed by how likely it is (each need is present in a
minority of projects, `PRIOR_YES`), per pair of side totals, so the work grows with
the criteria times the few totals, not twice per criterion. The advisor stops once
one outcome is all but certain (`SETTLED`), like a consultant who does not ask about
every rare need before advising, and says which unasked needs would change it;
otherwise it asks the question whose answer tells the most about the outcome.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from bot.domain import Criterion, Verdict

__all__ = [
    "PRIOR_YES",
    "SETTLED",
    "STRONG_NEED",
    "next_question",
    "outcome",
    "settled_outcome",
    "supporting",
    "unasked_changes",
]

VM, CONTAINER, BOTH = "vm", "conteneur", "conteneur_sur_vm"
# A side's score from which its needs count as strong ("isolation forte" alone).
STRONG_NEED = 2
# How likely an unasked need is present, and how likely an outcome must be to stop
# asking: chosen on the development personas (benchmarks/data/dev*_personas.yaml).
PRIOR_YES = 0.2
SETTLED = 0.9


def outcome(criteria: Iterable[Criterion], answers: Mapping[str, Verdict]) -> str:
    """The recommendation for these answers; an unanswered criterion counts as absent.

    >>> from bot.domain import Criterion
    >>> iso = Criterion(id="iso", favours="vm", weight=2, question="", reason="", absent="",
    ...                 sources=(), examples=())
    >>> micro = Criterion(id="micro", favours="conteneur", weight=2, question="", reason="",
    ...                   absent="", sources=(), examples=())
    >>> outcome([iso, micro], {"iso": Verdict.YES, "micro": Verdict.YES})
    'conteneur_sur_vm'
    """
    score = {VM: 0, CONTAINER: 0}
    for criterion in criteria:
        if answers.get(criterion.id) is Verdict.YES:
            score[criterion.favours] += criterion.weight
    return _decided(score[VM], score[CONTAINER])


def _decided(vm: int, container: int) -> str:
    """The outcome for the weights of the needs each side has."""
    if vm >= STRONG_NEED and container >= STRONG_NEED:
        return BOTH
    if vm > container:
        return VM
    if container > vm:
        return CONTAINER
    # Only weak needs on both sides, or none at all: containers run on VMs anyway.
    return BOTH if vm else CONTAINER


def _possible(criteria: list[Criterion], answers: Mapping[str, Verdict]) -> dict[str, float]:
    """How likely each outcome is, given the answers, when each open criterion is a
    need with probability `PRIOR_YES`.

    The outcome depends only on each side's total weight, so the ways are weighed
    per pair of totals, one criterion at a time: linear in the criteria, where
    listing every way would double with each one.
    """
    known = {VM: 0, CONTAINER: 0}
    for criterion in criteria:
        if answers.get(criterion.id) is Verdict.YES:
            known[criterion.favours] += criterion.weight
    ways: dict[tuple[int, int], float] = {(known[VM], known[CONTAINER]): 1.0}
    for criterion in criteria:
        if criterion.id in answers:
            continue
        grown: dict[tuple[int, int], float] = {}
        for (vm, container), chance in ways.items():
            no = (vm, container)
            yes = (
                (vm + criterion.weight, container)
                if criterion.favours == VM
                else (vm, container + criterion.weight)
            )
            grown[no] = grown.get(no, 0.0) + chance * (1 - PRIOR_YES)
            grown[yes] = grown.get(yes, 0.0) + chance * PRIOR_YES
        ways = grown
    chances: dict[str, float] = {}
    for (vm, container), chance in ways.items():
        result = _decided(vm, container)
        chances[result] = chances.get(result, 0.0) + chance
    return chances


def settled_outcome(criteria: list[Criterion], answers: Mapping[str, Verdict]) -> str | None:
    """The outcome the answers point to once it is all but certain (`SETTLED`), else None."""
    result = outcome(criteria, answers)
    return result if _possible(criteria, answers).get(result, 0.0) >= SETTLED else None


def next_question(criteria: list[Criterion], answers: Mapping[str, Verdict]) -> Criterion | None:
    """The open criterion whose answer leaves the least uncertainty on the outcome."""
    if settled_outcome(criteria, answers) is not None:
        return None
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, criterion in enumerate(criteria):
        if criterion.id in answers:
            continue
        remaining = PRIOR_YES * _entropy(
            _possible(criteria, {**answers, criterion.id: Verdict.YES})
        ) + (1 - PRIOR_YES) * _entropy(_possible(criteria, {**answers, criterion.id: Verdict.NO}))
        key = (round(remaining, 9), -criterion.weight, order)
        if best is None or key < best:
            best, chosen = key, criterion
    return chosen


def unasked_changes(criteria: list[Criterion], answers: Mapping[str, Verdict]) -> list[Criterion]:
    """The open criteria of each side whose needs, if the user had them, would change
    the outcome: what the advice assumed absent without asking."""
    result = outcome(criteria, answers)
    changing: set[str] = set()
    for side in (VM, CONTAINER):
        open_ones = [c for c in criteria if c.id not in answers and c.favours == side]
        if (
            outcome(criteria, {**answers, **dict.fromkeys((c.id for c in open_ones), Verdict.YES)})
            != result
        ):
            changing.update(c.id for c in open_ones)
    return [c for c in criteria if c.id in changing]


def supporting(
    criteria: Iterable[Criterion], answers: Mapping[str, Verdict], result: str
) -> list[Criterion]:
    """The criteria the user has that point toward this outcome (both sides for both)."""
    sides = {VM: {VM}, CONTAINER: {CONTAINER}, BOTH: {VM, CONTAINER}}[result]
    return [c for c in criteria if answers.get(c.id) is Verdict.YES and c.favours in sides]


def _entropy(chances: Mapping[str, float]) -> float:
    total = sum(chances.values())
    return -sum(p / total * math.log2(p / total) for p in chances.values() if p)
