"""``policesim dose``: technologies at several doses of their saving, as paired scenarios, and the
curve of extra incidents attended in person against the hours freed, beside the linear conversion."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.commands.compare import add_experiment_options, experiment_from_args, run_and_report
from sim.errors import ConfigError

if TYPE_CHECKING:
    from sim.report.output import ClaimedDirectory
    from sim.study.compare import ExperimentRuns
    from sim.study.experiment import Experiment


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``dose`` command."""
    parser = subparsers.add_parser(
        "dose",
        help="run each technology of an experiment's doses block at several doses and draw the curve",
        description="Expand the doses block of an experiment file into paired scenarios (each "
        "technology at each dose factor: that multiple of its saving), run them on common random "
        "numbers against the base, and report per technology the hours saved per year, the extra "
        "burglaries and DA incidents attended in person and the change in mean time to attend, with "
        "95% confidence intervals, beside the linear conversion (hours / hours per incident). A "
        "dose beyond what a technology's settings can take is reported as unreachable and its "
        "largest reachable dose is run instead.",
    )
    add_experiment_options(parser)
    parser.add_argument(
        "--factors",
        type=_factors,
        default=None,
        metavar="D,D,...",
        help="dose factors, comma-separated, e.g. 0,1 (default: the file's doses.factors)",
    )
    parser.add_argument("--json", action="store_true", help="print the dose curves as JSON")
    parser.add_argument(
        "--out", type=Path, default=None, help="write dose.json, Parquet tables, the plot and a manifest here"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing --out directory")
    parser.set_defaults(handler=handle)


def _factors(text: str) -> list[float]:
    """``0,0.5,1`` as numbers (the file's schema checks each)."""
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None


def handle(args: argparse.Namespace) -> int:
    """Load and expand, run, compare, tabulate, write."""
    from sim.report.dose import render_dose
    from sim.study.compare import comparison_document
    from sim.study.dose import dose_document

    experiment = experiment_from_args(args)
    if experiment.spec.doses is None:
        raise ConfigError(
            f"{args.experiment}: doses: missing; policesim dose needs a doses block (see docs/howto/dose-response.md)"
        )

    def build(experiment: Experiment, runs: ExperimentRuns) -> dict[str, Any]:
        return dose_document(experiment, comparison_document(experiment, runs))

    return run_and_report(args, experiment, build, render_dose, _write)


def _write(out: ClaimedDirectory, experiment: Experiment, runs: ExperimentRuns, document: dict[str, Any]) -> None:
    """Everything into ``--out`` at once (tables, plot, JSON, manifest), never half-written."""
    from sim.commands.compare import write_results
    from sim.report.dose import dose_frame, write_dose_plot
    from sim.report.output import json_writer

    files = {"dose.json": json_writer(document), "dose.parquet": dose_frame(document).to_parquet}
    write_results(
        out,
        "dose",
        experiment,
        runs,
        document["meta"],
        files,
        lambda folder: write_dose_plot(document, folder / "dose_curves.png"),
    )
