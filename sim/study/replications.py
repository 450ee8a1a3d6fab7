"""Replications of one scenario, run in parallel processes, summarised with confidence intervals.

Replication ``r`` of seed ``s`` always uses ``replication_seed(s, r)``, whichever process runs it,
so results never depend on the number of workers.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
from scipy import stats as scipy_stats

from sim import __version__
from sim.config.loading import config_hash
from sim.config.schema import Scenario
from sim.model.replication import RunResult, simulate
from sim.model.streams import replication_seed
from sim.study.day_progress import Tracker, completed, in_worker, process_pool

ProgressCallback = Callable[[float], None]


def _one(
    scenario: Scenario, seed: int, replication: int, key: tuple[int, ...], options: Mapping[str, bool]
) -> tuple[int, RunResult]:
    """One replication in a pool worker, reporting its simulated days if the parent asked."""
    report = in_worker(replication, scenario.horizon_days)
    return replication, simulate(scenario, replication_seed(seed, replication, key), progress=report, **options)


def default_workers(replications: int) -> int:
    """As many processes as there are cores, but no more than there are replications."""
    return max(1, min(replications, os.cpu_count() or 1))


def run_replications(
    scenario: Scenario,
    replications: int,
    seed: int,
    workers: int | None = 1,
    progress: ProgressCallback | None = None,
    key: tuple[int, ...] = (),
    **options: bool,
) -> list[RunResult]:
    """Run ``replications`` replications, in ``workers`` processes; results in replication order.

    ``options`` go to ``simulate`` (``records``, ``timeseries``, ``allow_overload``);
    ``progress(done)`` is called with the replications done, a fraction included for those
    running (once per simulated day of each), so a long replication shows progress too.
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    workers = default_workers(replications) if workers is None else workers
    results: dict[int, RunResult] = {}
    tracker = Tracker(progress)
    if workers <= 1 or replications == 1:
        for r in range(replications):
            report = tracker.in_process(r, scenario.horizon_days)
            results[r] = simulate(scenario, replication_seed(seed, r, key), progress=report, **options)
            tracker.done(r)
    else:
        with process_pool(workers, tracker) as pool:
            futures = [pool.submit(_one, scenario, seed, r, key, options) for r in range(replications)]
            for future in completed(futures, tracker):
                replication, result = future.result()
                results[replication] = result
                tracker.done(replication)
        tracker.close()
    return [results[r] for r in range(replications)]


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


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"a.b.c": x}`` into ``{"a": {"b": {"c": x}}}``."""
    tree: dict[str, Any] = {}
    for path, value in flat.items():
        node = tree
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def _json_number(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 6)


def summarise(results: list[RunResult], confidence: float = 0.95) -> dict[str, dict[str, float | None]]:
    """Every metric as ``{mean, ci_low, ci_high}`` over replications (flat keys)."""
    summary = {}
    for name in results[0].metrics:
        mean, low, high = mean_ci((r.metrics[name] for r in results), confidence)
        summary[name] = {"mean": _json_number(mean), "ci_low": _json_number(low), "ci_high": _json_number(high)}
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
                "summary": nest({k: _json_number(v) for k, v in result.metrics.items()}),
            }
            for index, result in enumerate(results)
        ],
        "meta": meta,
    }
