"""``policesim analyse``: sensitivity indices of a finished sweep: tables, a plot, a ranking."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``analyse`` command."""
    parser = subparsers.add_parser(
        "analyse",
        help="Sobol or Morris sensitivity indices of a finished sweep",
        description="Analyse a sweep directory with SALib: writes DIR/analysis/indices.csv, "
        "summary.csv and sensitivity.png, and prints the parameters ranked for each output.",
    )
    parser.add_argument("directory", metavar="DIR", help="a directory written by policesim sweep")
    parser.add_argument(
        "--output",
        action="append",
        metavar="NAME",
        help="analyse only this output (repeatable; default: all)",
    )
    parser.add_argument("--force", action="store_true", help="replace an existing analysis")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Analyse, write the tables and plot, print the ranking."""
    from sim.sweep.analyse import analyse_store, write_analysis
    from sim.sweep.ranking import print_ranking
    from sim.sweep.store import open_results

    store = open_results(args.directory)
    analysis = analyse_store(store, args.output)
    target = write_analysis(analysis, store.root, force=args.force)
    print_ranking(analysis)
    print(f"analysis written to {target}")
    return 0
