"""The roster: which team is on duty when, how big the teams are, and how often officers are abstracted.

Shift times are worked by hand from the pattern and each team's offset into it. The running model
is read through its hourly time series (officers in each state), sampled on the hour while
shifts change on the half hour, so no sample falls on a change. Demand is negligible (one
incident in about a thousand years), so every officer on duty is available or abstracted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scenarios import build, mmc_dict

from sim.model.officers import ShiftInstance, shift_instances, team_offset_days
from sim.model.replication import simulate

NO_DEMAND = 1e-3 / (24 * 365.25)  # incidents per hour


def roster_dict(officers: int, teams: int, pattern: list[str], shifts: dict[str, Any], days: int) -> dict[str, Any]:
    raw = mmc_dict(officers, NO_DEMAND, 10.0, days=days, warmup_days=0)
    raw["workforce"].update(teams=teams, pattern=pattern, shifts=shifts)
    return raw


def hourly(raw: dict[str, Any], seed: int = 1) -> tuple[pd.DataFrame, dict[str, float]]:
    result = simulate(build(raw), seed, timeseries=True)
    assert result.timeseries is not None
    return result.timeseries.set_index("hour"), result.metrics


THREE_SHIFTS = {
    "early": {"start_hour": 6.5, "length_hours": 8},
    "late": {"start_hour": 14.5, "length_hours": 8},
    "night": {"start_hour": 22.5, "length_hours": 8},
}


def test_team_offsets_spread_the_teams_over_the_cycle() -> None:
    raw = roster_dict(10, 5, ["day"] * 2 + ["off"] * 8, {"day": {"start_hour": 8, "length_hours": 8}}, 1)
    workforce = build(raw).workforce
    assert [team_offset_days(workforce, t) for t in range(5)] == [0, 2, 4, 6, 8]
    three = build(roster_dict(9, 3, ["early", "late", "night"], THREE_SHIFTS, 1)).workforce
    assert [team_offset_days(three, t) for t in range(3)] == [0, 1, 2]


def test_shift_instances_follow_pattern_and_offsets_including_last_nights_shift() -> None:
    """Team t works pattern[(day + t) % 3]. Day -1's night shift (team 0) runs into day 0."""
    workforce = build(roster_dict(9, 3, ["early", "late", "night"], THREE_SHIFTS, 2)).workforce
    expected = [
        ShiftInstance(0, -90.0, 390.0),  # day -1 night, 22:30 to 06:30
        ShiftInstance(0, 390.0, 870.0),  # day 0: team 0 early
        ShiftInstance(1, 870.0, 1350.0),  # team 1 late
        ShiftInstance(2, 1350.0, 1830.0),  # team 2 night
        ShiftInstance(2, 1830.0, 2310.0),  # day 1: team 2 early
        ShiftInstance(0, 2310.0, 2790.0),  # team 0 late
        ShiftInstance(1, 2790.0, 3270.0),  # team 1 night, ending after the horizon
    ]
    assert shift_instances(workforce, 2 * 1440.0) == expected


def test_exactly_the_rostered_team_is_on_duty_every_hour() -> None:
    """Three teams of three on early, late and night cover every hour once, from the first minute."""
    series, metrics = hourly(roster_dict(9, 3, ["early", "late", "night"], THREE_SHIFTS, 3))
    on_duty = 9 - series["officers_off"]
    assert list(on_duty.index) == list(range(73)) and set(on_duty) == {3}  # hours 0 to 72 (the horizon)
    assert metrics["rostered_hours"] == pytest.approx(3 * 72)  # three officers all the time


def test_officers_are_on_duty_only_during_their_shift() -> None:
    """Two teams of two on a four-day cycle of two 10-hour day shifts (08:30-18:30) and two days off."""
    shifts = {"day": {"start_hour": 8.5, "length_hours": 10}}
    series, _ = hourly(roster_dict(4, 2, ["day", "day", "off", "off"], shifts, 8))
    for hour, off in series["officers_off"].items():
        day, clock = divmod(hour, 24)
        working = 2 if 8.5 < clock < 18.5 else 0  # team 0 on days 0, 1, 4, 5; team 1 on 2, 3, 6, 7
        assert 4 - off == working, (day, clock)


def test_team_sizes_differ_by_at_most_one() -> None:
    """Ten teams each working one day in ten: the officers on duty at noon on day d are one team.
    (50 officers in 10 teams at 3 stations once came out 6,6,6,6,6,6,5,3,3,3.)"""
    raw = roster_dict(50, 10, ["day"] + ["off"] * 9, {"day": {"start_hour": 8.5, "length_hours": 10}}, 10)
    raw["workforce"]["stations"] = [{"name": "a"}, {"name": "b"}, {"name": "c"}]
    series, _ = hourly(raw)
    sizes = [50 - int(series.loc[24 * day + 12, "officers_off"]) for day in range(10)]
    assert sum(sizes) == 50
    assert max(sizes) - min(sizes) <= 1, sizes


def test_abstraction_share_over_many_shifts() -> None:
    """20 officers x 200 daily 8-hour shifts, each abstracted with probability 0.1 + 0.05 + 0.05.

    The number abstracted is Binomial(4000, 0.2): mean 800, sd 25.3; allowed 4 sd. Each officer-shift
    is drawn on its own, so the number abstracted on one day is Binomial(20, 0.2) with variance
    3.2; over 200 days the sample variance has a relative standard error of about 0.1, and 0.6 to
    1.4 times 3.2 is allowed (one draw a team would give 64, one draw an officer 0).
    """
    raw = roster_dict(20, 1, ["day"], {"day": {"start_hour": 8.5, "length_hours": 8}}, 200)
    raw["workforce"]["abstraction"] = {"sickness": 0.1, "leave": 0.05, "training": 0.05}
    series, metrics = hourly(raw, seed=11)
    per_day = np.array([series.loc[24 * day + 12, "officers_abstraction"] for day in range(200)])
    n, p = 20 * 200, 0.2
    assert abs(per_day.sum() - n * p) <= 4 * math.sqrt(n * p * (1 - p)), per_day.sum()
    assert metrics["officer_hours.abstraction"] == pytest.approx(per_day.sum() * 8)  # whole shifts
    assert 0.6 * 3.2 <= per_day.var(ddof=1) <= 1.4 * 3.2, per_day.var(ddof=1)
    assert set(series["officers_abstraction"][series.index % 24 < 8]) == {0}  # nobody before the shift
