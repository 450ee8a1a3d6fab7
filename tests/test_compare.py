"""Paired statistics: hand-worked values, interval coverage, the linear conversion; compare runs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from test_interventions import small_force

from sim.commands.cli import main
from sim.config.loading import scenario_from_dict
from sim.errors import ConfigError
from sim.model.replication import simulate
from sim.model.streams import replication_seed
from sim.study.compare import comparison_document, load_experiment, run_experiment
from sim.study.paired import linear_equivalent, paired_difference


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


# ---- experiments end to end ----------------------------------------------------------------------


def write_experiment(folder: Path, **changes: object) -> Path:
    """A small force, an admin-saving overlay, and an experiment pairing them."""
    (folder / "force.yaml").write_text(yaml.safe_dump(small_force()), encoding="utf-8")
    overlay = {"interventions": {"admin_reduction": {"enabled": True, "hours_saved": {"crime_recording": 0.1}}}}
    (folder / "admin.yaml").write_text(yaml.safe_dump(overlay), encoding="utf-8")
    spec = {
        "name": "small_test",
        "config": "force.yaml",
        "base": "base",
        "replications": 3,
        "seed": 11,
        "horizon_days": 10,
        "warmup_days": 1,
        "scenarios": [
            {"name": "base"},
            {"name": "admin", "overlays": ["admin.yaml"]},
            {"name": "redaction", "set": {"interventions": {"automated_redaction": {"enabled": True}}}},
        ],
        **changes,
    }
    path = folder / "experiment.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def test_experiment_file_errors_name_the_field(tmp_path: Path) -> None:
    """A base that is not a scenario, repeated names, a missing overlay: one-line errors."""
    with pytest.raises(ConfigError, match="base 'nope' is not a scenario"):
        load_experiment(write_experiment(tmp_path, base="nope"))
    repeated = [{"name": "base"}, {"name": "base"}]
    with pytest.raises(ConfigError, match="repeated"):
        load_experiment(write_experiment(tmp_path, scenarios=repeated))
    missing = [{"name": "base"}, {"name": "x", "overlays": ["missing.yaml"]}]
    with pytest.raises(ConfigError, match="missing.yaml"):
        load_experiment(write_experiment(tmp_path, scenarios=missing))
    with pytest.raises(ConfigError, match="replicatons"):
        load_experiment(write_experiment(tmp_path, replicatons=3))


def test_comparison_against_hand_computed_values(tmp_path: Path) -> None:
    """Admin saving: hours saved per year = 0.1 h x incidents per year; service unchanged."""
    experiment = load_experiment(write_experiment(tmp_path))
    runs = run_experiment(experiment, workers=1)
    document = comparison_document(experiment, runs)
    admin = document["scenarios"]["admin"]
    years = 9.0 / 365.25
    generated = runs.metrics[
        (runs.metrics["scenario"] == "base")
        & runs.metrics["metric"].str.startswith("incidents.")
        & runs.metrics["metric"].str.endswith(".generated")
    ]
    per_year = generated.groupby("replication")["value"].sum().mean() / years
    assert admin["hours_saved_per_year"]["mean"] == pytest.approx(0.1 * per_year, rel=1e-9)
    burglary = admin["types"]["burglary"]
    assert burglary["extra_attended"]["mean"] == 0.0  # ample officers: everything is attended
    assert burglary["linear_extra_attended"]["government"] == pytest.approx(0.1 * per_year / 1.67, rel=1e-5)
    assert burglary["linear_extra_attended"]["own_attendance"] == pytest.approx(
        0.1 * per_year / ((60 + 20) / 60), rel=1e-5
    )
    assert document["hours_per_incident"]["domestic_abuse"]["own_attendance"] == pytest.approx(
        (90 + 0.5 * 8 + 0.5 * 20) / 60, abs=1e-4
    )


def test_interval_covers_a_known_difference_end_to_end() -> None:
    """Hours saved by admin_reduction have true mean 0.1 h x rate x window; 80 experiments of 4."""
    raw = small_force(admin_reduction={"enabled": True, "hours_saved": {"crime_recording": 0.1}})
    raw.update(horizon_days=4.0, warmup_days=0.0)
    raw["workforce"]["response_officers"] = 20
    scenario, base = (
        scenario_from_dict(raw),
        scenario_from_dict(small_force() | {"horizon_days": 4.0, "warmup_days": 0.0}),
    )
    rate = sum(spec["yearly_volume"] for spec in raw["incident_types"].values()) / 365.25
    truth = 0.1 * rate * 4.0
    experiments, covered = 80, 0
    for experiment in range(experiments):
        seeds = [replication_seed(500 + experiment, r) for r in range(4)]
        a = [simulate(base, s).metrics.get("hours_saved.admin_reduction", 0.0) for s in seeds]
        b = [simulate(scenario, s).metrics["hours_saved.admin_reduction"] for s in seeds]
        result = paired_difference(a, b)
        covered += result.ci_low <= truth <= result.ci_high
    sd = math.sqrt(0.95 * 0.05 / experiments)
    assert abs(covered / experiments - 0.95) <= 3.5 * sd


def test_compare_command_json_and_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints the document; --out writes tables and plots and refuses to overwrite."""
    path = write_experiment(tmp_path)
    assert main(["compare", str(path), "--replications", "2", "--workers", "1", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document["scenarios"]) == {"admin", "redaction"}
    assert document["experiment"]["replications"] == 2
    out = tmp_path / "results"
    assert main(["compare", str(path), "--replications", "2", "--workers", "1", "--out", str(out)]) == 0
    written = {p.name for p in out.rglob("*")}
    assert {
        "comparison.json",
        "manifest.json",
        "paired.parquet",
        "replications.parquet",
        "linear.parquet",
        "extra_attended.png",
        "officer_hours.png",
        "response_times.png",
    } <= written
    assert main(["compare", str(path), "--replications", "2", "--out", str(out)]) == 2
    assert "already holds results" in capsys.readouterr().err


def test_results_do_not_depend_on_workers(tmp_path: Path) -> None:
    """The same per-replication metrics from one process and from two."""
    experiment = load_experiment(write_experiment(tmp_path, replications=2))
    one = run_experiment(experiment, workers=1).metrics
    two = run_experiment(experiment, workers=2).metrics
    assert one.equals(two)
