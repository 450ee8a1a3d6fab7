"""``policesim sweep``: run a sensitivity sweep into a resumable Parquet results directory."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim.errors import ConfigError


def register(subparsers: Any) -> None:
    """Add the ``sweep`` command."""
    parser = subparsers.add_parser(
        "sweep",
        help="run a Monte Carlo sensitivity sweep (Sobol, Morris, LHS, grid)",
        description="Run every design point of a sweep file, writing each finished batch to "
        "a Parquet dataset in --out. Points run on local processes, or on a Dask cluster "
        "with --scheduler; the results do not depend on where a point ran.",
    )
    parser.add_argument("sweep_file", metavar="SWEEP.yaml", help="the sweep definition")
    parser.add_argument("--out", required=True, metavar="DIR", help="results directory")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=1, metavar="K", help="local worker processes (default 1)")
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the points on a dask.distributed cluster: its scheduler's address "
        "(tcp://10.0.0.5:8786) or scheduler file (scheduler.json)",
    )
    parser.add_argument("--resume", action="store_true", help="continue a sweep in DIR, skipping stored points")
    parser.add_argument("--max-points", type=int, metavar="N", help="stop after N new design points")
    parser.add_argument("--batch-size", type=int, metavar="B", help="design points per task (default: automatic)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=run, interrupted="batches already stored are kept (continue with --resume)")


def _client(address: str) -> Any:
    """Connect to a Dask scheduler by address or scheduler file; failure is a one-line error."""
    from distributed import Client

    try:
        if address.endswith(".json") and Path(address).is_file():
            return Client(scheduler_file=address, timeout="20s")
        return Client(address, timeout="20s")
    except (OSError, TimeoutError, ValueError) as error:
        raise ConfigError(f"--scheduler: cannot reach {address!r}: {error}") from None


def run(args: argparse.Namespace) -> int:
    """Load, check and run the sweep; print one summary line."""
    from sim.sweep.designs import build_design
    from sim.sweep.evaluate import build_evaluator
    from sim.sweep.runner import report_line, run_sweep
    from sim.sweep.spec import load_spec

    spec = load_spec(args.sweep_file)
    design = build_design(spec)
    evaluator = build_evaluator(spec, args.sweep_file, design)
    client = _client(args.scheduler) if args.scheduler else None
    try:
        result = run_sweep(
            spec,
            evaluator,
            args.out,
            workers=args.workers,
            client=client,
            resume=args.resume,
            max_points=args.max_points,
            batch_size=args.batch_size,
            progress=not args.quiet and sys.stderr.isatty(),
            design=design,
        )
    finally:
        if client is not None:
            client.close()
    print(report_line(spec, result))
    return 0
