"""Absorbable demand, simulated: the largest extra yearly volume of one incident type a scenario
takes while its service to that type stays within a stated tolerance of the base's.

Service is measured where pressure shows when attendance depends on capacity (a scenario with an
``attendance`` section, such as the overlay configs/attendance/decisions.yaml): the share of the
type's incidents attended in person (``attended_in_person / generated``; an incident still open at
the end counts as not attended in person, so a growing backlog counts as a fall) and the mean time
to attend (``response_minutes.<type>.mean``, call to first attendance). A volume passes when,
against the base scenario with no extra demand, the mean paired change over replications in the
share falls by no more than ``share_points`` percentage points AND the mean time to attend rises
by no more than ``minutes``. Both are needed: under load a force diverts its longest waits to the
telephone, so the mean time of those still attended can fall while the share attended falls.

Every replication ``r`` of every trial runs on ``replication_seed(seed, r)``: the same incidents,
plus extra incidents of the type from their own stream, nested (a larger volume adds incidents and
never moves the others), so each trial is paired with the base on common random numbers. The
search over volumes (sim/study/search.py) runs all replications at each volume it tries; its
answer is the bracket between the last volume that passed and the first that failed, with the
paired 95% CI of both changes at every volume tried.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sim.config.interventions import ExtraDemand
from sim.config.schema import Scenario
from sim.errors import ConfigError
from sim.model.replication import simulate
from sim.model.streams import replication_seed
from sim.study.executor import Executor, day_reporter, local
from sim.study.paired import paired_difference
from sim.study.replications import mean_ci
from sim.study.search import Bracket


@dataclass(frozen=True)
class Tolerance:
    """How much worse than the base's service still counts as absorbed."""

    share_points: float = 1.0  # fall in the share attended in person, percentage points
    minutes: float = 30.0  # rise in the mean time to attend, minutes

    def __post_init__(self) -> None:
        for name in ("share_points", "minutes"):
            value = getattr(self, name)
            if not (value >= 0 and math.isfinite(value)):
                raise ValueError(f"tolerance {name} must be finite and not negative, got {value!r}")


@dataclass(frozen=True)
class CapacitySettings:
    """The search in extra incidents per year, and the tolerance."""

    first_step: float
    max_extra: float
    resolution: float
    tolerance: Tolerance = field(default_factory=Tolerance)


def default_settings(scenario: Scenario, kind: str, tolerance: Tolerance | None = None) -> CapacitySettings:
    """Steps from the type's own volume: start at 10%, search up to twice it, resolve to 5%."""
    volume = scenario.incident_types[kind].yearly_volume
    return CapacitySettings(0.1 * volume, 2.0 * volume, 0.05 * volume, tolerance or Tolerance())


def with_extra(scenario: Scenario, kind: str, volume: float, max_volume: float) -> Scenario:
    """The scenario with ``volume`` extra incidents of ``kind`` a year (nested up to max_volume)."""
    extra = ExtraDemand(incident_type=kind, yearly_volume=volume, max_yearly_volume=max_volume)
    interventions = scenario.interventions.model_copy(update={"extra_demand": extra})
    return scenario.model_copy(update={"interventions": interventions})


def in_person_share(metrics: dict[str, float], kind: str) -> float:
    """Share of a type's incidents (calls after the warm-up) attended in person."""
    generated = metrics[f"incidents.{kind}.generated"]
    return metrics[f"incidents.{kind}.attended_in_person"] / generated if generated else math.nan


def check_decisions(scenarios: dict[str, Scenario]) -> None:
    """Refuse a scenario whose attendance cannot depend on capacity (no ``attendance`` section)."""
    for name, scenario in scenarios.items():
        if scenario.attendance is None:
            raise ConfigError(
                f"scenario {name!r}: no attendance section, so the share attended in person cannot "
                "move with load; add configs/attendance/decisions.yaml to its overlays"
            )


def run_trial(
    scenario: Scenario, kind: str, volume: float, max_volume: float, seed: int, replication: int
) -> dict[str, Any]:
    """One job: one replication of ``scenario`` with ``volume`` extra incidents of ``kind`` a year."""
    started = time.perf_counter()
    trial = with_extra(scenario, kind, volume, max_volume)
    result = simulate(trial, replication_seed(seed, replication), progress=day_reporter(scenario.horizon_days))
    return {
        "replication": replication,
        "volume": volume,
        "share_in_person": in_person_share(result.metrics, kind),
        "time_to_attend_minutes": result.metrics[f"response_minutes.{kind}.mean"],
        "overloaded": result.overload is not None,
        "wall_seconds": time.perf_counter() - started,
    }


def _cell(values: list[float]) -> dict[str, float]:
    mean, low, high = mean_ci(values)
    return {"mean": mean, "ci_low": low, "ci_high": high}


def judge(reference: list[dict[str, Any]], rows: list[dict[str, Any]], tolerance: Tolerance) -> dict[str, Any]:
    """One volume's step: both measures, their paired changes against the reference with 95% CIs,
    and the verdict (``passed`` on the mean changes; ``clearly`` what the CIs say)."""
    share = [100.0 * row["share_in_person"] for row in rows]
    minutes = [row["time_to_attend_minutes"] for row in rows]
    share_change = paired_difference([100.0 * row["share_in_person"] for row in reference], share).as_dict()
    time_change = paired_difference([row["time_to_attend_minutes"] for row in reference], minutes).as_dict()
    overloaded = sum(bool(row["overloaded"]) for row in rows)
    floor, ceiling = -tolerance.share_points, tolerance.minutes
    passed = overloaded == 0 and share_change["mean"] >= floor and time_change["mean"] <= ceiling
    if overloaded or share_change["ci_high"] < floor or time_change["ci_low"] > ceiling:
        clearly = "beyond"
    elif share_change["ci_low"] >= floor and time_change["ci_high"] <= ceiling:
        clearly = "within"
    else:
        clearly = "unclear"  # includes too few replications for an interval
    return {
        "volume": rows[0]["volume"],
        "share_in_person_percent": _cell(share),
        "share_change_points": share_change,
        "time_to_attend_minutes": _cell(minutes),
        "time_change_minutes": time_change,
        "overloaded_replications": overloaded,
        "passed": bool(passed),
        "clearly": clearly,
    }


@dataclass
class CapacityRuns:
    """What a capacity study ran: every trial row, the base's rows, and each scenario's steps."""

    reference: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    searches: dict[str, Bracket]
    steps: dict[str, list[dict[str, Any]]]


def absorbable_demand(
    base: Scenario,
    scenarios: dict[str, Scenario],
    kind: str,
    seed: int,
    replications: int,
    settings: CapacitySettings,
    workers: int | None = 1,
    progress: Callable[[float], None] | None = None,
    executor: Executor | None = None,
    on_step: Callable[[str, dict[str, Any]], None] | None = None,
    on_total: Callable[[float], None] | None = None,
    base_name: str = "base",
) -> CapacityRuns:
    """Search each scenario for its absorbable extra volume of ``kind`` against ``base``.

    The searches advance together: each round runs every replication of every search's next
    volume as one batch on the executor (``workers`` None: one per core; ``executor``, say one on
    a Dask cluster, replaces it). The base itself at no extra demand is the reference run, not
    run twice. ``progress(done)`` hears the runs done, ``on_total(n)`` the most runs the study can
    take in all (it shrinks as searches close), ``on_step(name, step)`` each step as it is judged.
    """
    if kind not in base.incident_types:
        raise ConfigError(f"type: {kind!r} is not an incident type; expected one of {sorted(base.incident_types)}")
    check_decisions({base_name: base, **scenarios})
    runs = CapacityRuns(
        reference=[],
        rows=[],
        searches={name: Bracket(settings.first_step, settings.max_extra, settings.resolution) for name in scenarios},
        steps={name: [] for name in scenarios},
    )
    done = 0.0

    def judged(name: str, rows: list[dict[str, Any]]) -> None:
        step = judge(runs.reference, rows, settings.tolerance)
        runs.searches[name].record(step["volume"], step["passed"])
        runs.steps[name].append(step)
        if on_step is not None:
            on_step(name, step)

    with local(executor, workers, 2 * replications) as runner:
        pending: list[tuple[str | None, Scenario, float]] = [(None, base, 0.0)]  # None: the reference
        while pending:
            if on_total is not None:
                left = sum(search.trials_left() for search in runs.searches.values())
                on_total(done + replications * (left + (0 if runs.reference else 1)))
            jobs = [
                (scenario, kind, volume, settings.max_extra, seed, replication)
                for _, scenario, volume in pending
                for replication in range(replications)
            ]
            results = runner.map(run_trial, jobs, _shifted(progress, done))
            done += len(jobs)
            for index, (name, _, _) in enumerate(pending):
                rows = results[index * replications : (index + 1) * replications]
                runs.rows += [{"scenario": base_name if name is None else name, **row} for row in rows]
                if name is not None:
                    judged(name, rows)
                else:
                    runs.reference = _measurable(rows, kind)
                    for other, scenario in scenarios.items():
                        if scenario is base:  # the base at no extra demand is the reference
                            judged(other, rows)
            pending = [
                (name, scenarios[name], volume)
                for name, search in runs.searches.items()
                if (volume := search.next_volume()) is not None
            ]
    for name in runs.steps:
        runs.steps[name].sort(key=lambda step: step["volume"])
    return runs


def _measurable(rows: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The reference rows, refused when a replication has no measure to compare (no incident of
    the type, or none attended, in the measured window)."""
    for row in rows:
        if not (math.isfinite(row["share_in_person"]) and math.isfinite(row["time_to_attend_minutes"])):
            raise ConfigError(
                f"type {kind!r}: replication {row['replication']} of the base attended none in the "
                "measured window, so there is no service to compare; lengthen --days"
            )
    return rows


def _shifted(progress: Callable[[float], None] | None, offset: float) -> Callable[[float], None] | None:
    """``progress`` told the runs done before this batch plus those done in it."""
    if progress is None:
        return None
    return lambda count: progress(offset + count)


def summarise_capacity(runs: CapacityRuns, base_name: str) -> dict[str, Any]:
    """Per scenario: the bracket, what the CIs clearly support, every step, and the gain over the
    base scenario's own bracket (when the base was searched)."""
    summary: dict[str, Any] = {}
    for name, search in runs.searches.items():
        steps = runs.steps[name]
        own = [row for row in runs.rows if row["scenario"] == name]  # the base's include the reference
        within = [s["volume"] for s in steps if s["clearly"] == "within"]
        beyond = [s["volume"] for s in steps if s["clearly"] == "beyond"]
        summary[name] = {
            "absorbable_per_year": {
                "last_passing": search.passing,
                "first_failing": search.failing,
                "censored": search.censored,
            },
            "clearly_within_up_to": max(within) if within else None,
            "clearly_beyond_from": min(beyond) if beyond else None,
            "steps": steps,
            "runs": len(own),
            "wall_seconds": sum(row["wall_seconds"] for row in own),
        }
    base = runs.searches.get(base_name)
    for name, search in runs.searches.items():
        if base is not None and name != base_name:
            summary[name]["gain_over_base_per_year"] = gain_bracket(base, search)
    return summary


def gain_bracket(base: Bracket, other: Bracket) -> dict[str, float | None]:
    """The gain in absorbable volume that the two brackets allow: from the other's last pass
    less the base's first failure to the other's first failure less the base's last pass (None
    where a bracket is open: nothing failed, or nothing passed)."""
    low = _minus(other.passing, base.failing)
    high = _minus(other.failing, base.passing)
    return {"low": low, "high": high}


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def reference_summary(runs: CapacityRuns) -> dict[str, Any]:
    """The base with no extra demand: both measures, mean with a 95% CI."""
    return {
        "share_in_person_percent": _cell([100.0 * row["share_in_person"] for row in runs.reference]),
        "time_to_attend_minutes": _cell([row["time_to_attend_minutes"] for row in runs.reference]),
        "overloaded_replications": sum(bool(row["overloaded"]) for row in runs.reference),
    }
