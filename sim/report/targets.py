"""The published-figure targets check as a table: each target, its band, the simulated value."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from sim.report.format import compact, plain_text
from sim.study.targets import TargetResult


def _number(value: float) -> str:
    """Three significant figures, thousands kept whole."""
    return compact(value, whole_from=1000)


def render_results(results: Sequence[TargetResult], width: int = 200) -> str:
    """The validation table as plain text: target, source, simulated with CI, verdict."""
    table = Table(title="Published-figure targets (mean and 95% CI over replications)")
    for column in ("target", "quality", "published", "band", "simulated", "95% CI", "verdict"):
        table.add_column(column)
    table.add_column("source", overflow="fold", max_width=60)
    for r in results:
        lo, hi = r.target.band()
        verdict = "within" if r.within else "MISS"
        table.add_row(
            r.target.name,
            r.target.quality,
            _number(r.target.value),
            f"{_number(lo)} to {_number(hi)}",
            _number(r.mean),
            f"{_number(r.low)} to {_number(r.high)}",
            verdict,
            r.target.source,
        )
    good = [r for r in results if r.target.quality == "good"]
    verdicts = (
        f"{sum(r.within for r in good)} of {len(good)} good-data targets within tolerance; "
        f"{sum(r.within for r in results) - sum(r.within for r in good)} of "
        f"{len(results) - len(good)} weak-data targets within tolerance"
    )
    return plain_text([table, verdicts], width)
