"""Turn a replication's statistics into flat metrics named by their JSON-contract paths.

Keys are the contract paths without the leading ``summary.``: for example
``incidents.burglary.attended`` or ``within_target.P1``. Counts are incidents whose call came
after the warm-up; hours are officer time inside the statistics window.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.config.schema import TASKS, Scenario
from sim.model.officers import COURT, PROACTIVE, SINK_STATES, Officer, State
from sim.model.stats import ACTIVITIES, OUTCOMES, Stats

OUTCOME = {name: index for index, name in enumerate(OUTCOMES)}
SINK_ACTIVITIES = frozenset(State(state).label for state in SINK_STATES)  # of the optional sinks section
DUTY_ACTIVITIES = frozenset(State(state).label for state in (PROACTIVE, COURT))  # of the optional duties section


def _share(part: float, whole: float) -> float:
    return part / whole if whole else math.nan


def _absent_activities(scenario: Scenario) -> frozenset[str]:
    """Activities of the optional sections this scenario leaves out (their keys are not reported)."""
    absent: frozenset[str] = frozenset()
    if scenario.sinks is None:
        absent |= SINK_ACTIVITIES
    if scenario.duties is None:
        absent |= DUTY_ACTIVITIES
    return absent


def _response_pool(stats: Stats, officers: list[Officer], hours: float, backlog_hours: float) -> dict[str, float]:
    """``pools.response.*``: the response officers' pool, as ``pools.investigation.*`` (sim.model.pools)."""
    followup = sum(stats.activity_minutes[ACTIVITIES.index(TASKS[0]) :])
    return {
        "pools.response.officers": float(len(officers)),
        "pools.response.officer_hours": hours,
        "pools.response.rostered_hours": stats.rostered_minutes / 60.0,
        "pools.response.followup_hours": followup / 60.0,
        "pools.response.backlog_hours": backlog_hours,
    }


def collect_metrics(
    scenario: Scenario, stats: Stats, officers: list[Officer], overload: dict[str, Any] | None
) -> dict[str, float]:
    """All metrics of one replication as ``{path: number}`` (NaN where undefined)."""
    metrics: dict[str, float] = {}
    for kind, name in enumerate(stats.type_names):
        row = stats.outcomes[kind]
        closed = (
            row[OUTCOME["attended"]]
            + row[OUTCOME["not_attended"]]
            + row[OUTCOME["resolved_without_deployment"]]
            + row[OUTCOME["resolved_by_telephone"]]
        )
        values = {
            "generated": row[OUTCOME["generated"]],
            "attended": row[OUTCOME["attended"]],
            "attended_within_target": row[OUTCOME["attended_within_target"]],
            "not_attended": row[OUTCOME["not_attended"]],
            "open_at_end": row[OUTCOME["generated"]] - closed,
            "resolved_without_deployment": row[OUTCOME["resolved_without_deployment"]],
            "resolved_by_telephone": row[OUTCOME["resolved_by_telephone"]],  # 0 without attendance decisions
            "waited": row[OUTCOME["waited"]],
            "lost_to_abandonment": row[OUTCOME["lost_to_abandonment"]],
        }
        for field, value in values.items():
            metrics[f"incidents.{name}.{field}"] = float(value)
        histogram = stats.response[kind]
        metrics[f"response_minutes.{name}.mean"] = histogram.mean()
        metrics[f"response_minutes.{name}.p50"] = histogram.quantile(0.5)
        metrics[f"response_minutes.{name}.p90"] = histogram.quantile(0.9)
        entries = stats.queue_entries[kind]
        metrics[f"queue_minutes.{name}.mean"] = _share(stats.queue_wait_total[kind], entries)
    window_minutes = max(stats.end - stats.start, 0.0)
    for grade, name in enumerate(stats.grade_names):
        row = stats.grade_outcomes[grade]
        for field, value in _by_grade(row).items():
            metrics[f"incidents_by_grade.{name}.{field}"] = float(value)
        metrics[f"within_target.{name}"] = _share(
            row[OUTCOME["attended_within_target"]], row[OUTCOME["attended"]] + row[OUTCOME["not_attended"]]
        )
        histogram = stats.grade_response[grade]
        metrics[f"response_minutes_by_grade.{name}.mean"] = histogram.mean()
        metrics[f"response_minutes_by_grade.{name}.p90"] = histogram.quantile(0.9)
        metrics[f"queue_length.{name}.mean"] = _share(stats.queue_area[grade], window_minutes)
    # Activities of an absent section (sinks, duties) are left out, so outputs stay exactly as
    # they were before the section existed: same keys, and the total sums the same terms in order.
    absent = _absent_activities(scenario)
    for activity, minutes in zip(ACTIVITIES, stats.activity_minutes, strict=True):
        if activity not in absent:
            metrics[f"officer_hours.{activity}"] = minutes / 60.0
    kept = [index for index, activity in enumerate(ACTIVITIES) if activity not in absent]
    total = float(np.sum(np.asarray(stats.activity_minutes)[kept]))
    metrics["officer_hours_total"] = total / 60.0
    metrics["rostered_hours"] = stats.rostered_minutes / 60.0
    metrics["overtime_hours"] = stats.overtime_minutes / 60.0
    metrics["followup_backlog_hours"] = sum(o.backlog_minutes() for o in officers) / 60.0
    if scenario.duties is not None:
        metrics.update(
            _response_pool(stats, officers, metrics["officer_hours_total"], metrics["followup_backlog_hours"])
        )
    contact = stats.contact
    metrics["contact.answered_999_within_10s"] = _share(contact["answered_999_within_10s"], contact["answered_999"])
    metrics["contact.abandoned_101"] = _share(contact["abandoned_101"], contact["offered_101"])
    metrics["contact.mean_answer_101_seconds"] = _share(
        contact["answer_wait_101_minutes"] * 60.0, contact["answered_101"]
    )
    metrics["contact.offered_999"] = float(contact["offered_999"])
    metrics["contact.offered_101"] = float(contact["offered_101"])
    metrics["contact.online_handled"] = float(contact["online_handled"])
    metrics["overloaded"] = 0.0 if overload is None else 1.0
    metrics["window_days"] = window_minutes / 1440.0
    return {name: float(value) for name, value in metrics.items()}


def _by_grade(row: list[int]) -> dict[str, int]:
    """One grade's incident counts, by the grade drawn for each (calls after the warm-up). A 101
    caller who hung up was never graded: counted here by the drawn grade as not attended, as in
    the counts by type (the within-target share by grade leaves them out)."""
    not_attended = row[OUTCOME["not_attended"]] + row[OUTCOME["lost_to_abandonment"]]
    by_telephone = row[OUTCOME["resolved_by_telephone"]]
    closed = row[OUTCOME["attended"]] + not_attended + row[OUTCOME["resolved_without_deployment"]] + by_telephone
    return {
        "resolved_by_telephone": by_telephone,
        "generated": row[OUTCOME["generated"]],
        "attended": row[OUTCOME["attended"]],
        "attended_within_target": row[OUTCOME["attended_within_target"]],
        "not_attended": not_attended,
        "open_at_end": row[OUTCOME["generated"]] - closed,
        "resolved_without_deployment": row[OUTCOME["resolved_without_deployment"]],
    }
