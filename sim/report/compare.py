"""Reports of a paired comparison: the terminal table, the Parquet tables and the PNG plots."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from rich.table import Table

from sim.model.stats import ACTIVITIES
from sim.report.format import mean_ci, plain_text
from sim.study.compare import ExperimentRuns, measured_years, paired_table, scenario_means
from sim.study.experiment import Experiment


def comparison_table(document: Mapping[str, Any], types: list[str]) -> Table:
    """Per scenario and headline type: simulated extra attendances with CI beside linear ones."""
    meta = document["experiment"]
    caption = (
        f"{meta['name']}: paired against {meta['base']}, {meta['replications']} replications, "
        f"seed {meta['seed']}, {meta['horizon_days']:g} days ({meta['warmup_days']:g} warm-up); "
        "per year, mean (95% CI); linear = hours saved / hours per incident (government, own "
        "attendance, own end to end)"
    )
    title = "Extra incidents attended per year: simulated against linear"
    table = Table(title=title, caption=caption)
    columns = (
        "scenario",
        "type",
        "hours saved",
        "work hours freed",
        "extra attended",
        "extra within target",
        "mean response change (min)",
        "linear: gov / own / end-to-end",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in ("scenario", "type") else "right")
    for name, scenario in document["scenarios"].items():
        for kind in types:
            cell = scenario["types"][kind]
            linear = cell["linear_extra_attended"]
            government = linear.get("government")
            gov = "-" if government is None else f"{government:,.0f}"
            table.add_row(
                name,
                kind,
                mean_ci(scenario["hours_saved_per_year"], 0),
                mean_ci(scenario["officer_work_hours_freed_per_year"], 0),
                mean_ci(cell["extra_attended"], 0),
                mean_ci(cell["extra_attended_within_target"], 0),
                mean_ci(cell["response_mean_change_minutes"], 1),
                f"{gov} / {linear['own_attendance']:,.0f} / {linear['own_end_to_end']:,.0f}",
            )
    return table


def render_comparison(document: Mapping[str, Any], types: list[str], width: int = 200) -> str:
    """The comparison table and the common-random-numbers line as plain text."""
    median = document["common_random_numbers"]["median_variance_reduction"]
    shown = "-" if median is None else f"{median:,.1f}"
    items: list[Any] = [
        comparison_table(document, types),
        f"Common random numbers: median variance reduction {shown}x against independent runs "
        "(headline metrics; (var base + var scenario) / var paired difference)",
    ]
    overloaded = document["meta"]["overloaded_runs"]
    if overloaded:
        items.append(f"WARNING: {overloaded} runs overloaded (queue ran away); see meta")
    return plain_text(items, width)


def comparison_frames(experiment: Experiment, runs: ExperimentRuns) -> dict[str, pd.DataFrame]:
    """The Parquet tables: per-replication metrics, paired differences, per-scenario means."""
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
    scenarios = list(document["scenarios"])
    figure, axes = plt.subplots(1, len(types), figsize=(6 * len(types), 4.5), squeeze=False)
    for axis, kind in zip(axes[0], types, strict=False):
        positions = range(len(scenarios))
        cells = [document["scenarios"][s]["types"][kind] for s in scenarios]
        extra = [c["extra_attended"] for c in cells]
        means = [e["mean"] or 0.0 for e in extra]
        lows = [m - (e["ci_low"] or m) for m, e in zip(means, extra, strict=True)]
        highs = [(e["ci_high"] or m) - m for m, e in zip(means, extra, strict=True)]
        axis.bar(positions, means, yerr=[lows, highs], capsize=4, label="simulated (95% CI)")
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
        axis.legend(fontsize=7)
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
