"""The seed claims tested at national scale: free a stated number of officer hours a year through
``admin_reduction``, and set the linear conversion (hours / hours per incident) beside what the
simulation does with the hours (extra attendances, faster response) and the demand they could
absorb end to end (attendance and follow-up work).

The experiment is data (``experiments/seed_claims.yaml``); ``policesim claims FILE`` runs it, and
``sim.report.national.render_claims`` prints it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, ValidationError

from sim import __version__
from sim.config.loading import format_validation_error, merge, read_yaml, scenario_from_dict
from sim.config.schema import TASKS, Scenario
from sim.errors import ConfigError
from sim.study.national import (
    NationalConfig,
    NationalResult,
    force_raw,
    load_national,
    run_national,
    with_horizon,
    yearly,
)
from sim.study.numbers import json_safe
from sim.study.paired import linear_equivalent
from sim.study.replications import mean_ci

DRAWS = 200_000  # draws per task to estimate E[min(duration, saving)]


class Claim(BaseModel):
    """One claim: hours a year to free nationally, and the follow-up tasks they come from."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    description: str = ""
    freed_hours_per_year: PositiveFloat
    source: str = Field(min_length=1)
    pro_rata: bool = Field(
        default=False,
        description="scale the hours by the modelled officers' share of all officer FTE",
    )
    tasks: list[str] = Field(min_length=1)


class Conversion(BaseModel):
    """A published hours-per-incident figure used for the linear conversion."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    hours: PositiveFloat
    source: str = Field(min_length=1)


class ClaimsSpec(BaseModel):
    """The whole experiment file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    description: str = ""
    national: str
    replications: PositiveInt = 2
    seed: int = Field(default=20240331, ge=0)
    horizon_days: PositiveFloat | None = None
    warmup_days: float | None = Field(default=None, ge=0)
    claims: list[Claim] = Field(min_length=1)
    conversions: dict[str, Conversion] = Field(min_length=1)


@dataclass(frozen=True)
class Experiment:
    """A loaded claims experiment with its national config."""

    path: Path
    spec: ClaimsSpec
    national: NationalConfig


def load_claims(path: str | Path) -> Experiment:
    """Read and validate a claims experiment; problems are one-line ConfigErrors."""
    path = Path(path)
    try:
        spec = ClaimsSpec.model_validate(read_yaml(path))
    except ValidationError as error:
        raise ConfigError(format_validation_error(error, str(path))) from None
    for claim in spec.claims:
        unknown = sorted(set(claim.tasks) - set(TASKS))
        if unknown:
            raise ConfigError(f"{path}: claims.{claim.name}.tasks: unknown task(s) {unknown}")
    national_path = Path(spec.national)
    if not national_path.is_absolute():
        national_path = path.parent / national_path
    national = load_national(national_path, {"replications": spec.replications, "seed": spec.seed})
    if spec.horizon_days is not None:
        national = with_horizon(national, spec.horizon_days, spec.warmup_days)
    return Experiment(path, spec, national)


def _task_draws(scenario: Scenario, task: str) -> np.ndarray:
    """Draws of one task's duration in hours (fixed seed: the same numbers every time)."""
    rng = np.random.default_rng(20240331)
    spec = scenario.tasks[task]
    if spec.minutes is not None:
        minutes = spec.minutes.sample(rng, DRAWS)
    else:
        assert spec.footage_minutes is not None and spec.minutes_per_footage_minute is not None
        minutes = spec.footage_minutes.sample(rng, DRAWS) * spec.minutes_per_footage_minute
    return np.asarray(minutes, dtype=float) / 60.0


def saving_per_task(
    scenario: Scenario, task_hours: Mapping[str, float], tasks: Sequence[str], target: float
) -> tuple[dict[str, float], float]:
    """Hours to save per task instance so that the expected yearly saving is ``target``.

    Each task loses the same fraction ``f`` of its mean duration (never below zero), so the
    saving is spread over tasks in proportion to their size. ``task_hours`` are the yearly
    hours each task takes now; the task count is those hours over the mean duration. Returns
    the per-task hours and the expected saving (less than ``target`` if even removing every
    listed task entirely cannot reach it).
    """
    draws = {t: _task_draws(scenario, t) for t in tasks}
    counts = {t: task_hours[t] / float(draws[t].mean()) for t in tasks}

    def expected(fraction: float) -> float:
        return sum(counts[t] * float(np.minimum(draws[t], fraction * draws[t].mean()).mean()) for t in tasks)

    ceiling = sum(task_hours[t] for t in tasks)
    if target >= ceiling:
        top = float(max(d.max() / d.mean() for d in draws.values()))
        return {t: top * float(draws[t].mean()) for t in tasks}, expected(top)
    low, high = 0.0, 1.0
    while expected(high) < target:
        high *= 2.0
    for _ in range(60):
        middle = (low + high) / 2.0
        if expected(middle) < target:
            low = middle
        else:
            high = middle
    fraction = (low + high) / 2.0
    return {t: fraction * float(draws[t].mean()) for t in tasks}, expected(fraction)


def _finite_mean(values: Sequence[float]) -> float:
    """Mean of the finite values; NaN when there are none."""
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else math.nan


@dataclass
class ClaimResult:
    """What one claim did, all figures per year for England and Wales."""

    claim: Claim
    target_hours: float
    hours_saved_per_task: dict[str, float]
    expected_saving: float
    measured_saving: tuple[float, float, float]
    planned_saving: tuple[float, float, float]
    differences: dict[str, tuple[float, float, float]]
    linear: dict[str, float]
    end_to_end_hours: dict[str, float]
    absorbable: dict[str, float]
    run: NationalResult | None = field(default=None, repr=False)


DIFFERENCE_METRICS: tuple[str, ...] = (
    "officer_hours.available",
    "officer_hours_total",
    "overtime_hours",
    "followup_backlog_hours",
    "within_target.P1",
    "within_target.P2",
    "response_minutes_by_grade.P1.mean",
    "response_minutes_by_grade.P2.mean",
    "response_minutes_by_grade.P3.mean",
    "incidents.all.attended",
    "incidents.all.not_attended",
    # with attendance decisions (the packaged default): what the hours buy in person, per type
    "incidents.burglary.attended_in_person",
    "incidents.domestic_abuse.attended_in_person",
    "incidents.burglary.resolved_by_telephone",
    "incidents.domestic_abuse.resolved_by_telephone",
)


def _with_totals(metrics: Mapping[str, float], types: Sequence[str]) -> dict[str, float]:
    """Metrics plus ``incidents.all.*`` summed over incident types."""
    out = dict(metrics)
    for outcome in ("attended", "not_attended", "generated"):
        out[f"incidents.all.{outcome}"] = sum(metrics.get(f"incidents.{t}.{outcome}", 0.0) for t in types)
    return out


def end_to_end_hours(scenario: Scenario, national: Mapping[str, float]) -> dict[str, float]:
    """Officer hours one more incident of each type takes: crew x (travel + on scene) + follow-up.

    Travel per officer-attendance is the run's travel hours over its officer-attendances; the
    rest comes from the scenario's distributions (means).
    """
    crews = {
        name: sum(int(k) * p for k, p in kind.officers_needed.items()) for name, kind in scenario.incident_types.items()
    }
    dispatches = sum(national.get(f"incidents.{name}.attended", 0.0) * crews[name] for name in crews)
    travel = national.get("officer_hours.travel", 0.0) / dispatches if dispatches else math.nan
    means = {t: float(_task_draws(scenario, t).mean()) for t in scenario.tasks}
    out = {}
    for name, kind in scenario.incident_types.items():
        attend = crews[name] * (kind.on_scene_minutes.mean() / 60.0 + travel)
        follow = sum(p * means.get(t, 0.0) for t, p in kind.followup.items())
        out[name] = attend + follow
    return out


def run_claims(experiment: Experiment, workers: int | None = None) -> list[ClaimResult]:
    """Run the national baseline, then each claim on common random numbers, and compare."""
    config = experiment.national
    base = run_national(config, workers)
    window = base.national[0]["window_days"]
    base_year = [{k: yearly(k, v, window) for k, v in rep.items()} for rep in base.national]
    baseline_scenario = scenario_from_dict(config.baseline_raw, source="baseline")
    types = list(baseline_scenario.incident_types)
    task_hours = {t: float(np.mean([rep.get(f"officer_hours.{t}", 0.0) for rep in base_year])) for t in TASKS}
    all_fte = sum(f.officer_fte for f in config.forces)
    modelled_fte = sum(scenario_from_dict(force_raw(config, f)).workforce.response_officers for f in config.forces)
    mean_base = {k: _finite_mean([rep[k] for rep in base_year]) for k in base_year[0]}
    e2e = end_to_end_hours(baseline_scenario, mean_base)
    results = []
    for claim in experiment.spec.claims:
        target = claim.freed_hours_per_year * (modelled_fte / all_fte if claim.pro_rata else 1.0)
        per_task, expected = saving_per_task(baseline_scenario, task_hours, claim.tasks, target)
        admin = {"enabled": True, "adoption": 1.0, "hours_saved": per_task, "incident_types": None}
        raw = merge(config.baseline_raw, {"interventions": {"admin_reduction": admin}})
        run = run_national(NationalConfig(config.path, config.spec, raw, config.forces), workers)
        run_year = [_with_totals({k: yearly(k, v, window) for k, v in rep.items()}, types) for rep in run.national]
        paired = [_with_totals(rep, types) for rep in base_year]
        differences = {
            m: mean_ci([a.get(m, math.nan) - b.get(m, math.nan) for a, b in zip(run_year, paired, strict=True)])
            for m in DIFFERENCE_METRICS
        }
        # realised: the drop in officer hours on the listed tasks (paired); planned: the gross
        # saving the intervention applied to every incident, including ones no officer works
        task_keys = [f"officer_hours.{t}" for t in claim.tasks]
        measured = mean_ci(
            [sum(b.get(k, 0.0) - a.get(k, 0.0) for k in task_keys) for a, b in zip(run_year, paired, strict=True)]
        )
        planned = mean_ci([rep.get("hours_saved.admin_reduction", math.nan) for rep in run_year])
        freed = measured[0]
        linear = {
            name: linear_equivalent(claim.freed_hours_per_year, conversion.hours)
            for name, conversion in experiment.spec.conversions.items()
        }
        absorbable = {name: freed / e2e[name] for name in experiment.spec.conversions if name in e2e}
        results.append(
            ClaimResult(
                claim,
                target,
                per_task,
                expected,
                measured,
                planned,
                differences,
                linear,
                e2e,
                absorbable,
                run,
            )
        )
    return results


def claims_document(experiment: Experiment, results: Sequence[ClaimResult]) -> dict[str, Any]:
    """The claims results as JSON-ready data (with the seed, version and horizon)."""
    return json_safe(
        {
            "meta": {
                "experiment": str(experiment.path),
                "seed": experiment.spec.seed,
                "replications": experiment.spec.replications,
                "horizon_days": experiment.national.baseline_raw.get("horizon_days"),
                "warmup_days": experiment.national.baseline_raw.get("warmup_days"),
                "version": __version__,
                "forces": len(experiment.national.forces),
            },
            "claims": [
                {
                    "name": r.claim.name,
                    "freed_hours_per_year": r.claim.freed_hours_per_year,
                    "target_hours": r.target_hours,
                    "hours_saved_per_task": r.hours_saved_per_task,
                    "expected_saving": r.expected_saving,
                    "measured_saving": list(r.measured_saving),
                    "planned_saving": list(r.planned_saving),
                    "linear_conversion": r.linear,
                    "end_to_end_hours": r.end_to_end_hours,
                    "absorbable": r.absorbable,
                    "differences": {k: list(v) for k, v in r.differences.items()},
                    "seconds": None if r.run is None else r.run.seconds,
                }
                for r in results
            ],
        },
        digits=None,
    )
