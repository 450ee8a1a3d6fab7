"""Readable tables of results for the terminal (rich), and the per-replication table for files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from rich.table import Table

from sim.model.replication import RunResult
from sim.report.format import mean_ci, plain_text

INCIDENT_COLUMNS: tuple[str, ...] = (
    "type",
    "generated",
    "attended",
    "within target",
    "not attended",
    "open at end",
    "no deployment",
    "mean response (min)",
    "p90 response (min)",
)


def incident_rows(summary: Mapping[str, Any]) -> list[list[str]]:
    """One row per incident type of a contract summary, cells as ``INCIDENT_COLUMNS``."""
    rows = []
    for name, row in summary["incidents"].items():
        response = summary["response_minutes"][name]
        counts = ("generated", "attended", "attended_within_target", "not_attended", "open_at_end")
        rows.append(
            [
                name,
                *(mean_ci(row[key], 0) for key in (*counts, "resolved_without_deployment")),
                mean_ci(response["mean"]),
                mean_ci(response["p90"]),
            ]
        )
    return rows


def summary_tables(document: Mapping[str, Any]) -> list[Table]:
    """Incidents by type, service by grade, officer time and contact centre, each mean (95% CI)."""
    summary, meta = document["summary"], document["meta"]
    caption = f"{meta['scenario']}: {meta['replications']} replications, seed {meta['seed']}, {meta['horizon_days']:g} days ({meta['warmup_days']:g} warm-up), config {meta['config_hash']}"
    incidents = Table(title="Incidents after warm-up: mean (95% CI)", caption=caption)
    for column in INCIDENT_COLUMNS:
        incidents.add_column(column, justify="right" if column != "type" else "left")
    for row in incident_rows(summary):
        incidents.add_row(*row)
    grades = Table(title="Response by grade")
    for column in ("grade", "within target (share)", "mean response (min)", "mean queue length"):
        grades.add_column(column, justify="right" if column != "grade" else "left")
    for grade, share in summary["within_target"].items():
        grades.add_row(
            grade,
            mean_ci(share, 3),
            mean_ci(summary["response_minutes_by_grade"][grade]["mean"]),
            mean_ci(summary["queue_length"][grade]["mean"], 2),
        )
    hours = Table(title="Officer hours by activity")
    hours.add_column("activity")
    hours.add_column("hours", justify="right")
    hours.add_column("share", justify="right")
    total = summary["officer_hours_total"]["mean"] or 1.0
    for activity, cell in summary["officer_hours"].items():
        share = (cell["mean"] or 0.0) / total
        hours.add_row(activity, mean_ci(cell, 0), f"{share:.1%}")
    for label, key in (
        ("rostered", "rostered_hours"),
        ("overtime", "overtime_hours"),
        ("follow-up backlog at end", "followup_backlog_hours"),
    ):
        hours.add_row(label, mean_ci(summary[key], 0), "")
    contact = Table(title="Contact centre")
    contact.add_column("measure")
    contact.add_column("value", justify="right")
    contact.add_row("999 answered within 10 s (share)", mean_ci(summary["contact"]["answered_999_within_10s"], 3))
    contact.add_row("101 abandoned (share)", mean_ci(summary["contact"]["abandoned_101"], 3))
    contact.add_row("101 mean answer (s)", mean_ci(summary["contact"]["mean_answer_101_seconds"], 1))
    return [incidents, grades, hours, contact]


def render_summary(document: Mapping[str, Any], width: int = 160) -> str:
    """The summary tables as plain text."""
    overloads = [f"OVERLOAD on day {o['detected_day']}: {o['reason']}" for o in document["meta"].get("overload", [])]
    return plain_text([*summary_tables(document), *overloads], width)


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
            [r.records.assign(replication=i) for i, r in enumerate(results)], ignore_index=True
        )
    if results[0].timeseries is not None:
        frames["timeseries"] = pd.concat(
            [r.timeseries.assign(replication=i) for i, r in enumerate(results)], ignore_index=True
        )
    return frames
