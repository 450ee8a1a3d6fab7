"""Reports of a paired comparison: the terminal table, the Parquet tables and the PNG plots."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from sim.model.stats import ACTIVITIES
from sim.report.tables import WIDTH, _fmt, ratio_text
from sim.study.compare import Experiment, ExperimentRuns, paired_table, scenario_means


def _ci(cell: Mapping[str, Any] | None, digits: int = 0) -> str:
    """``mean (low to high)``, or ``-`` where undefined (the run report's format)."""
    return _fmt(cell, digits)


def comparison_tables(document: Mapping[str, Any], types: list[str]) -> list[Table]:
    """Hours freed per scenario; then per scenario and headline type, simulated extra
    attendances with CI beside the linear ones (fits the terminal: cells wrap between numbers)."""
    meta = document["experiment"]
    replications = meta["replications"]
    caption = (
        f"{meta['name']}: paired against {meta['base']}, {replications} replication{'s' if replications != 1 else ''}, "
        f"seed {meta['seed']}, {meta['horizon_days']:g} days ({meta['warmup_days']:g} warm-up); "
        "per year, mean (95% CI); linear = hours saved / hours per incident (government, own "
        "attendance, own end to end)"
    )
    hours = Table(title="Hours freed per year: mean (95% CI)")
    hours.add_column("scenario", no_wrap=True)
    hours.add_column("hours saved", justify="right")
    hours.add_column("officer work hours freed", justify="right")
    extra = Table(title="Extra incidents attended per year: simulated against linear", caption=caption)
    extra.add_column("scenario: type", no_wrap=True)
    for column in ("extra attended", "extra within target", "mean response change (min)"):
        extra.add_column(column, justify="right", min_width=15)
    extra.add_column("linear: gov, own, end-to-end", justify="right", min_width=10)
    for name, scenario in document["scenarios"].items():
        hours.add_row(name, _ci(scenario["hours_saved_per_year"]), _ci(scenario["officer_work_hours_freed_per_year"]))
        extra.add_row(f"{name}:", end_section=False)
        for kind in types:
            cell = scenario["types"][kind]
            linear = cell["linear_extra_attended"]
            government = linear.get("government")
            gov = "-" if government is None else f"{government:,.0f}"
            extra.add_row(
                f"  {kind}",
                _two_lines(cell["extra_attended"]),
                _two_lines(cell["extra_attended_within_target"]),
                _two_lines(cell["response_mean_change_minutes"], 1),
                f"{gov}\n{linear['own_attendance']:,.0f}\n{linear['own_end_to_end']:,.0f}",
            )
    return [hours, extra]


def _two_lines(cell: Mapping[str, Any] | None, digits: int = 0) -> str:
    """The mean, and the interval under it."""
    return _ci(cell, digits).replace(" (", "\n(", 1)


def render_comparison(document: Mapping[str, Any], types: list[str], width: int = WIDTH) -> str:
    """The comparison tables and the common-random-numbers line as plain text."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    for table in comparison_tables(document, types):
        console.print(table)
    median = document["common_random_numbers"]["median_variance_reduction"]
    if median is None:
        console.print(
            "Common random numbers: variance reduction not defined here (it needs two or more "
            "replications, and paired differences that vary)"
        )
    else:
        console.print(
            f"Common random numbers: median variance reduction {ratio_text(median)} against independent "
            "runs (headline metrics; (var base + var scenario) / var paired difference)"
        )
    overloaded = document["meta"]["overloaded_runs"]
    if overloaded:
        console.print(f"WARNING: {overloaded} runs overloaded (queue ran away); see meta")
    return buffer.getvalue()


def comparison_frames(experiment: Experiment, runs: ExperimentRuns) -> dict[str, pd.DataFrame]:
    """The Parquet tables: per-replication metrics, paired differences, per-scenario means."""
    from sim.study.compare import measured_years

    frames = {
        "replications": runs.metrics,
        "paired": paired_table(runs.metrics, experiment.spec.base, measured_years(experiment.base)),
        "scenario_means": scenario_means(runs.metrics),
    }
    if runs.responses:
        frames["responses"] = pd.concat(
            [frame.assign(scenario=name) for name, frame in runs.responses.items()],
            ignore_index=True,
        )
    return frames


def linear_frame(document: Mapping[str, Any]) -> pd.DataFrame:
    """Simulated extra attendances with CI beside the linear estimates, by scenario and type."""
    rows = []
    for name, scenario in document["scenarios"].items():
        for kind, cell in scenario["types"].items():
            extra = cell["extra_attended"]
            rows.append(
                {
                    "scenario": name,
                    "type": kind,
                    "extra_attended": extra["mean"],
                    "ci_low": extra["ci_low"],
                    "ci_high": extra["ci_high"],
                    "hours_saved": scenario["hours_saved_per_year"]["mean"],
                    **{f"linear_{k}": v for k, v in cell["linear_extra_attended"].items()},
                }
            )
    return pd.DataFrame(rows)


def write_plots(document: Mapping[str, Any], runs: ExperimentRuns, types: list[str], folder: Path) -> list[Path]:
    """Three PNGs: extra attendances against linear, response distributions, hours by activity."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = [
        _plot_extra(plt, document, types, folder / "extra_attended.png"),
        _plot_hours(plt, runs, folder / "officer_hours.png"),
    ]
    if runs.responses:
        paths.append(_plot_responses(plt, document, runs, types, folder / "response_times.png"))
    return paths


def _plot_extra(plt: Any, document: Mapping[str, Any], types: list[str], path: Path) -> Path:
    """Simulated extra attendances (95% CI bars) against the linear estimates, per type."""
    from sim.report.plots import legend_beside, mark_zero_bars

    scenarios = list(document["scenarios"])
    figure, axes = plt.subplots(1, len(types), figsize=(8 * len(types), 4.5), squeeze=False)
    for axis, kind in zip(axes[0], types, strict=False):
        positions = range(len(scenarios))
        cells = [document["scenarios"][s]["types"][kind] for s in scenarios]
        extra = [c["extra_attended"] for c in cells]
        means = [e["mean"] or 0.0 for e in extra]
        lows = [m - (e["ci_low"] or m) for m, e in zip(means, extra, strict=True)]
        highs = [(e["ci_high"] or m) - m for m, e in zip(means, extra, strict=True)]
        axis.bar(positions, means, yerr=[lows, highs], capsize=4, label="simulated (95% CI)")
        mark_zero_bars(axis, np.arange(len(scenarios)), np.asarray(means), 0.8, "C0")
        for key, marker in (("government", "o"), ("own_attendance", "s"), ("own_end_to_end", "^")):
            values = [c["linear_extra_attended"].get(key) for c in cells]
            if any(v is not None for v in values):
                axis.scatter(
                    positions,
                    [v if v is not None else float("nan") for v in values],
                    marker=marker,
                    zorder=3,
                    label=f"linear ({key.replace('_', ' ')})",
                )
        axis.set_xticks(list(positions), scenarios, rotation=30, ha="right")
        axis.set_title(f"{kind}: extra attended per year")
        axis.axhline(0.0, color="black", linewidth=0.5)
        legend_beside(axis)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def _plot_hours(plt: Any, runs: ExperimentRuns, path: Path) -> Path:
    """Officer hours by activity, stacked, per scenario (mean over replications, window totals)."""
    frame = runs.metrics[runs.metrics["metric"].str.startswith("officer_hours.")]
    means = frame.groupby(["scenario", "metric"], sort=False)["value"].mean().unstack("metric")
    order = list(dict.fromkeys(runs.metrics["scenario"]))
    means = means.reindex(order)
    figure, axis = plt.subplots(figsize=(9, 5))
    bottom = pd.Series(0.0, index=means.index)
    colours = plt.get_cmap("tab20")
    for index, activity in enumerate(ACTIVITIES):
        column = f"officer_hours.{activity}"
        if column in means:
            axis.bar(means.index, means[column], bottom=bottom, label=activity, color=colours(index % 20))
            bottom = bottom + means[column]
    axis.set_ylabel("officer hours in the measured window")
    axis.set_title("Officer hours by activity")
    axis.tick_params(axis="x", rotation=30)
    axis.legend(fontsize=7, bbox_to_anchor=(1.01, 1), loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def _plot_responses(plt: Any, document: Mapping[str, Any], runs: ExperimentRuns, types: list[str], path: Path) -> Path:
    """Response-time distributions (empirical CDF, replication 0): base against each scenario."""
    base = document["experiment"]["base"]
    figure, axes = plt.subplots(1, len(types), figsize=(6 * len(types), 4.5), squeeze=False)
    for axis, kind in zip(axes[0], types, strict=False):
        for name, frame in runs.responses.items():
            values = frame.loc[frame["type"] == kind, "response_minutes"].sort_values()
            if values.empty:
                continue
            share = (pd.RangeIndex(1, len(values) + 1) / len(values)).to_numpy()
            axis.step(
                values.clip(lower=0.1).to_numpy(),
                share,
                where="post",
                label=name,
                linewidth=2.0 if name == base else 1.0,
            )
        axis.set_xscale("log")
        axis.set_xlabel("response time (minutes, log scale)")
        axis.set_ylabel("share attended within")
        axis.set_title(f"{kind}: response times (replication 0)")
        axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path
