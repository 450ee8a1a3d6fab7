"""Paired statistics: hand-worked values, interval coverage, the linear conversion; compare runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.paired import linear_equivalent, paired_difference


def test_hand_worked_paired_difference() -> None:
    """Differences 1, 2, 3: mean 2, s = 1, t(0.975, 2) = 4.3027 gives half-width 2.4842."""
    result = paired_difference([10.0, 20.0, 30.0], [11.0, 22.0, 33.0])
    assert result.mean == pytest.approx(2.0)
    assert result.ci_high - result.mean == pytest.approx(4.302653 / math.sqrt(3), rel=1e-6)
    assert result.variance_paired == pytest.approx(1.0)
    assert result.variance_independent == pytest.approx(100.0 + 121.0)
    assert result.variance_reduction == pytest.approx(221.0)


def test_identical_samples_give_exact_zero() -> None:
    """No effect: mean, both interval ends and the paired variance are exactly zero."""
    values = [3.5, 7.25, 1.0, 9.0]
    result = paired_difference(values, list(values))
    assert (result.mean, result.ci_low, result.ci_high, result.variance_paired) == (0, 0, 0, 0)
    assert math.isinf(result.variance_reduction)


def test_mismatched_samples_are_refused() -> None:
    """Pairs must line up replication by replication."""
    with pytest.raises(ValueError, match="shape"):
        paired_difference([1.0, 2.0], [1.0])


def test_interval_coverage_matches_stated_rate() -> None:
    """2,000 experiments of 5 correlated pairs with true difference 0.3: coverage 0.95 +- 3.5 sd."""
    rng = np.random.default_rng(20240301)
    experiments, n, true_difference = 2000, 5, 0.3
    covered = 0
    for _ in range(experiments):
        common = rng.normal(10.0, 3.0, n)
        base = common + rng.normal(0.0, 0.5, n)
        other = common + true_difference + rng.normal(0.0, 0.5, n)
        result = paired_difference(base, other)
        covered += result.ci_low <= true_difference <= result.ci_high
    sd = math.sqrt(0.95 * 0.05 / experiments)
    assert abs(covered / experiments - 0.95) < 3.5 * sd


def test_variance_reduction_estimates_independent_runs() -> None:
    """Sum of marginal variances equals the variance of a difference of independent runs."""
    rng = np.random.default_rng(7)
    common = rng.normal(0.0, 2.0, 40_000)
    base = common + rng.normal(0.0, 0.5, common.size)
    other = common + 1.0 + rng.normal(0.0, 0.5, common.size)
    result = paired_difference(base, other)
    independent = other - np.roll(base, 1)
    assert result.variance_independent == pytest.approx(independent.var(ddof=1), rel=0.03)
    # theory: paired variance 2 * 0.25, independent 2 * (4 + 0.25), ratio 17
    assert result.variance_reduction == pytest.approx(17.0, rel=0.05)


def test_linear_equivalent_government_conversion() -> None:
    """HM Treasury: 500,000 h = 250,000 DA incidents (2.0 h) or about 300,000 burglaries."""
    assert linear_equivalent(500_000, 2.0) == pytest.approx(250_000)
    assert linear_equivalent(500_000, 1.67) == pytest.approx(299_401, rel=1e-5)
    with pytest.raises(ValueError, match="hours_per_incident"):
        linear_equivalent(1.0, 0.0)
