"""``policesim capacity``: extra incidents of one type a scenario absorbs, simulated, within a
stated tolerance of the base's service (share attended in person, mean time to attend)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.commands.common import non_negative_float, positive_float
from sim.commands.compare import add_experiment_options, experiment_from_args
from sim.errors import ConfigError

if TYPE_CHECKING:
    from sim.study.capacity import CapacitySettings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``capacity`` command."""
    parser = subparsers.add_parser(
        "capacity",
        help="absorbable demand: extra incidents of a type a scenario takes within a tolerance of base service",
        description="For each scenario of an experiment, search over extra yearly volume of one "
        "incident type, running every replication at each volume tried (paired with the base on "
        "common random numbers), for the largest volume at which the share of the type attended "
        "in person falls by at most --share-tolerance points and its mean time to attend rises by "
        "at most --time-tolerance minutes, against the base scenario with no extra demand. Reports "
        "the bracket (last passing, first failing volume) and the paired 95% CIs at every volume "
        "tried. Needs attendance decisions (configs/attendance/decisions.yaml).",
    )
    add_experiment_options(parser)
    parser.add_argument("--type", dest="kind", required=True, help="incident type, e.g. burglary")
    parser.add_argument(
        "--scenario",
        action="append",
        default=None,
        help="scenario to search (repeatable; default: every scenario, the base included, whose "
        "answer is the force's spare capacity)",
    )
    parser.add_argument(
        "--share-tolerance",
        type=non_negative_float,
        default=1.0,
        help="largest fall in the share attended in person that still passes, percentage points (default 1)",
    )
    parser.add_argument(
        "--time-tolerance",
        type=non_negative_float,
        default=30.0,
        help="largest rise in the mean time to attend that still passes, minutes (default 30)",
    )
    parser.add_argument(
        "--max-extra",
        type=positive_float,
        default=None,
        help="largest extra yearly volume searched (default: twice the type's)",
    )
    parser.add_argument(
        "--first-step",
        type=positive_float,
        default=None,
        help="first extra volume tried; the step doubles until a volume fails (default: 10%% of the type's)",
    )
    parser.add_argument(
        "--resolution",
        type=positive_float,
        default=None,
        help="bisect until the bracket is this narrow, incidents a year (default: 5%% of the type's)",
    )
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    parser.add_argument(
        "--out", type=Path, default=None, help="write capacity.parquet, capacity.json and a manifest here"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing --out directory")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Load, search, report."""
    import pandas as pd

    from sim.report.capacity import render_capacity, step_line
    from sim.report.output import claim_directory, json_writer
    from sim.report.progress import progress_bar
    from sim.study.capacity import absorbable_demand, check_decisions
    from sim.study.experiment import describe

    experiment = experiment_from_args(args)
    spec, base = experiment.spec, experiment.base
    if args.kind not in base.incident_types:
        raise ConfigError(
            f"--type: {args.kind!r} is not an incident type; expected one of {sorted(base.incident_types)}"
        )
    names = args.scenario or list(experiment.scenarios)
    unknown = [name for name in names if name not in experiment.scenarios]
    if unknown:
        raise ConfigError(f"--scenario: {unknown} not in {list(experiment.scenarios)}")
    scenarios = {name: experiment.scenarios[name] for name in names}
    check_decisions({spec.base: base, **scenarios})
    settings = _settings(args, base)
    with claim_directory(args.out, args.force) as out:
        with progress_bar(f"capacity {args.kind}: runs", spec.replications) as bar:
            runs = absorbable_demand(
                base,
                scenarios,
                args.kind,
                spec.seed,
                spec.replications,
                settings,
                args.workers,
                bar,
                on_step=lambda name, step: bar.note(f"{name}: {step_line(step)}"),
                on_total=bar.set_total,
                base_name=spec.base,
            )
        document = _document(args, experiment, settings, runs)
        if args.json:
            print(json.dumps(document, indent=2, allow_nan=False))
        else:
            print(render_capacity(document), end="")
        if out is None:
            return 0
        manifest = {
            "command": "capacity",
            "argv": sys.argv[1:],
            "experiment": describe(spec),
            "version": document["meta"]["version"],
        }
        out.write(
            {
                "capacity.json": json_writer(document),
                "manifest.json": json_writer(manifest),
                "capacity.parquet": pd.DataFrame(runs.rows).to_parquet,
            }
        )
        if not args.json:
            print(f"results written to {args.out}")
    return 0


def _settings(args: argparse.Namespace, base: Any) -> CapacitySettings:
    """Defaults scaled to the type's volume, with the user's cap, resolution and tolerance."""
    from sim.study.capacity import CapacitySettings, Tolerance, default_settings

    default = default_settings(base, args.kind)
    max_extra = args.max_extra or default.max_extra
    return CapacitySettings(
        first_step=min(args.first_step or default.first_step, max_extra),
        max_extra=max_extra,
        resolution=args.resolution or default.resolution,
        tolerance=Tolerance(share_points=args.share_tolerance, minutes=args.time_tolerance),
    )


def _document(args: argparse.Namespace, experiment: Any, settings: CapacitySettings, runs: Any) -> dict[str, Any]:
    """The answer as one JSON-ready document."""
    from sim import __version__
    from sim.study.capacity import reference_summary, summarise_capacity
    from sim.study.numbers import json_safe

    spec, base, kind = experiment.spec, experiment.base, args.kind
    tolerance = settings.tolerance
    return json_safe(
        {
            "question": f"largest extra yearly volume of {kind} at which, against {spec.base!r} with no "
            f"extra demand on common random numbers, the mean share of {kind} attended in person falls "
            f"by at most {tolerance.share_points:g} percentage points and the mean time to attend "
            f"rises by at most {tolerance.minutes:g} minutes",
            "measures": {
                "share_in_person": f"incidents.{kind}.attended_in_person / incidents.{kind}.generated",
                "time_to_attend": f"response_minutes.{kind}.mean",
            },
            "tolerance": {"share_points": tolerance.share_points, "minutes": tolerance.minutes},
            "type": kind,
            "base": spec.base,
            "base_yearly_volume": base.incident_types[kind].yearly_volume,
            "replications": spec.replications,
            "seed": spec.seed,
            "horizon_days": base.horizon_days,
            "warmup_days": base.warmup_days,
            "search": {
                "first_step": settings.first_step,
                "max_extra": settings.max_extra,
                "resolution": settings.resolution,
            },
            "reference": reference_summary(runs),
            "scenarios": summarise_capacity(runs, spec.base),
            "meta": {"version": __version__},
        }
    )
