"""Properties that hold in every run of every valid scenario, checked over random scenarios.

Hypothesis draws small variants of the packaged baseline (volumes, officers, teams and rota or
staffing, breaks, return to station, abstraction, give-up time, geography or none, contact centre
or none, interruption, horizon, warm-up, seed) and checks each run: incidents are conserved (every counted incident has
exactly one outcome, and the per-incident records agree with the counts), officer time sums to
rostered hours plus overtime, no wait is negative, attended within target never exceeds
attended, and the same seed gives the same numbers. Examples are derandomized, so every run of
the suite checks the same scenarios.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config.loading import DEFAULT_CONFIG, load_raw, scenario_from_dict
from sim.config.schema import Scenario
from sim.model.replication import RunResult, simulate
from sim.model.stats import ACTIVITIES

BASELINE = load_raw(DEFAULT_CONFIG)
SHIFT_NAMES = ("early", "late", "night", "off")
CLOSED_OUTCOMES = ("attended", "resolved_by_telephone", "not_attended", "resolved_without_deployment")
RELATIVE_TOLERANCE = 1e-9  # sums of a few thousand float additions, far above the rounding


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A small valid variant of the baseline force."""
    raw: dict[str, Any] = copy.deepcopy(BASELINE)
    raw["name"] = "property"
    scale = draw(st.floats(0.01, 0.12))
    for spec in raw["incident_types"].values():
        spec["yearly_volume"] *= scale
    if draw(st.booleans()):
        calls = raw["contact"]["non_incident_calls_per_year"]
        for channel in calls:
            calls[channel] *= scale
    else:
        raw["contact"] = None
    workforce = raw["workforce"]
    stations = len(workforce["stations"])
    if draw(st.booleans()):
        workforce["teams"] = draw(st.integers(1, 6))
        workforce["response_officers"] = draw(st.integers(workforce["teams"] * stations, 90))
        pattern = draw(st.lists(st.sampled_from(SHIFT_NAMES), min_size=1, max_size=10))
        pattern = pattern if set(pattern) != {"off"} else [*pattern, "late"]
        # An early (07:00) the day after a night (until 08:00) would overlap it: the schema refuses it.
        workforce["pattern"] = [
            "late" if day == "early" and pattern[i - 1] == "night" else day for i, day in enumerate(pattern)
        ]
    else:  # staffing: officers on duty per shift at every station, constant or by weekday
        del workforce["teams"], workforce["pattern"]
        on_duty = st.integers(0, 4)
        staffing = {
            shift: draw(st.one_of(on_duty, st.lists(on_duty, min_size=7, max_size=7)))
            for shift in ("early", "late", "night")
        }
        workforce["staffing"] = staffing
        most = [week if isinstance(week, int) else max(week) for week in staffing.values()]
        workforce["response_officers"] = stations * sum(most)
        if workforce["response_officers"] == 0:  # nobody ever on duty: the schema refuses it
            staffing["late"] = 1
            workforce["response_officers"] = stations
    workforce["abstraction"] = {name: draw(st.floats(0.0, 0.25)) for name in ("sickness", "leave", "training")}
    workforce["meal_break_minutes"] = draw(st.sampled_from([0.0, 30.0, 45.0]))
    if draw(st.booleans()):
        raw["geography"]["return_to_station"] = draw(st.sampled_from([True, False, "drive", "stay", "instant"]))
    else:
        raw["geography"] = None
        mean = draw(st.floats(1.0, 40.0))
        raw["dispatch"]["travel_minutes"] = {
            grade: {"dist": "exponential", "mean": mean} for grade in ("P1", "P2", "P3")
        }
    raw["grades"]["P2"]["interrupts_followup"] = draw(st.booleans())
    raw["grades"]["P2"]["give_up_hours"] = draw(st.sampled_from([0.5, 2.0, 24.0]))
    horizon = draw(st.floats(1.0, 5.0))
    raw["horizon_days"] = horizon
    raw["warmup_days"] = draw(st.floats(0.0, 0.5)) * horizon
    return scenario_from_dict(raw, source="property")


def type_names(result: RunResult) -> list[str]:
    """Incident types present in a result."""
    return sorted({key.split(".")[1] for key in result.metrics if key.startswith("incidents.")})


def check_conservation(result: RunResult, scenario: Scenario) -> None:
    """Each counted incident has one outcome, and the records show the same outcomes."""
    metrics = result.metrics
    records = result.records
    assert records is not None
    counted = records[records["call_minute"] >= scenario.warmup_days * 1440.0]
    for name in type_names(result):
        count = {
            field: metrics.get(f"incidents.{name}.{field}", 0.0)  # resolved_by_telephone: only with attendance
            for field in (*CLOSED_OUTCOMES, "generated", "open_at_end", "attended_within_target")
        }
        assert all(value >= 0 for value in count.values()), (name, count)
        closed = sum(count[outcome] for outcome in CLOSED_OUTCOMES)
        assert closed + count["open_at_end"] == count["generated"]
        mine = counted[counted["type"] == name]
        assert len(mine) == closed, (name, len(mine), closed)
        assert not mine["number"].duplicated().any()
        for outcome in CLOSED_OUTCOMES:
            assert (mine["outcome"] == outcome).sum() == count[outcome], (name, outcome)


def check_time_accounting(result: RunResult) -> None:
    """Officer hours by activity sum to rostered hours plus overtime; none is negative."""
    metrics = result.metrics
    # an optional section's activities (sinks, duties) are reported only with the section
    hours = [metrics.get(f"officer_hours.{activity}", 0.0) for activity in ACTIVITIES]
    assert min(hours) >= 0.0
    expected = metrics["rostered_hours"] + metrics["overtime_hours"]
    assert math.isclose(sum(hours), expected, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-9)
    assert metrics["overtime_hours"] >= 0.0


def check_waits(result: RunResult) -> None:
    """No incident is queued before its call or reached before it was queued."""
    records = result.records
    assert records is not None
    queued = records["queued_minute"]
    assert (queued[queued >= 0] >= records["call_minute"][queued >= 0] - 1e-9).all()
    arrived = records[records["outcome"] == "attended"]
    assert (arrived["arrived_minute"] >= arrived["queued_minute"] - 1e-9).all()
    assert (arrived["response_minutes"] >= 0.0).all()
    for key, value in result.metrics.items():
        if key.startswith(("response_minutes", "queue_minutes")) and not math.isnan(value):
            assert value >= 0.0, key


def check_targets(result: RunResult) -> None:
    """Attended within target never exceeds attended; shares stay in [0, 1]."""
    metrics = result.metrics
    for name in type_names(result):
        within = metrics[f"incidents.{name}.attended_within_target"]
        assert within <= metrics[f"incidents.{name}.attended"]
    for key, value in metrics.items():
        if key.startswith("within_target.") and not math.isnan(value):
            assert 0.0 <= value <= 1.0, key


def same_numbers(first: dict[str, float], second: dict[str, float]) -> bool:
    """Equal metrics, NaN equal to NaN."""
    return first.keys() == second.keys() and all(
        first[k] == second[k] or (math.isnan(first[k]) and math.isnan(second[k])) for k in first
    )


@settings(max_examples=60, derandomize=True, deadline=None, database=None)
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_every_run_conserves_accounts_and_repeats(scenario: Scenario, seed: int) -> None:
    result = simulate(scenario, seed, records=True)
    check_conservation(result, scenario)
    check_time_accounting(result)
    check_waits(result)
    check_targets(result)
    again = simulate(scenario, seed)
    assert same_numbers(result.metrics, again.metrics)
    assert result.events == again.events


def test_records_frame_has_the_columns_the_checks_read() -> None:
    """Guards the property checks themselves: they read these record columns."""
    raw = copy.deepcopy(BASELINE)
    raw["horizon_days"], raw["warmup_days"] = 1.0, 0.0
    records = simulate(scenario_from_dict(raw), 3, records=True).records
    assert isinstance(records, pd.DataFrame) and len(records) > 100
    assert {
        "number",
        "type",
        "outcome",
        "call_minute",
        "queued_minute",
        "arrived_minute",
        "response_minutes",
    } <= set(records.columns)
