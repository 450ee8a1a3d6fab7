"""Replications of one scenario, run in parallel processes (or on Dask), summarised with confidence intervals.

Replication ``r`` of seed ``s`` always uses ``replication_seed(s, r)``, whichever process runs it,
so results never depend on the number of workers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
from scipy import stats as scipy_stats

from sim import __version__
from sim.config.loading import config_hash
from sim.config.paths import nest
from sim.config.schema import Scenario
from sim.model.replication import RunResult, simulate
from sim.model.stats import LogHistogram, is_binned_quantile
from sim.model.streams import replication_seed
from sim.study.executor import Executor, day_reporter, local
from sim.study.numbers import json_number

ProgressCallback = Callable[[float], None]


def _one(
    scenario: Scenario, seed: int, replication: int, key: tuple[int, ...], options: Mapping[str, bool]
) -> RunResult:
    """One replication (a module-level function, so worker processes can run it), reporting its
    simulated days when someone listens."""
    report = day_reporter(scenario.horizon_days)
    return simulate(scenario, replication_seed(seed, replication, key), progress=report, **options)


def run_replications(
    scenario: Scenario,
    replications: int,
    seed: int,
    workers: int | None = 1,
    progress: ProgressCallback | None = None,
    key: tuple[int, ...] = (),
    executor: Executor | None = None,
    **options: bool,
) -> list[RunResult]:
    """Run ``replications`` replications, in ``workers`` processes; results in replication order.

    ``options`` go to ``simulate`` (``records``, ``timeseries``, ``allow_overload``);
    ``progress(done)`` is called with the replications done, a fraction included for those
    running (once per simulated day of each), so a long replication shows progress too. ``executor`` (one
    :class:`~sim.study.executor.Executor`, say on a Dask cluster) replaces ``workers``.
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    jobs = [(scenario, seed, replication, key, options) for replication in range(replications)]
    with local(executor, workers, replications) as runner:
        return runner.map(_one, jobs, progress)


def mean_ci(values: Iterable[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of the finite values (NaN where undefined)."""
    data = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if data.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(data.mean())
    if data.size == 1:
        return mean, math.nan, math.nan
    half = float(scipy_stats.t.ppf(0.5 + confidence / 2, data.size - 1) * data.std(ddof=1) / math.sqrt(data.size))
    return mean, mean - half, mean + half


def binned_ci(values: Iterable[float], low: float, high: float) -> tuple[float, float]:
    """A confidence interval of histogram quantiles widened to hold every replication's bin.

    Each replication's quantile is known only to within its histogram bin, so replications that
    agree to the bin (a fixed delay, say) must not give a zero-width interval: the interval
    covers the lowest value's bin floor and the highest value's bin ceiling. NaN stays NaN (one
    replication has no interval).
    """
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if not finite or not (math.isfinite(low) and math.isfinite(high)):
        return low, high
    return min(low, LogHistogram.bounds(min(finite))[0]), max(high, LogHistogram.bounds(max(finite))[1])


def binned_difference_ci(base: Iterable[float], other: Iterable[float], low: float, high: float) -> tuple[float, float]:
    """:func:`binned_ci` for paired differences ``other - base`` of histogram quantiles: each
    replication's difference is known only to within both values' bins."""
    pairs = [(a, b) for a, b in zip(base, other, strict=True) if math.isfinite(a) and math.isfinite(b)]
    if not pairs or not (math.isfinite(low) and math.isfinite(high)):
        return low, high
    floors = [LogHistogram.bounds(b)[0] - LogHistogram.bounds(a)[1] for a, b in pairs]
    ceilings = [LogHistogram.bounds(b)[1] - LogHistogram.bounds(a)[0] for a, b in pairs]
    return min(low, min(floors)), max(high, max(ceilings))


def summarise(results: list[RunResult], confidence: float = 0.95) -> dict[str, dict[str, float | None]]:
    """Every metric as ``{mean, ci_low, ci_high}`` over replications (flat keys); a histogram
    quantile's interval also covers each replication's bin (:func:`binned_ci`)."""
    summary = {}
    for name in results[0].metrics:
        values = [r.metrics[name] for r in results]
        mean, low, high = mean_ci(values, confidence)
        if is_binned_quantile(name):
            low, high = binned_ci(values, low, high)
        summary[name] = {"mean": json_number(mean), "ci_low": json_number(low), "ci_high": json_number(high)}
    return summary


def run_meta(scenario: Scenario, seed: int, replications: int) -> dict[str, Any]:
    """What identifies a set of results: seed, package version, config hash, horizon."""
    return {
        "scenario": scenario.name,
        "seed": seed,
        "replications": replications,
        "version": __version__,
        "config_hash": config_hash(scenario),
        "horizon_days": scenario.horizon_days,
        "warmup_days": scenario.warmup_days,
        "confidence": 0.95,
    }


def contract_document(scenario: Scenario, results: list[RunResult], seed: int) -> dict[str, Any]:
    """The JSON document of ``policesim run --json`` (the output contract: extend, never rename)."""
    meta = run_meta(scenario, seed, len(results))
    meta["overload"] = [r.overload for r in results if r.overload is not None]
    meta["events"] = sum(r.events for r in results)
    meta["wall_seconds"] = round(sum(r.wall_seconds for r in results), 3)
    return {
        "summary": nest(summarise(results)),
        "replications": [
            {
                "replication": index,
                "seed": result.seed,
                "summary": nest({k: json_number(v) for k, v in result.metrics.items()}),
            }
            for index, result in enumerate(results)
        ],
        "meta": meta,
    }
