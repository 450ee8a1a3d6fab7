"""The published-figure targets check as two tables: fit targets, then held-out ones.

Fit targets are those calibration may tune assumed parameters against, so meeting them is no
evidence; held-out targets are never fitted, so their errors are the test of the model.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from sim.report.format import compact, plain_text
from sim.study.targets import ROLES, TargetResult

TITLES = {
    "fit": "Fit targets (calibration may tune assumed parameters to these; meeting them is not evidence)",
    "holdout": "Held-out targets (never used to fit: the test of the model)",
}
NOT_PRODUCED = "metric not produced by this scenario"


def _number(value: float) -> str:
    """Three significant figures, thousands kept whole."""
    return compact(value, whole_from=1000)


def _tolerance(result: TargetResult) -> str:
    target = result.target
    if target.tolerance is not None:
        return f"+/-{_number(target.tolerance)}"
    return f"+/-{_number(100 * float(target.relative_tolerance or 0.0))}%"


def _table(results: Sequence[TargetResult], title: str) -> Table:
    table = Table(title=title)
    for column in ("target", "quality", "published", "tolerance", "simulated", "95% CI", "error", "verdict"):
        table.add_column(column)
    table.add_column("source", overflow="fold", max_width=60)
    for r in results:
        if not r.produced:
            cells = (r.target.name, r.target.quality, _number(r.target.value), _tolerance(r), "-", "-", "-")
            table.add_row(*cells, NOT_PRODUCED, r.target.source)
            continue
        relative = f" ({100 * r.error / r.target.value:+.0f}%)" if r.target.value else ""
        table.add_row(
            r.target.name,
            r.target.quality,
            _number(r.target.value),
            _tolerance(r),
            _number(r.mean),
            f"{_number(r.low)} to {_number(r.high)}",
            f"{_number(r.error)}{relative}",
            "within" if r.within else "MISS",
            r.target.source,
        )
    return table


def _verdicts(results: Sequence[TargetResult], role: str) -> str:
    produced = [r for r in results if r.produced]
    good = [r for r in produced if r.target.quality == "good"]
    weak = [r for r in produced if r.target.quality == "weak"]
    line = (
        f"{role}: {sum(r.within for r in good)} of {len(good)} good-data targets within tolerance; "
        f"{sum(r.within for r in weak)} of {len(weak)} weak-data targets within tolerance"
    )
    missing = len(results) - len(produced)
    return line + (f"; {missing} not produced by this scenario" if missing else "")


def render_results(results: Sequence[TargetResult], width: int = 200) -> str:
    """The validation tables as plain text: each group with published value, tolerance, error, verdict."""
    parts: list[Table | str] = []
    for role in ROLES:
        group = [r for r in results if r.target.role == role]
        if group:
            parts += [_table(group, TITLES[role]), _verdicts(group, role)]
    return plain_text(parts, width)
