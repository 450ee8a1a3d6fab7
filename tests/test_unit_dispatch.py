"""Dispatch, one rule at a time: tiny replayed incident logs whose every arrival is worked by hand.

A replayed log bypasses the contact centre, so an incident reaches dispatch at its call time.
Officers are on duty all day; without geography travel takes the fixed minutes given per grade
(zero unless a test says otherwise). Times in the logs are hours, expectations minutes.
Grades: P1 (target 15 min, may take an officer off desk work), P2, and P3 (closed unattended if
nobody is sent within an hour). The checks read only per-incident records and metrics.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from scenarios import build, mmc_dict

from sim.model.replication import RunResult, simulate

GRADES = {
    "P1": {"priority": 1, "deploy": True, "target_minutes": 15, "interrupts_followup": True},
    "P2": {"priority": 2, "deploy": True, "target_minutes": 60},
    "P3": {"priority": 3, "deploy": True, "target_minutes": 120, "give_up_hours": 1},
}
KM_PER_DEGREE = 6371.0088 * math.pi / 180  # great-circle km per degree of longitude on the equator


def incident_type(**changes: Any) -> dict[str, Any]:
    kind = {
        "yearly_volume": 1,
        "channel_mix": {"emergency_999": 1},
        "grade_mix": {"P1": 1},
        "on_scene_minutes": {"dist": "fixed", "value": 1},
    }
    kind.update(changes)
    return kind


def run_log(
    tmp_path: Path,
    rows: list[tuple],
    *,
    officers: int = 1,
    types: dict[str, Any] | None = None,
    travel: dict[str, float] | None = None,
    **changes: Any,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Replay ``rows`` (hours, grade, type, on-scene minutes[, latitude, longitude]); records by call minute."""
    columns = "time,grade,type,on_scene_minutes" + (",latitude,longitude" if len(rows[0]) > 4 else "")
    log = tmp_path / "log.csv"
    log.write_text("\n".join([columns, *(",".join(map(str, row)) for row in rows)]) + "\n")
    travel = {"P1": 0.0, "P2": 0.0, "P3": 0.0, **(travel or {})}
    raw = mmc_dict(officers, 1.0, 1.0, days=1, warmup_days=0)  # everyone on duty all day, at one station
    raw.update(
        name="dispatch-unit",
        grades=GRADES,
        incident_types=types or {"job": incident_type()},
        replay={"path": str(log), "default_type": "job"},
        dispatch={"travel_minutes": {g: {"dist": "fixed", "value": v} for g, v in travel.items()}},
    )
    stations = changes.pop("stations", None)
    if stations is not None:
        raw["workforce"]["stations"] = stations
    raw.update(changes)
    result: RunResult = simulate(build(raw), 1, records=True)
    assert result.records is not None
    records = result.records.set_index("call_minute").sort_index()
    assert records.index.is_unique
    return records, result.metrics


def test_most_urgent_grade_first_then_oldest_first(tmp_path: Path) -> None:
    """One officer on a 60-minute job while five incidents queue; each takes 10 minutes after."""
    rows = [
        (0.0, "P3", "job", 60),
        (0.1, "P2", "job", 10),  # 6 min
        (0.2, "P3", "job", 10),  # 12 min
        (0.3, "P1", "job", 10),  # 18 min
        (0.4, "P2", "job", 10),  # 24 min
        (0.5, "P1", "job", 10),  # 30 min
    ]
    no_give_up = {g: {k: v for k, v in spec.items() if k != "give_up_hours"} for g, spec in GRADES.items()}
    records, _ = run_log(tmp_path, rows, grades=no_give_up)
    served_at = {18.0: 60.0, 30.0: 70.0, 6.0: 80.0, 24.0: 90.0, 12.0: 100.0}  # P1s, then P2s, then the P3
    assert records.loc[0.0, "arrived_minute"] == 0.0
    for call, arrival in served_at.items():
        assert records.loc[call, "arrived_minute"] == pytest.approx(arrival), call
    assert set(records["outcome"]) == {"attended"}


def test_urgent_grade_interrupts_desk_work_which_resumes_afterwards(tmp_path: Path) -> None:
    """A crime leaves 60 minutes of crime recording; a P1 interrupts it, a P2 does not.

    0-10 on scene at the crime; 10-30 desk (20 of the 60 minutes done); 30-45 at the P1, sent at
    once; 45-85 the remaining 40 minutes; the P2 that rang at 36 min waits for the desk work to end.
    """
    types = {
        "crime": incident_type(followup={"crime_recording": 1.0}),
        "job": incident_type(),
    }
    tasks = {"crime_recording": {"minutes": {"dist": "fixed", "value": 60}}}
    rows = [(0.0, "P3", "crime", 10), (0.5, "P1", "job", 15), (0.6, "P2", "job", 5)]
    records, metrics = run_log(tmp_path, rows, types=types, tasks=tasks)
    assert records.loc[30.0, "arrived_minute"] == pytest.approx(30.0)  # taken off the desk at once
    assert records.loc[36.0, "arrived_minute"] == pytest.approx(85.0)  # 10 + 60 desk + 15 at the P1
    assert metrics["officer_hours.crime_recording"] == pytest.approx(1.0)  # all 60 minutes, none lost
    assert metrics["officer_hours.on_scene"] == pytest.approx((10 + 15 + 5) / 60)
    assert metrics["followup_backlog_hours"] == 0.0


def test_incident_nobody_is_sent_to_by_its_give_up_time_is_closed_unattended(tmp_path: Path) -> None:
    """One officer busy 0-120 min; P3s give up an hour after the call.

    The P3s of 15 and 30 min give up at 75 and 90 min; the one of 90 min is still waiting at
    120 min and is sent then, arriving at 160 min (40 minutes' travel), after its give-up time:
    what counts is being sent in time.
    """
    rows = [(0.0, "P1", "job", 120), (0.25, "P3", "job", 5), (0.5, "P3", "job", 5), (1.5, "P3", "job", 5)]
    records, metrics = run_log(tmp_path, rows, travel={"P3": 40.0})
    assert records.loc[15.0, "outcome"] == "not_attended" and math.isnan(records.loc[15.0, "arrived_minute"])
    assert records.loc[30.0, "outcome"] == "not_attended"
    assert records.loc[90.0, "outcome"] == "attended"
    assert records.loc[90.0, "arrived_minute"] == pytest.approx(160.0)
    assert metrics["incidents.job.not_attended"] == 2 and metrics["incidents.job.attended"] == 2
    # Waits in the queue: 0, 60 and 60 (until given up), 30 (until sent).
    assert metrics["queue_minutes.job.mean"] == pytest.approx((0 + 60 + 60 + 30) / 4)
    assert metrics["within_target.P3"] == pytest.approx(1 / 3)  # 70 min response within 120; two unattended


def test_crew_of_two_keeps_its_place_until_both_are_sent(tmp_path: Path) -> None:
    """Two officers. X on a 20-minute job; the pair job at 6 min gets Y at once and X when X frees
    at 20 min, ahead of the single job that rang at 12 min, which Y takes when it leaves at 36."""
    types = {"job": incident_type(grade_mix={"P2": 1}), "pair": incident_type(officers_needed={2: 1.0})}
    rows = [(0.0, "P2", "job", 20), (0.1, "P2", "pair", 30), (0.2, "P2", "job", 10)]
    records, metrics = run_log(tmp_path, rows, officers=2, types=types)
    assert records.loc[6.0, "arrived_minute"] == pytest.approx(6.0)  # attended when the first arrives
    assert records.loc[12.0, "arrived_minute"] == pytest.approx(36.0)
    assert metrics["officer_hours.on_scene"] == pytest.approx((20 + 30 + 30 + 10) / 60)  # both at the pair job
    assert metrics["incidents.pair.attended"] == 1 and len(records) == 3


def test_crew_takes_every_free_officer_it_needs_at_once(tmp_path: Path) -> None:
    """Both free officers go to the pair job at 0 min, so the job at 6 min waits until 30 min."""
    types = {"job": incident_type(grade_mix={"P2": 1}), "pair": incident_type(officers_needed={2: 1.0})}
    rows = [(0.0, "P2", "pair", 30), (0.1, "P2", "job", 10)]
    records, metrics = run_log(tmp_path, rows, officers=2, types=types)
    assert records.loc[6.0, "arrived_minute"] == pytest.approx(30.0)
    assert metrics["officer_hours.on_scene"] == pytest.approx((30 + 30 + 10) / 60)


def test_nearest_free_officer_is_sent_at_the_grade_speed(tmp_path: Path) -> None:
    """Stations A (0, 0) and B (0, 0.1 deg E) on the equator, one officer each, road factor 1.25,
    60 km/h, 120 km/h under blue lights (P1 only); officers stay where their last job was."""
    geography = {
        "zones": [{"name": "z", "latitude": 0, "longitude": 0.05, "weight": 1, "local_km": 1}],
        "road_factor": 1.25,
        "speed_kmh": 60,
        "blue_light_speed_kmh": 120,
        "blue_light_grades": ["P1"],
        "return_to_station": False,
    }
    stations = [{"name": "A", "latitude": 0, "longitude": 0}, {"name": "B", "latitude": 0, "longitude": 0.1}]
    rows = [
        (0.0, "P3", "job", 100, 0, 0.08),  # B is nearer (0.02 deg against 0.08): 60 km/h
        (0.1, "P1", "job", 100, 0, 0.09),  # B is busy: A drives 0.09 deg under blue lights
    ]
    records, _ = run_log(tmp_path, rows, officers=2, geography=geography, stations=stations)
    minutes_per_degree = KM_PER_DEGREE * 1.25 / 60 * 60  # at 60 km/h, a minute a km
    assert records.loc[0.0, "arrived_minute"] == pytest.approx(0.02 * minutes_per_degree)
    assert records.loc[6.0, "arrived_minute"] == pytest.approx(6 + 0.09 * minutes_per_degree / 2)
