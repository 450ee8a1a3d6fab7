"""Absorbable demand: the measure moves with load, the search brackets, the tolerance is honoured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from scenarios import build
from test_attendance import force
from test_compare import write_experiment

import sim.study.capacity as capacity
from sim.commands.cli import main
from sim.errors import ConfigError
from sim.study.capacity import (
    CapacitySettings,
    Tolerance,
    absorbable_demand,
    judge,
    run_trial,
    summarise_capacity,
)
from sim.study.search import Bracket, largest_feasible

# ---- the search on a synthetic monotone test (no simulation) -------------------------------------


@pytest.mark.parametrize("threshold", [0.0, 0.37, 3.3, 7.9, 9.99])
def test_search_brackets_a_known_threshold(threshold: float) -> None:
    """Passing up to ``threshold``: the bracket holds it and is no wider than the resolution."""
    result = largest_feasible(lambda x: x <= threshold, first_step=0.5, max_extra=10.0, resolution=0.1)
    assert result.passing is not None and result.failing is not None
    assert result.passing <= threshold < result.failing
    assert result.failing - result.passing <= 0.1
    assert not result.censored
    # zero, doublings from 0.5 (0.5, 1.5, 3.5, 7.5, 10), then bisections of at most 5 to 0.1
    assert result.evaluations <= 1 + 5 + 6


def test_search_fails_at_zero_and_is_censored_at_the_cap() -> None:
    worse = largest_feasible(lambda x: False, first_step=1.0, max_extra=10.0, resolution=0.1)
    assert (worse.passing, worse.failing, worse.evaluations, worse.censored) == (None, 0.0, 1, False)
    never = largest_feasible(lambda x: True, first_step=1.0, max_extra=10.0, resolution=0.1)
    assert never.censored and never.passing == 10.0 and never.failing is None
    with pytest.raises(ValueError, match="first_step"):
        Bracket(first_step=0.0, max_extra=1.0, resolution=0.1)


def test_trials_left_bounds_the_trials_taken() -> None:
    """The progress bound never undercounts what the search goes on to try."""
    for threshold in (0.2, 2.0, 6.1, 20.0):
        bracket = Bracket(0.5, 10.0, 0.1)
        bound = bracket.trials_left()
        taken = 0
        while (volume := bracket.next_volume()) is not None:
            assert bracket.trials_left() <= bound - taken
            bracket.record(volume, volume <= threshold)
            taken += 1
        assert bracket.trials_left() == 0 and taken <= bound


# ---- the tolerance (no simulation) ---------------------------------------------------------------


def _rows(shares: list[float], minutes: list[float], volume: float = 100.0) -> list[dict[str, Any]]:
    return [
        {"volume": volume, "share_in_person": s, "time_to_attend_minutes": m, "overloaded": False}
        for s, m in zip(shares, minutes, strict=True)
    ]


def test_the_tolerance_is_honoured_on_both_measures() -> None:
    """A fall of just under T points passes, just over fails; the same for M minutes; both must hold."""
    reference = _rows([0.60, 0.62, 0.58], [300.0, 310.0, 290.0])
    tolerance = Tolerance(share_points=2.0, minutes=30.0)

    def verdict(share_fall: float, rise: float) -> bool:
        rows = _rows([0.60 - share_fall, 0.62 - share_fall, 0.58 - share_fall], [300 + rise, 310 + rise, 290 + rise])
        return bool(judge(reference, rows, tolerance)["passed"])

    assert verdict(0.0199, 29.9)
    assert not verdict(0.0201, 0.0)
    assert not verdict(0.0, 30.1)
    assert verdict(-0.05, -100.0)  # better service passes
    step = judge(reference, _rows([0.59, 0.61, 0.57], [320.0, 330.0, 310.0]), tolerance)
    assert step["share_change_points"]["mean"] == pytest.approx(-1.0)
    assert step["time_change_minutes"]["mean"] == pytest.approx(20.0)
    assert step["clearly"] == "within"  # paired: the changes do not vary, so the CIs are points
    beyond = judge(reference, _rows([0.50, 0.52, 0.48], [300.0, 310.0, 290.0]), tolerance)
    assert (beyond["passed"], beyond["clearly"]) == (False, "beyond")
    overloaded = [{**row, "overloaded": True} for row in reference]
    assert judge(reference, overloaded, tolerance)["passed"] is False


def _synthetic(share_per_incident: float, minutes_per_incident: float, bonus: float) -> Any:
    """A stand-in for one simulated replication: service falls linearly with the extra volume;
    each replication has its own level, common to every volume (as common random numbers give);
    ``bonus`` points of share for a scenario named ``better``."""

    def trial(
        scenario: Any, kind: str, volume: float, max_volume: float, seed: int, replication: int
    ) -> dict[str, Any]:
        level = 0.6 + 0.03 * replication + (bonus if scenario.name == "better" else 0.0)
        return {
            "replication": replication,
            "volume": volume,
            "share_in_person": level - share_per_incident * volume,
            "time_to_attend_minutes": 200.0 + 40.0 * replication + minutes_per_incident * volume,
            "overloaded": False,
            "wall_seconds": 0.0,
        }

    return trial


@pytest.mark.parametrize(
    ("share_points", "minutes", "truth"),
    [(1.0, 30.0, 1 / 0.0011), (5.0, 30.0, 30 / 0.011), (5.0, 100.0, 5 / 0.0011)],
)
def test_search_over_volumes_brackets_the_tolerance(
    monkeypatch: pytest.MonkeyPatch, share_points: float, minutes: float, truth: float
) -> None:
    """Share falls 1.1 points per 1,000 extra, time rises 11 min per 1,000: the binding tolerance
    sets the answer, which the bracket holds; a scenario 0.5 points better absorbs 455 more where
    the share binds, and no more where the time does."""
    monkeypatch.setattr(capacity, "run_trial", _synthetic(1.1e-5, 0.011, 0.005))
    base = build(force(officers=2))
    better = build(force(officers=2), name="better")
    settings = CapacitySettings(100.0, 20000.0, 50.0, Tolerance(share_points, minutes))
    runs = absorbable_demand(base, {"base": base, "better": better}, "burglary", 1, 3, settings)
    summary = summarise_capacity(runs, "base")
    cell = summary["base"]["absorbable_per_year"]
    assert cell["last_passing"] <= truth < cell["first_failing"]
    assert cell["first_failing"] - cell["last_passing"] <= 50.0
    gain = summary["better"]["gain_over_base_per_year"]
    extra = 0.0 if minutes == 30.0 and share_points == 5.0 else 0.5 / 0.0011  # where the share binds
    assert gain["low"] <= extra <= gain["high"]
    steps = summary["base"]["steps"]
    assert [s["volume"] for s in steps] == sorted(s["volume"] for s in steps)
    assert len(runs.reference) == 3 and all(row["volume"] == 0.0 for row in runs.reference)


# ---- on the simulation ---------------------------------------------------------------------------


def test_more_demand_lowers_the_share_attended_in_person() -> None:
    """A small strained force with attendance decisions: twice the domestic abuse, on common random
    numbers, lowers the share of it attended in person in every replication (DA goes to the
    telephone when officers are short)."""
    scenario = build(force(officers=4, days=12.0))
    volume = scenario.incident_types["domestic_abuse"].yearly_volume
    for replication in range(2):
        plain = run_trial(scenario, "domestic_abuse", 0.0, volume, 7, replication)
        loaded = run_trial(scenario, "domestic_abuse", volume, volume, 7, replication)
        assert loaded["share_in_person"] < plain["share_in_person"] - 0.02


def test_a_scenario_without_decisions_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_experiment(tmp_path)
    assert main(["capacity", str(path), "--type", "burglary", "--replications", "2", "--workers", "1"]) == 2
    error = capsys.readouterr().err.strip()
    assert "scenario 'base': no attendance section" in error and len(error.splitlines()) == 1
    with pytest.raises(ConfigError, match="not an incident type"):
        absorbable_demand(build(force(officers=2)), {}, "burglry", 1, 2, CapacitySettings(1, 2, 1))


def test_capacity_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A short search on the small force with decisions: JSON with the tolerance and every step,
    outputs written, a mistyped type named."""
    (tmp_path / "force.yaml").write_text(yaml.safe_dump(force(officers=4, days=12.0)), encoding="utf-8")
    spec = {"name": "t", "config": "force.yaml", "base": "base", "replications": 2, "seed": 7}
    spec["scenarios"] = [{"name": "base"}, {"name": "more", "set": {"workforce.response_officers": 6}}]
    path = tmp_path / "experiment.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    volume = 365.25 * 24
    argv = ["capacity", str(path), "--type", "domestic_abuse", "--workers", "1", "--max-extra", str(volume)]
    argv += ["--first-step", str(volume / 2), "--resolution", str(volume / 2), "--share-tolerance", "0.5"]
    assert main([*argv, "--json", "--out", str(tmp_path / "out")]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["tolerance"] == {"share_points": 0.5, "minutes": 30.0}
    base, more = document["scenarios"]["base"], document["scenarios"]["more"]
    assert base["steps"][0]["volume"] == 0.0 and base["steps"][0]["share_change_points"]["mean"] == 0.0
    assert more["steps"][0]["share_change_points"]["mean"] > 0  # more officers: more in person at no extra
    for entry in (base, more):
        cell = entry["absorbable_per_year"]
        passed = [s["volume"] for s in entry["steps"] if s["passed"]]
        assert cell["last_passing"] == (max(passed) if passed else None)
    assert {"capacity.json", "capacity.parquet", "manifest.json"} <= {p.name for p in (tmp_path / "out").iterdir()}
    assert main(argv) == 0  # the text names the tolerance and every step
    text = capsys.readouterr().out
    assert "at most 0.5 percentage points" in text and "at most 30 min" in text
    assert text.count(" a year: in person ") == len(base["steps"]) + len(more["steps"])
    assert main([*argv, "--type", "burglry"]) == 2
    assert "--type" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*argv, "--time-tolerance", "-1"])
    assert "--time-tolerance" in capsys.readouterr().err


def test_a_base_with_nothing_to_measure_is_refused() -> None:
    """No incident of the type after the warm-up: a one-line error, not a search on NaN."""
    scenario = build(force(officers=2, days=3.0))
    quiet = scenario.model_copy(
        update={
            "incident_types": {
                **scenario.incident_types,
                "burglary": scenario.incident_types["burglary"].model_copy(update={"yearly_volume": 1e-6}),
            }
        }
    )
    with pytest.raises(ConfigError, match="type 'burglary': replication 0 of the base attended none"):
        absorbable_demand(quiet, {"base": quiet}, "burglary", 1, 2, CapacitySettings(1, 2, 1))
