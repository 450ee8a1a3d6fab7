"""``policesim calibrate``: fit assumed parameters to the fit targets (never to held-out ones)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.common import add_run_options, add_scenario_options, scenario_from_args
from sim.errors import ConfigError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "calibrate",
        help="fit assumed parameters to the fit targets",
        description="Search each --param over its range (coordinate search, common random numbers) to bring "
        "the scenario's fit targets closest to their published values. Only parameters marked assumed in "
        "docs/calibration.md may be fitted, and held-out targets are never read: check them afterwards with "
        "policesim validate --targets and the printed --set values.",
    )
    add_scenario_options(parser)
    parser.add_argument("--targets", type=Path, required=True, help="targets file (fit and held-out roles)")
    parser.add_argument(
        "--param",
        dest="parameters",
        action="append",
        required=True,
        metavar="PATH=LOW:HIGH",
        help="an assumed parameter and its search range, e.g. grades.P3.appointment_hours=8:20 (repeatable)",
    )
    parser.add_argument("--points", type=int, default=5, help="values tried across each range (default 5)")
    parser.add_argument("--rounds", type=int, default=1, help="passes over the parameters (default 1)")
    add_run_options(parser, replications=2)
    parser.set_defaults(handler=handle)


def parse_parameter(text: str) -> tuple[str, float, float]:
    """``"a.b=1:5"`` into (path, low, high); anything else is a one-line error naming it."""
    path, _, bounds = text.partition("=")
    low, _, high = bounds.partition(":")
    try:
        return path.strip(), float(low), float(high)
    except ValueError:
        raise ConfigError(
            f"--param {text!r}: expected PATH=LOW:HIGH, for example grades.P3.appointment_hours=8:20"
        ) from None


def handle(args: argparse.Namespace) -> int:
    from sim.report.format import compact
    from sim.report.page_common import CALIBRATION
    from sim.study.calibration import FitParameter, calibrate, load_sources
    from sim.study.targets import load_targets

    parameters = [FitParameter(*parse_parameter(text)) for text in args.parameters]
    scenario = scenario_from_args(args)
    result = calibrate(
        scenario,
        parameters,
        load_targets(args.targets),
        load_sources(CALIBRATION),
        args.replications,
        args.seed,
        args.workers,
        args.points,
        args.rounds,
    )
    print(f"{len(result.evaluations)} runs of {args.replications} replications; loss over the fit targets:")
    for values, loss in result.evaluations:
        print("  " + ", ".join(f"{p}={compact(v)}" for p, v in values.items()) + f": {compact(loss)}")
    print(f"best (loss {compact(result.loss)}; a target at its tolerance edge adds 1):")
    print(" ".join(f"--set {p}={v:g}" for p, v in result.values.items()))
    return 0
