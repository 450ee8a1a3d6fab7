"""Each duration distribution draws with the mean and spread its parameters say.

For every kind, 200,000 draws from a fixed seed: the sample mean must lie within 4 standard
errors of the stated mean (SE = sd / sqrt(n)), and the sample variance within 4 standard errors
of the theoretical variance (relative SE = sqrt((kurtosis - 1) / n), with each kind's kurtosis
from theory). The tolerances come from the sampling error alone; a wrong parameterisation (the
lognormal's sigma, the gamma's scale) is off by far more.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scenarios import build, mmc_dict

from sim.config.distributions import parse_distribution
from sim.errors import PolicesimError

N = 200_000
Z = 4.0  # standard errors allowed


def lognormal_kurtosis(cv: float) -> float:
    omega = 1.0 + cv**2
    return omega**4 + 2 * omega**3 + 3 * omega**2 - 3


TRIANGLE = (2.0, 5.0, 20.0)
TRIANGLE_VAR = (sum(x * x for x in TRIANGLE) - (2 * 5 + 2 * 20 + 5 * 20)) / 18.0
VALUES = (1.0, 2.0, 2.0, 9.0)
VALUES_MEAN = 3.5
VALUES_VAR = float(np.var(VALUES))
VALUES_KURTOSIS = float(np.mean((np.array(VALUES) - VALUES_MEAN) ** 4)) / VALUES_VAR**2

# (config, mean, variance, kurtosis), all worked from the parameters.
CASES = {
    "exponential": ({"dist": "exponential", "mean": 12.0}, 12.0, 144.0, 9.0),
    "lognormal": ({"dist": "lognormal", "mean": 30.0, "cv": 0.8}, 30.0, (0.8 * 30.0) ** 2, lognormal_kurtosis(0.8)),
    "gamma": ({"dist": "gamma", "mean": 45.0, "cv": 0.5}, 45.0, (0.5 * 45.0) ** 2, 3 + 6 * 0.5**2),
    "triangular": ({"dist": "triangular", "low": 2, "mode": 5, "high": 20}, 9.0, TRIANGLE_VAR, 2.4),
    "empirical": ({"dist": "empirical", "values": list(VALUES)}, VALUES_MEAN, VALUES_VAR, VALUES_KURTOSIS),
    "scaled": (
        {"dist": "scaled", "factor": 0.5, "base": {"dist": "gamma", "mean": 40.0, "cv": 1.5}},
        20.0,
        (1.5 * 20.0) ** 2,
        3 + 6 * 1.5**2,
    ),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_sample_mean_and_spread_match_the_parameters(kind: str) -> None:
    config, mean, variance, kurtosis = CASES[kind]
    dist = parse_distribution(config)
    assert dist.mean() == pytest.approx(mean)
    draws = dist.sample(np.random.default_rng(20240601), N)
    assert draws.shape == (N,) and draws.min() >= 0.0
    sample_mean = float(draws.mean())
    assert abs(sample_mean - mean) <= Z * math.sqrt(variance / N), (sample_mean, mean)
    ratio = float(draws.var()) / variance
    assert abs(ratio - 1.0) <= Z * math.sqrt((kurtosis - 1.0) / N), (ratio, kind)


def test_fixed_always_gives_its_value() -> None:
    draws = parse_distribution({"dist": "fixed", "value": 7.5}).sample(np.random.default_rng(1), 1000)
    assert set(draws.tolist()) == {7.5}


def test_scaled_is_the_base_draw_times_the_factor() -> None:
    """The same stream state gives the base's draws multiplied exactly by the factor."""
    base = parse_distribution({"dist": "lognormal", "mean": 10.0, "cv": 0.6})
    plain = base.sample(np.random.default_rng(3), 50)
    scaled = base.scaled(0.25).sample(np.random.default_rng(3), 50)
    assert scaled == pytest.approx(plain * 0.25, rel=1e-12)
    assert base.scaled(0.25).mean() == pytest.approx(2.5)


def test_empirical_reads_a_csv_column(tmp_path) -> None:
    path = tmp_path / "durations.csv"
    path.write_text("id,minutes\na,4\nb,6\n")
    dist = parse_distribution({"dist": "empirical", "csv": str(path), "column": "minutes"})
    assert dist.mean() == 5.0
    assert set(dist.sample(np.random.default_rng(0), 200).tolist()) == {4.0, 6.0}


BAD = {
    "missing cv": ({"dist": "lognormal", "mean": 10}, "incident_types.job.on_scene_minutes.cv: Field required"),
    "zero mean": ({"dist": "gamma", "mean": 0, "cv": 1}, "incident_types.job.on_scene_minutes.mean: "),
    "negative value": ({"dist": "fixed", "value": -1}, "incident_types.job.on_scene_minutes.value: "),
    "unordered triangle": (
        {"dist": "triangular", "low": 5, "mode": 1, "high": 9},
        "incident_types.job.on_scene_minutes: needs low <= mode <= high",
    ),
    "unknown kind": ({"dist": "weibull", "mean": 3}, "incident_types.job.on_scene_minutes: Input tag 'weibull'"),
    "no values": ({"dist": "empirical"}, "incident_types.job.on_scene_minutes: give exactly one of 'values'"),
    "empty values": ({"dist": "empirical", "values": []}, "incident_types.job.on_scene_minutes: needs at least one"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_distribution_is_refused_in_one_line_naming_the_field(case: str) -> None:
    config, message = BAD[case]
    raw = mmc_dict(1, 1.0, 10.0, days=1, warmup_days=0)
    raw["incident_types"]["job"]["on_scene_minutes"] = config
    with pytest.raises(PolicesimError) as caught:
        build(raw)
    text = str(caught.value)
    assert message in text and "\n" not in text, text


def test_bad_csv_row_is_named_with_its_row_and_column(tmp_path) -> None:
    path = tmp_path / "durations.csv"
    path.write_text("minutes\n4\nsoon\n")
    raw = mmc_dict(1, 1.0, 10.0, days=1, warmup_days=0)
    raw["incident_types"]["job"]["on_scene_minutes"] = {"dist": "empirical", "csv": str(path), "column": "minutes"}
    with pytest.raises(PolicesimError, match=r"durations.csv row 3: column 'minutes' is 'soon', not a number"):
        build(raw)
