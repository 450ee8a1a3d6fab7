"""Rosters: staffing puts exactly the stated officers on duty; teams split as evenly as possible;
the return-to-station modes, with a hand-worked replay."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scenarios import build, mmc_dict

from sim.errors import ConfigError
from sim.model.officers import OFF, build_officers, roster_teams, split_evenly
from sim.model.replication import Model, simulate

SHIFTS = {
    "early": {"start_hour": 7, "length_hours": 8},
    "late": {"start_hour": 15, "length_hours": 8},
    "night": {"start_hour": 23, "length_hours": 8},
}
LATE_BY_DAY = [1, 2, 3, 4, 5, 6, 7]  # Monday first
NIGHT_AT_B = [0, 0, 0, 0, 2, 2, 1]
STAFFING = {"early": 3, "late": LATE_BY_DAY, "night": {"A": 2, "B": NIGHT_AT_B}}


def staffed(staffing=STAFFING, officers: int = 3 + 7 + 2 + 3 + 7 + 2, **workforce) -> dict:
    """Two stations, three 8-hour shifts, officers on duty by staffing, no abstraction."""
    raw = mmc_dict(servers=1, arrivals_per_hour=0.5, mean_service_minutes=30, days=14, warmup_days=0)
    raw["workforce"] = {
        "response_officers": officers,
        "shifts": SHIFTS,
        "staffing": staffing,
        "stations": [{"name": "A"}, {"name": "B"}],
        "abstraction": {},
    } | workforce
    return raw


def expected_on_duty(shift: str, station: str, weekday: int) -> int:
    value = STAFFING[shift]
    if isinstance(value, dict):
        value = value[station]
    return value if isinstance(value, int) else value[weekday]


def test_staffing_puts_exactly_the_stated_officers_on_duty_every_shift():
    scenario = build(staffed())
    model = Model(scenario, np.random.SeedSequence(1), records=False, timeseries=False, allow_overload=False)
    groups = scenario.workforce.staffing_groups()
    model.clock.process(model.roster.process())
    shifts_worked = [0] * len(model.officers)
    for day in range(14):
        for shift in ("early", "late", "night"):
            mid = day * 1440 + (SHIFTS[shift]["start_hour"] + 4) * 60  # 4 hours into the shift
            model.clock.run(until=mid)
            for station_index, station in enumerate(("A", "B")):
                on = [
                    o
                    for o in model.officers
                    if o.state != OFF and o.station == station_index and groups[o.team][1] == shift
                ]
                assert len(on) == expected_on_duty(shift, station, day % 7), (day, shift, station)
                for officer in on:
                    shifts_worked[officer.number] += 1
    # Who works rotates through the group: over two weeks the late group (7 officers, 28 shifts a
    # week) works 8 shifts each, and B's night group (2 officers, 5 shifts a week) 5 each.
    late_a = [o.number for o in model.officers if o.station == 0 and groups[o.team][1] == "late"]
    night_b = [o.number for o in model.officers if o.station == 1 and groups[o.team][1] == "night"]
    assert [shifts_worked[n] for n in late_a] == [8] * 7
    assert [shifts_worked[n] for n in night_b] == [5, 5]


def test_staffing_counts_every_rostered_hour():
    # No abstraction: rostered hours = on-duty officers x 8 hours, summed over the 14 days. The
    # night starting the Sunday before day 0 adds its last 7 hours and day 13's (a Sunday) night
    # only its first hour: together one whole Sunday night.
    result = simulate(build(staffed()), 3)
    per_week = sum(expected_on_duty(s, station, d) for s in SHIFTS for station in ("A", "B") for d in range(7))
    assert result.metrics["rostered_hours"] == pytest.approx(2 * per_week * 8.0)
    assert result.metrics["officer_hours_total"] == pytest.approx(
        result.metrics["rostered_hours"] + result.metrics["overtime_hours"]
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"teams": 2}, "give teams and pattern, or staffing, not both"),
        ({"staffing": None}, "give teams and pattern, or staffing"),
        ({"staffing": {"early": 3, "lunch": 1}}, "staffing.lunch: not a shift"),
        ({"staffing": {"late": [1, 2, 3]}}, r"staffing: late: give a whole number from 0 to 200000, 7 of them"),
        ({"staffing": {"night": {"A": 1}}}, r"staffing.night: give every station once.*missing \['B'\]"),
        ({"staffing": {"night": {"A": 1, "B": 1, "C": 1}}}, r"unknown \['C'\]"),
        ({"staffing": {"early": 0}}, "staffing: nobody is ever on duty"),
        ({"response_officers": 5}, "response_officers: staffing needs 24 officers"),
    ],
)
def test_staffing_errors_name_the_field(change, message):
    raw = staffed()
    raw["workforce"] |= change
    with pytest.raises(ConfigError, match=message):
        build(raw)


def test_teams_without_pattern_is_an_error_naming_pattern():
    raw = mmc_dict(servers=2, arrivals_per_hour=1, mean_service_minutes=10, days=1, warmup_days=0)
    del raw["workforce"]["pattern"]
    with pytest.raises(ConfigError, match="pattern: needed with teams"):
        build(raw)


def team_sizes(workforce) -> list[int]:
    return [sum(size for _, t, size in roster_teams(workforce) if t == team) for team in range(workforce.teams)]


def teams_scenario(officers: int, teams: int, shares: list[float]):
    raw = mmc_dict(servers=officers, arrivals_per_hour=1, mean_service_minutes=10, days=1, warmup_days=0)
    raw["workforce"]["teams"] = teams
    raw["workforce"]["pattern"] = ["day"] * teams
    raw["workforce"]["stations"] = [{"name": f"s{i}", "officer_share": w} for i, w in enumerate(shares)]
    return build(raw)


def test_fifty_officers_in_ten_teams_over_three_stations_are_five_each():
    workforce = teams_scenario(50, 10, [1.0, 1.0, 1.0]).workforce
    assert team_sizes(workforce) == [5] * 10  # was 6,6,6,6,6,6,5,3,3,3
    officers = build_officers(workforce, with_places=True)
    assert [sum(o.station == s for o in officers) for s in range(3)] == [17, 17, 16]
    assert [o.number for o in officers] == list(range(50))


@settings(max_examples=150, deadline=None)
@given(
    teams=st.integers(1, 12),
    shares=st.lists(st.floats(0.05, 5.0), min_size=1, max_size=6),
    extra=st.integers(0, 200),
)
def test_team_sizes_differ_by_at_most_one_and_stations_keep_their_share(teams, shares, extra):
    officers = teams * len(shares) + extra
    workforce = teams_scenario(officers, teams, shares).workforce
    sizes = team_sizes(workforce)
    assert max(sizes) - min(sizes) <= 1 and sum(sizes) == officers
    by_station = split_evenly(officers, shares)
    for station, count in enumerate(by_station):
        parts = [size for s, _, size in roster_teams(workforce) if s == station]
        assert sum(parts) == count and max(parts) - min(parts) <= 1


# ---- return to station: one officer at station A (0, 0); every job 0.1 degree east ----------
KM = 6371.0088 * math.pi / 180 * 0.1  # road km (and minutes at 60 km/h) from A to the scene
LOG = "time,grade,type,latitude,longitude,on_scene_minutes\n0.0,P1,job,0,0.1,10\n0.5,P1,job,0,0,10\n"


def return_scenario(log_path, mode) -> dict:
    raw = mmc_dict(servers=1, arrivals_per_hour=1, mean_service_minutes=10, days=1, warmup_days=0)
    raw = copy.deepcopy(raw) | {
        "replay": {"path": str(log_path), "default_type": "job"},
        "geography": {
            "zones": [{"name": "z", "latitude": 0, "longitude": 0.05, "weight": 1, "local_km": 1}],
            "road_factor": 1.0,
            "speed_kmh": 60,
            "blue_light_speed_kmh": 60,
            "return_to_station": mode,
        },
    }
    raw["workforce"]["stations"] = [{"name": "A", "latitude": 0, "longitude": 0}]
    del raw["dispatch"]
    return raw


@pytest.mark.parametrize(
    ("mode", "second_arrival", "travel_minutes"),
    [
        # Job 1: out KM minutes, 10 on scene, done at KM + 10. Job 2 (30 min) is at station A.
        ("instant", 30.0, KM),  # back at A at once: on scene of job 2 with no travel
        ("drive", KM + 10 + KM, 2 * KM),  # drives back (busy until KM + 10 + KM), then job 2 at A
        (True, KM + 10 + KM, 2 * KM),  # the old spelling of drive
        # Waits in job 1's zone (centred 0.05 degree east), drives from there to A for job 2.
        ("stay", 30.0 + KM / 2, 1.5 * KM),
        (False, 30.0 + KM / 2, 1.5 * KM),  # the old spelling of stay
    ],
)
def test_return_modes_by_hand(tmp_path, mode, second_arrival, travel_minutes):
    log = tmp_path / "log.csv"
    log.write_text(LOG)
    result = simulate(build(return_scenario(log, mode)), 1, records=True)
    arrived = result.records.set_index("number")["arrived_minute"]
    assert arrived[1] == pytest.approx(KM, abs=1e-9)
    assert arrived[2] == pytest.approx(second_arrival, abs=1e-9)
    assert result.metrics["officer_hours.travel"] == pytest.approx(travel_minutes / 60.0, abs=1e-9)


def test_return_mode_is_checked():
    raw = return_scenario("log.csv", "teleport")
    with pytest.raises(ConfigError, match="return_to_station"):
        build(raw)
