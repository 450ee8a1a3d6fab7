"""The published-figure targets check as two tables: fit targets, then held-out ones.

Fit targets are those calibration may tune assumed parameters against, so meeting them is no
evidence; held-out targets are never fitted, so their errors are the test of the model.
The check is first made a JSON-ready document (:func:`results_document`, what ``policesim
validate --targets --json`` prints and the documents quote), and the tables are rendered from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table

from sim.report.format import compact, plain_text
from sim.study.numbers import json_number
from sim.study.targets import ROLES, TargetResult

TITLES = {
    "fit": "Fit targets (calibration may tune assumed parameters to these; meeting them is not evidence)",
    "holdout": "Held-out targets (never used to fit: the test of the model)",
}
NOT_PRODUCED = "metric not produced by this scenario"


def _number(value: float | None) -> str:
    """Three significant figures, thousands kept whole."""
    return compact(value, whole_from=1000)


def _row(r: TargetResult) -> dict[str, Any]:
    """One target's check as plain data."""
    target = r.target
    low, high = target.band()
    return {
        "name": target.name,
        "role": target.role,
        "quality": target.quality,
        "published": target.value,
        "tolerance": target.tolerance,
        "relative_tolerance": target.relative_tolerance,
        "band": [json_number(low), json_number(high)],
        "produced": r.produced,
        "simulated": {"mean": json_number(r.mean), "ci_low": json_number(r.low), "ci_high": json_number(r.high)},
        "error": json_number(r.error) if r.produced else None,
        "within": r.within,
        "replications": r.replications,
        "source": target.source,
    }


def _counts(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Targets and those within tolerance, by data quality, among those produced."""
    produced = [row for row in rows if row["produced"]]
    counts: dict[str, Any] = {
        quality: {
            "targets": sum(row["quality"] == quality for row in produced),
            "within": sum(row["quality"] == quality and bool(row["within"]) for row in produced),
        }
        for quality in ("good", "weak")
    }
    counts["not_produced"] = len(rows) - len(produced)
    return counts


def results_document(results: Sequence[TargetResult], meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every target's published value, band, simulated mean and CI, error and verdict, with counts
    overall and by role."""
    rows = [_row(r) for r in results]
    by_role = {role: _counts([row for row in rows if row["role"] == role]) for role in ROLES}
    return {"targets": rows, "counts": _counts(rows), "by_role": by_role, "meta": dict(meta or {})}


def _tolerance(row: Mapping[str, Any]) -> str:
    if row["tolerance"] is not None:
        return f"+/-{_number(row['tolerance'])}"
    return f"+/-{_number(100 * float(row['relative_tolerance'] or 0.0))}%"


def _table(rows: Sequence[Mapping[str, Any]], title: str) -> Table:
    table = Table(title=title)
    for column in ("target", "quality", "published", "tolerance", "simulated", "95% CI", "error", "verdict"):
        table.add_column(column)
    table.add_column("source", overflow="fold", max_width=60)
    for row in rows:
        if not row["produced"]:
            cells = (row["name"], row["quality"], _number(row["published"]), _tolerance(row), "-", "-", "-")
            table.add_row(*cells, NOT_PRODUCED, row["source"])
            continue
        simulated, published = row["simulated"], row["published"]
        relative = f" ({100 * row['error'] / published:+.0f}%)" if published else ""
        table.add_row(
            row["name"],
            row["quality"],
            _number(published),
            _tolerance(row),
            _number(simulated["mean"]),
            f"{_number(simulated['ci_low'])} to {_number(simulated['ci_high'])}",
            f"{_number(row['error'])}{relative}",
            "within" if row["within"] else "MISS",
            row["source"],
        )
    return table


def _verdicts(counts: Mapping[str, Any], role: str) -> str:
    good, weak = counts["good"], counts["weak"]
    line = (
        f"{role}: {good['within']} of {good['targets']} good-data targets within tolerance; "
        f"{weak['within']} of {weak['targets']} weak-data targets within tolerance"
    )
    missing = counts["not_produced"]
    return line + (f"; {missing} not produced by this scenario" if missing else "")


def render_document(document: Mapping[str, Any], width: int = 200) -> str:
    """The validation tables as plain text: each group with published value, tolerance, error, verdict."""
    parts: list[Table | str] = []
    for role in ROLES:
        group = [row for row in document["targets"] if row["role"] == role]
        if group:
            parts += [_table(group, TITLES[role]), _verdicts(document["by_role"][role], role)]
    return plain_text(parts, width)


def render_results(results: Sequence[TargetResult], width: int = 200) -> str:
    """The validation tables of a check just made."""
    return render_document(results_document(results), width)
