"""``policesim replications``: how many replications give the precision asked for (CI method).

Runs replications one batch at a time (a batch is one per worker) until the 95% confidence
interval half-width of every chosen output is within ``--precision`` of its mean, or the cap is
reached, then prints the table of half-width against replications and the number needed.
"""

from __future__ import annotations

import argparse
import io
import json
import math
from typing import TYPE_CHECKING

from sim.commands.common import positive_int
from sim.commands.study_args import add_study_options, executor, run_many, scenarios_from_args
from sim.errors import ConfigError

if TYPE_CHECKING:
    from sim.study.precision import PrecisionResult, PrecisionRow

DEFAULT_OUTPUTS = ("response_minutes.burglary.mean", "response_minutes.domestic_abuse.mean")


def _share(text: str) -> float:
    """argparse type: a share strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (0.05 is 5%), got {value}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``replications`` command."""
    parser = subparsers.add_parser(
        "replications",
        help="number of replications for a precision (CI method)",
        description="Run replications until the 95% CI half-width of each output is within "
        "--precision of its mean (the confidence-interval method), and print the table of "
        "half-width against replications. CONFIG may be a scenario or an experiment file.",
    )
    add_study_options(parser, replications=3)
    parser.add_argument(
        "--precision", type=_share, default=0.05, help="target half-width as a share of the mean (default 0.05)"
    )
    parser.add_argument(
        "--outputs",
        nargs="+",
        default=list(DEFAULT_OUTPUTS),
        metavar="METRIC",
        help="metrics (contract paths, with or without 'summary.'; default: mean response "
        "minutes of burglary and domestic_abuse)",
    )
    parser.add_argument("--cap", type=positive_int, default=40, help="most replications to run (default 40)")
    parser.add_argument(
        "--look-ahead", type=int, default=2, help="extra replications that must keep the precision (default 2)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the sequential search and print its table."""
    from sim.report.progress import progress_bar
    from sim.study.precision import PrecisionRow, half_width, replications_needed
    from sim.study.replications import default_workers

    scenarios = scenarios_from_args(args)
    metrics = [m.removeprefix("summary.") for m in args.outputs]
    if args.look_ahead < 0:
        raise ConfigError(f"--look-ahead: must not be negative, got {args.look_ahead}")
    if args.cap < args.replications + args.look_ahead:
        raise ConfigError(
            f"--cap {args.cap}: must be at least --replications {args.replications} + --look-ahead {args.look_ahead}"
        )
    several = len(scenarios) > 1
    names = [f"{s}: {m}" if several else m for s in scenarios for m in metrics]
    workers = args.workers or default_workers(args.cap * len(scenarios))
    batch = max(1, workers // len(scenarios)) if workers > 1 else 1
    seen: dict[str, list[float]] = {name: [] for name in names}

    def run_batch(indices: list[int]) -> list[dict[str, float]]:
        """Replications ``indices`` of every scenario, as one metrics row per index."""
        runs = run_many(pool, scenarios, args.seed, indices)
        rows = []
        for position in range(len(indices)):
            row: dict[str, float] = {}
            for scenario, results in runs.items():
                found = results[position].metrics
                for metric in metrics:
                    if metric not in found:
                        raise ConfigError(f"--outputs: {metric!r} is not a metric; for example {sorted(found)[:4]}")
                    row[f"{scenario}: {metric}" if several else metric] = found[metric]
            rows.append(row)
            for name, value in row.items():
                seen[name].append(value)
            cells = (
                f"{name} {_cell(PrecisionRow(name, len(v), sum(v) / len(v), half_width(v)))}"
                for name, v in seen.items()
            )
            count = indices[position] + 1
            bar.note(f"{count} replication{'' if count == 1 else 's'}: " + "; ".join(cells))
        return rows

    with (
        progress_bar("replications", args.cap) as bar,
        executor(workers, lambda done: bar(done / len(scenarios))) as pool,
    ):
        result = replications_needed(
            run_batch,
            names,
            args.precision,
            minimum=args.replications,
            cap=args.cap,
            look_ahead=args.look_ahead,
            batch=batch,
        )
    if args.json:
        print(json.dumps(_document(result, args), indent=2, allow_nan=False))
    else:
        print(render(result, args.seed), end="")
    return 0


def _number(value: float) -> float | None:
    """A JSON-safe number (None for NaN or infinity)."""
    return None if not math.isfinite(value) else round(value, 6)


def _document(result: PrecisionResult, args: argparse.Namespace) -> dict:
    """The search as JSON-ready data: settings, the number needed per output, the table."""
    return {
        "precision": result.precision,
        "confidence": result.confidence,
        "cap": result.cap,
        "seed": args.seed,
        "look_ahead": args.look_ahead,
        "needed": result.needed,
        "replications": result.replications,
        "table": [
            {
                "output": r.output,
                "replications": r.replications,
                "mean": _number(r.mean),
                "half_width": _number(r.half_width),
                "relative": _number(r.relative),
            }
            for r in result.rows
        ],
    }


def _cell(row: PrecisionRow) -> str:
    """``mean ± half-width (share of the mean)``, or ``-`` before there are two replications."""
    if not math.isfinite(row.half_width):
        return f"{row.mean:,.1f} ± -"
    return f"{row.mean:,.1f} ± {row.half_width:,.1f} ({row.relative:.1%})"


def render(result: PrecisionResult, seed: int) -> str:
    """The half-width table (one column per output) and the number needed, as plain text."""
    from rich.console import Console
    from rich.table import Table

    outputs = list(result.needed)
    table = Table(title=f"95% CI half-width (share of the mean) by replications, seed {seed}")
    table.add_column("replications", justify="right")
    for name in outputs:
        table.add_column(name, justify="right")
    by_n: dict[int, dict[str, str]] = {}
    for row in result.rows:
        by_n.setdefault(row.replications, {})[row.output] = _cell(row)
    for n, cells in sorted(by_n.items()):
        table.add_row(str(n), *(cells.get(name, "") for name in outputs))
    buffer = io.StringIO()
    Console(file=buffer, width=60 + 34 * len(outputs), color_system=None).print(table)
    lines = []
    for name, needed in result.needed.items():
        if needed is None:
            lines.append(f"{name}: not within {result.precision:.0%} after {result.cap} replications (raise --cap)")
        else:
            lines.append(f"{name}: {needed} replications for ±{result.precision:.0%}")
    total = result.replications
    lines.append(
        f"Replications needed for every output: {total}"
        if total is not None
        else "Replications needed: not reached within the cap"
    )
    return buffer.getvalue() + "\n".join(lines) + "\n"
