"""Which way the known criteria point, and which follow-up question to ask next.

Each side (VM, containers) scores the weights of its criteria the user has;
strong needs on both sides call for containers on VMs. Every way the unknown ones
could still be answered is counted (per pair of side totals, so the work grows
with the criteria times the few totals, not twice per criterion): the advisor stops
as soon as they all lead to the same outcome, and otherwise asks the question whose
answer tells the most about it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

from bot.domain import Criterion, Verdict

__all__ = ["STRONG_NEED", "next_question", "outcome", "settled_outcome", "supporting"]

VM, CONTAINER, BOTH = "vm", "conteneur", "conteneur_sur_vm"
# A side's score from which its needs count as strong ("isolation forte" alone).
STRONG_NEED = 2


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


def _possible(criteria: list[Criterion], answers: Mapping[str, Verdict]) -> Counter[str]:
    """How many ways of answering the open criteria lead to each outcome.

    The outcome depends only on each side's total weight, so the ways are counted
    per pair of totals, one criterion at a time: linear in the criteria, where
    listing every way would double with each one.
    """
    known = {VM: 0, CONTAINER: 0}
    for criterion in criteria:
        if answers.get(criterion.id) is Verdict.YES:
            known[criterion.favours] += criterion.weight
    ways: Counter[tuple[int, int]] = Counter({(known[VM], known[CONTAINER]): 1})
    for criterion in criteria:
        if criterion.id in answers:
            continue
        grown: Counter[tuple[int, int]] = Counter()
        for (vm, container), count in ways.items():
            grown[(vm, container)] += count  # no
            if criterion.favours == VM:
                grown[(vm + criterion.weight, container)] += count
            else:
                grown[(vm, container + criterion.weight)] += count
        ways = grown
    counts: Counter[str] = Counter()
    for (vm, container), count in ways.items():
        counts[_decided(vm, container)] += count
    return counts


def settled_outcome(criteria: list[Criterion], answers: Mapping[str, Verdict]) -> str | None:
    """The outcome once no open criterion can change it, else None."""
    counts = _possible(criteria, answers)
    return next(iter(counts)) if len(counts) == 1 else None


def next_question(criteria: list[Criterion], answers: Mapping[str, Verdict]) -> Criterion | None:
    """The open criterion whose answer leaves the least uncertainty on the outcome."""
    if settled_outcome(criteria, answers) is not None:
        return None
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, criterion in enumerate(criteria):
        if criterion.id in answers:
            continue
        remaining = sum(
            _entropy(_possible(criteria, {**answers, criterion.id: value}))
            for value in (Verdict.YES, Verdict.NO)
        )
        key = (round(remaining, 9), -criterion.weight, order)
        if best is None or key < best:
            best, chosen = key, criterion
    return chosen


def supporting(
    criteria: Iterable[Criterion], answers: Mapping[str, Verdict], result: str
) -> list[Criterion]:
    """The criteria the user has that point toward this outcome (both sides for both)."""
    sides = {VM: {VM}, CONTAINER: {CONTAINER}, BOTH: {VM, CONTAINER}}[result]
    return [c for c in criteria if answers.get(c.id) is Verdict.YES and c.favours in sides]


def _entropy(counts: Counter[str]) -> float:
    total = sum(counts.values())
    return -sum(n / total * math.log2(n / total) for n in counts.values() if n)
