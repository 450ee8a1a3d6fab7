"""Absorbable demand: the largest extra yearly volume of one type a scenario takes at base service.

The linear claim ("hours freed / hours per incident = extra incidents") really asks how many more
burglaries (or domestic-abuse incidents) a force could take on at the same service level. For each
replication, on its own common-random-number path (the same incidents, plus extra incidents of the
type drawn from their own stream and nested, so a larger volume adds incidents and never moves the
others), we search for the largest extra volume at which the type's within-target share is no
worse than the base scenario's in that replication; the answer is the mean over replications with
a Student-t interval.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchResult:
    """Outcome of one monotone search: the answer, its final bracket and what it cost."""

    estimate: float
    feasible: float
    infeasible: float
    evaluations: int
    censored: bool

    def as_dict(self) -> dict[str, float | int | bool]:
        """Plain values for tables and JSON."""
        return {
            "estimate": self.estimate,
            "feasible": self.feasible,
            "infeasible": self.infeasible,
            "evaluations": self.evaluations,
            "censored": self.censored,
        }


def largest_feasible(
    feasible: Callable[[float], bool],
    *,
    first_step: float,
    max_extra: float,
    tolerance: float,
) -> SearchResult:
    """Largest x in [0, max_extra] with ``feasible(x)``, taking feasibility as monotone in x.

    Doubles from ``first_step`` until a volume fails (or ``max_extra`` passes, which censors the
    answer at ``max_extra``), then bisects until the bracket is narrower than ``tolerance``; the
    estimate is the bracket's midpoint. A scenario infeasible at zero extra gives 0.
    """
    if not (first_step > 0 and tolerance > 0 and max_extra >= first_step):
        raise ValueError(
            f"need 0 < first_step <= max_extra and tolerance > 0; got first_step={first_step!r}, "
            f"max_extra={max_extra!r}, tolerance={tolerance!r}"
        )
    evaluations = 1
    if not feasible(0.0):
        return SearchResult(0.0, 0.0, 0.0, evaluations, censored=False)
    low, high, step = 0.0, math.inf, first_step
    while math.isinf(high):
        trial = min(low + step, max_extra)
        evaluations += 1
        if feasible(trial):
            low = trial
            if trial >= max_extra:
                return SearchResult(max_extra, max_extra, math.inf, evaluations, censored=True)
            step *= 2.0
        else:
            high = trial
    while high - low > tolerance:
        middle = 0.5 * (low + high)
        evaluations += 1
        if feasible(middle):
            low = middle
        else:
            high = middle
    return SearchResult(0.5 * (low + high), low, high, evaluations, censored=False)
