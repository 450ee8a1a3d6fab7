"""Absorbable demand: the largest extra yearly volume of one type a scenario takes at base service.

The linear claim ("hours freed / hours per incident = extra incidents") really asks how many more
burglaries (or domestic-abuse incidents) a force could take on at the same service level. For each
replication, on its own common-random-number path (the same incidents, plus extra incidents of the
type drawn from their own stream and nested, so a larger volume adds incidents and never moves the
others), we search for the largest extra volume at which the type's within-target share is no
worse than the base scenario's in that replication; the answer is the mean over replications with
a Student-t interval.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.config.interventions import ExtraDemand
from sim.config.schema import Scenario
from sim.model.replication import simulate
from sim.model.streams import replication_seed
from sim.study.executor import Executor, local
from sim.study.paired import paired_difference
from sim.study.replications import mean_ci


@dataclass(frozen=True)
class SearchResult:
    """Outcome of one monotone search: the answer, its final bracket and what it cost."""

    estimate: float
    feasible: float
    infeasible: float
    evaluations: int
    censored: bool

    def as_dict(self) -> dict[str, float | int | bool]:
        """Plain values for tables and JSON."""
        return {
            "estimate": self.estimate,
            "feasible": self.feasible,
            "infeasible": self.infeasible,
            "evaluations": self.evaluations,
            "censored": self.censored,
        }


def largest_feasible(
    feasible: Callable[[float], bool],
    *,
    first_step: float,
    max_extra: float,
    tolerance: float,
) -> SearchResult:
    """Largest x in [0, max_extra] with ``feasible(x)``, taking feasibility as monotone in x.

    Doubles from ``first_step`` until a volume fails (or ``max_extra`` passes, which censors the
    answer at ``max_extra``), then bisects until the bracket is narrower than ``tolerance``; the
    estimate is the bracket's midpoint. A scenario infeasible at zero extra gives 0.
    """
    if not (first_step > 0 and tolerance > 0 and max_extra >= first_step):
        raise ValueError(
            f"need 0 < first_step <= max_extra and tolerance > 0; got first_step={first_step!r}, "
            f"max_extra={max_extra!r}, tolerance={tolerance!r}"
        )
    evaluations = 1
    if not feasible(0.0):
        return SearchResult(0.0, 0.0, 0.0, evaluations, censored=False)
    low, high, step = 0.0, math.inf, first_step
    while math.isinf(high):
        trial = min(low + step, max_extra)
        evaluations += 1
        if feasible(trial):
            low = trial
            if trial >= max_extra:
                return SearchResult(max_extra, max_extra, math.inf, evaluations, censored=True)
            step *= 2.0
        else:
            high = trial
    while high - low > tolerance:
        middle = 0.5 * (low + high)
        evaluations += 1
        if feasible(middle):
            low = middle
        else:
            high = middle
    return SearchResult(0.5 * (low + high), low, high, evaluations, censored=False)


# ---- the search on the simulation ---------------------------------------------------------------
@dataclass(frozen=True)
class CapacitySettings:
    """Search settings in extra incidents per year, and the noise allowance in standard errors.

    ``noise_sd``: the extra incidents' own within-target outcomes are not paired with anything,
    so they move the share by binomial noise of about sqrt(p (1 - p) n_extra) / n; a volume is
    taken as no worse when its share is within ``noise_sd`` of those standard errors of the base's
    (0 asks for the share itself, as the Erlang C test does). Without it, a force with spare
    capacity, whose share does not change with volume, gets a coin-flip answer.
    """

    first_step: float
    max_extra: float
    tolerance: float
    noise_sd: float = 2.0


def default_settings(scenario: Scenario, kind: str) -> CapacitySettings:
    """Steps from the type's own volume: start at 5%, resolve to 1%, search up to twice it."""
    volume = scenario.incident_types[kind].yearly_volume
    return CapacitySettings(first_step=0.05 * volume, max_extra=2.0 * volume, tolerance=0.01 * volume)


def with_extra(scenario: Scenario, kind: str, volume: float, max_volume: float) -> Scenario:
    """The scenario with ``volume`` extra incidents of ``kind`` a year (nested up to max_volume)."""
    extra = ExtraDemand(incident_type=kind, yearly_volume=volume, max_yearly_volume=max_volume)
    interventions = scenario.interventions.model_copy(update={"extra_demand": extra})
    return scenario.model_copy(update={"interventions": interventions})


def deployed(metrics: dict[str, float], kind: str) -> float:
    """Incidents of a type that needed an officer: attended plus not attended."""
    return metrics[f"incidents.{kind}.attended"] + metrics[f"incidents.{kind}.not_attended"]


def within_target_share(metrics: dict[str, float], kind: str) -> float:
    """Share of a type's deployed incidents attended within target (not attended counts as late)."""
    attended = metrics[f"incidents.{kind}.attended"]
    late = metrics[f"incidents.{kind}.not_attended"]
    total = attended + late
    return metrics[f"incidents.{kind}.attended_within_target"] / total if total else math.nan


def search_replication(
    name: str,
    base: Scenario,
    scenario: Scenario,
    kind: str,
    seed: int,
    replication: int,
    settings: CapacitySettings,
) -> dict[str, Any]:
    """One job: scenario ``name``'s largest extra volume keeping the base's within-target share
    in one replication, with what the search cost."""
    started = time.perf_counter()
    sequence = replication_seed(seed, replication)
    reference_metrics = simulate(base, sequence).metrics
    reference = within_target_share(reference_metrics, kind)
    reference_total = deployed(reference_metrics, kind)
    shares: dict[float, float] = {}

    def feasible(extra: float) -> bool:
        trial = with_extra(scenario, kind, extra, settings.max_extra)
        result = simulate(trial, replication_seed(seed, replication))
        share = shares[extra] = within_target_share(result.metrics, kind)
        total = deployed(result.metrics, kind)
        added = max(total - reference_total, 0.0)
        noise = math.sqrt(reference * (1.0 - reference) * added) / total if total else 0.0
        return result.overload is None and share >= reference - settings.noise_sd * noise

    found = largest_feasible(
        feasible,
        first_step=settings.first_step,
        max_extra=settings.max_extra,
        tolerance=settings.tolerance,
    )
    return {
        "scenario": name,
        "replication": replication,
        "reference_share": reference,
        **found.as_dict(),
        "evaluations": found.evaluations + 1,
        "shares": shares,
        "wall_seconds": time.perf_counter() - started,
    }


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
) -> pd.DataFrame:
    """Per scenario and replication, the absorbable extra yearly volume of ``kind`` (a table).

    ``workers`` None means one per core; ``executor`` (say one on a Dask cluster) replaces it.
    """
    jobs = [
        (name, base, scenario, kind, seed, replication, settings)
        for name, scenario in scenarios.items()
        for replication in range(replications)
    ]
    with local(executor, workers, len(jobs)) as runner:
        rows: list[dict[str, Any]] = runner.map(search_replication, jobs, progress)
    return pd.DataFrame(rows)


def summarise_capacity(table: pd.DataFrame, base_name: str) -> dict[str, Any]:
    """Mean absorbable volume per scenario with a 95% CI, and the gain over the base, paired."""
    summary: dict[str, Any] = {}
    by_name = {name: block.sort_values("replication") for name, block in table.groupby("scenario", sort=False)}
    reference = by_name.get(base_name)
    for name, block in by_name.items():
        mean, low, high = mean_ci(block["estimate"].tolist())
        entry: dict[str, Any] = {
            "absorbable_per_year": {"mean": mean, "ci_low": low, "ci_high": high},
            "censored_replications": int(block["censored"].sum()),
            "reference_share": float(block["reference_share"].mean()),
            "evaluations": int(block["evaluations"].sum()),
            "wall_seconds": float(block["wall_seconds"].sum()),
        }
        if reference is not None and name != base_name:
            gain = paired_difference(reference["estimate"].to_numpy(), block["estimate"].to_numpy())
            entry["gain_over_base_per_year"] = gain.as_dict()
        summary[name] = entry
    return summary
