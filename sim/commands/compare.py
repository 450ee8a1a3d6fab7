"""``policesim compare``: an experiment's scenarios on common random numbers, against the base."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.commands.common import positive_float, positive_int
from sim.errors import ConfigError

if TYPE_CHECKING:
    from sim.report.output import ClaimedDirectory
    from sim.study.compare import ExperimentRuns
    from sim.study.experiment import Experiment


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``compare`` command."""
    parser = subparsers.add_parser(
        "compare",
        help="run an experiment's scenarios on common random numbers and compare them",
        description="Run every scenario of an experiment file with the same seeds and report, "
        "per scenario against the base, paired differences with 95% confidence intervals "
        "beside the linear hours-per-incident estimate.",
    )
    add_experiment_options(parser)
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.add_argument(
        "--out", type=Path, default=None, help="write Parquet tables, PNG plots, comparison.json and a manifest here"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing --out directory")
    parser.set_defaults(handler=handle)


def add_experiment_options(parser: argparse.ArgumentParser) -> None:
    """EXPERIMENT, --replications, --workers, --days, --warmup-days (shared with capacity)."""
    parser.add_argument("experiment", type=Path, help="experiment YAML file")
    parser.add_argument(
        "--replications", type=positive_int, default=None, help="replications per scenario (default: the file's)"
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="worker processes (default: cores); results do not depend on it",
    )
    parser.add_argument(
        "--days", type=positive_float, default=None, help="horizon in days (overrides the file and the scenarios)"
    )
    parser.add_argument(
        "--warmup-days", type=float, default=None, help="warm-up in days (default: the file's, or a quarter of --days)"
    )


def experiment_from_args(args: argparse.Namespace) -> Experiment:
    """The experiment named by the arguments, with their overrides."""
    from sim.study.experiment import load_experiment

    if args.warmup_days is not None and args.warmup_days < 0:
        raise ConfigError(f"--warmup-days: must not be negative, got {args.warmup_days}")
    factors = getattr(args, "factors", None)  # ``policesim dose`` only
    return load_experiment(args.experiment, args.replications, args.days, args.warmup_days, factors)


def handle(args: argparse.Namespace) -> int:
    """Load, run, compare, report."""
    from sim.report.compare import render_comparison
    from sim.study.compare import comparison_document

    experiment = experiment_from_args(args)
    types = experiment.spec.types
    return run_and_report(
        args, experiment, comparison_document, lambda document: render_comparison(document, types), _write, True
    )


def run_and_report(
    args: argparse.Namespace,
    experiment: Experiment,
    build: Callable[[Experiment, ExperimentRuns], dict[str, Any]],
    render: Callable[[dict[str, Any]], str],
    write: Callable[[ClaimedDirectory, Experiment, ExperimentRuns, dict[str, Any]], None],
    records: bool = False,
) -> int:
    """Run every scenario with a progress bar, build the document, print it (``--json``: as JSON)
    and ``write`` it to ``--out`` (``compare`` and ``dose``); ``records`` for response plots."""
    from sim.report.output import claim_directory
    from sim.report.progress import progress_bar
    from sim.study.compare import run_experiment

    spec = experiment.spec
    total = spec.replications * len(experiment.scenarios)
    with claim_directory(args.out, args.force) as out:
        with progress_bar(f"{spec.name}: runs", total) as update:
            runs = run_experiment(experiment, args.workers, update, records=records and out is not None)
        document = build(experiment, runs)
        if args.json:
            print(json.dumps(document, indent=2, allow_nan=False))
        else:
            print(render(document), end="")
        if out is not None:
            write(out, experiment, runs, document)
            if not args.json:
                print(f"results written to {args.out}")
    return 0


def _write(out: ClaimedDirectory, experiment: Experiment, runs: ExperimentRuns, document: dict[str, Any]) -> None:
    """Everything into ``--out`` at once (tables, plots, JSON, manifest), never half-written."""
    from sim.report.compare import linear_frame, write_plots
    from sim.report.output import json_writer

    files = {"comparison.json": json_writer(document), "linear.parquet": linear_frame(document).to_parquet}
    write_results(
        out,
        "compare",
        experiment,
        runs,
        document["meta"],
        files,
        partial(write_plots, document, runs, experiment.spec.types),
    )


def write_results(
    out: ClaimedDirectory,
    command: str,
    experiment: Experiment,
    runs: ExperimentRuns,
    meta: dict[str, Any],
    files: dict[str, Callable[[Path], Any]],
    draw: Callable[[Path], Any],
) -> None:
    """``files``, the manifest, the paired Parquet tables and ``plots/`` (``draw(folder)``) into
    ``--out`` at once, never half-written (``compare`` and ``dose``)."""
    from sim.config.loading import resolved_dict
    from sim.report.compare import comparison_frames
    from sim.report.output import json_writer
    from sim.study.experiment import describe

    spec = experiment.spec
    manifest = {
        "command": command,
        "argv": sys.argv[1:],
        "options": {"experiment": str(experiment.path)},
        "experiment": describe(spec),
        "seed": spec.seed,
        "replications": spec.replications,
        "version": meta["version"],
        "config_hash": meta["config_hash"],
        "configs": {name: resolved_dict(s) for name, s in experiment.scenarios.items()},
    }
    writers = {**files, "manifest.json": json_writer(manifest)}
    for name, frame in comparison_frames(experiment, runs).items():
        writers[f"{name}.parquet"] = frame.to_parquet

    def plots(target: Path) -> None:
        target.mkdir()
        draw(target)

    writers["plots"] = plots
    out.write(writers)
