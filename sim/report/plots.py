"""The report's figures, each a function from a table to one PNG file (matplotlib, Agg).

Every function takes plain pandas tables read from a results directory, so the figures can be
redrawn from the files alone, and returns the path written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

DPI = 110


def _save(fig: plt.Figure, path: Path) -> Path:
    """Lay out, write and close a figure."""
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def response_distributions(responses: pd.DataFrame, targets: Mapping[str, float], path: Path) -> Path:
    """Empirical CDF of response minutes per grade (one line per scenario), target marked."""
    grades = [g for g in targets if g in set(responses["grade"])]
    fig, axes = plt.subplots(1, max(len(grades), 1), figsize=(4.2 * max(len(grades), 1), 3.6), squeeze=False)
    scenarios = list(dict.fromkeys(responses.get("scenario", pd.Series(["run"] * len(responses)))))
    for ax, grade in zip(axes[0], grades, strict=False):
        for index, scenario in enumerate(scenarios):
            rows = responses[responses["grade"] == grade]
            if "scenario" in responses:
                rows = rows[rows["scenario"] == scenario]
            values = np.sort(rows["response_minutes"].dropna().to_numpy())
            if values.size == 0:
                continue
            share = np.arange(1, values.size + 1) / values.size
            ax.step(
                np.maximum(values, 0.1),
                share,
                where="post",
                color=f"C{index}",
                lw=1.3,
                label=scenario if len(scenarios) > 1 else f"{values.size:,} attendances",
            )
        ax.axvline(targets[grade], color="0.3", ls="--", lw=1, label=f"target {targets[grade]:g} min")
        ax.set_xscale("log")
        ax.set_title(f"{grade}: call to first arrival", fontsize=10)
        ax.set_xlabel("minutes (log scale)")
        ax.set_ylabel("share attended within")
        ax.set_ylim(0, 1.02)
        ax.legend(fontsize=7, loc="lower right")
    return _save(fig, path)


def within_target(shares: pd.DataFrame, path: Path) -> Path:
    """Share attended within target by grade, bars with 95% CI (columns: grade, scenario, mean,
    ci_low, ci_high)."""
    grades = list(dict.fromkeys(shares["grade"]))
    scenarios = list(dict.fromkeys(shares["scenario"]))
    width = 0.8 / len(scenarios)
    wide = 1.6 * len(grades) * max(1, len(scenarios)) ** 0.5
    fig, ax = plt.subplots(figsize=(max(5.0, wide), 3.6))
    for index, scenario in enumerate(scenarios):
        rows = shares[shares["scenario"] == scenario].set_index("grade").reindex(grades)
        x = np.arange(len(grades)) + (index - (len(scenarios) - 1) / 2) * width
        mean = rows["mean"].to_numpy(dtype=float)
        low = np.nan_to_num(mean - rows["ci_low"].to_numpy(dtype=float))
        high = np.nan_to_num(rows["ci_high"].to_numpy(dtype=float) - mean)
        ax.bar(x, mean, width, yerr=[low, high], capsize=3, color=f"C{index}", label=scenario)
    ax.set_xticks(np.arange(len(grades)), grades)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share within target (95% CI)")
    ax.set_title("Incidents attended within the grade's target", fontsize=10)
    if len(scenarios) > 1:
        ax.legend(fontsize=7, ncol=2)
    return _save(fig, path)


def activity_by_hour(series: pd.DataFrame, warmup_hours: float, path: Path) -> Path:
    """Officers on duty by activity and hour of day (mean over days after warm-up and over
    replications), stacked."""
    states = [c for c in series.columns if c.startswith("officers_") and c != "officers_off"]
    kept = series[series["hour"] >= warmup_hours]
    by_hour = kept.groupby((kept["hour"] % 24).astype(int))[states].mean()
    fig, ax = plt.subplots(figsize=(9, 3.8))
    ax.stackplot(
        by_hour.index, by_hour.T.to_numpy(), labels=[s.removeprefix("officers_").replace("_", " ") for s in states]
    )
    ax.set_xlim(0, 23)
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlabel("hour of day")
    ax.set_ylabel("rostered officers (mean)")
    ax.set_title("Rostered officers by activity and hour of day ('desk' = follow-up work)", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _save(fig, path)


def queue_over_time(series: pd.DataFrame, grades: Sequence[str], warmup_days: float, path: Path) -> Path:
    """Incidents waiting per grade over simulated days (daily mean over replications)."""
    day = (series["hour"] // 24).astype(int)
    columns = [f"waiting_{g}" for g in grades if f"waiting_{g}" in series]
    daily = series.assign(day=day).groupby("day")[columns].mean()
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for index, column in enumerate(columns):
        ax.plot(daily.index, daily[column], color=f"C{index}", lw=1.3, label=column.removeprefix("waiting_"))
    ax.axvspan(0, warmup_days, color="0.85", label="warm-up (discarded)")
    ax.set_xlabel("simulated day")
    ax.set_ylabel("incidents waiting (daily mean)")
    ax.set_title("Dispatch queue length over time, by grade", fontsize=10)
    ax.legend(fontsize=7, ncol=len(columns) + 1)
    return _save(fig, path)


def hours_by_activity(hours: pd.DataFrame, path: Path) -> Path:
    """Officer hours per year by activity, one bar group per scenario (columns: scenario,
    activity, hours)."""
    table = hours.pivot_table(index="activity", columns="scenario", values="hours", sort=False)
    fig, ax = plt.subplots(figsize=(9, 4))
    table.plot.barh(ax=ax, width=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("officer hours")
    ax.set_ylabel("")
    ax.set_title("Officer time by activity", fontsize=10)
    ax.legend(fontsize=7)
    return _save(fig, path)


def extra_vs_linear(linear: pd.DataFrame, types: Sequence[str], path: Path) -> Path:
    """Extra incidents attended per year: simulated (95% CI) beside the linear estimates."""
    rows = linear[linear["type"].isin(types)]
    labels = [f"{s}\n{t}" for s, t in zip(rows["scenario"], rows["type"], strict=True)]
    x = np.arange(len(rows))
    estimates = [
        ("simulated (95% CI)", "extra_attended"),
        ("linear: government h/incident", "linear_government"),
        ("linear: own attendance h", "linear_own_attendance"),
        ("linear: own end-to-end h", "linear_own_end_to_end"),
    ]
    estimates = [e for e in estimates if e[1] in rows]
    width = 0.8 / len(estimates)
    fig, ax = plt.subplots(figsize=(max(7.0, 1.3 * len(rows) + 3), 4.2))
    for index, (label, column) in enumerate(estimates):
        values = rows[column].to_numpy(dtype=float)
        offset = (index - (len(estimates) - 1) / 2) * width
        colour = "C3" if column == "extra_attended" else f"C{index - 1}"
        if column == "extra_attended":
            low = np.nan_to_num(values - rows["ci_low"].to_numpy(dtype=float))
            high = np.nan_to_num(rows["ci_high"].to_numpy(dtype=float) - values)
            ax.bar(x + offset, values, width, yerr=[low, high], capsize=3, color=colour, label=label)
        else:
            ax.bar(x + offset, values, width, color=colour, alpha=0.55, label=label)
        mark_zero_bars(ax, x + offset, values, width, colour)
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_ylabel("extra incidents attended per year")
    ax.set_yscale("symlog", linthresh=10)
    ax.set_title("Extra attendances: simulated against the linear hours-per-incident estimate", fontsize=10)
    legend_beside(ax)
    return _save(fig, path)


def mark_zero_bars(ax: Any, positions: np.ndarray, values: np.ndarray, width: float, colour: str) -> None:
    """A bar of exactly 0 has no height: draw a short line and a "0" where it stands instead."""
    for position, value in zip(positions, values, strict=True):
        if value == 0.0:
            ax.plot([position - width / 2, position + width / 2], [0.0, 0.0], color=colour, lw=2.5)
            ax.annotate("0", (position, 0.0), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=7)


def legend_beside(ax: Any) -> None:
    """The legend to the right of the plot, where it cannot cover a bar."""
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def output_distributions(results: pd.DataFrame, outputs: Sequence[str], path: Path) -> Path:
    """Histogram of each sweep output over the design points (point means over replications)."""
    means = results.groupby("point")[list(outputs)].mean()
    fig, axes = plt.subplots(1, len(outputs), figsize=(3.6 * len(outputs), 3.2), squeeze=False)
    for ax, output in zip(axes[0], outputs, strict=True):
        ax.hist(means[output].dropna(), bins=20, color="C0")
        ax.set_title(output, fontsize=8)
        ax.set_xlabel("value over the design")
    axes[0, 0].set_ylabel("design points")
    return _save(fig, path)


def output_against_inputs(results: pd.DataFrame, parameters: Sequence[str], output: str, path: Path) -> Path:
    """Scatter of one sweep output against each input parameter."""
    means = results.groupby("point")[[*parameters, output]].mean()
    fig, axes = plt.subplots(1, len(parameters), figsize=(3.2 * len(parameters), 3.0), squeeze=False, sharey=True)
    for ax, name in zip(axes[0], parameters, strict=True):
        ax.scatter(means[name], means[output], s=6, alpha=0.6)
        ax.set_xlabel(name.split(".")[-1] if len(name) > 28 else name, fontsize=7)
    axes[0, 0].set_ylabel(output, fontsize=7)
    fig.suptitle(f"{output} against each input", fontsize=9)
    return _save(fig, path)


def dose_curves(
    points: pd.DataFrame, types: Sequence[str], hours_per_incident: Mapping[str, float | None], path: Path
) -> Path:
    """Extra attended in person against hours saved per year, one line per technology with its
    95% CI band, and the linear conversion (hours / hours per incident) as a dashed line.

    ``points``: technology, type, reachable, hours_saved, extra_attended_in_person and its
    ``_ci_low``/``_ci_high`` (the Parquet table of ``policesim dose``)."""
    reached = points[points["reachable"]]
    fig, axes = plt.subplots(1, len(types), figsize=(5.5 * len(types), 4.2), squeeze=False)
    for ax, kind in zip(axes[0], types, strict=False):
        rows = reached[reached["type"] == kind]
        for index, (technology, curve) in enumerate(rows.groupby("technology", sort=False)):
            curve = curve.sort_values("hours_saved")
            x = curve["hours_saved"].to_numpy(dtype=float)
            mean = curve["extra_attended_in_person"].to_numpy(dtype=float)
            low = curve["extra_attended_in_person_ci_low"].to_numpy(dtype=float)
            high = curve["extra_attended_in_person_ci_high"].to_numpy(dtype=float)
            ax.plot(x, mean, marker="o", color=f"C{index}", lw=1.3, label=str(technology))
            ax.fill_between(x, low, high, color=f"C{index}", alpha=0.2, lw=0)
        per = hours_per_incident.get(kind)
        if per and len(rows):
            top = float(np.nanmax(rows["hours_saved"].to_numpy(dtype=float), initial=0.0))
            ax.plot([0.0, top], [0.0, top / per], color="black", ls="--", lw=1, label=f"linear ({per:g} h each)")
        ax.axhline(0.0, color="0.5", lw=0.5)
        ax.set_xlabel("officer hours saved per year")
        ax.set_ylabel("extra attended in person per year (95% CI)")
        ax.set_title(f"{kind}: extra attended in person", fontsize=10)
        ax.legend(fontsize=7)
    return _save(fig, path)
