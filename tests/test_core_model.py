"""Invariants of the full model on the packaged baseline: conservation, time accounting,
determinism across processes, common random numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.config.loading import BASELINE_CONFIG, load_scenario
from sim.model.demand import DemandGenerator
from sim.model.replication import simulate
from sim.model.streams import Streams, replication_seed
from sim.study.replications import run_replications


def same_numbers(a: dict[str, float], b: dict[str, float]) -> bool:
    """Equal keys and equal values, NaN equal to NaN (undefined shares)."""
    return a.keys() == b.keys() and all(a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a)


CONSERVED = ("attended", "resolved_by_telephone", "not_attended", "open_at_end", "resolved_without_deployment")


@pytest.fixture(scope="module")
def short_baseline():
    return load_scenario(overrides={"horizon_days": 21, "warmup_days": 3})


@pytest.fixture(scope="module")
def two_runs(short_baseline):
    return run_replications(short_baseline, 2, seed=11, workers=1)


def test_every_incident_is_accounted_for(two_runs, short_baseline):
    for result in two_runs:
        for name in short_baseline.incident_types:
            m = result.metrics
            generated = m[f"incidents.{name}.generated"]
            assert generated > 0
            assert generated == sum(m.get(f"incidents.{name}.{part}", 0.0) for part in CONSERVED)
            assert m[f"incidents.{name}.attended_within_target"] <= m[f"incidents.{name}.attended"]


def test_officer_time_sums_to_rostered_plus_overtime(two_runs):
    for result in two_runs:
        m = result.metrics
        activities = sum(v for k, v in m.items() if k.startswith("officer_hours."))
        assert activities == pytest.approx(m["rostered_hours"] + m["overtime_hours"], rel=1e-9)
        assert m["overtime_hours"] > 0  # jobs do run past the end of shifts
        assert m["officer_hours.video_redaction"] > 0  # follow-up work is done and reported


def test_same_seed_same_numbers_in_other_processes(two_runs, short_baseline):
    again = run_replications(short_baseline, 2, seed=11, workers=2)
    assert [same_numbers(a.metrics, b.metrics) for a, b in zip(again, two_runs, strict=True)] == [True, True]


def test_different_seeds_differ(two_runs):
    assert not same_numbers(two_runs[0].metrics, two_runs[1].metrics)


def test_adding_an_incident_type_leaves_burglary_arrivals_unchanged(short_baseline):
    raw = short_baseline.model_dump(by_alias=True)
    extra = dict(raw["incident_types"]["theft"])
    raw["incident_types"] = {"bicycle_theft": extra, **raw["incident_types"]}
    from sim.config.loading import scenario_from_dict

    extended = scenario_from_dict(raw)

    def burglary_times(scenario):
        generator = DemandGenerator(scenario, Streams(replication_seed(3, 0)))
        kind = generator.type_names.index("burglary")
        block = generator.block(1)
        mask = block.kind == kind
        return block.time[mask], block.grade[mask], block.on_scene[mask]

    base, more = burglary_times(short_baseline), burglary_times(extended)
    assert len(base[0]) > 50
    for a, b in zip(base, more, strict=True):
        np.testing.assert_array_equal(a, b)


def test_records_and_timeseries_on_request(short_baseline):
    result = simulate(short_baseline, replication_seed(4, 0), records=True, timeseries=True)
    records, series = result.records, result.timeseries
    attended = records[records.outcome == "attended"]
    assert (attended.response_minutes >= 0).all()
    assert len(series) == pytest.approx(21 * 24, abs=2)
    officers = series[[c for c in series.columns if c.startswith("officers_")]].sum(axis=1)
    assert (officers == short_baseline.workforce.response_officers).all()
    plain = simulate(short_baseline, replication_seed(4, 0))
    assert plain.records is None and same_numbers(plain.metrics, result.metrics)


def test_a_caller_who_rings_again_is_dispatched_once():
    """Heavy 101 abandonment with every caller ringing back: the queue counters must match a
    census of the queues, and no incident may reach dispatch twice. On configs/baseline.yaml: with
    attendance decisions an incident may reach dispatch again on purpose (a booked appointment)."""
    from sim.model.dispatch import Dispatcher
    from sim.model.incident import WAITING
    from sim.model.replication import Model

    busy = load_scenario(BASELINE_CONFIG, {"horizon_days": 10, "warmup_days": 0})
    overrides = {"contact.reattempt_share": 1.0, "contact.patience_101_minutes": {"dist": "exponential", "mean": 1.0}}
    from sim.config.loading import apply_overrides, scenario_from_dict

    busy = scenario_from_dict(apply_overrides(busy.model_dump(by_alias=True), overrides))
    submitted: list[int] = []
    original = Dispatcher.dispatchable

    def counting(self, incident):
        submitted.append(incident.number)
        original(self, incident)

    model = Model(busy, replication_seed(2, 0), records=False, timeseries=False, allow_overload=False)
    model.dispatcher.dispatchable = counting.__get__(model.dispatcher)
    result = model.run()
    assert result.metrics["contact.abandoned_101"] > 0.05
    assert len(submitted) == len(set(submitted))
    census = [sum(1 for _, _, i in queue if i.state == WAITING) for queue in model.dispatcher.queues]
    assert model.dispatcher.waiting == census
