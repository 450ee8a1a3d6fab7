"""Print an analysis to the terminal: for each output, its parameters ranked by influence."""

from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table

from sim.sweep.analyse import RANK_BY, Analysis

_HEADINGS = {
    "sobol": ("total order ST", "first order S1"),
    "morris": ("mu*", "sigma"),
    "lhs": ("first order S1 (RBD-FAST)", ""),
}


def _with_conf(value: float, conf: float | None) -> str:
    """``0.412 ± 0.031``, or the value alone."""
    if conf is None or math.isnan(conf):
        return f"{value:.3g}"
    return f"{value:.3g} ± {conf:.2g}"


def ranking_tables(analysis: Analysis) -> list[Table]:
    """One rich table per analysed output, most influential parameter first."""
    key, key_conf = RANK_BY.get(analysis.method, ("", ""))
    tables = []
    for output in dict.fromkeys(analysis.indices.get("output", [])):
        first, second = _HEADINGS[analysis.method]
        table = Table(title=output, title_justify="left")
        table.add_column("rank", justify="right")
        table.add_column("parameter", overflow="fold")
        table.add_column(first, justify="right")
        if second:
            table.add_column(second, justify="right")
        for rank, row in enumerate(analysis.ranking(output).itertuples(index=False), start=1):
            cells = [
                str(rank),
                row.parameter,
                _with_conf(getattr(row, key), getattr(row, key_conf)),
            ]
            if analysis.method == "sobol":
                cells.append(_with_conf(row.S1, row.S1_conf))
            elif analysis.method == "morris":
                cells.append(f"{row.sigma:.3g}")
            table.add_row(*cells)
        tables.append(table)
    return tables


def print_ranking(analysis: Analysis, console: Console | None = None) -> None:
    """Print the ranking tables and a line for each output that was not analysed."""
    console = console or Console(soft_wrap=True)
    for table in ranking_tables(analysis):
        console.print(table)
    for output, reason in analysis.skipped.items():
        console.print(f"{output}: not analysed: {reason}")
    if analysis.overloaded:
        console.print(
            f"warning: {analysis.overloaded} design points had a run stopped early by a runaway "
            "queue (column 'overloaded'); their outputs cover a shorter window"
        )
