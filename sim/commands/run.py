"""``policesim run``: replications of one scenario; a table, the JSON contract, or a results directory."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.commands.common import add_run_options, add_scenario_options, scenario_from_args
from sim.errors import OverloadError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="simulate a scenario and summarise it",
        description="Simulate replications of a scenario (default: the packaged baseline) and print a summary with 95% confidence intervals.",
    )
    add_scenario_options(parser)
    add_run_options(parser)
    parser.add_argument(
        "--json", action="store_true", help="print the JSON output contract on stdout instead of tables"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write replications.parquet, summary.json and manifest.json to this directory",
    )
    parser.add_argument("--force", action="store_true", help="replace an existing --out directory")
    parser.add_argument(
        "--records", action="store_true", help="also keep one record per incident (written to --out as records.parquet)"
    )
    parser.add_argument(
        "--timeseries",
        action="store_true",
        help="also keep the time series (queue by grade, officers by activity) per bin",
    )
    parser.add_argument(
        "--allow-overload",
        action="store_true",
        help="run an overloaded scenario to the horizon instead of stopping it early",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from sim.study.national import is_national

    if args.config is not None and is_national(args.config):
        from sim.study.national import run_national_command

        return run_national_command(args)
    from sim.config.loading import resolved_dict
    from sim.report.output import claim_directory, json_writer
    from sim.report.progress import progress_bar
    from sim.report.tables import render_summary, tables
    from sim.study.replications import contract_document, run_meta, run_replications

    scenario = scenario_from_args(args)
    options = {"records": args.records, "timeseries": args.timeseries, "allow_overload": args.allow_overload}
    with claim_directory(args.out, args.force) as out:
        with progress_bar(f"{scenario.name}: replications", args.replications) as update:
            results = run_replications(scenario, args.replications, args.seed, args.workers, progress=update, **options)
        document = contract_document(scenario, results, args.seed)
        for note in results[0].extra.get("warnings", []):  # the first replication's, for all
            print(f"policesim: warning: {note}", file=sys.stderr)
        if args.json:
            print(json.dumps(document, indent=2, allow_nan=False))
        else:
            print(render_summary(document), end="")
        if out is not None:
            manifest = run_meta(scenario, args.seed, args.replications) | {
                "command": "run",
                "config": resolved_dict(scenario),
                "argv": getattr(args, "argv", sys.argv[1:]),
            }
            writers = {"summary.json": json_writer(document), "manifest.json": json_writer(manifest)}
            for name, frame in tables(results).items():
                writers[f"{name}.parquet"] = frame.to_parquet
            out.write(writers)
            if not args.json:
                print(f"results written to {args.out}")
    overloads = document["meta"]["overload"]
    if overloads and not args.allow_overload:
        first = overloads[0]
        raise OverloadError(
            f"scenario overloaded: {first['reason']} ({first['grade']}) on day {first['detected_day']}; the run was stopped early (use --allow-overload to run to the horizon)"
        )
    return 0
