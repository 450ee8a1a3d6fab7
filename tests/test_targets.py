"""Published-figure targets: the file validates, the arithmetic is right, and a miss is reported."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest
import yaml

from sim.config.forces import load_forces
from sim.errors import ConfigError
from sim.study.targets import (
    INPUT_METRICS,
    Context,
    TargetsFile,
    TargetSpec,
    check_targets,
    compute,
    load_targets,
    misses,
    with_role,
)

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ROOT / "configs" / "targets.yaml"

METRICS = {
    "officer_hours.available": 500.0,
    "officer_hours.travel": 150.0,
    "officer_hours.on_scene": 250.0,
    "officer_hours.crime_recording": 60.0,
    "officer_hours.statements": 40.0,
    "within_target.P1": 0.82,
    "incidents.burglary.generated": 120.0,
}


def _target(**kw: object) -> TargetSpec:
    base: dict[str, object] = {
        "name": "t",
        "source": "s",
        "quality": "good",
        "role": "fit",
        "value": 1.0,
        "tolerance": 0.1,
    }
    base.update(kw)
    return TargetSpec.model_validate(base)


def test_metric_sum_share_and_per_officer_arithmetic() -> None:
    ctx = Context(officer_fte=50.0, years=0.5, hours_per_year=8766.0)
    assert compute(_target(metric="within_target.P1"), METRICS, ctx) == 0.82
    assert compute(_target(sum=["officer_hours.travel", "officer_hours.on_scene"]), METRICS, ctx) == 400.0
    share = _target(
        share={
            "numerator": ["officer_hours.crime_*", "officer_hours.statements"],
            "denominator": ["officer_hours.*"],
        }
    )
    assert compute(share, METRICS, ctx) == pytest.approx(100.0 / 1000.0)
    per = _target(metric="within_target.P1", per="officer_fte_year")
    assert compute(per, METRICS, ctx) == pytest.approx(0.82 / (50.0 * 0.5))
    strength = _target(sum=["officer_hours.available"], per="officer_fte_hours")
    assert compute(strength, METRICS, ctx) == pytest.approx(500.0 / (50.0 * 0.5 * 8766.0))


def test_unknown_metric_is_an_error_naming_it() -> None:
    ctx = Context(1.0, 1.0)
    with pytest.raises(ConfigError, match="nope"):
        compute(_target(metric="nope"), METRICS, ctx)
    with pytest.raises(ConfigError, match="no metric matches officer_minutes"):
        compute(_target(sum=["officer_minutes.*"]), METRICS, ctx)


def test_a_target_moved_outside_its_tolerance_is_a_miss() -> None:
    reps = [dict(METRICS, **{"within_target.P1": v}) for v in (0.80, 0.82, 0.84)]
    ctx = Context(1.0, 1.0)
    met = _target(name="p1", metric="within_target.P1", value=0.80, tolerance=0.05)
    moved = _target(name="p1_moved", metric="within_target.P1", value=0.95, tolerance=0.05)
    weak = _target(name="weak", quality="weak", metric="within_target.P1", value=0.5, tolerance=0.01)
    results = check_targets([met, moved, weak], reps, ctx)
    by_name = {r.target.name: r for r in results}
    assert by_name["p1"].within and not by_name["p1_moved"].within
    assert by_name["p1"].mean == pytest.approx(0.82)
    assert by_name["p1"].low < 0.82 < by_name["p1"].high
    assert [r.target.name for r in misses(results)] == ["p1_moved"]
    assert [r.target.name for r in misses(results, "weak")] == ["weak"]


def test_relative_tolerance_band() -> None:
    target = _target(metric="x", value=200.0, tolerance=None, relative_tolerance=0.25)
    assert target.band() == (150.0, 250.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tolerance": None}, "exactly one of tolerance"),
        ({"metric": "a", "sum": ["b"]}, "exactly one of metric, sum, share"),
        ({"quality": "great"}, "quality"),
        ({"role": "test"}, "role"),
        ({"metric": "incidents.burglary.generated"}, "measures incidents.burglary.generated, a configured input"),
        ({"metric": None, "sum": ["contact.offered_*"]}, "configured input"),
    ],
)
def test_bad_target_specs_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _target(**({"metric": "x"} | change))


def test_shipped_targets_file_loads_with_sources(tmp_path: Path) -> None:
    targets = load_targets(TARGETS)
    names = {t.name for t in targets.targets}
    assert {"answered_999_within_10s", "paperwork_share", "burglary_mean_wait_minutes"} <= names
    assert all(t.source.strip() for t in targets.targets)
    bad = yaml.safe_load(TARGETS.read_text())
    bad["targets"][0]["tolerance"] = -1
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(ConfigError, match=r"targets\.0 \(answered_999_within_10s\)\.tolerance"):
        load_targets(path)


def _targets_file(tmp_path: Path, value: float) -> Path:
    doc = {
        "officer_fte": 3436,
        "hours_per_year": 8766,
        "targets": [
            {
                "name": "answered_999_within_10s",
                "metric": "contact.answered_999_within_10s",
                "value": value,
                "tolerance": 0.5,
                "quality": "good",
                "role": "fit",
                "source": "test",
            }
        ],
    }
    path = tmp_path / f"targets_{value}.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_validate_targets_command_passes_then_reports_a_moved_target_as_a_miss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI check can fail: the same run meets a target and misses it once it is moved."""
    from sim.commands.cli import main

    base = ["validate", str(ROOT / "configs" / "baseline.yaml"), "--days", "2"]
    base += ["--warmup-days", "0.5", "--replications", "2", "--workers", "1"]
    assert main([*base, "--targets", str(_targets_file(tmp_path, 0.8))]) == 0
    assert "within" in capsys.readouterr().out
    assert main([*base, "--targets", str(_targets_file(tmp_path, 5.0))]) == 1
    out = capsys.readouterr().out
    assert "MISS" in out and "0 of 1 good-data targets within tolerance" in out


def _all_shipped_targets() -> list[TargetSpec]:
    targets = load_targets(TARGETS)
    return targets.targets + [t for section in targets.forces.values() for t in section.targets]


def test_every_shipped_target_measures_an_output_not_a_configured_input() -> None:
    """The circular targets of old (burglary and DA per officer measured `generated`) cannot return."""
    shipped = _all_shipped_targets()
    assert [t.name for t in shipped if t.measured_inputs()] == []
    for target in shipped:  # every measured pattern is checked against every input pattern
        for pattern in target.measured():
            assert not any(fnmatch.fnmatchcase(pattern, i) for i in INPUT_METRICS), (target.name, pattern)
    # the check bites: one of the old circular targets, restored, is refused
    doc = yaml.safe_load(TARGETS.read_text())
    circular = {
        "name": "burglary_per_officer_year",
        "metric": "incidents.burglary.generated",
        "per": "officer_fte_year",
    }
    doc["targets"].append({**doc["targets"][0], **circular})
    with pytest.raises(ValueError, match="configured input"):
        TargetsFile.model_validate(doc)


def test_shipped_targets_have_both_roles_and_the_issue_targets() -> None:
    targets = load_targets(TARGETS)
    fit = {t.name for t in with_role(targets.targets, "fit")}
    holdout = {t.name for t in with_role(targets.targets, "holdout")}
    assert fit and holdout and not fit & holdout
    assert {"p2_within_target", "burglary_mean_wait_minutes", "answered_999_within_10s"} <= fit
    assert {
        "p1_within_target",
        "p1_mean_response_minutes",
        "p2_mean_response_minutes",
        "share_attended",
        "burglary_attended_share",
        "da_mean_response_minutes",
        "public_facing_share",
        "visible_available_share_of_strength",
    } <= holdout
    assert {"arrests_per_officer_year", "section_136_per_officer_year"} <= fit | holdout


def test_a_missing_role_is_one_line_naming_the_target_and_field(tmp_path: Path) -> None:
    doc = yaml.safe_load(TARGETS.read_text())
    del doc["targets"][3]["role"]
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigError) as error:
        load_targets(path)
    assert str(error.value) == f"{path}: targets.3 ({doc['targets'][3]['name']}).role: Field required"


def test_a_metric_the_scenario_does_not_produce_is_reported_not_failed() -> None:
    ctx = Context(1.0, 1.0)
    arrests = _target(name="arrests", sum=["arrests.*"], per="officer_fte_year")
    s136 = _target(name="s136", metric="section_136.detentions")
    p1 = _target(name="p1", metric="within_target.P1", value=0.5, tolerance=0.01)
    results = check_targets([arrests, s136, p1], [METRICS, METRICS], ctx)
    by_name = {r.target.name: r for r in results}
    assert not by_name["arrests"].produced and not by_name["s136"].produced
    assert not by_name["arrests"].within
    assert [r.target.name for r in misses(results)] == ["p1"]  # unproduced targets are not misses


def test_a_force_section_replaces_a_common_target_and_adds_its_own() -> None:
    targets = load_targets(TARGETS)
    common = {t.name: t for t in targets.targets}
    met = {t.name: t for t in targets.for_force("Metropolitan Police")}
    assert met["p2_within_target"].value == 0.625 != common["p2_within_target"].value
    assert met["answered_999_within_10s"] is common["answered_999_within_10s"]
    assert len(met) == len(common)  # the Met's three replace three common ones
    assert "da_median_response_minutes" in {t.name for t in targets.for_force("Cleveland")}
    assert targets.for_force(None) == targets.targets
    names = {force.name for force in load_forces(ROOT / "configs" / "forces" / "forces.csv")}
    assert set(targets.forces) <= names  # every section names a row of the forces table


def test_validate_prints_fit_and_holdout_groups_and_unproduced_metrics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.commands.cli import main

    doc = yaml.safe_load(_targets_file(tmp_path, 0.8).read_text())
    holdout = {**doc["targets"][0], "name": "p1_held_out", "metric": "within_target.P1", "role": "holdout"}
    absent = {**doc["targets"][0], "name": "s136", "metric": "section_136.detentions", "role": "fit"}
    doc["targets"] += [holdout, absent]
    path = tmp_path / "groups.yaml"
    path.write_text(yaml.safe_dump(doc))
    args = ["validate", str(ROOT / "configs" / "baseline.yaml"), "--days", "2", "--warmup-days", "0.5"]
    assert main([*args, "--replications", "2", "--workers", "1", "--targets", str(path)]) == 0
    out = capsys.readouterr().out
    fit_at, holdout_at = out.index("Fit targets"), out.index("Held-out targets")
    assert fit_at < out.index("s136") < holdout_at < out.index("p1_held_out")
    assert "metric not produced by this scenario" in out
    assert "fit: 1 of 1 good-data targets within tolerance" in out and "1 not produced" in out
    assert "+/-0.5" in out  # the tolerance is printed
