"""``policesim claims``: run the seed-claims experiment on the national model and report it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sim.commands.common import positive_int


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "claims",
        help="test hours-freed claims on the national model",
        description="Free each claim's hours through admin_reduction on the 43-force model and "
        "set the linear conversion beside the simulated attendances and absorbable demand.",
    )
    parser.add_argument("experiment", type=Path, help="claims experiment YAML")
    parser.add_argument("--workers", type=positive_int, default=None, help="worker processes")
    parser.add_argument("--out", type=Path, default=None, help="write claims.json and claims.md")
    parser.add_argument("--force", action="store_true", help="replace an existing --out directory")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the report")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from sim.report.output import claim_directory, json_writer
    from sim.study.claims import claims_document, load_claims, render_claims, run_claims

    experiment = load_claims(args.experiment)
    with claim_directory(args.out, args.force) as out:
        results = run_claims(experiment, args.workers)
        document = claims_document(experiment, results)
        report = render_claims(experiment, results)
        print(json.dumps(document, indent=2, allow_nan=False) if args.json else report)
        if out is not None:
            writers = {
                "claims.json": json_writer(document),
                "claims.md": lambda target: target.write_text(report, encoding="utf-8"),
            }
            out.write(writers)
    return 0
