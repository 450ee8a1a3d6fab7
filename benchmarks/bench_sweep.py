"""Benchmark sweep throughput: design points per second inline, on a local pool, on Dask.

Runs the first ``--points`` design points of a sweep file (default: the shipped redaction
sweep) three ways, each into a fresh temporary directory, and prints points per second of wall
time including start-up (pool spawn, cluster start-up is excluded: a cluster is long-lived):

- ``inline``: one worker, this process;
- ``pool-2``: two spawned local processes (``--workers 2``);
- ``dask-2``: a ``distributed.LocalCluster`` of two single-threaded worker processes.

It also checks that the three tables are identical. The machine's load average is printed
with the rates, because on a shared machine wall-clock rates fall with other jobs' load.

    python benchmarks/bench_sweep.py                          # 16 points of the shipped sweep
    python benchmarks/bench_sweep.py --points 64 --sweep experiments/ishigami_check.yaml
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pandas as pd
from distributed import Client, LocalCluster

from sim.sweep.designs import build_design
from sim.sweep.evaluate import build_evaluator
from sim.sweep.runner import run_sweep
from sim.sweep.spec import load_spec
from sim.sweep.store import open_results

REPO = Path(__file__).resolve().parents[1]


def measure(sweep: Path, points: int, batch_size: int | None) -> list[tuple[str, float, pd.DataFrame]]:
    """(backend, points per second, rows) for each backend."""
    spec = load_spec(sweep)
    design = build_design(spec)
    evaluator = build_evaluator(spec, sweep, design)
    results = []
    with tempfile.TemporaryDirectory() as temp:
        for name, options in (("inline", {"workers": 1}), ("pool-2", {"workers": 2})):
            out = Path(temp) / name
            started = time.perf_counter()
            run_sweep(
                spec,
                evaluator,
                out,
                max_points=points,
                batch_size=batch_size,
                design=design,
                **options,
            )
            rate = points / (time.perf_counter() - started)
            results.append((name, rate, open_results(out).results()))
        with (
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
            Client(cluster) as client,
        ):
            out = Path(temp) / "dask-2"
            started = time.perf_counter()
            run_sweep(
                spec,
                evaluator,
                out,
                client=client,
                max_points=points,
                batch_size=batch_size,
                design=design,
            )
            rate = points / (time.perf_counter() - started)
            results.append(("dask-2", rate, open_results(out).results()))
    return results


def main() -> None:
    """Print points per second for each backend and whether their tables agree."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", type=Path, default=REPO / "experiments" / "sensitivity_redaction.yaml")
    parser.add_argument("--points", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=None)
    args = parser.parse_args()
    load = os.getloadavg()
    results = measure(args.sweep, args.points, args.batch_size)
    print(
        f"sweep {args.sweep.name}: first {args.points} points; "
        f"load average before {load[0]:.1f}, after {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    for name, rate, _ in results:
        print(f"{name:8s} {rate:10.3f} points/s")
    first = results[0][2]
    same = all(first.equals(rows) for _, _, rows in results[1:])
    print(f"identical tables: {same}")


if __name__ == "__main__":
    main()
