"""Choosing the confidence threshold: one rule for every labelled scoring.

Light on purpose (no engine import), so benchmarks can apply the rule to a
baseline without paying for the engine's imports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["Scored", "best_threshold"]

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
