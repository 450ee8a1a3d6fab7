"""Number of replications by the confidence-interval method: run until each CI is tight enough.

After each new replication the 95% Student-t half-width of every chosen output is compared with
the stated share of its mean (Robinson, Simulation: The Practice of Model Development and Use).
A look-ahead (Hoad, Robinson and Davies 2010) keeps running a few more replications to check the
precision holds, so one lucky small sample does not stop the search early. A cap bounds the cost.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import stats

BatchRunner = Callable[[list[int]], list[dict[str, float]]]


@dataclass(frozen=True)
class PrecisionRow:
    """One line of the table: an output's mean and CI half-width after n replications."""

    output: str
    replications: int
    mean: float
    half_width: float

    @property
    def relative(self) -> float:
        """Half-width as a share of the mean; infinite for a zero mean with a non-zero width."""
        if self.half_width == 0.0:
            return 0.0
        return math.inf if self.mean == 0.0 else abs(self.half_width / self.mean)


@dataclass
class PrecisionResult:
    """The search's outcome: per output the replications needed (None if the cap was hit)."""

    precision: float
    confidence: float
    cap: int
    needed: dict[str, int | None]
    rows: list[PrecisionRow] = field(default_factory=list)
    values: dict[str, list[float]] = field(default_factory=dict)

    @property
    def replications(self) -> int | None:
        """Replications that satisfy every output, or None if any output did not converge."""
        if any(n is None for n in self.needed.values()):
            return None
        return max(self.needed.values(), default=0)  # type: ignore[type-var]


@lru_cache(maxsize=4096)
def _t_quantile(confidence: float, df: int) -> float:
    """Two-sided Student-t quantile (cached: the search asks for the same ones repeatedly)."""
    return float(stats.t.ppf(0.5 + confidence / 2.0, df))


def half_width(values: Sequence[float], confidence: float = 0.95) -> float:
    """Student-t confidence-interval half-width of the mean; infinite for fewer than 2 values."""
    n = len(values)
    if n < 2:
        return math.inf
    sd = float(np.std(values, ddof=1))
    return _t_quantile(confidence, n - 1) * sd / math.sqrt(n)


def meets(values: Sequence[float], precision: float, confidence: float = 0.95) -> bool:
    """Whether the CI half-width of these values is within ``precision`` times their mean."""
    if len(values) < 2:
        return False
    row = PrecisionRow("", len(values), float(np.mean(values)), half_width(values, confidence))
    return row.relative <= precision


def first_meeting(
    values: Sequence[float],
    precision: float,
    confidence: float = 0.95,
    minimum: int = 3,
    look_ahead: int = 0,
) -> int | None:
    """Smallest n >= minimum whose prefix meets the precision and keeps meeting it for the next
    ``look_ahead`` prefixes; None if no such n exists within the values given."""
    for n in range(max(minimum, 2), len(values) - look_ahead + 1):
        if all(meets(values[:m], precision, confidence) for m in range(n, n + look_ahead + 1)):
            return n
    return None


def _check(precision: float, confidence: float, minimum: int, cap: int, look_ahead: int) -> None:
    """Reject settings that cannot give a meaningful search, naming the setting."""
    if not 0.0 < precision < 1.0:
        raise ValueError(f"precision must be in (0, 1), got {precision}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if minimum < 2:
        raise ValueError(f"minimum replications must be >= 2, got {minimum}")
    if look_ahead < 0:
        raise ValueError(f"look_ahead must be >= 0, got {look_ahead}")
    if cap < minimum + look_ahead:
        raise ValueError(f"cap {cap} must be >= minimum {minimum} + look_ahead {look_ahead}")


def replications_needed(
    run_batch: BatchRunner,
    outputs: Sequence[str],
    precision: float = 0.05,
    *,
    confidence: float = 0.95,
    minimum: int = 3,
    cap: int = 50,
    look_ahead: int = 0,
    batch: int = 1,
    on_progress: Callable[[int], None] | None = None,
) -> PrecisionResult:
    """Run replications (``batch`` at a time, indices 0, 1, ...) until every output's relative
    half-width has met ``precision`` with its look-ahead, or until ``cap`` replications."""
    _check(precision, confidence, minimum, cap, look_ahead)
    values: dict[str, list[float]] = {name: [] for name in outputs}
    needed: dict[str, int | None] = {name: None for name in outputs}
    rows: list[PrecisionRow] = []
    done = 0
    while done < cap:
        indices = list(range(done, min(done + max(batch, 1), cap)))
        for metrics in run_batch(indices):
            done += 1
            for name in outputs:
                if name not in metrics:
                    raise KeyError(f"output {name!r} not in the replication's results")
                values[name].append(float(metrics[name]))
                series = values[name]
                mean = float(np.mean(series))
                rows.append(PrecisionRow(name, done, mean, half_width(series, confidence)))
        if on_progress is not None:
            on_progress(done)
        for name in outputs:
            if needed[name] is None:
                needed[name] = first_meeting(values[name], precision, confidence, minimum, look_ahead)
        if all(n is not None for n in needed.values()):
            break
    return PrecisionResult(precision, confidence, cap, needed, rows, values)
