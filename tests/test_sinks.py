"""After-scene sinks: custody against Erlang C, PACE deadlines, places of safety, the hours identity,
and Right Care Right Person on common random numbers."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from scenarios import build, mmc_dict
from test_core_queueing import erlang_c, within

from sim.config import BASELINE_CONFIG, load_scenario
from sim.model import simulate
from sim.model.officers import State
from sim.model.replication import Model
from sim.model.streams import replication_seed
from sim.study.replications import run_replications

FIXED_0 = {"dist": "fixed", "value": 0}


def fixed(value: float) -> dict[str, Any]:
    return {"dist": "fixed", "value": value}


def custody(**changes: Any) -> dict[str, Any]:
    section = {
        "arrest_share": {"job": 1.0},
        "suites": [{"name": "suite", "place": "only", "booking_desks": 2}],
        "officers_held": 1,
        "transport_minutes": fixed(10),
        "booking_minutes": {"dist": "exponential", "mean": 60},
        "handover_minutes": FIXED_0,
    }
    section.update(changes)
    return section


def test_degenerate_custody_suite_matches_erlang_c() -> None:
    """Poisson arrests, exponential booking, c desks, officers always free: the booking wait is M/M/c."""
    desks, booking, load = 2, 60.0, 0.7
    rate_per_hour = load * desks / (booking / 60.0)
    raw = mmc_dict(40, rate_per_hour, 1.0, days=120, warmup_days=5)
    raw["incident_types"]["job"]["on_scene_minutes"] = fixed(1)
    raw["sinks"] = {"custody": custody()}
    results = run_replications(build(raw), 8, seed=7)
    assert all(r.metrics["incidents.job.waited"] == 0 for r in results), "officers must always be free"
    offered = rate_per_hour * booking / 60.0
    theory_p = erlang_c(desks, offered)
    theory_w = theory_p / (desks / booking - rate_per_hour / 60.0)
    ok_p, ci_p = within([r.metrics["custody.booking_waited_share"] for r in results], theory_p)
    ok_w, ci_w = within([r.metrics["custody.booking_wait_minutes.mean"] for r in results], theory_w)
    assert ok_p, f"P(wait) theory {theory_p:.4f} outside 99% CI {ci_p}"
    assert ok_w, f"mean wait theory {theory_w:.2f} min outside 99% CI {ci_w}"


def one_officer(tmp_path: Path, hours: list[float], sinks: dict[str, Any], kind: str = "job") -> dict[str, Any]:
    """One officer on a 10-hour day shift (then a day off), replaying incidents at ``hours``."""
    log = tmp_path / "log.csv"
    log.write_text("time,grade,type,on_scene_minutes\n" + "".join(f"{h},P1,{kind},30\n" for h in hours))
    raw = mmc_dict(1, 1.0, 30.0, days=3, warmup_days=0)
    raw["incident_types"] = {
        name: {
            "yearly_volume": 1.0,
            "channel_mix": {"emergency_999": 1.0},
            "grade_mix": {"P1": 1.0},
            "on_scene_minutes": fixed(30),
        }
        for name in ("job", "welfare")
    }
    raw["workforce"]["shifts"] = {"day": {"start_hour": 0, "length_hours": 10}}
    raw["workforce"]["pattern"] = ["day", "off"]
    raw["replay"] = {"path": str(log), "default_type": kind}
    raw["sinks"] = sinks
    return raw


def test_pace_breach_counted_in_a_hand_worked_case(tmp_path: Path) -> None:
    """Arrest at 1 h: booked at 2 h, 2 h of interviews done by 4.5 h, no breach. Arrest at 8 h: at
    the suite at 9 h, released at 9.5 h, 30 min of work before the shift ends at 10 h, the rest two
    days later at 48 h to 49.5 h, after the deadline of 9 h + 24 h: one breach."""
    section = custody(
        transport_minutes=fixed(30),
        booking_minutes=fixed(30),
        pace_work={"interviews": fixed(120)},
        suites=[{"name": "suite", "place": "only", "booking_desks": 1}],
    )
    raw = one_officer(tmp_path, [1.0, 8.0], {"custody": section})
    raw["dispatch"]["travel_minutes"]["P1"] = FIXED_0
    metrics = simulate(build(raw), 1).metrics
    assert metrics["custody.detentions"] == 2
    assert metrics["pace_breaches"] == 1
    assert metrics["officer_hours.interviews"] == pytest.approx(4.0)
    assert metrics["officer_hours.custody"] == pytest.approx(2.0)  # 2 x (30 min drive + 30 min booking)
    raw["sinks"]["custody"]["pace_hours"] = 48.0  # 49.5 h is inside 9 h + 48 h
    assert simulate(build(raw), 1).metrics["pace_breaches"] == 0


def test_place_of_safety_full_sends_the_next_detention_to_a_and_e(tmp_path: Path) -> None:
    """One place, a long stay: the first detention is handed over there after 60 min, the second
    (an hour later, place still taken) waits 7 h at A&E."""
    section = {
        "detention_share": {"welfare": 1.0},
        "places_of_safety": [{"name": "pos", "place": "only", "places": 1}],
        "emergency_department": "only",
        "officers_held": 1,
        "transport_minutes": fixed(15),
        "handover_minutes": fixed(60),
        "emergency_wait_minutes": fixed(420),
        "stay_hours": fixed(20),
    }
    raw = one_officer(tmp_path, [1.0, 2.5], {"mental_health": section}, kind="welfare")
    raw["workforce"]["response_officers"] = 2
    raw["workforce"]["shifts"]["day"]["length_hours"] = 24
    raw["workforce"]["pattern"] = ["day"]
    metrics = simulate(build(raw), 1).metrics
    assert metrics["section_136.detentions"] == 2
    assert metrics["section_136.to_emergency_department"] == 1
    assert metrics["section_136.mean_wait_hours"] == pytest.approx((60 + 420) / 2 / 60)
    assert metrics["officer_hours.place_of_safety"] == pytest.approx((15 + 60 + 15 + 420) / 60)
    section["places_of_safety"][0]["places"] = 2
    assert simulate(build(raw), 1).metrics["section_136.to_emergency_department"] == 0


SINKS_OVERLAY = Path(__file__).resolve().parent.parent / "configs" / "interventions" / "sinks.yaml"


def all_sinks_on(days: int, *overrides: str) -> Any:
    """The packaged baseline with the sinks overlay (the baseline itself has no sinks section)."""
    return load_scenario(SINKS_OVERLAY, [f"horizon_days={days}", "warmup_days=3", *overrides])


def test_hours_identity_holds_with_every_sink_on() -> None:
    scenario = all_sinks_on(20, "sinks.right_care_right_person.enabled=true", "sinks.right_care_right_person.share=0.3")
    assert scenario.sinks and scenario.sinks.custody and scenario.sinks.mental_health and scenario.sinks.scene_guard
    metrics = simulate(scenario, 3).metrics
    for label in ("custody", "place_of_safety", "scene_guard"):
        assert metrics[f"officer_hours.{label}"] > 0
    activities = sum(v for k, v in metrics.items() if k.startswith("officer_hours."))
    assert activities == pytest.approx(metrics["officer_hours_total"], rel=1e-12)
    assert metrics["officer_hours_total"] == pytest.approx(
        metrics["rostered_hours"] + metrics["overtime_hours"], rel=1e-9
    )


def out_of_order(deadline_first: bool) -> tuple[int, int]:
    """Desk stints started, and those where deadline work sat behind discretionary work."""
    scenario = all_sinks_on(20, f"sinks.custody.deadline_first={str(deadline_first).lower()}")
    model = Model(scenario, replication_seed(5, 0), records=False, timeseries=False, allow_overload=False)
    dispatcher = model.dispatcher
    start_desk = dispatcher._start_desk
    seen = [0, 0]

    def checked(officer: Any) -> None:
        kinds = [len(item) > 2 for item in officer.backlog]
        seen[0] += 1
        seen[1] += any(later and not earlier for earlier, later in zip(kinds, kinds[1:], strict=False))
        start_desk(officer)

    dispatcher._start_desk = checked  # type: ignore[method-assign]
    model.run()
    return seen[0], seen[1]


def test_deadline_work_is_never_behind_discretionary_work_when_the_policy_says_so() -> None:
    stints, behind = out_of_order(deadline_first=True)
    assert stints > 1000 and behind == 0
    assert out_of_order(deadline_first=False)[1] > 0  # the check can see the difference


def test_right_care_right_person_is_monotone_on_common_random_numbers() -> None:
    attended, available, passed = [], [], []
    for share in (0.0, 0.3, 0.6, 0.9):
        scenario = all_sinks_on(
            30, "sinks.right_care_right_person.enabled=true", f"sinks.right_care_right_person.share={share}"
        )
        metrics = simulate(scenario, 11).metrics
        attended.append(metrics["incidents.concern_for_welfare.attended"])
        available.append(metrics["officer_hours.available"])
        passed.append(metrics["right_care_right_person.passed_to_health"])
    assert passed[0] == 0 and passed == sorted(passed) and len(set(passed)) == 4
    assert all(a > b for a, b in zip(attended, attended[1:], strict=False)), attended
    assert all(a < b for a, b in zip(available, available[1:], strict=False)), available


def test_without_the_section_sink_outputs_are_absent() -> None:
    metrics = simulate(load_scenario(BASELINE_CONFIG, ["horizon_days=5", "warmup_days=1"]), 1).metrics
    assert not any(k.startswith(("arrests.", "custody.", "section_136.")) for k in metrics)
    assert "officer_hours.custody" not in metrics
    assert [s.label for s in State][5:8] == ["custody", "place_of_safety", "scene_guard"]
    assert math.isfinite(metrics["officer_hours_total"])
