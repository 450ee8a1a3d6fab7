"""Sensitivity analysis of a finished sweep with SALib: index tables, a PNG plot and a ranking.

Each design point's output is the mean over its replications. Sobol designs get first- and
total-order indices (and second-order with ``second_order``), Morris designs mu* and sigma (in
output units per whole range of a parameter: the design is analysed in the unit cube), Latin
hypercubes RBD-FAST first-order indices; every design gets a summary of each output's spread.
"""

from __future__ import annotations

import os
import shutil
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import DataError, OutputExistsError
from sim.sweep.designs import unit_problem
from sim.sweep.store import OVERLOADED, UNIT_PREFIX, SweepStore

ANALYSIS_DIR = "analysis"
# The index each method ranks parameters by, and its confidence half-width column.
RANK_BY = {
    "sobol": ("ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf"),
    "lhs": ("S1", "S1_conf"),
}


@dataclass(frozen=True)
class Analysis:
    """The tables of one analysis, and how many design points had a run stopped by overload."""

    method: str
    indices: pd.DataFrame
    second_order: pd.DataFrame
    summary: pd.DataFrame
    skipped: dict[str, str]
    overloaded: int = 0

    def ranking(self, output: str) -> pd.DataFrame:
        """Parameters of one output, most influential first."""
        key, _ = RANK_BY[self.method]
        rows = self.indices[self.indices["output"] == output]
        return rows.sort_values(key, ascending=False, kind="stable").reset_index(drop=True)


def complete_results(store: SweepStore) -> pd.DataFrame:
    """Every stored row; refuses a sweep with points or replications missing."""
    manifest = store.manifest
    results = store.results()
    total, reps = int(manifest["n_points"]), int(manifest["replications"])
    stored = results.groupby("point").size() if len(results) else pd.Series(dtype=int)
    if len(stored) < total:
        raise DataError(
            f"{store.root}: sweep incomplete, {len(stored)} of {total} points stored; "
            "continue it with `policesim sweep ... --resume`"
        )
    short = stored[stored != reps]
    if len(short):
        raise DataError(
            f"{store.root}: point {int(short.index[0])} has {int(short.iloc[0])} replications stored, expected {reps}"
        )
    return results


def point_means(results: pd.DataFrame, outputs: list[str]) -> pd.DataFrame:
    """Each output's mean over replications, one row per design point."""
    return results.groupby("point")[outputs].mean().sort_index()


def summarise(means: pd.DataFrame) -> pd.DataFrame:
    """Spread of each output over the design points (uncertainty propagated from the inputs)."""
    rows = []
    for output in means.columns:
        y = means[output].to_numpy(dtype=float)
        finite = y[np.isfinite(y)]
        q = np.quantile(finite, [0.05, 0.5, 0.95]) if finite.size else [np.nan] * 3
        rows.append(
            {
                "output": output,
                "points": y.size,
                "missing": int(y.size - finite.size),
                "mean": finite.mean() if finite.size else np.nan,
                "sd": finite.std(ddof=1) if finite.size > 1 else np.nan,
                "p05": q[0],
                "p50": q[1],
                "p95": q[2],
            }
        )
    return pd.DataFrame(rows)


def _columns(names: list[str], result: Any, columns: tuple[str, ...]) -> pd.DataFrame:
    """A table of SALib results: a row per parameter, the named index columns."""
    return pd.DataFrame({"parameter": names, **{c: np.asarray(result[c]) for c in columns}})


def _indices_for(
    method: str, design: dict[str, Any], problem: dict, unit: np.ndarray, y: np.ndarray, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the SALib analysis matching the design on one output: first- and second-order tables."""
    names = problem["names"]
    second = pd.DataFrame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if method == "sobol":
            from SALib.analyze import sobol

            result = sobol.analyze(
                problem,
                y,
                calc_second_order=design["second_order"],
                num_resamples=1000,
                conf_level=0.95,
                seed=seed,
            )
            table = _columns(names, result, ("S1", "S1_conf", "ST", "ST_conf"))
            if design["second_order"]:
                pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
                second = pd.DataFrame(
                    {
                        "parameter": [names[i] for i, _ in pairs],
                        "other": [names[j] for _, j in pairs],
                        "S2": [result["S2"][i, j] for i, j in pairs],
                        "S2_conf": [result["S2_conf"][i, j] for i, j in pairs],
                    }
                )
        elif method == "morris":
            from SALib.analyze import morris

            result = morris.analyze(
                problem,
                unit,
                y,
                num_resamples=1000,
                conf_level=0.95,
                num_levels=design["levels"],
                seed=seed,
            )
            table = _columns(names, result, ("mu", "mu_star", "mu_star_conf", "sigma"))
        else:
            from SALib.analyze import rbd_fast

            result = rbd_fast.analyze(problem, unit, y, num_resamples=1000, conf_level=0.95, seed=seed)
            table = _columns(names, result, ("S1", "S1_conf"))
    return table, second


def analyse_store(store: SweepStore, outputs: list[str] | None = None) -> Analysis:
    """Sensitivity indices of every (or the chosen) output of a complete sweep."""
    manifest = store.manifest
    design_spec = manifest["spec"]["design"]
    method = design_spec["method"]
    chosen = list(manifest["outputs"]) if outputs is None else outputs
    for output in chosen:
        if output not in manifest["outputs"]:
            raise DataError(f"--output: {output!r} is not an output of this sweep; it has {manifest['outputs']}")
    results = complete_results(store)
    means = point_means(results, chosen)
    overloaded = int(results.groupby("point")[OVERLOADED].max().sum())
    design = store.design().sort_index()
    names = list(manifest["parameters"])
    unit = design[[UNIT_PREFIX + name for name in names]].to_numpy(dtype=float)
    problem = unit_problem(names)
    tables, seconds, skipped = [], [], {}
    for output in chosen:
        y = means[output].to_numpy(dtype=float)
        missing = int((~np.isfinite(y)).sum())
        if method == "grid":
            skipped[output] = "a grid design has no variance-based estimator; see summary.csv"
        elif missing:
            skipped[output] = f"no value at {missing} of {y.size} points"
        elif np.ptp(y) == 0:
            skipped[output] = f"constant ({y[0]:g}) at every design point"
        else:
            table, second = _indices_for(method, design_spec, problem, unit, y, int(manifest["seed"]))
            tables.append(table.assign(output=output))
            seconds.append(second.assign(output=output) if len(second) else second)
    indices = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=["output"])
    indices = indices[["output"] + [c for c in indices.columns if c != "output"]]
    second_order = pd.concat(seconds, ignore_index=True) if seconds else pd.DataFrame()
    return Analysis(method, indices, second_order, summarise(means), skipped, overloaded)


def plot(analysis: Analysis, path: Path) -> None:
    """One horizontal bar panel per output: the ranking index with its 95% interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outputs = list(dict.fromkeys(analysis.indices["output"]))
    bars: list[tuple[str, str | None, str]]
    if analysis.method == "sobol":
        bars = [("ST", "ST_conf", "total order"), ("S1", "S1_conf", "first order")]
    elif analysis.method == "morris":
        bars = [("mu_star", "mu_star_conf", "mu*"), ("sigma", None, "sigma")]
    else:
        bars = [("S1", "S1_conf", "first order (RBD-FAST)")]
    n_params = max(1, analysis.indices["parameter"].nunique())
    fig, axes = plt.subplots(
        max(1, len(outputs)),
        1,
        figsize=(9, 1.2 + 0.45 * n_params * max(1, len(outputs))),
        squeeze=False,
    )
    height = 0.8 / len(bars)
    for ax, output in zip(axes[:, 0], outputs, strict=False):
        table = analysis.ranking(output).iloc[::-1]
        y = np.arange(len(table))
        for k, (column, conf, label) in enumerate(bars):
            ax.barh(
                y + (k - (len(bars) - 1) / 2) * height,
                table[column],
                height=height,
                xerr=table[conf] if conf else None,
                capsize=2,
                label=label,
            )
        ax.set_yticks(y, table["parameter"], fontsize=8)
        ax.set_title(output, fontsize=9)
        ax.axvline(0, color="black", linewidth=0.5)
        ax.legend(fontsize=7, loc="lower right")
    if not outputs:
        axes[0, 0].text(0.5, 0.5, "no output had sensitivity indices", ha="center")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_analysis(analysis: Analysis, root: Path, *, force: bool = False) -> Path:
    """Write indices.csv, summary.csv (and second_order.csv) and sensitivity.png under root.

    The folder is built beside its place and renamed there; an existing analysis is replaced
    only with ``force``.
    """
    target = root / ANALYSIS_DIR
    if target.exists() and not force:
        raise OutputExistsError(f"{target}: an analysis is already there; pass --force to replace it")
    staging = root / f".tmp-{uuid.uuid4().hex}-{ANALYSIS_DIR}"
    staging.mkdir()
    try:
        if len(analysis.indices):
            analysis.indices.to_csv(staging / "indices.csv", index=False)
        analysis.summary.to_csv(staging / "summary.csv", index=False)
        if len(analysis.second_order):
            analysis.second_order.to_csv(staging / "second_order.csv", index=False)
        if len(analysis.indices):
            plot(analysis, staging / "sensitivity.png")
        if target.exists():
            old = root / f".tmp-{uuid.uuid4().hex}-old-{ANALYSIS_DIR}"
            os.rename(target, old)
            shutil.rmtree(old)
        os.rename(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target
