"""The responses given per incident type (scenarios with an ``attendance`` section): terminal and HTML."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table

from sim.report.document import Table as DocTable

COLUMNS: tuple[tuple[str, str], ...] = (
    ("attended_in_person", "in person"),
    ("attended_by_video", "video"),
    ("resolved_by_telephone", "phone"),
    ("diverted", "diverted"),
    ("appointments_missed", "missed"),
)


def _mean(cell: Mapping[str, Any] | None) -> str:
    return "-" if not cell or cell.get("mean") is None else f"{cell['mean']:,.0f}"


def _rows(summary: Mapping[str, Any]) -> list[list[str]] | None:
    incidents = summary.get("incidents", {})
    if not incidents or not all("attended_in_person" in row for row in incidents.values()):
        return None
    waits = summary.get("appointment_wait_hours", {})
    rows = []
    for name, row in incidents.items():
        wait = waits.get(name, {}).get("mean")
        rows.append([name, *(_mean(row[key]) for key, _ in COLUMNS), "-" if wait is None else _mean(wait)])
    return rows


def response_table(summary: Mapping[str, Any]) -> Table | None:
    """Mean counts per type by response, or None when the scenario makes no attendance decisions."""
    rows = _rows(summary)
    if rows is None:
        return None
    table = Table(title="Responses by type (means)")
    table.add_column("type", no_wrap=True, min_width=max(len(row[0]) for row in rows))  # names whole
    for _, label in (*COLUMNS, ("", "diary wait (h)")):
        table.add_column(label, justify="right")
    for row in rows:
        table.add_row(*row)
    return table


def response_document_table(summary: Mapping[str, Any]) -> DocTable | None:
    """The same table for the HTML and Markdown study report (None without attendance decisions)."""
    rows = _rows(summary)
    if rows is None:
        return None
    header = ["type", *(label for _, label in COLUMNS), "diary wait (h)"]
    return DocTable(header, rows, "Responses by type: means over replications")
