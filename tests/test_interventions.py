"""Each intervention moves the right quantity by the amount worked out by hand, and nothing else.

The small force here has far more officers than work (no queueing: every incident is reached after
its fixed travel time), fixed durations, and no contact centre unless a test adds one, so each
effect can be computed exactly. The tests that weigh officer hours replay the force's own calls
but those of the last days (``quiet``): every job and its follow-up then ends inside the window,
so there is no work in progress to allow for and the hours must match to rounding. The pairs
run on one seed and see the same incidents (common random numbers).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.config.loading import DEFAULT_CONFIG, load_raw, scenario_from_dict
from sim.config.schema import Scenario
from sim.errors import ConfigError
from sim.model.replication import simulate

OFFICERS = 60
DAYS = 20.0
FIXED = {"dist": "fixed"}
TASK_MINUTES = {"crime_recording": 30.0, "interviews": 40.0, "text_redaction": 60.0}
FOOTAGE_MINUTES, PER_FOOTAGE_MINUTE = 20.0, 9.0  # video redaction: 180 minutes
QUIET_DAYS = 2.0  # no calls in the window's last days: all work ends inside it (hours of work a day)
EXACT = 1e-9  # relative: rounding only


def fixed(value: float) -> dict[str, Any]:
    return {**FIXED, "value": value}


def small_force(**interventions: Any) -> dict[str, Any]:
    """Burglary (P3) and domestic abuse (P1, P3), fixed times, ample officers, no contact centre."""
    followup = {"crime_recording": 1.0, "interviews": 1.0, "video_redaction": 1.0, "text_redaction": 1.0}
    kinds = {
        "burglary": {"yearly_volume": 3000.0, "grade_mix": {"P3": 1.0}, "on_scene": 60.0},
        "domestic_abuse": {"yearly_volume": 4000.0, "grade_mix": {"P1": 0.5, "P3": 0.5}, "on_scene": 90.0},
        "road_traffic_collision": {"yearly_volume": 2000.0, "grade_mix": {"P1": 1.0}, "on_scene": 50.0},
    }
    return {
        "name": "small",
        "horizon_days": DAYS,
        "warmup_days": 0.0,
        "grades": {
            "P1": {"priority": 1, "deploy": True, "target_minutes": 15},
            "P3": {"priority": 3, "deploy": True, "target_minutes": 2880},
            "P4": {"priority": 4, "deploy": False},
        },
        "incident_types": {
            name: {
                "yearly_volume": spec["yearly_volume"],
                "channel_mix": {"emergency_999": 1.0},
                "grade_mix": spec["grade_mix"],
                "on_scene_minutes": fixed(spec["on_scene"]),
                "followup": followup,
            }
            for name, spec in kinds.items()
        },
        "contact": None,
        "workforce": {
            "response_officers": OFFICERS,
            "teams": 1,
            "shifts": {"day": {"start_hour": 0, "length_hours": 24}},
            "pattern": ["day"],
            "stations": [{"name": "only"}],
            "abstraction": {},
        },
        "dispatch": {"travel_minutes": {"P1": fixed(8.0), "P3": fixed(20.0)}},
        "tasks": {
            **{name: {"minutes": fixed(minutes)} for name, minutes in TASK_MINUTES.items()},
            "video_redaction": {
                "footage_minutes": fixed(FOOTAGE_MINUTES),
                "minutes_per_footage_minute": PER_FOOTAGE_MINUTE,
            },
        },
        "interventions": interventions,
    }


def run(raw: dict[str, Any], seed: int = 3) -> dict[str, float]:
    return simulate(scenario_from_dict(raw, source="test"), seed).metrics


def write_quiet_log(folder: Path) -> Path:
    """The small force's own calls (seed 3) but those of the last QUIET_DAYS, as a replay log."""
    records = simulate(scenario_from_dict(small_force(), source="test"), 3, records=True).records
    assert records is not None
    calls = records[records["call_minute"] < (DAYS - QUIET_DAYS) * 1440]
    rows = zip(calls["call_minute"] / 60, calls["grade"], calls["type"], strict=True)
    path = folder / "calls.csv"
    path.write_text("\n".join(["time,grade,type", *(f"{t!r},{g},{k}" for t, g, k in rows)]) + "\n")
    return path


@pytest.fixture(scope="module")
def quiet_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_quiet_log(tmp_path_factory.mktemp("quiet"))


def quiet(log: Path, **interventions: Any) -> dict[str, float]:
    """The small force on the quiet log: checks that no work is left over at the end."""
    raw = small_force(**interventions)
    raw["replay"] = {"path": str(log), "default_type": "burglary"}
    metrics = run(raw)
    assert metrics["followup_backlog_hours"] == pytest.approx(0.0, abs=1e-9)
    assert attended(metrics) == sum(
        v for k, v in metrics.items() if k.startswith("incidents.") and k.endswith(".generated")
    )
    return metrics


def attended(metrics: dict[str, float]) -> float:
    return sum(v for k, v in metrics.items() if k.startswith("incidents.") and k.endswith(".attended"))


def assert_same(base: dict[str, float], other: dict[str, float], keys: list[str]) -> None:
    for key in keys:
        assert other[key] == pytest.approx(base[key], nan_ok=True), key


def service_keys(metrics: dict[str, float]) -> list[str]:
    prefixes = ("incidents.", "response_minutes.", "within_target.")
    return [k for k in metrics if k.startswith(prefixes)]


# ---- zero adoption or zero effect: exactly nothing changes, end to end on the baseline ----------
ZERO_CASES = {
    "automated_redaction": [{"adoption": 0.0}, {"video_saving": 0.0, "text_saving": 0.0}],
    "admin_reduction": [
        {"adoption": 0.0, "hours_saved": {"crime_recording": 0.5}},
        {"hours_saved": {"crime_recording": 0.0}},
    ],
    "video_interviews": [
        {"adoption": 0.0, "rapid_response": {"eligible_share": 0.0}},
        {"duration_factor": 1.0, "rapid_response": {"consent_share": 0.0}},
    ],
    "drone_first_response": [{"adoption": 0.0}, {"resolved_share": 0.0, "on_scene_saving": 0.0}],
    "ai_101_triage": [{"adoption": 0.0}, {"containment": 0.0, "handling_time_saving": 0.0}],
}


@pytest.fixture(scope="module")
def baseline_week() -> tuple[dict[str, Any], list[dict[str, float]]]:
    raw = load_raw(DEFAULT_CONFIG)
    raw.update(horizon_days=6.0, warmup_days=1.0)
    base = scenario_from_dict(raw, source="test")
    return raw, [simulate(base, seed).metrics for seed in (1, 2)]


@pytest.mark.parametrize(("name", "case"), [(name, i) for name, cases in ZERO_CASES.items() for i in range(2)])
def test_zero_adoption_or_effect_changes_nothing(
    baseline_week: tuple[dict[str, Any], list[dict[str, float]]], name: str, case: int
) -> None:
    """Paired difference exactly zero in every replication and every shared metric."""
    raw, base_runs = baseline_week
    changed = copy.deepcopy(raw)
    changed["interventions"] = {name: {"enabled": True, **ZERO_CASES[name][case]}}
    scenario = scenario_from_dict(changed, source="test")
    for seed, base in zip((1, 2), base_runs, strict=True):
        other = simulate(scenario, seed).metrics
        for key, value in base.items():
            assert other[key] == value or (math.isnan(value) and math.isnan(other[key])), key
        assert other.get(f"hours_saved.{name}", 0.0) == 0.0


# ---- each intervention by hand -------------------------------------------------------------------
def test_automated_redaction_cuts_redaction_by_the_saving_and_nothing_else(quiet_log: Path) -> None:
    """Adoption 1: video hours x (1 - 0.6), text hours x (1 - 0.8); service and other work same."""
    base = quiet(quiet_log)
    other = quiet(quiet_log, automated_redaction={"enabled": True, "video_saving": 0.6, "text_saving": 0.8})
    assert_same(base, other, service_keys(base))
    for task, saving in (("video_redaction", 0.6), ("text_redaction", 0.8)):
        expected = (1.0 - saving) * base[f"officer_hours.{task}"]
        assert other[f"officer_hours.{task}"] == pytest.approx(expected, rel=EXACT), task
    for activity in ("travel", "on_scene", "crime_recording", "interviews"):
        key = f"officer_hours.{activity}"
        assert other[key] == pytest.approx(base[key], rel=EXACT), key
    generated = sum(v for k, v in base.items() if k.startswith("incidents.") and k.endswith(".generated"))
    planned = generated * (0.6 * FOOTAGE_MINUTES * PER_FOOTAGE_MINUTE + 0.8 * 60.0) / 60.0
    assert other["hours_saved.automated_redaction"] == pytest.approx(planned, rel=EXACT)
    freed = base["officer_hours_total"] - base["officer_hours.available"]
    freed -= other["officer_hours_total"] - other["officer_hours.available"]
    assert freed == pytest.approx(planned, rel=EXACT)  # all work done in the window: planned = freed


def test_admin_reduction_frees_the_saving_on_every_completed_task(quiet_log: Path) -> None:
    """Crime recording 30 -> 24 minutes: freed hours = 0.1 h x tasks completed (= incidents)."""
    base = quiet(quiet_log)
    other = quiet(quiet_log, admin_reduction={"enabled": True, "hours_saved": {"crime_recording": 0.1}})
    assert_same(base, other, service_keys(base))
    completed = base["officer_hours.crime_recording"] / (TASK_MINUTES["crime_recording"] / 60)
    generated = sum(v for k, v in base.items() if k.startswith("incidents.") and k.endswith(".generated"))
    assert completed == pytest.approx(generated, rel=EXACT)
    freed = base["officer_hours.crime_recording"] - other["officer_hours.crime_recording"]
    assert freed == pytest.approx(0.1 * generated, rel=EXACT)
    assert other["hours_saved.admin_reduction"] == pytest.approx(0.1 * generated, rel=EXACT)


def test_video_interviews_and_rapid_video_response(quiet_log: Path) -> None:
    """Interviews x 0.5 for adopters; eligible x consenting DA P3 attended by video, no officer."""
    raw = small_force(
        video_interviews={
            "enabled": True,
            "adoption": 1.0,
            "duration_factor": 0.5,
            "rapid_response": {"eligible_share": 0.6, "consent_share": 0.75, "desk_officers": 50, "call_minutes": 30.0},
        }
    )
    base, other = quiet(quiet_log), quiet(quiet_log, **raw["interventions"])
    video = other["remote.domestic_abuse.video_attended"]
    da_p3 = base["incidents.domestic_abuse.generated"] * 0.5  # expected P3 count, roughly
    share = 0.6 * 0.75
    assert abs(video - share * da_p3) <= 4.0 * math.sqrt(da_p3 * share * (1 - share)) + 0.05 * da_p3
    # every incident still attended, DA sooner (video within minutes instead of 20 min travel)
    assert attended(other) == attended(base)
    key = "response_minutes.domestic_abuse.mean"
    assert other[key] < base[key]
    assert_same(base, other, [k for k in service_keys(base) if "domestic_abuse" not in k])
    # no officer goes to a video-attended incident: on-scene hours fall by 90 min each
    on_scene = base["officer_hours.on_scene"] - other["officer_hours.on_scene"]
    assert on_scene == pytest.approx(video * 1.5, rel=EXACT)
    # interviews: half as long for those left to officers
    officer_incidents = attended(base) - video
    interviews = officer_incidents * TASK_MINUTES["interviews"] / 60 * 0.5
    assert other["officer_hours.interviews"] == pytest.approx(interviews, rel=EXACT)


def test_drone_first_response_resolves_a_share_and_shortens_the_rest(quiet_log: Path) -> None:
    """Road collisions (P1): 30% resolved by a drone in launch + flight; the rest 20% shorter."""
    drone = {
        "enabled": True,
        "drones_per_station": 200,
        "launch_minutes": 1.0,
        "travel_minutes_without_geography": 3.0,
        "operating_start_hour": 0.0,
        "operating_end_hour": 24.0,
        "weather_availability": 1.0,
        "incident_types": ["road_traffic_collision"],
        "grades": ["P1"],
        "resolved_share": 0.3,
        "on_scene_saving": 0.2,
    }
    base, other = quiet(quiet_log), quiet(quiet_log, drone_first_response=drone)
    flights = other["remote.drone_flights"]
    assert flights == base["incidents.road_traffic_collision.generated"]
    resolved = other["remote.road_traffic_collision.drone_attended"]
    assert abs(resolved - 0.3 * flights) <= 4.0 * math.sqrt(flights * 0.3 * 0.7)
    assert attended(other) == attended(base)
    # response: 4 min by drone for the resolved, 8 min by car for the others
    expected_mean = (resolved * 4.0 + (flights - resolved) * 8.0) / flights
    assert other["response_minutes.road_traffic_collision.mean"] == pytest.approx(expected_mean)
    on_scene_saved = resolved * 50.0 + (flights - resolved) * 50.0 * 0.2
    freed = base["officer_hours.on_scene"] - other["officer_hours.on_scene"]
    assert freed == pytest.approx(on_scene_saved / 60.0, rel=EXACT)
    assert_same(base, other, [k for k in service_keys(base) if "road_traffic" not in k])


def test_drones_are_a_finite_resource() -> None:
    """One drone busy 1 + 2 x 3 + 20 = 27 min per flight can fly at most horizon / 27 times."""
    drone = {
        "enabled": True,
        "drones_per_station": 1,
        "launch_minutes": 1.0,
        "travel_minutes_without_geography": 3.0,
        "scene_minutes": 20.0,
        "operating_start_hour": 0.0,
        "operating_end_hour": 24.0,
        "weather_availability": 1.0,
        "incident_types": ["road_traffic_collision", "domestic_abuse"],
        "grades": ["P1"],
        "resolved_share": 0.0,
        "on_scene_saving": 0.0,
    }
    raw = small_force(drone_first_response=drone)
    for spec in raw["incident_types"].values():
        spec["yearly_volume"] *= 10
    metrics = run(raw)
    requests = (
        metrics["incidents.road_traffic_collision.generated"] + 0.5 * metrics["incidents.domestic_abuse.generated"]
    )
    assert metrics["remote.drone_flights"] <= DAYS * 1440 / 27 + 1
    assert metrics["remote.drone_flights"] < 0.9 * requests


def test_ai_101_triage_contains_no_deploy_contacts_and_shortens_handling() -> None:
    """Half of the no-deployment 101 contacts never reach a handler; the rest take 30% less."""
    raw = load_raw(DEFAULT_CONFIG)
    raw.update(horizon_days=8.0, warmup_days=1.0)
    raw["contact"]["patience_101_minutes"] = fixed(1e7)  # nobody abandons: offers are exact
    base = run(raw, seed=5)
    changed = copy.deepcopy(raw)
    changed["interventions"] = {"ai_101_triage": {"enabled": True, "containment": 0.5, "handling_time_saving": 0.3}}
    other = run(changed, seed=5)
    contained = other["remote.ai_101_contained"]
    assert base["contact.offered_101"] - other["contact.offered_101"] == contained
    no_deploy_101 = raw["contact"]["non_incident_calls_per_year"]["non_emergency_101"] * 7 / 365.25
    assert contained > 0.5 * 0.8 * no_deploy_101
    assert other["contact.mean_answer_101_seconds"] < base["contact.mean_answer_101_seconds"]
    generated = [k for k in base if k.startswith("incidents.") and k.endswith(".generated")]
    assert_same(base, other, generated)


def test_ai_101_misgrading_moves_incidents_to_the_lower_grade() -> None:
    """Every P2 contact through 101 graded P3 instead: P2 response comes only from 999/online."""
    raw = load_raw(DEFAULT_CONFIG)
    raw.update(horizon_days=5.0, warmup_days=1.0)
    base = run(raw, seed=2)
    changed = copy.deepcopy(raw)
    changed["interventions"] = {
        "ai_101_triage": {
            "enabled": True,
            "containment": 0.0,
            "handling_time_saving": 0.0,
            "regrade": {"P2": {"P3": 1.0}},
        }
    }
    other = run(changed, seed=2)
    assert other["response_minutes_by_grade.P3.mean"] != base["response_minutes_by_grade.P3.mean"]
    assert other["response_minutes.burglary.mean"] > base["response_minutes.burglary.mean"]


def test_unknown_names_are_refused_with_the_field() -> None:
    """A drone sent to a type the scenario does not have is a config error naming the field."""
    raw = small_force(drone_first_response={"enabled": True, "incident_types": ["burglry"]})
    with pytest.raises(ConfigError, match="drone_first_response.incident_types"):
        scenario_from_dict(raw, source="test")
    raw = small_force(admin_reduction={"enabled": True, "hours_saved": {"crime_record": 1}})
    with pytest.raises(ConfigError, match="admin_reduction.hours_saved"):
        scenario_from_dict(raw, source="test")


def test_extra_demand_adds_nested_incidents_and_leaves_the_others() -> None:
    """More extra volume only adds incidents; the base incidents keep their times and outcomes."""

    def with_extra(volume: float) -> Scenario:
        raw = small_force(
            extra_demand={"incident_type": "burglary", "yearly_volume": volume, "max_yearly_volume": 6000.0}
        )
        return scenario_from_dict(raw, source="test")

    runs = [simulate(with_extra(v), 4, records=True).records for v in (0.0, 1500.0, 3000.0)]
    assert runs[0] is not None
    counts = [int((r["type"] == "burglary").sum()) for r in runs]  # type: ignore[index]
    assert counts[0] < counts[1] < counts[2]
    times = [set(np.round(r.loc[r["type"] == "burglary", "call_minute"], 9)) for r in runs]
    assert times[0] <= times[1] <= times[2]
    others = [r.loc[r["type"] != "burglary", "call_minute"].to_numpy() for r in runs]
    assert np.array_equal(others[0], others[2])
    expected = 1500.0 * DAYS / 365.25
    assert abs(counts[1] - counts[0] - expected) <= 4.0 * math.sqrt(expected)
