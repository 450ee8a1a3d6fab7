"""Published-figure targets: the file validates, the arithmetic is right, and a miss is reported."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.errors import ConfigError
from sim.study.targets import Context, TargetSpec, check_targets, compute, load_targets, misses

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
    per = _target(metric="incidents.burglary.generated", per="officer_fte_year")
    assert compute(per, METRICS, ctx) == pytest.approx(120.0 / (50.0 * 0.5))
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
    with pytest.raises(ConfigError, match=r"targets\.0\.tolerance"):
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


def test_validate_targets_json_is_the_document_the_table_is_rendered_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--json`` prints each target's band, simulated cell and verdict, and the counts."""
    import json

    from sim.commands.cli import main
    from sim.report.targets import render_document

    base = ["validate", str(ROOT / "configs" / "baseline.yaml"), "--days", "2"]
    base += ["--warmup-days", "0.5", "--replications", "2", "--workers", "1"]
    assert main([*base, "--targets", str(_targets_file(tmp_path, 5.0)), "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    (row,) = document["targets"]
    assert row["name"] == "answered_999_within_10s" and row["within"] is False
    assert row["band"] == [4.5, 5.5] and set(row["simulated"]) == {"mean", "ci_low", "ci_high"}
    assert document["counts"]["good"] == {"targets": 1, "within": 0}
    assert document["meta"]["replications"] == 2
    assert "0 of 1 good-data targets within tolerance" in render_document(document)
