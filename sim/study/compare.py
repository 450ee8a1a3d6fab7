"""Paired experiments: an experiment file's scenarios run on common random numbers and compared.

Every scenario of an experiment runs with the same replication seeds, so replication ``r`` of each
sees the same incidents at the same times; the per-replication difference against the base
scenario is then the intervention's effect with far less noise than independent runs would give.
Counts and hours are reported per year (scaled from the measured period after warm-up), beside
the linear claim: the officer hours the interventions saved divided by hours per incident.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim import __version__
from sim.config.loading import config_hash
from sim.config.schema import Scenario
from sim.model.replication import simulate
from sim.model.stats import ACTIVITIES, is_binned_quantile
from sim.model.streams import replication_seed
from sim.study.executor import Executor, local
from sim.study.experiment import Experiment, ExperimentSpec, describe, load_experiment
from sim.study.numbers import json_number
from sim.study.paired import linear_equivalent, paired_difference
from sim.study.replications import binned_difference_ci, mean_ci

# Loading an experiment file lives in sim.study.experiment; its names stay importable from here.
__all__ = [
    "Experiment",
    "ExperimentRuns",
    "ExperimentSpec",
    "comparison_document",
    "describe",
    "load_experiment",
    "paired_table",
    "run_experiment",
    "scenario_means",
]

DAYS_PER_YEAR = 365.25
# HM Treasury, March 2024: 500,000 h = 250,000 DA incidents (2.0 h) or 300,000 burglaries (1.67 h).
GOVERNMENT_HOURS_PER_INCIDENT: dict[str, float] = {"domestic_abuse": 2.0, "burglary": 1.67}
IDLE_ACTIVITIES = ("available", "meal_break", "abstraction")
WORK_ACTIVITIES = tuple(a for a in ACTIVITIES if a not in IDLE_ACTIVITIES)
RATE_PREFIXES = ("incidents.", "officer_hours.", "hours_saved", "remote.", "overtime_hours")


# ---- running ------------------------------------------------------------------------------------
@dataclass
class ExperimentRuns:
    """Per-replication metrics of every scenario, plus what the plots need."""

    metrics: pd.DataFrame  # scenario, replication, metric, value
    responses: dict[str, pd.DataFrame] = field(default_factory=dict)  # replication 0's records
    wall_seconds: float = 0.0
    simulate_seconds: float = 0.0


def _one(
    name: str, scenario: Scenario, seed: int, replication: int, records: bool
) -> tuple[str, int, dict[str, float], pd.DataFrame | None, float]:
    """One replication of one scenario (a module-level function, so processes can run it)."""
    result = simulate(scenario, replication_seed(seed, replication), records=records)
    kept = None
    if result.records is not None:
        kept = result.records.loc[
            result.records["outcome"] == "attended", ["type", "grade", "response_minutes"]
        ].reset_index(drop=True)
    return name, replication, result.metrics, kept, result.wall_seconds


def run_experiment(
    experiment: Experiment,
    workers: int | None = None,
    progress: Callable[[float], None] | None = None,
    records: bool = False,
    executor: Executor | None = None,
) -> ExperimentRuns:
    """Every (scenario, replication) pair, spread over ``workers`` processes; same seeds for all.

    ``records`` keeps replication 0's attended incidents of each scenario (for response plots);
    ``executor`` (say one on a Dask cluster) replaces ``workers``. Results do not depend on the
    number of workers.
    """
    started = time.perf_counter()
    spec = experiment.spec
    jobs = [
        (name, scenario, spec.seed, replication, records and replication == 0)
        for name, scenario in experiment.scenarios.items()
        for replication in range(spec.replications)
    ]
    with local(executor, workers, len(jobs)) as runner:
        outputs = runner.map(_one, jobs, progress)
    rows = [
        {"scenario": name, "replication": replication, "metric": key, "value": float(value)}
        for name, replication, metrics, _, _ in outputs
        for key, value in metrics.items()
    ]
    order = {name: index for index, name in enumerate(experiment.scenarios)}
    frame = pd.DataFrame(rows, columns=["scenario", "replication", "metric", "value"])
    frame["order"] = frame["scenario"].map(order)
    frame = frame.sort_values(["order", "replication", "metric"]).drop(columns="order")
    frame = frame.reset_index(drop=True)
    responses = {name: kept for name, _, _, kept, _ in outputs if kept is not None}
    return ExperimentRuns(
        metrics=frame,
        responses=responses,
        wall_seconds=time.perf_counter() - started,
        simulate_seconds=sum(output[4] for output in outputs),
    )


# ---- comparing ----------------------------------------------------------------------------------
def measured_years(scenario: Scenario) -> float:
    """Length of the measured period (horizon after warm-up) in years."""
    return (scenario.horizon_days - scenario.warmup_days) / DAYS_PER_YEAR


def is_rate(metric: str) -> bool:
    """Whether a metric is a count or an hour total over the window (reported per year)."""
    return metric.startswith(RATE_PREFIXES)


def derived_metrics(wide: pd.DataFrame) -> pd.DataFrame:
    """Add per-replication totals: officer work hours and hours saved by all interventions."""
    out = wide.copy()
    work = [f"officer_hours.{a}" for a in WORK_ACTIVITIES if f"officer_hours.{a}" in out]
    out["officer_hours.work_total"] = out[work].sum(axis=1)
    saved = [column for column in out if column.startswith("hours_saved.")]
    out["hours_saved_total"] = out[saved].fillna(0.0).sum(axis=1) if saved else 0.0
    return out


def per_replication(runs: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """One scenario's metrics, one row per replication, with the derived totals."""
    mine = runs[runs["scenario"] == scenario]
    wide = mine.pivot(index="replication", columns="metric", values="value")
    return derived_metrics(wide)


def paired_table(runs: pd.DataFrame, base: str, years: float) -> pd.DataFrame:
    """Paired differences ``scenario - base`` of every metric; counts and hours per year."""
    reference = per_replication(runs, base)
    rows: list[dict[str, Any]] = []
    for scenario in runs["scenario"].unique():
        if scenario == base:
            continue
        other = per_replication(runs, scenario)
        for metric in sorted(set(reference.columns) | set(other.columns)):
            scale = 1.0 / years if is_rate(metric) else 1.0
            a = _column(reference, metric) * scale
            b = _column(other, metric) * scale
            finite = a.notna() & b.notna()
            if not finite.any():
                continue
            result = paired_difference(a[finite].to_numpy(), b[finite].to_numpy()).as_dict()
            if is_binned_quantile(metric):  # each replication's quantile is known to its bin only
                result["ci_low"], result["ci_high"] = binned_difference_ci(
                    a[finite].tolist(), b[finite].tolist(), float(result["ci_low"]), float(result["ci_high"])
                )
            rows.append(
                {
                    "scenario": scenario,
                    "metric": metric,
                    "base_mean": float(a[finite].mean()),
                    "scenario_mean": float(b[finite].mean()),
                    **result,
                }
            )
    return pd.DataFrame(rows)


def _column(frame: pd.DataFrame, metric: str) -> pd.Series:
    """A metric's column; a metric a scenario lacks (an intervention it does not run) is 0."""
    if metric in frame:
        return frame[metric].astype(float)
    zero_if_absent = metric.startswith(("hours_saved", "remote."))
    return pd.Series(0.0 if zero_if_absent else math.nan, index=frame.index)


def attendance_hours(scenario: Scenario, kind: str, base_metrics: pd.DataFrame) -> dict[str, float]:
    """Officer hours per attended incident of a type: at attendance, and end to end.

    Attendance is crew x (time on scene + travel); travel is the configured mean by grade without
    geography, otherwise the base run's travel hours per officer dispatch. End to end adds the
    expected follow-up work of the type.
    """
    spec = scenario.incident_types[kind]
    crew = sum(size * share for size, share in spec.officers_needed.items())
    travel_minutes = _travel_minutes(scenario, kind, base_metrics)
    attendance = crew * (spec.on_scene_minutes.mean() + travel_minutes) / 60.0
    followup = 0.0
    for task, probability in spec.followup.items():
        definition = scenario.tasks[task]
        if definition.minutes is not None:
            followup += probability * definition.minutes.mean()
        else:
            assert definition.footage_minutes is not None
            per_minute = definition.minutes_per_footage_minute or 0.0
            followup += probability * definition.footage_minutes.mean() * per_minute
    return {"attendance": attendance, "end_to_end": attendance + followup / 60.0}


def _travel_minutes(scenario: Scenario, kind: str, base_metrics: pd.DataFrame) -> float:
    """Mean travel minutes per officer dispatch to an incident of this type."""
    spec = scenario.incident_types[kind]
    if scenario.geography is None:
        deployed = {g: s for g, s in spec.grade_mix.items() if scenario.grades[g].deploy}
        total = sum(deployed.values())
        if total == 0:
            return 0.0
        travel = scenario.dispatch.travel_minutes
        return sum(share * travel[grade].mean() for grade, share in deployed.items()) / total
    dispatches = 0.0
    for name, other in scenario.incident_types.items():
        crew = sum(size * share for size, share in other.officers_needed.items())
        column = f"incidents.{name}.attended"
        dispatches += crew * float(base_metrics[column].mean()) if column in base_metrics else 0.0
    travel_hours = float(base_metrics["officer_hours.travel"].mean()) if dispatches else 0.0
    return 60.0 * travel_hours / dispatches if dispatches else 0.0


def _cell(table: pd.DataFrame, scenario: str, metric: str, negate: bool = False) -> dict[str, Any]:
    """One paired difference as ``{mean, ci_low, ci_high, variance_reduction}`` (None if absent)."""
    row = table[(table["scenario"] == scenario) & (table["metric"] == metric)]
    if row.empty:
        return {"mean": None, "ci_low": None, "ci_high": None, "variance_reduction": None}
    record = row.iloc[0]
    sign = -1.0 if negate else 1.0
    low, high = sign * record["ci_low"], sign * record["ci_high"]
    return {
        "mean": json_number(sign * record["mean"]),
        "ci_low": json_number(min(low, high)),
        "ci_high": json_number(max(low, high)),
        "variance_reduction": json_number(record["variance_reduction"]),
    }


def _pools(table: pd.DataFrame, scenario: str, years: float) -> dict[str, Any]:
    """Where the hours land: follow-up hours freed per year and officers moved, per pool of officers
    (``pools.*`` exist only with a ``duties`` section; an empty mapping without one)."""
    pools: dict[str, Any] = {}
    for pool in ("response", "investigation"):
        freed = _cell(table, scenario, f"pools.{pool}.followup_hours", negate=True)
        if freed["mean"] is None:
            continue
        per_year = {k: json_number(freed[k] / years) for k in ("mean", "ci_low", "ci_high")}
        pools[pool] = {
            "followup_hours_freed_per_year": {**per_year, "variance_reduction": freed["variance_reduction"]},
            "officers_change": _cell(table, scenario, f"pools.{pool}.officers"),
        }
    return pools


def comparison_document(experiment: Experiment, runs: ExperimentRuns) -> dict[str, Any]:
    """The comparison as a JSON-ready document: per scenario and type, linear beside simulated."""
    spec = experiment.spec
    base = experiment.base
    years = measured_years(base)
    table = paired_table(runs.metrics, spec.base, years)
    base_metrics = per_replication(runs.metrics, spec.base)
    types = [*spec.types, *(t for t in base.incident_types if t not in spec.types)]
    hours_per_incident = {t: attendance_hours(base, t, base_metrics) for t in types}
    scenarios: dict[str, Any] = {}
    for name in experiment.scenarios:
        if name == spec.base:
            continue
        saved = _cell(table, name, "hours_saved_total")
        gross = saved["mean"] or 0.0
        by_type = {}
        for kind in types:
            own = hours_per_incident[kind]
            linear = {
                "own_attendance": linear_equivalent(gross, own["attendance"]),
                "own_end_to_end": linear_equivalent(gross, own["end_to_end"]),
            }
            if kind in GOVERNMENT_HOURS_PER_INCIDENT:
                linear["government"] = linear_equivalent(gross, GOVERNMENT_HOURS_PER_INCIDENT[kind])
            by_type[kind] = {
                "extra_attended": _cell(table, name, f"incidents.{kind}.attended"),
                "extra_attended_within_target": _cell(table, name, f"incidents.{kind}.attended_within_target"),
                "extra_attended_in_person": _cell(table, name, f"incidents.{kind}.attended_in_person"),
                "extra_resolved_by_telephone": _cell(table, name, f"incidents.{kind}.resolved_by_telephone"),
                "response_mean_change_minutes": _cell(table, name, f"response_minutes.{kind}.mean"),
                "response_p90_change_minutes": _cell(table, name, f"response_minutes.{kind}.p90"),
                "linear_extra_attended": {k: round(v, 3) for k, v in linear.items()},
            }
        scenarios[name] = {
            "interventions": experiment.scenarios[name].interventions.active(),
            "hours_saved_per_year": saved,
            "officer_work_hours_freed_per_year": _cell(table, name, "officer_hours.work_total", negate=True),
            "officer_hours_freed_per_year": {
                activity: _cell(table, name, f"officer_hours.{activity}", negate=True) for activity in ACTIVITIES
            },
            "overtime_change_hours_per_year": _cell(table, name, "overtime_hours"),
            "followup_backlog_change_hours": _cell(table, name, "followup_backlog_hours"),
            "pools": _pools(table, name, years),
            "types": by_type,
        }
    return {
        "experiment": {
            "name": spec.name,
            "file": str(experiment.path),
            "base": spec.base,
            "replications": spec.replications,
            "seed": spec.seed,
            "horizon_days": base.horizon_days,
            "warmup_days": base.warmup_days,
            "per_year": "counts and hours are per year: window totals / measured years",
            "measured_years": round(years, 6),
        },
        "hours_per_incident": {
            kind: {
                "government": GOVERNMENT_HOURS_PER_INCIDENT.get(kind),
                "own_attendance": round(hours["attendance"], 4),
                "own_end_to_end": round(hours["end_to_end"], 4),
            }
            for kind, hours in hours_per_incident.items()
        },
        "scenarios": scenarios,
        "common_random_numbers": crn_summary(table, spec.types),
        "meta": {
            "version": __version__,
            "config_hash": {name: config_hash(s) for name, s in experiment.scenarios.items()},
            "wall_seconds": round(runs.wall_seconds, 3),
            "simulate_seconds": round(runs.simulate_seconds, 3),
            "overloaded_runs": int(runs.metrics[(runs.metrics["metric"] == "overloaded")]["value"].sum()),
        },
    }


def crn_summary(table: pd.DataFrame, types: list[str]) -> dict[str, Any]:
    """How much common random numbers cut the variance of the headline paired differences.

    The ratio is (var base + var scenario) / var(paired difference): the number of times more
    replications independent runs would need for the same precision.
    """
    metrics = [
        f"{group}.{kind}.{leaf}"
        for kind in types
        for group, leaf in (
            ("incidents", "attended"),
            ("incidents", "attended_within_target"),
            ("response_minutes", "mean"),
        )
    ] + ["overtime_hours", "officer_hours.work_total"]
    rows = table[table["metric"].isin(metrics)]
    ratios = rows["variance_reduction"].replace([math.inf], math.nan).dropna()
    detail: dict[str, dict[str, float | None]] = {}
    for record in rows.itertuples():
        detail.setdefault(str(record.scenario), {})[str(record.metric)] = json_number(record.variance_reduction)
    return {
        "definition": "(variance of base + variance of scenario) / variance of paired difference",
        "median_variance_reduction": json_number(ratios.median()) if len(ratios) else None,
        "metrics": metrics,
        "by_scenario": detail,
    }


def scenario_means(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% CI of every metric per scenario (window totals, not per year)."""
    rows = []
    for (scenario, metric), block in runs.groupby(["scenario", "metric"], sort=False):
        mean, low, high = mean_ci(block["value"].tolist())
        rows.append({"scenario": scenario, "metric": metric, "mean": mean, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)
