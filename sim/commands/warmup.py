"""``policesim warmup``: Welch's plot and MSER-5 warm-up advice per output, from replications.

Runs the scenario(s) from an empty start with no warm-up discarded, bins the hourly time series
(queues by grade, follow-up backlog, free officers) into days, and prints per output the
truncation MSER-5 finds on the replication mean, with the plot written for a visual check.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sim.commands.common import positive_float, positive_int
from sim.commands.study_args import add_study_options, executor, run_many, scenarios_from_args
from sim.errors import ConfigError, OutputExistsError, OverloadError

if TYPE_CHECKING:  # imported where used: the parser must load without them
    from sim.config.schema import Scenario
    from sim.study.warmup import WarmupAdvice

DEFAULT_DAYS = 120.0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``warmup`` command."""
    parser = subparsers.add_parser(
        "warmup",
        help="suggest a warm-up period (Welch's plot, MSER-5)",
        description="Run replications from an empty start, plot the moving average of chosen "
        "outputs over time across replications (Welch's method) and suggest a warm-up per output "
        "by MSER-5. CONFIG may be a scenario or an experiment file.",
    )
    add_study_options(parser, replications=5)
    parser.set_defaults(days=None)
    parser.add_argument(
        "--outputs",
        nargs="+",
        default=None,
        metavar="COLUMN",
        help="time-series columns to analyse (default: waiting_<grade> for deployed grades, "
        "backlog_hours, officers_available)",
    )
    parser.add_argument(
        "--bin-hours",
        type=positive_float,
        default=24.0,
        help="average the hourly series over bins of this many hours (default 24)",
    )
    parser.add_argument(
        "--window", type=positive_int, default=7, help="half-width of Welch's moving average, in bins (default 7)"
    )
    parser.add_argument(
        "--plot", type=Path, default=Path("warmup.png"), help="where to write the plot (default warmup.png)"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing --plot file")
    parser.add_argument("--json", action="store_true", help="print the advice as JSON")
    parser.set_defaults(handler=handle)


def default_outputs(scenario: Scenario) -> list[str]:
    """Queues of deployed grades, the follow-up backlog and free officers."""
    grades = [g for g in scenario.grade_order() if scenario.grades[g].deploy]
    return [*(f"waiting_{g}" for g in grades), "backlog_hours", "officers_available"]


def series_columns(scenario: Scenario) -> list[str]:
    """The time-series columns a run of ``scenario`` records (as ``sim.model.replication`` names them)."""
    from sim.model.officers import STATE_NAMES

    return [
        *(f"waiting_{g}" for g in scenario.grade_order()),
        "calls_waiting_999",
        "calls_waiting_101",
        *(f"officers_{s}" for s in STATE_NAMES),
        "backlog_hours",
    ]


def _from_empty(scenario: Scenario, days: float) -> Scenario:
    """The scenario over ``days`` with nothing discarded, so the whole start-up is visible."""
    from sim.config.loading import apply_overrides, resolved_dict, scenario_from_dict

    raw = apply_overrides(resolved_dict(scenario), {"horizon_days": days, "warmup_days": 0})
    return scenario_from_dict(raw, source=f"{scenario.name} (warm-up analysis)")


def _save_plot(path: Path, force: bool, draw: Callable[[Path], object]) -> None:
    """Write the plot through a temporary file; never replace an existing one without force."""
    if path.exists() and not force:
        raise OutputExistsError(f"--plot {path}: exists; pass --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".png", dir=path.parent)
    os.close(handle)
    try:
        draw(Path(temporary))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def handle(args: argparse.Namespace) -> int:
    """Run, analyse, plot, print."""
    import numpy as np

    from sim.report.progress import progress_bar
    from sim.study.replications import default_workers
    from sim.study.warmup import advise, plot_welch, series_matrix, suggested_days

    wanted, args.days = args.days, None  # the analysis sets its own horizon, with no warm-up
    scenarios = scenarios_from_args(args)
    days = wanted or min(DEFAULT_DAYS, max(s.horizon_days for s in scenarios.values()))
    if days * 24.0 / args.bin_hours < 20:
        raise ConfigError(f"--days {days:g}: MSER-5 needs at least 20 bins of {args.bin_hours:g} h")
    if args.plot.exists() and not args.force:
        raise OutputExistsError(f"--plot {args.plot}: exists; pass --force to replace it")
    empty = {name: _from_empty(s, days) for name, s in scenarios.items()}
    first = next(iter(empty.values()))
    outputs = args.outputs or default_outputs(first)
    valid = series_columns(first)
    unknown = [column for column in outputs if column not in valid]
    if unknown:
        raise ConfigError(f"--outputs: {unknown} not time-series columns; choose from {valid}")
    total = args.replications * len(empty)
    workers = args.workers or default_workers(total)
    with progress_bar("warm-up replications", total) as update, executor(workers, update) as pool:
        runs = run_many(pool, empty, args.seed, list(range(args.replications)), timeseries=True)
    series: dict[str, np.ndarray] = {}
    for name, results in runs.items():
        stopped = [r.overload for r in results if r.overload is not None]
        if stopped:
            raise OverloadError(
                f"{name}: overloaded ({stopped[0]['reason']}) on day {stopped[0]['detected_day']}: "
                "a queue that grows without bound has no steady state to warm up to"
            )
        frames = [r.timeseries for r in results]
        for column in outputs:
            label = column if len(runs) == 1 else f"{name}: {column}"
            series[label] = series_matrix(frames, column, args.bin_hours)
    advice = advise(series, args.bin_hours)
    suggestion = suggested_days(advice)
    window = min(args.window, (min(s.shape[1] for s in series.values()) - 1) // 2)
    _save_plot(args.plot, args.force, lambda path: plot_welch(series, advice, window, args.bin_hours, path))
    if args.json:
        print(json.dumps(_document(advice, suggestion, args, days), indent=2))
    else:
        print(_table(advice, suggestion, args, days), end="")
    return 0


def _document(advice: list[WarmupAdvice], suggestion: float, args: argparse.Namespace, days: float) -> dict:
    """The advice as a JSON-ready mapping."""
    return {
        "replications": args.replications,
        "days": days,
        "seed": args.seed,
        "bin_hours": args.bin_hours,
        "window": args.window,
        "plot": str(args.plot),
        "outputs": {
            a.output: {"warmup_days": a.days, "reliable": a.truncation.reliable, "mser": a.truncation.statistic}
            for a in advice
        },
        "suggested_warmup_days": suggestion,
        "all_reliable": all(a.truncation.reliable for a in advice),
    }


def _table(advice: list[WarmupAdvice], suggestion: float, args: argparse.Namespace, days: float) -> str:
    """The advice as aligned text."""
    width = max(len(a.output) for a in advice)
    lines = [
        f"Warm-up by MSER-5 on the mean of {args.replications} replications of {days:g} days "
        f"(bins of {args.bin_hours:g} h, seed {args.seed}):",
        f"  {'output'.ljust(width)}  warm-up (days)  reliable",
    ]
    for a in advice:
        flag = "yes" if a.truncation.reliable else "NO: still drifting; run longer (--days)"
        lines.append(f"  {a.output.ljust(width)}  {a.days:>14g}  {flag}")
    lines.append(
        f"Suggested warm-up: {suggestion:g} days (the longest; set warmup_days or "
        f"--warmup-days). Welch's plot: {args.plot}"
    )
    if not all(a.truncation.reliable for a in advice):
        lines.append("Some outputs had not settled in the first half of the run: the suggestion is a lower bound.")
    if suggestion > days / 2 or math.isclose(suggestion, days / 2):
        lines.append("The suggestion is half the run or more: run longer to confirm it.")
    return "\n".join(lines) + "\n"
