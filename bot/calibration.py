"""Choosing the confidence threshold: one rule for every labelled scoring.

Light on purpose (no engine import), so benchmarks can apply the rule to a
baseline without paying for the engine's imports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Rates", "Scored", "best_bands", "best_threshold", "fit_logistic"]

# One question as a threshold sees it: in scope, answered with a right intent,
# the top confidence, judged out of scope by the classifier.
Scored = tuple[bool, bool, float, bool]
# Balanced accuracy is averaged over thresholds within this distance, so that one
# question crossing over does not move the threshold to a lone spike.
_SMOOTHING = 0.05
_GRID = [step / 100 for step in range(5, 80)]


def _rates(rows: Sequence[Scored], threshold: float) -> tuple[float, float]:
    accepted = [ok and c >= threshold and not r for s, ok, c, r in rows if s]
    rejected = [r or c < threshold for s, _, c, r in rows if not s]
    return sum(accepted) / max(len(accepted), 1), sum(rejected) / max(len(rejected), 1)


def best_threshold(scored: Iterable[Scored]) -> tuple[float, float, float]:
    """(threshold, in-scope accuracy, rejection) of best smoothed balanced accuracy.

    >>> rows = [(True, True, 0.9, False), (True, True, 0.4, False), (False, False, 0.3, True)]
    >>> best_threshold(rows)
    (0.05, 1.0, 1.0)
    """
    rows = list(scored)
    balanced = {t: sum(_rates(rows, t)) / 2 for t in _GRID}

    def smoothed(t: float) -> float:
        near = [b for u, b in balanced.items() if abs(u - t) <= _SMOOTHING + 1e-9]
        return sum(near) / len(near)

    threshold = max(_GRID, key=smoothed)  # the first of equals: the lowest threshold
    return (threshold, *_rates(rows, threshold))


@dataclass(frozen=True, kw_only=True)
class Rates:
    """What one pair of thresholds gives on a labelled set."""

    accuracy: float  # in scope: the reply's intent is right (answer or first choice)
    rejection: float  # out of scope: a fallback
    reached: float  # in scope: answered right, or the right intent among the choices
    clarify_rate: float  # in scope: share answered by a clarifying question


# A clarifying question that offers the right intent is worth half the right answer
# (one more turn for the user), and any clarifying question costs a little.
_CLARIFY_WORTH = 0.5
# Out-of-scope questions rejected on the development sets, at least.
_REJECTION_FLOOR = 0.97
_TIE = 0.002
_CLARIFY_COST = 0.05


def best_bands(results: Mapping[tuple[float, float], Rates]) -> tuple[float, float]:
    """(clarify threshold, answer threshold): the best smoothed in-scope score among the
    pairs that reject enough out-of-scope questions (see calibrate.py).

    The development sets flatter rejection (they chose the data's traps), so the
    floor sits above the target of 0.95 that users should see. Without a pair that
    clears it, the pair of best balance.

    >>> good = Rates(accuracy=0.9, rejection=0.98, reached=0.95, clarify_rate=0.1)
    >>> bad = Rates(accuracy=0.5, rejection=0.99, reached=0.6, clarify_rate=0.0)
    >>> best_bands({(0.2, 0.4): good, (0.2, 0.5): bad, (0.3, 0.4): bad})
    (0.2, 0.4)
    """

    def served(rates: Rates) -> float:
        offered = _CLARIFY_WORTH * (rates.reached - rates.accuracy)
        return rates.accuracy + offered - _CLARIFY_COST * rates.clarify_rate

    def smoothed(pair: tuple[float, float], of: Callable[[Rates], float]) -> float:
        near = [
            of(r)
            for (low, high), r in results.items()
            if abs(low - pair[0]) <= _SMOOTHING + 1e-9 and abs(high - pair[1]) <= _SMOOTHING + 1e-9
        ]
        return sum(near) / len(near)

    pairs = sorted(results)
    safe = [p for p in pairs if smoothed(p, lambda r: r.rejection) >= _REJECTION_FLOOR]
    if safe:
        scored = {p: smoothed(p, served) for p in safe}
    else:
        scored = {p: smoothed(p, lambda r: (served(r) + r.rejection) / 2) for p in pairs}
    best = max(scored.values())
    # Within noise of the best, the widest clarifying band: asking which was meant
    # helps more than a fallback when both score alike.
    near = [pair for pair, value in scored.items() if value >= best - _TIE]
    return max(near, key=lambda pair: (pair[1] - pair[0], -pair[1]))


def fit_logistic(
    rows: Sequence[tuple[float, ...]], labels: Sequence[bool], *, l2: float = 1e-2
) -> tuple[tuple[float, ...], float]:
    """Weights and bias of a logistic model of the labels, fitted by gradient descent
    on standardised features (ridge penalty `l2`), returned in the features' own scale.

    >>> weights, bias = fit_logistic([(0.0,), (0.2,), (0.8,), (1.0,)], [False, False, True, True])
    >>> weights[0] > 0 and bias < 0
    True
    """
    import numpy as np

    x = np.asarray(rows, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = (x - mean) / std
    w = np.zeros(z.shape[1])
    b = 0.0
    for _ in range(3_000):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        w -= 0.5 * (z.T @ (p - y) / len(y) + l2 * w)
        b -= 0.5 * float((p - y).mean())
    weights = w / std
    return tuple(round(float(v), 4) for v in weights), round(b - float(weights @ mean), 4)
