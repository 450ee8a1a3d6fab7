"""Paired statistics for common-random-number experiments: differences, intervals, variance gain.

Two scenarios run with the same replication seeds see the same incidents, so the per-replication
difference of an output has far less variance than the difference of two independent runs. The
marginal distribution of each scenario's output is the same whether the runs share seeds or not,
so the variance of an independent-runs difference is estimated without extra runs as the sum of
the two sample variances; the ratio of that to the paired variance is the gain from common random
numbers (how many times more replications independent runs would need for the same precision).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.study.replications import mean_ci


@dataclass(frozen=True)
class PairedDifference:
    """Mean of ``other - base`` over paired replications, its interval and the CRN gain."""

    mean: float
    ci_low: float
    ci_high: float
    n: int
    variance_paired: float
    variance_independent: float

    @property
    def variance_reduction(self) -> float:
        """Independent-runs variance over paired variance; nan when neither varies."""
        if self.variance_paired > 0.0:
            return self.variance_independent / self.variance_paired
        return math.inf if self.variance_independent > 0.0 else math.nan

    def as_dict(self) -> dict[str, float | int]:
        """Plain numbers for JSON and tables."""
        return {
            "mean": self.mean,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "n": self.n,
            "variance_paired": self.variance_paired,
            "variance_independent": self.variance_independent,
            "variance_reduction": self.variance_reduction,
        }


def paired_difference(base: Sequence[float], other: Sequence[float], confidence: float = 0.95) -> PairedDifference:
    """Paired mean difference ``other - base`` with a t interval and both variance estimates."""
    a = np.asarray(base, dtype=float)
    b = np.asarray(other, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"paired samples differ in shape: {a.shape} against {b.shape}")
    diff = b - a
    mean, low, high = mean_ci(diff.tolist(), confidence)
    if a.size < 2:
        return PairedDifference(mean, low, high, int(a.size), math.nan, math.nan)
    return PairedDifference(
        mean=mean,
        ci_low=low,
        ci_high=high,
        n=int(a.size),
        variance_paired=float(diff.var(ddof=1)),
        variance_independent=float(a.var(ddof=1) + b.var(ddof=1)),
    )


def linear_equivalent(hours_freed: float, hours_per_incident: float) -> float:
    """The linear claim: freed hours divided by hours per incident attended."""
    if hours_per_incident <= 0.0:
        raise ValueError(f"hours_per_incident must be > 0, got {hours_per_incident!r}")
    return hours_freed / hours_per_incident
