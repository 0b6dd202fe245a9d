"""Which way the known criteria point, and which follow-up question to ask next.

Each side (VM, containers) scores the weights of its criteria the user has;
strong needs on both sides call for containers on VMs. Every way the unknown ones
could still be answered is counted (per side total, the sides being independent, so
the work grows with the criteria times the few totals, not twice per criterion; and
memoised on the open weights): the advisor stops
as soon as they all lead to the same outcome, and otherwise asks the question whose
answer tells the most about it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from functools import lru_cache

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


# What the counting depends on: each side's known total and the weights still open
# on each side (sorted), never which criteria they are.
_Open = tuple[int, int, tuple[int, ...], tuple[int, ...]]


def _open(criteria: list[Criterion], answers: Mapping[str, Verdict]) -> _Open:
    known = {VM: 0, CONTAINER: 0}
    still: dict[str, list[int]] = {VM: [], CONTAINER: []}
    for criterion in criteria:
        verdict = answers.get(criterion.id)
        if verdict is None:
            still[criterion.favours].append(criterion.weight)
        elif verdict is Verdict.YES:
            known[criterion.favours] += criterion.weight
    return known[VM], known[CONTAINER], tuple(sorted(still[VM])), tuple(sorted(still[CONTAINER]))


@lru_cache(maxsize=4096)
def _totals(weights: tuple[int, ...]) -> tuple[int, ...]:
    """How many ways of answering these open criteria give each total (index: total)."""
    ways = [1]
    for weight in weights:
        grown = [*ways, *[0] * weight]  # no
        for total, count in enumerate(ways):
            grown[total + weight] += count  # yes
        ways = grown
    return tuple(ways)


@lru_cache(maxsize=4096)
def _counts(state: _Open) -> tuple[tuple[str, int], ...]:
    """How many ways of answering the open criteria lead to each outcome.

    The sides add up independently, so the ways are the product of each side's
    count of totals: a few dozen pairs, where listing every way would double with
    each criterion. Memoised on the state's weights: a conversation asks the same
    states again and again.
    """
    vm_known, container_known, vm_open, container_open = state
    counts = dict.fromkeys((VM, CONTAINER, BOTH), 0)
    for vm, vm_ways in enumerate(_totals(vm_open)):
        for container, container_ways in enumerate(_totals(container_open)):
            if vm_ways and container_ways:
                counts[_decided(vm_known + vm, container_known + container)] += (
                    vm_ways * container_ways
                )
    return tuple((name, n) for name, n in counts.items() if n)


def settled_outcome(criteria: list[Criterion], answers: Mapping[str, Verdict]) -> str | None:
    """The outcome once no open criterion can change it, else None."""
    counts = _counts(_open(criteria, answers))
    return counts[0][0] if len(counts) == 1 else None


def next_question(criteria: list[Criterion], answers: Mapping[str, Verdict]) -> Criterion | None:
    """The open criterion whose answer leaves the least uncertainty on the outcome."""
    state = _open(criteria, answers)
    if len(_counts(state)) == 1:
        return None
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, criterion in enumerate(criteria):
        if criterion.id in answers:
            continue
        key = (_remaining(state, criterion.favours, criterion.weight), -criterion.weight, order)
        if best is None or key < best:
            best, chosen = key, criterion
    return chosen


@lru_cache(maxsize=4096)
def _remaining(state: _Open, side: str, weight: int) -> float:
    """The uncertainty left once an open criterion of this side and weight is answered
    (yes or no), rounded so that equal ones tie: criteria alike are asked in order."""
    vm_known, container_known, vm_open, container_open = state
    rest = vm_open if side == VM else container_open
    others = list(rest)
    others.remove(weight)
    closed = tuple(others)
    if side == VM:
        answered = [(vm_known + w, container_known, closed, container_open) for w in (weight, 0)]
    else:
        answered = [(vm_known, container_known + w, vm_open, closed) for w in (weight, 0)]
    return round(sum(_entropy(dict(_counts(s))) for s in answered), 9)


def supporting(
    criteria: Iterable[Criterion], answers: Mapping[str, Verdict], result: str
) -> list[Criterion]:
    """The criteria the user has that point toward this outcome (both sides for both)."""
    sides = {VM: {VM}, CONTAINER: {CONTAINER}, BOTH: {VM, CONTAINER}}[result]
    return [c for c in criteria if answers.get(c.id) is Verdict.YES and c.favours in sides]


def _entropy(counts: Mapping[str, int]) -> float:
    total = sum(counts.values())
    return -sum(n / total * math.log2(n / total) for n in counts.values() if n)
