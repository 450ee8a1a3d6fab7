"""Warm-up analysis against hand computations and synthetic series with a known transient."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from sim.commands.cli import main
from sim.study.warmup import advise, batch_means, mser, welch_moving_average


def test_welch_matches_hand_computation() -> None:
    reps = [[1, 3, 5, 2, 8, 4, 6], [3, 1, 3, 6, 2, 4, 0]]
    # replication mean: 2, 2, 4, 4, 5, 4, 3; window 2 gives m - w = 5 points:
    # i=1: 2;  i=2: (2+2+4)/3;  i=3: (2+2+4+4+5)/5;  i=4: (2+4+4+5+4)/5;  i=5: (4+4+5+4+3)/5
    expected = [2.0, 8 / 3, 17 / 5, 19 / 5, 20 / 5]
    assert welch_moving_average(reps, 2) == pytest.approx(expected, abs=1e-12)


def test_welch_window_zero_is_the_mean_and_too_wide_is_refused() -> None:
    assert welch_moving_average([[1.0, 2.0, 6.0]], 0) == pytest.approx([1.0, 2.0, 6.0])
    with pytest.raises(ValueError, match="window 3"):
        welch_moving_average([1.0, 2.0, 3.0, 4.0, 5.0], 3)


def test_batch_means_drop_partial_batch() -> None:
    assert batch_means(np.arange(12.0), 5) == pytest.approx([2.0, 7.0])


def test_mser5_finds_a_step_transient() -> None:
    # 150 observations at mean 20, then 850 at mean 10, unit noise. A retained transient batch
    # costs 10^2 in squared error against a variance of 1/5 per batch mean, so MSER never stops
    # before the step (batch 30). Past it, dropping one more of m remaining batches changes
    # ln MSER by about (2 - chi2_1) / m: a random walk with upward drift whose minimum stays at
    # the step with probability about 0.7 and lies more than 22 batches on with probability
    # below 0.001 (quantiles of that walk's argmin). Twenty seeds, binomial sd 0.1 on the share.
    cuts = []
    for seed in range(20):
        rng = np.random.default_rng(np.random.SeedSequence(2024, spawn_key=(seed,)))
        series = np.r_[np.full(150, 20.0), np.full(850, 10.0)] + rng.normal(0.0, 1.0, 1000)
        cut = mser(series)
        assert cut.reliable
        cuts.append(cut.observations)
    assert min(cuts) == 150
    assert max(cuts) <= 150 + 25 * 5
    assert np.mean(np.equal(cuts, 150)) >= 0.4


def _expected_mser_cut(bias: np.ndarray, sigma: float, batch: int = 5) -> int:
    """Minimiser of the expected MSER statistic: bias spread plus noise of the batch means."""
    z = batch_means(bias, batch)
    k = z.size
    expected = [
        (np.sum((z[d:] - z[d:].mean()) ** 2) + (k - d - 1) * sigma**2 / batch) / (k - d) ** 2 for d in range(k // 2)
    ]
    return int(np.argmin(expected)) * batch


def test_mser5_finds_an_exponential_transient_within_tolerance() -> None:
    # Queue-like start-up: mean 10 plus 8 exp(-t/40), noise sd 1, 2000 observations.
    t = np.arange(2000.0)
    bias = 8.0 * np.exp(-t / 40.0)
    target = _expected_mser_cut(bias, 1.0)
    assert 100 <= target <= 250  # the bias falls below 1/5 of the noise sd near t = 150
    cuts = []
    for seed in range(30):
        rng = np.random.default_rng(np.random.SeedSequence(7, spawn_key=(seed,)))
        cuts.append(mser(10.0 + bias + rng.normal(0.0, 1.0, t.size)).observations)
    # Near the optimum the statistic is flat, so single runs scatter; the median must sit
    # within 5 batches of the expected minimiser and no run may keep the steep early part
    # (at t = 60 the bias is still 1.8 noise sds).
    assert abs(np.median(cuts) - target) <= 25
    assert min(cuts) >= 60


def test_mser5_on_a_stationary_series_cuts_little() -> None:
    cuts = []
    for seed in range(30):
        rng = np.random.default_rng(np.random.SeedSequence(11, spawn_key=(seed,)))
        cuts.append(mser(rng.normal(5.0, 1.0, 1000)).observations)
    # With no transient the cut follows the same drifting walk as past a step: none with
    # probability about 0.7 (binomial sd 0.08 over 30 seeds), rarely more than 22 batches.
    assert np.mean(np.equal(cuts, 0)) >= 0.45
    assert max(cuts) <= 25 * 5


def test_mser5_flags_a_series_that_never_settles() -> None:
    cut = mser(np.linspace(0.0, 100.0, 400))
    assert not cut.reliable


def test_mser_needs_enough_data() -> None:
    with pytest.raises(ValueError, match="at least 20 observations"):
        mser(np.ones(19))


def test_advise_reports_days_per_output() -> None:
    rng = np.random.default_rng(3)
    series = np.r_[np.full(60, 8.0), np.full(300, 2.0)] + rng.normal(0, 0.5, (4, 360))
    (advice,) = advise({"queue": series}, bin_hours=24.0)
    assert advice.output == "queue"
    assert 60 <= advice.truncation.observations <= 80
    assert advice.days == advice.truncation.observations


def test_warmup_command_prints_advice_and_writes_the_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot = tmp_path / "welch.png"
    argv = [
        "warmup",
        "--days",
        "10",
        "--bin-hours",
        "12",
        "--replications",
        "2",
        "--workers",
        "1",
        "--outputs",
        "backlog_hours",
        "officers_available",
        "--plot",
        str(plot),
        "--json",
    ]
    assert main(argv) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document["outputs"]) == {"backlog_hours", "officers_available"}
    # 10 days in 12 h bins: 20 bins, 4 batches of 5; MSER looks at the first half (2 batches)
    for advice in document["outputs"].values():
        assert advice["warmup_days"] in (0.0, 2.5)
    assert document["suggested_warmup_days"] == max(math.ceil(a["warmup_days"]) for a in document["outputs"].values())
    assert plot.stat().st_size > 10000
    assert main(argv) == 2  # the plot is never replaced without --force
    assert "--force" in capsys.readouterr().err


def test_warmup_command_names_a_bad_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["warmup", "--days", "30", "--outputs", "queue_P9"]) == 2
    assert "--outputs: ['queue_P9'] not time-series columns" in capsys.readouterr().err
