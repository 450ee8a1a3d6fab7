"""The national model's results as text: the E&W table against published figures, and claims."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.table import Table

from sim.report.format import compact, plain_text
from sim.study.claims import ClaimResult, Experiment
from sim.study.national import NationalConfig, NationalResult, national_table


def render_national(config: NationalConfig, result: NationalResult, width: int = 200) -> str:
    """The national summary as plain text: forces run, run time, E&W figures against published."""
    fte = sum(f.officer_fte for f in result.forces)
    table = Table(
        title=f"England and Wales, {len(result.forces)} forces, {fte:,.0f} officer FTE: "
        f"per year, mean and 95% CI over {len(result.national)} replications"
    )
    for column in ("metric", "simulated", "95% CI", "published", "sim / pub"):
        table.add_column(column)
    table.add_column("source", overflow="fold", max_width=70)
    for row in national_table(config, result):
        ratio = row["ratio"]
        table.add_row(
            row["metric"],
            compact(row["simulated"]),
            f"{compact(row['low'])} to {compact(row['high'])}",
            compact(row["published"]),
            "" if ratio is None else f"{ratio:.2f}",
            row["source"],
        )
    items: list[Any] = [table]
    overloaded = sorted(name for rep in result.replications for name, m in rep.items() if m.get("overloaded"))
    if overloaded:
        items.append(f"OVERLOADED forces (stopped early): {', '.join(sorted(set(overloaded)))}")
    items.append(f"run time {result.seconds:.0f} s")
    return plain_text(items, width)


def render_claims(experiment: Experiment, results: Sequence[ClaimResult]) -> str:
    """The claims as a plain-text report (markdown tables), numbers per year for E&W."""
    lines = [f"# {experiment.spec.name}: England and Wales, per year", ""]
    for r in results:
        c = r.claim
        m, lo, hi = r.measured_saving
        lines += [
            f"## {c.name}: {c.freed_hours_per_year:,.0f} h a year ({c.source})",
            "",
            f"- hours to free in the model: {r.target_hours:,.0f}"
            + (" (pro rata to the modelled response officers)" if c.pro_rata else ""),
            "- saving per task instance (h): " + ", ".join(f"{t} {h:.3f}" for t, h in r.hours_saved_per_task.items()),
            f"- expected saving {r.expected_saving:,.0f} h; "
            f"realised (drop in officer hours on these tasks) {compact(m)} h "
            f"(95% CI {compact(lo)} to {compact(hi)}); planned gross saving on all incidents, "
            f"including those no officer works, {compact(r.planned_saving[0])} h",
            "",
            "| incident type | linear conversion (claim h / published h each) "
            "| end-to-end h each in the model | absorbable with the measured hours |",
            "|---|---|---|---|",
        ]
        for name, count in r.linear.items():
            lines.append(
                f"| {name} | {count:,.0f} | {r.end_to_end_hours.get(name, math.nan):.2f} | "
                f"{compact(r.absorbable.get(name, math.nan))} |"
            )
        lines += [
            "",
            "| change against baseline (paired, same seeds) | mean | 95% CI |",
            "|---|---|---|",
        ]
        for metric, (mean, low, high) in r.differences.items():
            lines.append(f"| {metric} | {compact(mean)} | {compact(low)} to {compact(high)} |")
        lines.append("")
    return "\n".join(lines)
