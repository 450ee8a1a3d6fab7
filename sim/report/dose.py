"""Reports of a dose-response experiment: a terminal table per technology, one long Parquet table
and the curve plot (extra attended in person against hours saved, CI bands, the linear line)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from rich.table import Table

from sim.report.format import mean_ci, number, plain_text
from sim.report.tables import WIDTH

SHORT = {"burglary": "burglary", "domestic_abuse": "DA"}


def _label(kind: str) -> str:
    return SHORT.get(kind, kind)


def _two_lines(cell: Mapping[str, Any] | None, digits: int = 0) -> str:
    """The mean, and the interval under it."""
    return mean_ci(cell, digits).replace(" (", "\n(", 1)


def _dose_text(point: Mapping[str, Any]) -> str:
    """``x0.25``; the largest reachable dose and unreachable ones say so."""
    text = f"x{point['factor']:g}"
    if point["largest_reachable"]:
        return f"{text} (max)"
    return text if point["reachable"] else f"{text} (n/a)"


def dose_tables(document: Mapping[str, Any]) -> list[Any]:
    """One table per technology: a row per dose, with the simulated effects beside the linear;
    under it what an unreachable dose means; the run's caption once, at the end."""
    meta = document["experiment"]
    types = document["types"]
    hours = document["linear"]["hours_per_incident"]
    replications = meta["replications"]
    items: list[Any] = []
    for name, technology in document["technologies"].items():
        reach = technology["reach"]
        fields = ", ".join(technology["dose_fields"])
        title = (
            f"{name}: dose d multiplies {fields}; largest reachable d {'unbounded' if reach is None else f'{reach:g}'}"
        )
        table = Table(title=title)
        table.add_column("dose", no_wrap=True)
        table.add_column("hours saved", justify="right")
        for kind in types:
            table.add_column(f"{_label(kind)}: extra in person", justify="right")
            table.add_column("linear", justify="right")
        for kind in types:
            table.add_column(f"{_label(kind)}: time to attend (min)", justify="right")
        notes = []
        for point in technology["points"]:
            if not point["reachable"]:
                table.add_row(_dose_text(point), *["-"] * (1 + 3 * len(types)))
                notes.append(f"x{point['factor']:g} (n/a): {point['note']}; run at x{reach:g} (max) instead")
                continue
            cells = point["types"]
            table.add_row(
                _dose_text(point),
                _two_lines(point["hours_saved_per_year"]),
                *[
                    text
                    for kind in types
                    for text in (
                        _two_lines(cells[kind]["extra_attended_in_person"]),
                        number(cells[kind]["linear_extra_attended"], 0),
                    )
                ],
                *[_two_lines(cells[kind]["time_to_attend_change_minutes"], 1) for kind in types],
            )
        items += [table, *notes]
    items.append(
        f"{meta['name']}: paired against {meta['base']}, {replications} replication{'s' if replications != 1 else ''}, "
        f"seed {meta['seed']}, {meta['horizon_days']:g} days ({meta['warmup_days']:g} warm-up); per year, mean "
        "(95% CI); hours saved measured in each run; linear = hours saved / "
        + ", ".join(f"{number(hours[t], 2)} h per {_label(t)}" for t in types if hours.get(t))
        + " (HM Treasury)"
    )
    overloaded = document["meta"]["overloaded_runs"]
    if overloaded:
        items.append(f"WARNING: {overloaded} runs overloaded (queue ran away); see meta")
    return items


def render_dose(document: Mapping[str, Any], width: int = WIDTH) -> str:
    """The dose tables as plain text."""
    return plain_text(dose_tables(document), width)


def dose_frame(document: Mapping[str, Any]) -> pd.DataFrame:
    """Every point of every curve, one row per technology, dose and type (unreachable ones too)."""
    rows = []
    for name, technology in document["technologies"].items():
        for point in technology["points"]:
            for kind in document["types"]:
                row: dict[str, Any] = {
                    "technology": name,
                    "factor": point["factor"],
                    "scenario": point["scenario"],
                    "reachable": point["reachable"],
                    "largest_reachable": point["largest_reachable"],
                    "type": kind,
                }
                if point["reachable"]:
                    cell = point["types"][kind]
                    row.update(_flat("hours_saved", point["hours_saved_per_year"]))
                    row.update(_flat("extra_attended_in_person", cell["extra_attended_in_person"]))
                    row.update(_flat("time_to_attend_change_minutes", cell["time_to_attend_change_minutes"]))
                    row["linear_extra_attended"] = cell["linear_extra_attended"]
                rows.append(row)
    return pd.DataFrame(rows)


def _flat(prefix: str, cell: Mapping[str, Any]) -> dict[str, Any]:
    return {prefix: cell["mean"], f"{prefix}_ci_low": cell["ci_low"], f"{prefix}_ci_high": cell["ci_high"]}


def write_dose_plot(document: Mapping[str, Any], path: Path) -> Path:
    """The curves of every technology against the linear conversion (one panel per type)."""
    from sim.report.plots import dose_curves

    frame = dose_frame(document)
    return dose_curves(frame, document["types"], document["linear"]["hours_per_incident"], path)
