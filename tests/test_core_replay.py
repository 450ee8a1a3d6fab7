"""A 10-incident log replayed with two stations and real travel: every dispatch worked by hand.

Stations A (0, 0) and B (0, 0.1 deg E) on the equator, one officer each, road factor 1 and
60 km/h, so travel minutes = road km = 111.19508 km per degree of longitude x degrees.
Officers return to their station after each job. P1 target 15 min; P3 target 120 min, closed
unattended 60 min after the call.
"""

from __future__ import annotations

import math

import pytest
from scenarios import build

from sim.errors import DataError
from sim.model.replication import simulate

KM_PER_DEGREE = 6371.0088 * math.pi / 180  # great-circle km per degree of longitude at the equator


def km(degrees: float) -> float:
    return KM_PER_DEGREE * degrees


LOG = """time,grade,type,latitude,longitude,on_scene_minutes
0.0,P1,job,0,0.01,30
0.1,P1,job,0,0.02,20
0.2,P3,job,0,0.05,15
0.25,P1,job,0,0.0,10
0.75,P3,job,0,0.1,25
1.0,P3,job,0,0.09,5
1.1,P3,job,0,0.06,5
2.0,P1,job,0,0.03,600
2.1,P3,job,0,0.0,60
2.2,P3,job,0,0.1,10
"""


def replay_scenario(log_path) -> dict:
    return {
        "name": "replay-by-hand",
        "horizon_days": 1,
        "warmup_days": 0,
        "grades": {
            "P1": {"priority": 1, "deploy": True, "target_minutes": 15},
            "P3": {"priority": 3, "deploy": True, "target_minutes": 120, "give_up_hours": 1},
        },
        "incident_types": {
            "job": {
                "yearly_volume": 1,
                "channel_mix": {"emergency_999": 1},
                "grade_mix": {"P1": 0.5, "P3": 0.5},
                "on_scene_minutes": {"dist": "fixed", "value": 1},
            },
        },
        "replay": {"path": str(log_path), "default_type": "job"},
        "contact": None,
        "workforce": {
            "response_officers": 2,
            "teams": 1,
            "shifts": {"day": {"start_hour": 0, "length_hours": 24}},
            "pattern": ["day"],
            "stations": [{"name": "A", "latitude": 0, "longitude": 0}, {"name": "B", "latitude": 0, "longitude": 0.1}],
            "abstraction": {},
        },
        "geography": {
            "zones": [{"name": "z", "latitude": 0, "longitude": 0.05, "weight": 1, "local_km": 1}],
            "road_factor": 1.0,
            "speed_kmh": 60,
            "blue_light_speed_kmh": 60,
            "return_to_station": True,
        },
    }


def test_replayed_log_gives_the_hand_worked_dispatches(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(LOG)
    result = simulate(build(replay_scenario(log)), 1, records=True)
    records = result.records.set_index("number")
    a_free_after_1 = 30 + 2 * km(0.01)  # A: out 1.11 km, 30 min on scene, back
    b_free_after_2 = 6 + 20 + 2 * km(0.08)  # B: leaves at 6 min
    a_free_after_4 = a_free_after_1 + 10  # incident 4 is at station A: no travel
    a_free_after_3 = a_free_after_4 + 2 * km(0.05) + 15
    a_free_after_6 = a_free_after_3 + 2 * km(0.09) + 5
    b_free_after_5 = 45 + 25  # incident 5 is at station B
    expected_arrival = {
        1: km(0.01),  # A nearest
        2: 6 + km(0.08),  # only B free
        4: a_free_after_1,  # P1 queued ahead of the older P3; A arrives at once (same place)
        3: a_free_after_4 + km(0.05),  # then the P3
        5: 45.0,  # B free at its station since b_free_after_2
        6: a_free_after_3 + km(0.09),  # both busy at 60 min; A frees first
        7: b_free_after_5 + km(0.04),  # B frees at 70 min
        8: 120 + km(0.03),  # both free: A is nearer (3.3 km against 7.8 km)
        9: 126 + km(0.1),  # A is on the 600-minute job; B drives over
    }
    assert b_free_after_2 < 45 and a_free_after_6 < 120
    for number, arrival in expected_arrival.items():
        assert records.loc[number, "outcome"] == "attended"
        assert records.loc[number, "arrived_minute"] == pytest.approx(arrival, abs=1e-6), number
    # Incident 10 (132 min): B is busy until 126 + 2 x 11.12 + 60 = 208 min, after its 192-min give-up.
    assert records.loc[10, "outcome"] == "not_attended"
    m = result.metrics
    assert m["incidents.job.attended"] == 9 and m["incidents.job.not_attended"] == 1
    assert m["within_target.P1"] == pytest.approx(3 / 4)  # incident 4 waited 17.2 min
    assert m["within_target.P3"] == pytest.approx(5 / 6)


def test_bad_log_rows_are_reported_with_their_row(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("time,grade\n0.5,P1\nsoon,P1\n")
    with pytest.raises(DataError, match=r"row 3: time 'soon'"):
        simulate(build(replay_scenario(log)), 1)
    log.write_text("time,grade\n0.5,P9\n")
    with pytest.raises(DataError, match=r"row 2: grade 'P9'"):
        simulate(build(replay_scenario(log)), 1)
    with pytest.raises(DataError, match="does not exist"):
        simulate(build(replay_scenario(tmp_path / "missing.csv")), 1)
