"""Response-time quantiles: within 0.1% of the exact ones, in memory that does not grow; and outcome
counts added many at once."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.stats import OUTCOMES, LogHistogram, Stats


def test_one_value_is_its_own_quantile() -> None:
    histogram = LogHistogram()
    histogram.add(850.6)
    for q in (0.1, 0.5, 0.9):
        assert histogram.quantile(q) == pytest.approx(850.6, rel=1e-3)  # was 848.9 with 0.5% bins


@pytest.mark.parametrize("q", [0.5, 0.9, 0.99])
def test_quantiles_match_the_exact_ones_within_the_bin_accuracy(q: float) -> None:
    values = np.random.default_rng(3).lognormal(np.log(60.0), 1.2, 200_000)
    histogram = LogHistogram()
    for value in values.tolist():
        histogram.add(value)
    exact = float(np.quantile(values, q, method="inverted_cdf"))
    assert histogram.quantile(q) == pytest.approx(exact, rel=LogHistogram.RATIO - 1.0)
    assert histogram.mean() == pytest.approx(values.mean(), rel=1e-12)


def test_memory_is_fixed_however_many_values() -> None:
    histogram = LogHistogram()
    for value in (0.001, 1.0, 1e6, 1e12):
        histogram.add(value)
    assert len(histogram.counts) == LogHistogram.BINS and histogram.n == 4
    assert histogram.quantile(0.0) == LogHistogram.LOW


def test_the_reported_quantile_and_the_exact_one_share_its_bounds() -> None:
    """LogHistogram.bounds holds the exact sample quantile (what summaries widen to)."""
    values = np.random.default_rng(5).lognormal(np.log(600.0), 0.3, 5_000)
    histogram = LogHistogram()
    for value in values.tolist():
        histogram.add(value)
    for q in (0.5, 0.9):
        low, high = LogHistogram.bounds(histogram.quantile(q))
        assert low <= float(np.quantile(values, q, method="inverted_cdf")) <= high


def _runs(values: list[float]) -> list:
    """Replications whose only metrics are a binned quantile and an exact count."""
    from types import SimpleNamespace

    return [
        SimpleNamespace(metrics={"response_minutes.burglary.p90": value, "rostered_hours": 277_200.0})
        for value in values
    ]


def test_quantiles_equal_across_replications_get_the_bin_width_not_zero() -> None:
    """A fixed delay puts every replication's p90 in one bin: the interval is that bin, not a point."""
    from sim.study.replications import summarise

    summary = summarise(_runs([861.7, 861.7, 861.7]))  # type: ignore[arg-type]
    cell = summary["response_minutes.burglary.p90"]
    assert cell["ci_low"] < 861.7 < cell["ci_high"]
    assert (cell["ci_low"], cell["ci_high"]) == pytest.approx(LogHistogram.bounds(861.7), abs=1e-6)
    exact = summary["rostered_hours"]  # a truly exact value keeps its zero-width interval
    assert exact["ci_low"] == exact["ci_high"] == 277_200.0


def test_a_wide_interval_across_replications_is_kept_and_covers_every_bin() -> None:
    from sim.study.replications import mean_ci, summarise

    values = [800.0, 860.0, 900.0]
    cell = summarise(_runs(values))["response_minutes.burglary.p90"]  # type: ignore[arg-type]
    _, low, high = mean_ci(values)
    assert cell["ci_low"] == pytest.approx(min(low, 800.0 / LogHistogram.RATIO), abs=1e-6)
    assert cell["ci_high"] == pytest.approx(max(high, 900.0 * LogHistogram.RATIO), abs=1e-6)
    assert summarise(_runs([861.7]))["response_minutes.burglary.p90"]["ci_low"] is None  # type: ignore[arg-type]


def test_a_paired_quantile_change_equal_in_every_replication_is_not_a_point() -> None:
    """compare: a p90 unchanged to the bin in every pair is 0 with the bins' width, not 0 to 0."""
    import pandas as pd

    from sim.study.compare import paired_table

    rows = [
        {"scenario": scenario, "replication": r, "metric": metric, "value": value}
        for scenario in ("base", "tech")
        for r in range(3)
        for metric, value in (("response_minutes.burglary.p90", 861.7), ("rostered_hours", 100.0))
    ]
    table = paired_table(pd.DataFrame(rows), "base", 1.0).set_index("metric")
    p90 = table.loc["response_minutes.burglary.p90"]
    low, high = LogHistogram.bounds(861.7)
    assert p90["mean"] == 0.0
    assert p90["ci_low"] == pytest.approx(low - high) and p90["ci_high"] == pytest.approx(high - low)
    assert table.loc["rostered_hours", "ci_low"] == table.loc["rostered_hours", "ci_high"] == 0.0


def test_counting_many_outcomes_at_once_equals_counting_them_one_by_one() -> None:
    """``Stats.count_many`` (a week's incidents generated at once) adds what ``count`` adds per incident,
    by type and by grade, leaving out of the grade counts the incidents without one (grade -1)."""
    rng = np.random.default_rng(3)
    kinds, grades = rng.integers(0, 3, 500), rng.integers(-1, 4, 500)
    one_by_one, at_once = (Stats(0.0, 1.0, ["a", "b", "c"], ["P1", "P2", "P3", "P4"]) for _ in range(2))
    generated = OUTCOMES.index("generated")
    for kind, grade in zip(kinds.tolist(), grades.tolist(), strict=True):
        one_by_one.count(kind, grade, generated)
    at_once.count_many(kinds, grades, generated)
    assert at_once.outcomes == one_by_one.outcomes and at_once.grade_outcomes == one_by_one.grade_outcomes
    assert sum(row[generated] for row in at_once.grade_outcomes) == int((grades >= 0).sum()) < 500
