"""Which way the known criteria point, and which follow-up question to ask next.

Each side (VM, containers) scores the weights of its criteria the user has;
strong needs on both sides call for containers on VMs. Every way the unknown ones
could still be answered is weighed by how likely it is (each need is present in a
share of projects, its `prevalence` in the data, and fewer still when the user's needs
point the other way, `OPPOSED`), per side total, the sides being independent, so
the work grows with the criteria times the few totals, not twice per criterion; and
memoised on the open weights and prevalences. The advisor stops once one outcome is
all but certain (`SETTLED`), like a consultant who does not ask about every rare need before
advising, and says which unasked needs would change it; otherwise it asks the
question whose answer tells the most about the outcome.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from functools import lru_cache

from bot.domain import Criterion, Verdict

__all__ = [
    "OPPOSED",
    "SETTLED",
    "STRONG_NEED",
    "damping",
    "next_question",
    "outcome",
    "settled_outcome",
    "supporting",
    "unasked_changes",
]

VM, CONTAINER, BOTH = "vm", "conteneur", "conteneur_sur_vm"
# A side's score from which its needs count as strong ("isolation forte" alone).
STRONG_NEED = 2
# How likely an outcome must be to stop asking: chosen on the development personas
# (benchmarks/data/dev*_personas.yaml), like the criteria's prevalences.
SETTLED = 0.9
# Needs of one side make the other side's rarer: a project of daily-deployed
# microservices is seldom a Windows XP program. Each unit of weight the user has on one
# side scales the other side's chances by this (dev personas: 1 asked containers
# projects about every rare VM need, over their patience; 0.6 missed needs).
OPPOSED = 0.75


def outcome(criteria: Iterable[Criterion], answers: Mapping[str, Verdict]) -> str:
    """The recommendation for these answers; an unanswered criterion counts as absent.

    >>> from bot.domain import Criterion
    >>> iso = Criterion(id="iso", favours="vm", weight=2, prevalence=0.2, question="",
    ...                 reason="", absent="", sources=(), examples=())
    >>> micro = Criterion(id="micro", favours="conteneur", weight=2, prevalence=0.2,
    ...                   question="", reason="", absent="", sources=(), examples=())
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


# What the weighing depends on: each side's known total and the weights and
# prevalences still open on each side (sorted), never which criteria they are.
_Need = tuple[int, float]  # an open criterion: its weight and its prevalence
_Open = tuple[int, int, tuple[_Need, ...], tuple[_Need, ...]]


def _open(criteria: list[Criterion], answers: Mapping[str, Verdict]) -> _Open:
    known = {VM: 0, CONTAINER: 0}
    still: dict[str, list[_Need]] = {VM: [], CONTAINER: []}
    for criterion in criteria:
        verdict = answers.get(criterion.id)
        if verdict is None:
            still[criterion.favours].append(_need(criterion))
        elif verdict is Verdict.YES:
            known[criterion.favours] += criterion.weight
    return known[VM], known[CONTAINER], tuple(sorted(still[VM])), tuple(sorted(still[CONTAINER]))


def _need(criterion: Criterion) -> _Need:
    return criterion.weight, criterion.prevalence


def damping(favours: str, vm_known: int, container_known: int) -> float:
    """How much rarer an unasked need of this side is, given the weight of the needs
    the user has on the other side: `OPPOSED` per unit of it. A need's chance is its
    prevalence (in the data) times this."""
    other = container_known if favours == VM else vm_known
    return OPPOSED**other


@lru_cache(maxsize=4096)
def _totals(needs: tuple[_Need, ...], scale: float) -> tuple[float, ...]:
    """How likely each total is for these open criteria, each present with its
    prevalence times `scale`, the side's `damping` (index: total)."""
    chance = [1.0]
    for weight, prevalence in needs:
        prior = prevalence * scale
        grown = [c * (1 - prior) for c in chance] + [0.0] * weight  # no
        for total, c in enumerate(chance):
            grown[total + weight] += c * prior  # yes
        chance = grown
    return tuple(chance)


@lru_cache(maxsize=4096)
def _chances(state: _Open) -> tuple[tuple[str, float], ...]:
    """How likely each outcome is once the open criteria are answered.

    The sides add up independently, so a pair of totals is as likely as the product
    of each side's: a few dozen pairs, where listing every way would double with
    each criterion. Memoised on the state's weights: a conversation weighs the same
    states again and again.
    """
    vm_known, container_known, vm_open, container_open = state
    found = dict.fromkeys((VM, CONTAINER, BOTH), 0.0)
    vm_totals = _totals(vm_open, damping(VM, vm_known, container_known))
    container_totals = _totals(container_open, damping(CONTAINER, vm_known, container_known))
    for vm, vm_chance in enumerate(vm_totals):
        for container, container_chance in enumerate(container_totals):
            if vm_chance and container_chance:
                found[_decided(vm_known + vm, container_known + container)] += (
                    vm_chance * container_chance
                )
    return tuple((name, p) for name, p in found.items() if p)


def _settled(state: _Open) -> str | None:
    vm_known, container_known, _, _ = state
    result = _decided(vm_known, container_known)
    # Within rounding of `SETTLED` counts as reaching it, whatever order the chances
    # were added in (0.1 x 9 is 0.8999999999999999).
    return result if dict(_chances(state)).get(result, 0.0) >= SETTLED - 1e-9 else None


def settled_outcome(criteria: list[Criterion], answers: Mapping[str, Verdict]) -> str | None:
    """The outcome the answers point to once it is all but certain (`SETTLED`), else None."""
    return _settled(_open(criteria, answers))


def next_question(criteria: list[Criterion], answers: Mapping[str, Verdict]) -> Criterion | None:
    """The open criterion whose answer leaves the least uncertainty on the outcome."""
    state = _open(criteria, answers)
    if _settled(state) is not None:
        return None
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, criterion in enumerate(criteria):
        if criterion.id in answers:
            continue
        key = (_remaining(state, criterion.favours, _need(criterion)), -criterion.weight, order)
        if best is None or key < best:
            best, chosen = key, criterion
    return chosen


@lru_cache(maxsize=4096)
def _remaining(state: _Open, side: str, need: _Need) -> float:
    """The uncertainty expected once an open criterion of this side, weight and
    prevalence is answered (yes or no, as likely as its chance), rounded so that equal
    ones tie: criteria alike are asked in order."""
    vm_known, container_known, vm_open, container_open = state
    rest = vm_open if side == VM else container_open
    others = list(rest)
    others.remove(need)
    weight, prevalence = need
    closed = tuple(others)
    if side == VM:
        yes, no = ((vm_known + w, container_known, closed, container_open) for w in (weight, 0))
    else:
        yes, no = ((vm_known, container_known + w, vm_open, closed) for w in (weight, 0))
    prior = prevalence * damping(side, vm_known, container_known)
    expected = prior * _entropy(dict(_chances(yes))) + (1 - prior) * _entropy(dict(_chances(no)))
    return round(expected, 9)


def unasked_changes(criteria: list[Criterion], answers: Mapping[str, Verdict]) -> list[Criterion]:
    """The open criteria of each side whose needs, if the user had them, would change
    the outcome: what the advice assumed absent without asking."""
    result = outcome(criteria, answers)
    changing: set[str] = set()
    for side in (VM, CONTAINER):
        open_ones = [c.id for c in criteria if c.id not in answers and c.favours == side]
        if outcome(criteria, {**answers, **dict.fromkeys(open_ones, Verdict.YES)}) != result:
            changing.update(open_ones)
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
