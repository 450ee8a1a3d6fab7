"""E&W figures from per-force results: counts summed, shares and means weighted by officer hours.

Also the national table (per year, with 95% CIs and any published figure beside) and the JSON
document of a national run.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sim import __version__
from sim.config.loading import config_hash, scenario_from_dict
from sim.study.national.scaling import force_raw
from sim.study.national.spec import NationalConfig
from sim.study.numbers import json_safe
from sim.study.replications import mean_ci

if TYPE_CHECKING:
    from sim.study.national.running import NationalResult

# Metrics that are amounts (summed across forces); every other metric is a share, rate or mean
# and is averaged with each force weighted by its officer hours.
COUNT_PATTERNS: tuple[str, ...] = (
    "incidents.*",
    "officer_hours.*",
    "officer_hours_total",
    "rostered_hours",
    "overtime_hours",
    "followup_backlog_hours",
    "hours_saved.*",
    "remote.*",
    "queue_length.*",
    "contact.offered_*",
    "contact.online_handled",
    "overloaded",
    "*_count",
    "*.count",
)
HOURS_PATTERN = "officer_hours.*"


def is_count(metric: str) -> bool:
    """True for amounts summed across forces; false for shares, rates and means."""
    return any(fnmatch.fnmatchcase(metric, p) for p in COUNT_PATTERNS)


def officer_hours(metrics: Mapping[str, float]) -> float:
    """A force's total officer hours (the weight of its shares in the national figure)."""
    return sum(v for k, v in metrics.items() if fnmatch.fnmatchcase(k, HOURS_PATTERN) and math.isfinite(v))


def aggregate(force_metrics: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """E&W figures from per-force metrics: counts summed, everything else hour-weighted.

    A force whose value is NaN for a share (e.g. no incidents of a type) is left out of that
    share's weighted mean rather than poisoning it.
    """
    weights = {name: officer_hours(m) for name, m in force_metrics.items()}
    keys = sorted({k for m in force_metrics.values() for k in m})
    national: dict[str, float] = {}
    for key in keys:
        pairs = [(weights[name], m[key]) for name, m in force_metrics.items() if key in m]
        if is_count(key):
            national[key] = float(sum(v for _, v in pairs if math.isfinite(v)))
            continue
        usable = [(w, v) for w, v in pairs if math.isfinite(v) and w > 0]
        total = sum(w for w, _ in usable)
        national[key] = sum(w * v for w, v in usable) / total if total else float("nan")
    return national


def yearly(metric: str, value: float, window_days: float) -> float:
    """A count over the statistics window scaled to a year; shares and means unchanged."""
    return value * 365.25 / window_days if is_count(metric) and window_days > 0 else value


def national_table(config: NationalConfig, result: NationalResult) -> list[dict[str, Any]]:
    """Rows of E&W figures (per year for counts) with 95% CI and any published figure beside."""
    window = result.national[0].get("window_days", 0.0) if result.national else 0.0
    keys = list(config.spec.published)
    keys += [
        k
        for k in (
            "officer_hours_total",
            "officer_hours.available",
            "officer_hours.travel",
            "officer_hours.on_scene",
            "overtime_hours",
            "hours_saved.admin_reduction",
            "within_target.P1",
            "within_target.P2",
            "contact.answered_999_within_10s",
            "contact.abandoned_101",
        )
        if k not in keys and any(k in rep for rep in result.national)
    ]
    rows = []
    for key in keys:
        values = [yearly(key, rep.get(key, math.nan), window) for rep in result.national]
        mean, low, high = mean_ci(values)
        published = config.spec.published.get(key)
        rows.append(
            {
                "metric": key,
                "simulated": mean,
                "low": low,
                "high": high,
                "published": None if published is None else published.value,
                "ratio": None if published is None else mean / published.value,
                "source": "" if published is None else published.source,
            }
        )
    return rows


def national_document(config: NationalConfig, result: NationalResult) -> dict[str, Any]:
    """Everything a national run produced, for ``--json`` and ``--out``: meta, E&W, forces.

    JSON-safe: a non-finite number (a share with nothing to share) is None.
    """
    hashes = {
        force.name: config_hash(scenario_from_dict(force_raw(config, force), source=force.name))
        for force in result.forces
    }
    document = {
        "meta": {
            "config": str(config.path),
            "seed": config.spec.seed,
            "replications": config.spec.replications,
            "version": __version__,
            "horizon_days": config.baseline_raw.get("horizon_days"),
            "warmup_days": config.baseline_raw.get("warmup_days"),
            "force_config_hashes": hashes,
            "seconds": result.seconds,
        },
        "national": national_table(config, result),
        "national_replications": result.national,
        "forces": {
            force.name: {
                "officer_fte": force.officer_fte,
                "fte_status": force.fte_status,
                "replications": [rep[force.name] for rep in result.replications],
            }
            for force in result.forces
        },
    }
    return json_safe(document, digits=None)
