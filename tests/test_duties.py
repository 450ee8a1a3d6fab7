"""The optional duties: court, proactive work, crewing policy, and the investigation pool."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from scenarios import build, mmc_dict

from sim.config.loading import BASELINE_CONFIG, load_raw, load_scenario, merge, scenario_from_dict
from sim.model.crewing import CrewPolicy
from sim.model.dispatch import Dispatcher
from sim.model.replication import Model, simulate
from sim.model.streams import replication_seed

FIXED = {"dist": "fixed"}
OVERLAY = Path(__file__).resolve().parents[1] / "configs" / "overlays" / "duties.yaml"


def fixed(value: float) -> dict[str, Any]:
    return {**FIXED, "value": value}


def short_baseline_dict(days: float = 21, warmup: float = 3) -> dict[str, Any]:
    """The packaged baseline with the duties overlay (every duty on), shortened."""
    scenario = load_scenario(BASELINE_CONFIG, overrides={"horizon_days": days, "warmup_days": warmup})
    raw = scenario.model_dump(by_alias=True, exclude_none=True)
    return merge(raw, load_raw(OVERLAY))


def test_hours_identity_holds_with_every_duty_on() -> None:
    raw = short_baseline_dict(days=21.5)  # ends at noon: investigators and response both mid-shift
    raw["duties"]["court"]["days_after"] = fixed(2)  # court dates fall inside a short run
    metrics = simulate(scenario_from_dict(raw), 4).metrics
    activities = sum(v for k, v in metrics.items() if k.startswith("officer_hours."))
    assert activities == pytest.approx(metrics["rostered_hours"] + metrics["overtime_hours"], rel=1e-12)
    assert metrics["officer_hours_total"] == pytest.approx(activities, rel=1e-12)
    for duty in ("proactive", "court"):
        assert metrics[f"officer_hours.{duty}"] > 0
    pool = sum(v for k, v in metrics.items() if k.startswith("pools.investigation.activity_hours."))
    assert pool == pytest.approx(metrics["pools.investigation.rostered_hours"], rel=1e-12)
    assert metrics["pools.investigation.officer_hours"] == pytest.approx(pool, rel=1e-12)
    assert metrics["pools.investigation.followup_hours"] > 0
    assert metrics["pools.response.officer_hours"] == metrics["officer_hours_total"]


def one_officer_log(tmp_path, rows: list[tuple[float, str]]) -> dict[str, Any]:
    """One officer on duty all day, 5 min travel, 30 min on scene, incidents replayed from ``rows``."""
    raw = mmc_dict(servers=1, arrivals_per_hour=1.0, mean_service_minutes=30, days=1, warmup_days=0)
    raw["grades"]["P1"]["interrupts_followup"] = True
    raw["dispatch"]["travel_minutes"] = {"P1": fixed(5), "P2": fixed(5)}
    log = tmp_path / "log.csv"
    log.write_text("time,grade,type,on_scene_minutes\n" + "".join(f"{m / 60!r},{g},job,30\n" for m, g in rows))
    raw["replay"] = {"path": str(log), "default_type": "job"}
    return raw


def test_proactive_spell_is_interrupted_by_urgent_grades_only(tmp_path) -> None:
    # Hand-worked: the officer patrols from 0 (spells of 100 min). P2 at 10 min may not interrupt,
    # so it waits; P1 at 20 takes the officer at once (arrives 25, leaves 55); the P2 is then
    # taken from the queue (arrives 60: 50 min after its call); from 90 the officer patrols again.
    raw = one_officer_log(tmp_path, [(10.0, "P2"), (20.0, "P1")])
    raw["duties"] = {"proactive": {"share": 1.0, "spell_minutes": fixed(100)}}
    result = simulate(build(raw), 1, records=True)
    arrived = dict(zip(result.records["grade"], result.records["response_minutes"], strict=True))
    assert arrived == {"P1": 5.0, "P2": 50.0}
    m = result.metrics
    assert m["officer_hours.proactive"] * 60 == pytest.approx(20 + (1440 - 90))
    assert m["officer_hours.available"] == 0.0
    assert (m["officer_hours.travel"] * 60, m["officer_hours.on_scene"] * 60) == pytest.approx((10, 60))


def test_without_proactive_work_the_same_officer_waits_available(tmp_path) -> None:
    raw = one_officer_log(tmp_path, [(10.0, "P2"), (20.0, "P1")])
    result = simulate(build(raw), 1, records=True)
    arrived = dict(zip(result.records["grade"], result.records["response_minutes"], strict=True))
    assert arrived == {"P2": 5.0, "P1": 30.0}  # the P2 went first (15 to 45); the P1 waited for it
    assert "officer_hours.proactive" not in result.metrics  # no duties section: no duty keys


def test_crewing_policy_is_honoured_shift_by_shift(monkeypatch) -> None:
    raw = short_baseline_dict(days=8, warmup=1)
    raw["duties"] = {"crewing": {"by_shift": {"night": 2, "early": 1}}}
    scenario = scenario_from_dict(raw)
    policy = CrewPolicy(scenario.workforce, scenario.duties.crewing)
    seen: list[tuple[float, int, int]] = []  # (dispatchable at, drawn crew, crew sent)
    original = Dispatcher.dispatchable

    def watch(self, incident):
        drawn = incident.crew
        original(self, incident)
        seen.append((self.clock.now, drawn, incident))

    monkeypatch.setattr(Dispatcher, "dispatchable", watch)
    Model(scenario, replication_seed(2, 0), records=False, timeseries=False, allow_overload=False).run()
    by_shift: dict[str, set[int]] = {"early": set(), "late": set(), "night": set()}
    for now, drawn, incident in seen:
        shift = policy.shift_at(now)
        expected = {"night": 2, "early": 1}.get(shift, drawn)
        assert incident.crew == expected, (now, shift)
        assert incident.assigned <= incident.crew
        by_shift[shift].add(incident.crew)
    assert by_shift["night"] == {2} and by_shift["early"] == {1} and by_shift["late"] == {1, 2}
    assert policy.shift_at(23 * 60) == "night" and policy.shift_at(7 * 60) == "early"
    assert policy.shift_at(24 * 60 + 6 * 60) == "night" and policy.shift_at(16 * 60) == "late"


def test_court_dates_take_the_attending_officer_away_at_a_shift_start() -> None:
    raw = short_baseline_dict(days=21, warmup=3)
    raw["duties"] = {"court": {"case_file_share": 1.0, "days_after": fixed(1), "hours": fixed(3)}}
    metrics = simulate(scenario_from_dict(raw), 3).metrics
    appearances = metrics["court.appearances"]
    assert appearances > 50
    # Every appearance is 3 h, all inside the window except those under way at its edges.
    assert metrics["officer_hours.court"] == pytest.approx(3.0 * appearances, rel=0.02)
    raw["duties"]["court"]["case_file_share"] = 0.0
    assert simulate(scenario_from_dict(raw), 3).metrics["officer_hours.court"] == 0.0


def redaction_scenario(reallocation: float, redaction: bool) -> dict[str, Any]:
    """The baseline with every redaction task done by the investigation pool (so redaction saves only its time)."""
    raw = short_baseline_dict(days=35, warmup=7)
    duties = raw["duties"]
    del duties["court"]  # court dates follow the response officers' case files only
    duties["investigation"]["takes"] = [{"tasks": ["video_redaction", "text_redaction", "case_file", "interviews"]}]
    duties["investigation"]["reallocation"] = {"share": reallocation}
    raw["workforce"]["response_officers"] = 430  # response stretched, so attendance depends on officers
    raw["interventions"]["automated_redaction"] = {"enabled": redaction}
    return raw


ATTENDANCE = ("attended_within_target", "attended")


def attendance(metrics: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in metrics.items() if k.startswith(("incidents.", "response_minutes", "within_target"))}


def test_redaction_in_the_pool_leaves_response_unchanged_without_reallocation() -> None:
    base = simulate(scenario_from_dict(redaction_scenario(0.0, False)), 8).metrics
    other = simulate(scenario_from_dict(redaction_scenario(0.0, True)), 8).metrics
    assert other["hours_saved.automated_redaction"] > 100
    assert (
        other["pools.investigation.activity_hours.video_redaction"]
        < 0.6 * base["pools.investigation.activity_hours.video_redaction"]
    )
    assert attendance(other) == attendance(base)  # bit for bit: freed hours stay in the pool
    assert other["pools.response.officers"] == base["pools.response.officers"]
    for key in (k for k in base if k.startswith("officer_hours.")):
        assert other[key] == base[key]


def test_redaction_in_the_pool_raises_response_attendance_with_reallocation() -> None:
    gains = []
    for seed in range(4):
        base = simulate(scenario_from_dict(redaction_scenario(1.0, False)), seed).metrics
        other = simulate(scenario_from_dict(redaction_scenario(1.0, True)), seed).metrics
        assert base["pools.response.officers"] == 430  # nothing freed, nobody moved
        assert other["pools.response.officers"] > 440
        assert other["pools.investigation.officers"] == 150 - (other["pools.response.officers"] - 430)
        within = [sum(m[k] for k in m if k.endswith(".attended_within_target")) for m in (base, other)]
        gains.append(within[1] - within[0])
    mean = sum(gains) / len(gains)
    spread = (sum((g - mean) ** 2 for g in gains) / (len(gains) - 1)) ** 0.5
    assert mean > 3 * spread / len(gains) ** 0.5 > 0, gains


def test_more_reallocation_moves_more_officers() -> None:
    from sim.model.reallocation import officers_moved
    from sim.model.streams import Streams

    moved = []
    for share in (0.0, 0.25, 0.5, 1.0):
        scenario = scenario_from_dict(redaction_scenario(share, True))
        moved.append(officers_moved(scenario, Streams(replication_seed(1, 0))))
    assert moved[0] == 0 and moved == sorted(moved) and moved[-1] > moved[1]


def test_duties_absent_leaves_the_model_as_it_was() -> None:
    raw = short_baseline_dict(days=10, warmup=2)
    del raw["duties"]
    plain = simulate(scenario_from_dict(raw), 5).metrics
    empty = copy.deepcopy(raw)
    empty["duties"] = {}
    with_section = simulate(scenario_from_dict(empty), 5).metrics
    added = {"officer_hours.proactive", "officer_hours.court"} | {k for k in with_section if k.startswith("pools.")}
    assert with_section.keys() - plain.keys() == added  # the section's keys appear only with it
    assert {k: v for k, v in with_section.items() if k in plain} == plain
    assert with_section["officer_hours.proactive"] == with_section["officer_hours.court"] == 0.0
    assert not any(k.startswith("pools.") or k.endswith((".proactive", ".court")) for k in plain)
