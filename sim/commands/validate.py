"""``policesim validate``: check a scenario and print its resolved form (every default filled in)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.commands.common import add_run_options, add_scenario_options, scenario_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check a scenario config and print it resolved",
        description="Validate a scenario (extends, --set applied) and print the resolved config as YAML.",
    )
    add_scenario_options(parser)
    parser.add_argument("--quiet", action="store_true", help="print only the one-line verdict")
    parser.add_argument(
        "--targets",
        type=Path,
        default=None,
        help="also run the scenario (or a national config) and check it against these "
        "published-figure targets, printed as fit and held-out groups with their errors and "
        "tolerances (a scenario naming a force gets that force's own targets too); exit 1 if a "
        "good-data target is missed",
    )
    add_run_options(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.targets is not None:
        return check_targets(args)
    import yaml

    from sim.config.loading import config_hash, resolved_dict

    scenario = scenario_from_args(args)
    if scenario.replay is not None:  # the model is loaded only for a replayed log
        from sim.model.replay import check_incident_log

        for note in check_incident_log(scenario):
            print(f"policesim: warning: {note}", file=sys.stderr)
    if not args.quiet:
        print(yaml.safe_dump(resolved_dict(scenario), sort_keys=False), end="")
    print(
        f"# ok: {scenario.name}, {len(scenario.incident_types)} incident types, {scenario.workforce.response_officers} response officers, config hash {config_hash(scenario)}"
    )
    return 0


def check_targets(args: argparse.Namespace) -> int:
    """Run the scenario (or national config), print the target table; 1 if a good one misses."""
    from sim.report.targets import render_results
    from sim.study.national import is_national
    from sim.study.targets import check_national, check_scenario, load_targets, misses

    targets = load_targets(args.targets)
    runs = (args.replications, args.seed, args.workers)
    if args.config is not None and is_national(args.config):
        results = check_national(args.config, targets, *runs, args.days)
    else:
        results = check_scenario(scenario_from_args(args), targets, *runs)
    print(render_results(results), end="")
    return 1 if misses(results) else 0
