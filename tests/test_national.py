"""The national model: forces table, per-force scaling, aggregation rule, and a short real run."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config.loading import scenario_from_dict
from sim.errors import ConfigError, DataError
from sim.study.national import (
    aggregate,
    force_raw,
    is_count,
    is_national,
    load_forces,
    load_national,
    officer_hours,
    run_national,
)

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "configs" / "national.yaml"
FORCES = ROOT / "configs" / "forces" / "forces.csv"
PUBLISHED_EW_FTE = 147_745  # Home Office, 31 Mar 2024, as revised in the Mar 2025 release


def test_forces_table_has_the_43_territorial_forces_summing_to_the_published_total() -> None:
    forces = load_forces(FORCES)
    assert len(forces) == 43
    assert sum(f.officer_fte for f in forces) == pytest.approx(PUBLISHED_EW_FTE, abs=0.5)
    assert {f.fte_status for f in forces} <= {"published", "published_secondhand", "derived"}
    assert all(f.fte_source for f in forces)
    met = next(f for f in forces if f.name == "Metropolitan Police")
    assert met.officer_fte == 34_315 and met.setting == "urban"


def test_forces_table_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "forces.csv"
    bad.write_text("force,officer_fte,fte_status,fte_source,setting\nA,12x,derived,s,urban\n")
    with pytest.raises(DataError, match=r"forces.csv:2: officer_fte '12x'"):
        load_forces(bad)
    bad.write_text("force,officer_fte,fte_status,fte_source,setting\nA,12,derived,s,suburb\n")
    with pytest.raises(DataError, match=r":2: setting 'suburb'"):
        load_forces(bad)


def _hours(**kw: float) -> dict[str, float]:
    return {f"officer_hours.{k}": v for k, v in kw.items()}


def test_aggregation_sums_counts_and_hour_weights_shares() -> None:
    a = {
        **_hours(available=600.0, travel=400.0),
        "incidents.burglary.generated": 10.0,
        "within_target.P1": 0.9,
        "contact.answered_999_within_10s": 0.8,
    }
    b = {
        **_hours(available=2000.0, travel=1000.0),
        "incidents.burglary.generated": 30.0,
        "within_target.P1": 0.5,
        "contact.answered_999_within_10s": 0.6,
    }
    national = aggregate({"A": a, "B": b})
    assert national["incidents.burglary.generated"] == 40.0
    assert national["officer_hours.available"] == 2600.0
    # weights 1000 h and 3000 h
    assert national["within_target.P1"] == pytest.approx((0.9 * 1000 + 0.5 * 3000) / 4000)
    assert national["contact.answered_999_within_10s"] == pytest.approx((0.8 + 0.6 * 3) / 4)


def test_aggregation_skips_nan_shares_of_a_force_with_no_such_incidents() -> None:
    a = {**_hours(available=100.0), "response_minutes.burglary.mean": math.nan}
    b = {**_hours(available=300.0), "response_minutes.burglary.mean": 42.0}
    assert aggregate({"A": a, "B": b})["response_minutes.burglary.mean"] == 42.0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(1.0, 1e6), st.floats(0.0, 1e6), st.floats(0.0, 1.0), st.floats(0.0, 1e5)),
        min_size=1,
        max_size=43,
    )
)
def test_aggregation_equals_sum_and_hour_weighted_mean(rows: list[tuple[float, ...]]) -> None:
    forces = {
        f"F{i}": {
            "officer_hours.on_scene": h,
            "officer_hours.available": h2,
            "within_target.P2": share,
            "overtime_hours": ot,
        }
        for i, (h, h2, share, ot) in enumerate(rows)
    }
    national = aggregate(forces)
    hours = [h + h2 for h, h2, _, _ in rows]
    assert national["overtime_hours"] == pytest.approx(sum(r[3] for r in rows), rel=1e-9, abs=1e-9)
    assert national["officer_hours.on_scene"] == pytest.approx(sum(r[0] for r in rows), rel=1e-9)
    expected = sum(w * r[2] for w, r in zip(hours, rows, strict=True)) / sum(hours)
    assert national["within_target.P2"] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert officer_hours(forces["F0"]) == pytest.approx(hours[0])


def test_count_classification() -> None:
    assert is_count("incidents.dv.attended") and is_count("officer_hours.travel")
    assert is_count("overtime_hours") and is_count("followup_backlog_hours")
    assert not is_count("within_target.P1") and not is_count("response_minutes.dv.mean")
    assert not is_count("contact.abandoned_101")


def test_national_config_is_detected_and_every_force_scenario_validates() -> None:
    assert is_national(NATIONAL)
    assert not is_national(ROOT / "configs" / "baseline.yaml")
    config = load_national(NATIONAL)
    assert len(config.forces) == 43
    total_officers = 0
    for force in config.forces:
        raw = force_raw(config, force)
        scenario = scenario_from_dict(raw, source=force.name)
        total_officers += scenario.workforce.response_officers
    base = scenario_from_dict(config.baseline_raw).workforce.response_officers
    expected = base * PUBLISHED_EW_FTE / config.spec.baseline_officer_fte
    # rounding each force to whole officers moves the total by at most half an officer a force
    assert abs(total_officers - expected) <= 43 * 0.5 + 1


def test_scaling_is_proportional_to_officer_fte() -> None:
    config = load_national(NATIONAL)
    met = next(f for f in config.forces if f.name == "Metropolitan Police")
    small = next(f for f in config.forces if f.name == "City of London")
    raw_met, raw_small = force_raw(config, met), force_raw(config, small)
    kind = next(iter(raw_met["incident_types"]))
    ratio = raw_met["incident_types"][kind]["yearly_volume"] / raw_small["incident_types"][kind]["yearly_volume"]
    assert ratio == pytest.approx(met.officer_fte / small.officer_fte, rel=1e-12)


def test_unknown_force_and_bad_override_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown force"):
        load_national(NATIONAL, {"only": ["Atlantis"]})
    with pytest.raises(ConfigError, match="replications"):
        load_national(NATIONAL, {"replications": 0})


def test_short_national_run_aggregates_the_forces_it_ran() -> None:
    """Two real forces, one short replication each, in two processes; the total is their sum."""
    config = load_national(NATIONAL, {"only": ["City of London", "Dyfed-Powys"], "replications": 1})
    short = dict(config.baseline_raw, horizon_days=3.0, warmup_days=0.5)
    config = type(config)(config.path, config.spec, short, config.forces)
    start = time.perf_counter()
    result = run_national(config, workers=2)
    assert time.perf_counter() - start < 60
    rep = result.replications[0]
    assert set(rep) == {"City of London", "Dyfed-Powys"}
    key = next(k for k in result.national[0] if k.startswith("incidents.") and k.endswith(".generated"))
    assert result.national[0][key] == rep["City of London"][key] + rep["Dyfed-Powys"][key]
    # the same seed gives the same numbers (each force keeps its own stream key)
    again = run_national(config, workers=1)
    assert _same(again.replications[0]["Dyfed-Powys"], rep["Dyfed-Powys"])


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    """Equal metrics, NaN equal to NaN (undefined shares such as P4 within target)."""
    return a.keys() == b.keys() and all((math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k] for k in a)


def test_run_command_detects_a_national_config_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.commands.cli import main

    out = tmp_path / "nat"
    argv = ["run", str(NATIONAL), "--days", "1", "--warmup-days", "0.25", "--workers", "1"]
    argv += ["--set", "national.only=[City of London]", "--set", "national.replications=1"]
    assert main([*argv, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "England and Wales, 1 forces" in text and "incidents.domestic_abuse.generated" in text
    assert (out / "national.json").is_file()
    assert main([*argv, "--out", str(out)]) != 0  # results already written are kept
    assert "already holds results" in capsys.readouterr().err
    assert main([*argv[:2], "--set", "workforce.teams=3"]) != 0
    assert "only national.* settings" in capsys.readouterr().err
