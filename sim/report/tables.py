"""Readable tables of results for the terminal (rich), and the per-replication table for files."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from sim.model.replication import RunResult
from sim.report.responses import response_table

WIDTH = 100  # terminal tables fit this many columns: cells wrap between numbers, names never cut
CLIPPED_NOTE = "* interval cut at 0 (or at 1 for a share): it cannot go past"


def _fmt(cell: Mapping[str, Any] | None, digits: int = 1) -> str:
    if not cell or cell.get("mean") is None:
        return "-"
    mean, low, high = cell["mean"], cell.get("ci_low"), cell.get("ci_high")
    if low is None or high is None:
        return f"{mean:,.{digits}f}"
    return f"{mean:,.{digits}f} ({low:,.{digits}f} to {high:,.{digits}f})"


def ratio_text(value: float | None) -> str:
    """A variance ratio as ``15.5x`` or ``317,484x``; ``∞`` when the paired difference has no
    variance (the outputs moved together exactly); ``-`` when undefined (one replication)."""
    if value is None or math.isnan(value):
        return "-"
    if math.isinf(value):
        return "∞"
    return f"{value:,.0f}x" if value >= 100 else f"{value:,.1f}x"


class Bounded:
    """Formats ``mean (low to high)`` with the interval cut to what the quantity can be, and
    remembers whether it cut one (the t interval of a count near 0 reaches below it)."""

    def __init__(self, separator: str = " ") -> None:
        self.separator = separator  # a line break puts the interval under the mean, in wide tables
        self.clipped = False

    def __call__(self, cell: Mapping[str, Any] | None, digits: int = 1, upper: float | None = None) -> str:
        if not cell or cell.get("mean") is None or cell.get("ci_low") is None or cell.get("ci_high") is None:
            return _fmt(cell, digits)
        low, high = max(cell["ci_low"], 0.0), cell["ci_high"] if upper is None else min(cell["ci_high"], upper)
        cut = low != cell["ci_low"] or high != cell["ci_high"]
        self.clipped |= cut
        interval = f"({low:,.{digits}f} to {high:,.{digits}f}){'*' if cut else ''}"
        return f"{cell['mean']:,.{digits}f}{self.separator}{interval}"

    def caption(self, text: str = "") -> str:
        """``text`` with the note on cut intervals when one was cut."""
        return "; ".join(part for part in (text, CLIPPED_NOTE if self.clipped else "") if part)


def _table(title: str, columns: list[str], lines: bool = False) -> Table:
    """A table whose first column (names) never wraps or is cut, and whose numbers align right."""
    table = Table(title=title, show_lines=lines)
    table.add_column(columns[0], no_wrap=True)
    for column in columns[1:]:
        table.add_column(column, justify="right")
    return table


def summary_tables(document: Mapping[str, Any]) -> list[Table]:
    """Incidents by type, service by grade, officer time and contact centre, each mean (95% CI)."""
    summary, meta = document["summary"], document["meta"]
    replications = meta["replications"]
    caption = f"{meta['scenario']}: {replications} replication{'s' if replications != 1 else ''}, seed {meta['seed']}, {meta['horizon_days']:g} days ({meta['warmup_days']:g} warm-up), config {meta['config_hash']}"
    attended, fmt = (
        _table(
            "Incidents after warm-up: mean (95% CI)",
            ["type", "generated", "attended", "within target", "no deployment"],
        ),
        Bounded(),
    )
    unattended = _table(
        "Incidents not attended, and response times (minutes): mean (95% CI)",
        ["type", "not attended", "open at end", "mean response", "p90 response"],
        lines=True,
    )
    for name, row in summary["incidents"].items():
        response = summary["response_minutes"][name]
        attended.add_row(
            name,
            fmt(row["generated"], 0),
            fmt(row["attended"], 0),
            fmt(row["attended_within_target"], 0),
            fmt(row["resolved_without_deployment"], 0),
        )
        unattended.add_row(
            name,
            fmt(row["not_attended"], 0),
            fmt(row["open_at_end"], 0),
            fmt(response["mean"]),
            fmt(response["p90"]),
        )
    attended.caption = fmt.caption(caption)
    unattended.caption = fmt.caption()
    grades, fmt = (
        _table("Response by grade", ["grade", "within target (share)", "mean response (min)", "mean queue length"]),
        Bounded(),
    )
    for grade, share in summary["within_target"].items():
        grades.add_row(
            grade,
            fmt(share, 3, upper=1.0),
            fmt(summary["response_minutes_by_grade"][grade]["mean"]),
            fmt(summary["queue_length"][grade]["mean"], 2),
        )
    grades.caption = fmt.caption()
    hours, fmt = _table("Officer hours by activity", ["activity", "hours", "share"]), Bounded()
    total = summary["officer_hours_total"]["mean"] or 1.0
    for activity, cell in summary["officer_hours"].items():
        share = (cell["mean"] or 0.0) / total
        hours.add_row(activity, fmt(cell, 0), f"{share:.1%}")
    for label, key in (
        ("rostered", "rostered_hours"),
        ("overtime", "overtime_hours"),
        ("follow-up backlog at end", "followup_backlog_hours"),
    ):
        hours.add_row(label, fmt(summary[key], 0), "")
    hours.caption = fmt.caption()
    contact, fmt = _table("Contact centre", ["measure", "value"]), Bounded()
    contact.add_row(
        "999 answered within 10 s (share)", fmt(summary["contact"]["answered_999_within_10s"], 3, upper=1.0)
    )
    contact.add_row("101 abandoned (share)", fmt(summary["contact"]["abandoned_101"], 3, upper=1.0))
    contact.add_row("101 mean answer (s)", fmt(summary["contact"]["mean_answer_101_seconds"], 1))
    contact.caption = fmt.caption()
    responses = response_table(summary)
    return [attended, unattended, grades, hours, contact, *([responses] if responses is not None else [])]


def render_summary(document: Mapping[str, Any], width: int = WIDTH) -> str:
    """The summary tables as plain text."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    for table in summary_tables(document):
        console.print(table)
    for overload in document["meta"].get("overload", []):
        console.print(f"OVERLOAD on day {overload['detected_day']}: {overload['reason']}")
    return buffer.getvalue()


def replications_frame(results: list[RunResult]) -> pd.DataFrame:
    """One row per replication: its seed and every metric (the Parquet/CSV results table)."""
    rows = []
    for index, result in enumerate(results):
        row: dict[str, Any] = {
            "replication": index,
            "seed_entropy": result.seed["entropy"],
            "seed_spawn_key": ",".join(map(str, result.seed["spawn_key"])),
        }
        row.update(result.metrics)
        rows.append(row)
    return pd.DataFrame(rows)


def tables(results: list[RunResult]) -> dict[str, pd.DataFrame]:
    """Python API: the per-replication metrics, and the records and time series where recorded."""
    frames = {"replications": replications_frame(results)}
    if results[0].records is not None:
        frames["records"] = pd.concat(
            [r.records.assign(replication=i) for i, r in enumerate(results) if r.records is not None], ignore_index=True
        )
    if results[0].timeseries is not None:
        frames["timeseries"] = pd.concat(
            [r.timeseries.assign(replication=i) for i, r in enumerate(results) if r.timeseries is not None],
            ignore_index=True,
        )
    return frames
