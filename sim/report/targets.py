"""The published-figure targets check as a table: each target, its band, the simulated value.

The check is first made a JSON-ready document (:func:`results_document`, what ``policesim
validate --targets --json`` prints and the documents quote), and the table is rendered from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table

from sim.report.format import compact, plain_text
from sim.study.numbers import json_number
from sim.study.targets import TargetResult


def _number(value: float | None) -> str:
    """Three significant figures, thousands kept whole."""
    return compact(value, whole_from=1000)


def results_document(results: Sequence[TargetResult], meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every target's published value, band, simulated mean and CI and verdict, with counts."""
    rows = []
    for r in results:
        low, high = r.target.band()
        rows.append(
            {
                "name": r.target.name,
                "quality": r.target.quality,
                "published": r.target.value,
                "band": [json_number(low), json_number(high)],
                "simulated": {
                    "mean": json_number(r.mean),
                    "ci_low": json_number(r.low),
                    "ci_high": json_number(r.high),
                },
                "within": r.within,
                "replications": r.replications,
                "source": r.target.source,
            }
        )
    counts = {}
    for quality in ("good", "weak"):
        group = [row for row in rows if row["quality"] == quality]
        counts[quality] = {"targets": len(group), "within": sum(bool(row["within"]) for row in group)}
    return {"targets": rows, "counts": counts, "meta": dict(meta or {})}


def render_document(document: Mapping[str, Any], width: int = 200) -> str:
    """The validation table as plain text: target, source, simulated with CI, verdict."""
    table = Table(title="Published-figure targets (mean and 95% CI over replications)")
    for column in ("target", "quality", "published", "band", "simulated", "95% CI", "verdict"):
        table.add_column(column)
    table.add_column("source", overflow="fold", max_width=60)
    for row in document["targets"]:
        lo, hi = row["band"]
        simulated = row["simulated"]
        table.add_row(
            row["name"],
            row["quality"],
            _number(row["published"]),
            f"{_number(lo)} to {_number(hi)}",
            _number(simulated["mean"]),
            f"{_number(simulated['ci_low'])} to {_number(simulated['ci_high'])}",
            "within" if row["within"] else "MISS",
            row["source"],
        )
    good, weak = document["counts"]["good"], document["counts"]["weak"]
    verdicts = (
        f"{good['within']} of {good['targets']} good-data targets within tolerance; "
        f"{weak['within']} of {weak['targets']} weak-data targets within tolerance"
    )
    return plain_text([table, verdicts], width)


def render_results(results: Sequence[TargetResult], width: int = 200) -> str:
    """The validation table of a check just made."""
    return render_document(results_document(results), width)
