"""Attendance decisions on the stack: grade upgrades while waiting, and video through the resolution centre."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from sim.config.loading import scenario_from_dict
from sim.errors import ConfigError
from sim.model.incident import CALL_FIELDS, WAITING, Incident
from sim.model.replication import Model
from sim.model.streams import replication_seed
from tests.test_attendance import TYPES, force, replayed_thefts, rules, run


def upgrade_force(tmp_path: Path, waited_hours: float) -> dict[str, Any]:
    """One officer, no travel; a P1 theft at t=0 (300 minutes on scene), a P3 theft at t=1 and a
    P2 theft at t=2 (100 minutes each). Waiting P3 thefts are raised to P2 after ``waited_hours``."""
    raw = replayed_thefts(tmp_path, [(0, "P1", 300), (1, "P3", 100), (2, "P2", 100)])
    raw["attendance"] = {
        "rules": [],
        "stack": {
            "review_minutes": 30,
            "recontact_after_hours": 24,
            "recontact_success": 1.0,
            "close_after_failed": 1,
            "upgrade": [
                {
                    "name": "theft_rises",
                    "types": ["theft"],
                    "grades": ["P3"],
                    "to_grade": "P2",
                    "waited_at_least_hours": waited_hours,
                    "probability": 1.0,
                }
            ],
        },
    }
    return raw


def test_hand_worked_upgrade_on_the_stack(tmp_path: Path) -> None:
    """The officer is busy with the P1 theft until t=300. Reviews run every 30 minutes.

    Threshold 1 hour: at the review at t=60 the P3 theft has waited 59 minutes (kept); at t=90 it
    has waited 89, so it is raised to P2. At t=300 the officer takes the oldest P2, the raised
    theft (called at t=1), before the P2 theft called at t=2, which is reached at t=400.
    Threshold 10 hours: never reached before t=400, so the P2 theft goes first (t=300) and the
    P3 theft, still P3, is reached at t=400.
    """
    raised = run(upgrade_force(tmp_path, 1.0), seed=1, records=True).result  # type: ignore[attr-defined]
    records = raised.records.sort_values("number")
    assert list(records["grade"]) == ["P1", "P2", "P2"]
    assert list(records["arrived_minute"]) == [0.0, 300.0, 400.0]
    assert raised.metrics["incidents.theft.upgraded"] == 1
    assert raised.metrics["incidents_by_grade.P3.generated"] == 0  # it counts under its new grade
    assert raised.metrics["incidents_by_grade.P2.generated"] == 2
    assert raised.metrics["incidents_by_grade.P2.attended"] == 2

    kept = run(upgrade_force(tmp_path, 10.0), seed=1, records=True).result  # type: ignore[attr-defined]
    records = kept.records.sort_values("number")
    assert list(records["grade"]) == ["P1", "P3", "P2"]
    assert list(records["arrived_minute"]) == [0.0, 400.0, 300.0]
    assert kept.metrics["incidents.theft.upgraded"] == 0
    assert kept.metrics["incidents_by_grade.P3.generated"] == 1


def test_upgrades_in_a_strained_force_keep_the_identities_and_draw_from_their_own_stream() -> None:
    section = rules()
    plain = run(force(officers=3, attendance=section), seed=2).result.metrics  # type: ignore[attr-defined]
    never = copy.deepcopy(section)
    never["stack"]["upgrade"] = [
        {"name": "rises", "types": ["theft"], "to_grade": "P1", "waited_at_least_hours": 0.5, "probability": 0.0}
    ]
    unchanged = run(force(officers=3, attendance=never), seed=2).result.metrics  # type: ignore[attr-defined]
    assert unchanged == pytest.approx(plain, nan_ok=True, rel=0, abs=0)  # no other draw shifts

    often = copy.deepcopy(never)
    often["stack"]["upgrade"][0]["probability"] = 0.5
    m = run(force(officers=3, attendance=often), seed=2).result.metrics  # type: ignore[attr-defined]
    assert m["incidents.theft.upgraded"] > 0
    assert m["incidents.burglary.upgraded"] == m["incidents.domestic_abuse.upgraded"] == 0
    for grade in ("P1", "P2", "P3"):
        row = {k.split(".")[-1]: v for k, v in m.items() if k.startswith(f"incidents_by_grade.{grade}.")}
        closed = row["attended"] + row["not_attended"] + row["resolved_without_deployment"]
        assert row["generated"] == closed + row["resolved_by_telephone"] + row["open_at_end"]
    assert sum(m[f"incidents.{name}.generated"] for name in TYPES) == sum(
        m[f"incidents_by_grade.{g}.generated"] for g in ("P1", "P2", "P3")
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"to_grade": "P3", "grades": ["P2"]}, "to_grade 'P3' is not more urgent than 'P2'"),
        ({"to_grade": "P9"}, "grade 'P9' is not a deployed grade"),
        ({"risk": ["extreme"]}, "risk level 'extreme' is not in attendance.risk.shares"),
    ],
)
def test_an_upgrade_naming_what_does_not_exist_is_one_clear_error(change: dict[str, Any], message: str) -> None:
    section = rules()
    section["stack"]["upgrade"] = [
        {"name": "bad", "to_grade": "P1", "waited_at_least_hours": 1, "probability": 0.1, **change}
    ]
    with pytest.raises(ConfigError, match=message):
        scenario_from_dict(force(officers=3, attendance=section), source="test")


def video_force(attendance: dict[str, Any] | None) -> dict[str, Any]:
    """The small force with every P3 domestic abuse incident offered a rapid video response."""
    raw = force(officers=3, days=10, attendance=attendance)
    if attendance is None:
        raw.pop("attendance")
    raw["interventions"] = {
        "video_interviews": {
            "enabled": True,
            "adoption": 0.0,
            "rapid_response": {
                "enabled": True,
                "incident_types": ["domestic_abuse"],
                "grades": ["P3"],
                "eligible_share": 1.0,
                "consent_share": 1.0,
                "desk_officers": 50,
                "call_minutes": 45,
                "visit_kept_share": 0.0,
            },
        }
    }
    return raw


def test_rapid_video_responses_go_through_the_resolution_centre() -> None:
    """With a resolution centre (one desk, nothing else sent there), the intervention's video calls
    are its work: it handles them, they wait for its desk, and each is one attendance by video."""
    centre = {
        "staff_by_hour": [1] * 24,
        "telephone_minutes": {"dist": "fixed", "value": 20},
        "video_minutes": {"dist": "fixed", "value": 60},
    }
    model = run(video_force({"rules": [], "resolution_centre": centre}), seed=3, records=True)
    m = model.result.metrics  # type: ignore[attr-defined]
    video = m["incidents.domestic_abuse.attended_by_video"]
    assert video > 0
    assert m["resolution_centre.handled"] == video  # every video call, and nothing else
    assert m["resolution_centre.mean_wait_minutes"] > 0  # one desk: calls queue for it
    assert m["responses.domestic_abuse.video.rapid_video_response"] == video
    assert m.get("remote.domestic_abuse.video_attended", 0.0) == 0  # counted once, by the centre
    assert m["incidents.domestic_abuse.attended"] == m["incidents.domestic_abuse.attended_in_person"] + video
    records = model.result.records  # type: ignore[attr-defined]
    by_video = records[records["response_reason"] == "rapid_video_response"]
    assert set(by_video["response"]) == {"video"} and set(by_video["outcome"]) <= {"attended"}

    # Without the section the intervention's own desk officers take the calls, as before.
    plain = run(video_force(None), seed=3).result.metrics  # type: ignore[attr-defined]
    assert plain["remote.domestic_abuse.video_attended"] > 0
    assert "resolution_centre.handled" not in plain


def test_a_raised_incident_is_reviewed_under_its_new_grade_only() -> None:
    """Raised from P2 to P1 while waiting, an incident leaves a stale entry in the P2 queue. A
    stack rule that diverts waiting P2 incidents to the telephone must not reach it through that
    entry: it is a P1 incident now, and waits for an officer."""
    section = rules()
    section["stack"]["divert"] = [{"name": "p2_phone", "grades": ["P2"], "response": "telephone"}]
    model = Model(
        scenario_from_dict(force(officers=2, attendance=section), source="test"),
        replication_seed(1, 0),
        records=False,
        timeseries=False,
        allow_overload=True,
    )
    assert model.attendance is not None and model.attendance.stack is not None
    dispatcher, stack = model.dispatcher, model.attendance.stack
    theft = TYPES.index("theft")
    waiting = []
    for number in (1, 2):  # two P2 thefts wait: nobody is on duty before the roster starts
        drawn = {name: 0.0 for name in CALL_FIELDS} | {"kind": theft, "channel": 0, "grade": 1, "crew": 1, "zone": 0}
        incident = Incident(number, True, [(drawn | {"followup": None})[name] for name in CALL_FIELDS])
        incident.place, incident.decision = 0, model.attendance.assessment.default
        dispatcher.dispatchable(incident)
        waiting.append(incident)
    raised, other = waiting
    stack._raise(raised, 0)  # now P1: a new entry in the P1 queue, a stale one left in P2's
    stack.review()
    assert other.state != WAITING  # the P2 theft was diverted to the telephone
    assert raised.state == WAITING and raised.grade == 0 and dispatcher.waiting == [1, 0, 0]
