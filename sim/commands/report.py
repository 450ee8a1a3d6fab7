"""``policesim report``: a self-contained HTML page and a Markdown twin for a results directory."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` command."""
    parser = subparsers.add_parser(
        "report",
        help="write a study report (HTML and Markdown) for a results directory",
        description="Write report.html (self-contained: plots embedded) and report.md with its "
        "plots/ for the results of policesim run, compare or sweep: the question, scenarios, "
        "every input with its source, results with confidence intervals, figures, the run "
        "manifest and the STRESS-DES checklist with the items left to the researcher marked.",
    )
    parser.add_argument("results", type=Path, help="a directory written by run, compare or sweep")
    parser.add_argument("--out", type=Path, default=None, help="where to write the report (default: RESULTS/report)")
    parser.add_argument(
        "--question",
        default=None,
        help="the question the study answers (default: the experiment's description; a run has none)",
    )
    parser.add_argument("--force", action="store_true", help="replace an existing report")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Build and write the report, then say where it is."""
    from sim.report.page import write_report

    check_tables(args.results)
    out = write_report(args.results, args.out, args.force, args.question)
    print(f"report written: {out / 'report.html'} and {out / 'report.md'}")
    return 0


def check_tables(results: Path) -> None:
    """Fail with one line naming a Parquet file of ``results`` that cannot be read (truncated)."""
    from sim.sweep.store import PARTS, RECOMPUTE, check_parquet

    for path in sorted(Path(results).rglob("*.parquet")):
        check_parquet(path, RECOMPUTE if path.parent.name == PARTS else "run the command that wrote it again")
