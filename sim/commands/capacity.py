"""``policesim capacity``: extra incidents of one type a scenario absorbs at the base's service."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.commands.common import positive_float
from sim.commands.compare import add_experiment_options, experiment_from_args
from sim.errors import ConfigError

if TYPE_CHECKING:
    from sim.study.capacity import CapacitySettings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``capacity`` command."""
    parser = subparsers.add_parser(
        "capacity",
        help="absorbable demand: extra incidents of a type a scenario takes at base service",
        description="For each scenario of an experiment, search (on common random numbers, per "
        "replication) for the largest extra yearly volume of one incident type at which its "
        "within-target share is no worse than the base scenario's; mean with a 95% CI.",
    )
    add_experiment_options(parser)
    parser.add_argument("--type", dest="kind", required=True, help="incident type, e.g. burglary")
    parser.add_argument(
        "--scenario",
        action="append",
        default=None,
        help="scenario to search (repeatable; default: every scenario, the base "
        "included, whose answer is the spare capacity)",
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
        help="first extra volume tried; doubled until service falls (default: 5%% of the type's)",
    )
    parser.add_argument(
        "--tolerance",
        type=positive_float,
        default=None,
        help="search resolution, incidents a year (default: 1%% of the type's)",
    )
    parser.add_argument(
        "--noise-sd",
        type=float,
        default=2.0,
        help="allowance for the extra incidents' own binomial noise, in standard "
        "errors (default 2; 0 compares the shares exactly)",
    )
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    parser.add_argument(
        "--out", type=Path, default=None, help="write capacity.parquet, capacity.json and a manifest here"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing --out directory")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Load, search, report."""
    from sim.report.output import claim_directory, json_writer
    from sim.report.progress import progress_bar
    from sim.study.capacity import absorbable_demand, summarise_capacity
    from sim.study.compare import describe
    from sim.study.replications import default_workers

    experiment = experiment_from_args(args)
    base = experiment.base
    if args.kind not in base.incident_types:
        raise ConfigError(
            f"--type: {args.kind!r} is not an incident type; expected one of {sorted(base.incident_types)}"
        )
    names = args.scenario or list(experiment.scenarios)
    unknown = [name for name in names if name not in experiment.scenarios]
    if unknown:
        raise ConfigError(f"--scenario: {unknown} not in {list(experiment.scenarios)}")
    settings = _settings(args, base)
    spec = experiment.spec
    scenarios = {name: experiment.scenarios[name] for name in names}
    total = spec.replications * len(scenarios)
    workers = args.workers or default_workers(total)
    with claim_directory(args.out, args.force) as out:
        with progress_bar(f"capacity {args.kind}: searches", total) as update:
            table = absorbable_demand(
                base, scenarios, args.kind, spec.seed, spec.replications, settings, workers, update
            )
        document = _document(args, experiment, settings, summarise_capacity(table, spec.base))
        if args.json:
            print(json.dumps(document, indent=2, allow_nan=False))
        else:
            print(_render(document), end="")
        if out is None:
            return 0
        manifest = {
            "command": "capacity",
            "argv": sys.argv[1:],
            "experiment": describe(spec),
            "version": document["meta"]["version"],
        }
        frame = table.drop(columns=["shares"]).assign(
            shares=table["shares"].map(lambda d: json.dumps({str(k): v for k, v in d.items()}))
        )
        out.write(
            {
                "capacity.json": json_writer(document),
                "manifest.json": json_writer(manifest),
                "capacity.parquet": frame.to_parquet,
            }
        )
        if not args.json:
            print(f"results written to {args.out}")
    return 0


def _settings(args: argparse.Namespace, base: Any) -> CapacitySettings:
    """Defaults scaled to the type's volume, with the user's cap and resolution."""
    from sim.study.capacity import CapacitySettings, default_settings

    default = default_settings(base, args.kind)
    max_extra = args.max_extra or default.max_extra
    tolerance = args.tolerance or default.tolerance
    first_step = min(args.first_step or default.first_step, max_extra)
    if args.noise_sd < 0:
        raise ConfigError(f"--noise-sd: must not be negative, got {args.noise_sd}")
    return CapacitySettings(first_step=first_step, max_extra=max_extra, tolerance=tolerance, noise_sd=args.noise_sd)


def _clean(value: Any) -> Any:
    """Numbers JSON can hold: NaN and infinities become None, floats rounded."""
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, float):
        return round(value, 6) if value == value and abs(value) != float("inf") else None
    return value


def _document(
    args: argparse.Namespace, experiment: Any, settings: CapacitySettings, summary: dict[str, Any]
) -> dict[str, Any]:
    """The answer as one JSON-ready document."""
    from sim import __version__

    spec, base = experiment.spec, experiment.base
    return _clean(
        {
            "question": f"largest extra yearly volume of {args.kind} at which its within-target "
            f"share is no worse than {spec.base!r}'s",
            "type": args.kind,
            "base": spec.base,
            "base_yearly_volume": base.incident_types[args.kind].yearly_volume,
            "replications": spec.replications,
            "seed": spec.seed,
            "horizon_days": base.horizon_days,
            "warmup_days": base.warmup_days,
            "search": {
                "first_step": settings.first_step,
                "max_extra": settings.max_extra,
                "tolerance": settings.tolerance,
                "noise_sd": settings.noise_sd,
            },
            "scenarios": summary,
            "meta": {"version": __version__},
        }
    )


def _render(document: dict[str, Any]) -> str:
    """A short table for the terminal."""
    lines = [
        f"Absorbable extra {document['type']} a year (base volume "
        f"{document['base_yearly_volume']:,.0f}), {document['replications']} replications, "
        f"{document['horizon_days']:g} days; mean (95% CI)"
    ]
    for name, entry in document["scenarios"].items():
        cell = entry["absorbable_per_year"]
        text = _ci(cell)
        gain = entry.get("gain_over_base_per_year")
        extra = f"; gain over {document['base']}: {_ci(gain)}" if gain else ""
        censored = entry["censored_replications"]
        note = f" [{censored} at the search cap]" if censored else ""
        lines.append(f"  {name}: {text}{extra}{note}")
    return "\n".join(lines) + "\n"


def _ci(cell: dict[str, Any] | None) -> str:
    if not cell or cell.get("mean") is None:
        return "-"
    if cell.get("ci_low") is None:
        return f"{cell['mean']:,.0f}"
    return f"{cell['mean']:,.0f} ({cell['ci_low']:,.0f} to {cell['ci_high']:,.0f})"
