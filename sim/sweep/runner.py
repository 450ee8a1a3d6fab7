"""Run a sweep into a results directory: design, store, executor and progress bar wired together."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sim import __version__
from sim.errors import ConfigError
from sim.study.executor import Executor
from sim.sweep.designs import DesignMatrix, build_design
from sim.sweep.execute import Evaluator, batches, evaluate_batch
from sim.sweep.spec import SweepSpec
from sim.sweep.store import SweepStore, open_store, pending_points


@dataclass(frozen=True)
class SweepRun:
    """What one invocation did: points stored before, run now, in total, and the time taken."""

    out: Path
    total: int
    before: int
    run: int
    seconds: float

    @property
    def rate(self) -> float:
        """Design points per second of wall time in this invocation."""
        return self.run / self.seconds if self.seconds > 0 else math.nan

    @property
    def complete(self) -> bool:
        """Whether every design point is stored."""
        return self.before + self.run == self.total


def make_manifest(spec: SweepSpec, evaluator: Evaluator, design: DesignMatrix) -> dict[str, Any]:
    """The manifest of a new results directory: enough to check a resume and to analyse."""
    return {
        "name": spec.name,
        "spec_hash": spec.spec_hash(),
        "fingerprint": evaluator.fingerprint,
        "policesim_version": __version__,
        "salib_version": version("SALib"),
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "n_points": design.n_points,
        "replications": spec.replications,
        "seed": spec.seed,
        "parameters": list(spec.names),
        "integer": [p.integer for p in spec.parameters],
        "outputs": list(spec.outputs),
        "spec": spec.model_dump(mode="json"),
    }


def auto_batch_size(pending: int, workers: int) -> int:
    """About 16 batches per worker, at most 64 points each: fine progress, little loss on a kill."""
    return max(1, min(64, math.ceil(pending / (16 * max(1, workers)))))


def _progress(total: int, done: int, enabled: bool) -> Any:
    """A rich progress bar on stderr: points done, rate, time left."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not enabled,
    )
    progress.add_task("points", total=total, completed=done, rate="")
    return progress


def run_sweep(
    spec: SweepSpec,
    evaluator: Evaluator,
    out: str | Path,
    *,
    workers: int = 1,
    client: Any = None,
    resume: bool = False,
    max_points: int | None = None,
    batch_size: int | None = None,
    progress: bool = False,
    design: DesignMatrix | None = None,
) -> SweepRun:
    """Run the points of ``spec`` not yet stored in ``out``, writing each finished batch at once.

    ``client`` (a ``distributed.Client``) runs batches on its cluster; otherwise ``workers``
    local processes do (1 = this process). ``max_points`` stops after that many new points.
    """
    if workers < 1:
        raise ConfigError(f"--workers: must be at least 1, got {workers}")
    if max_points is not None and max_points < 1:
        raise ConfigError(f"--max-points: must be at least 1, got {max_points}")
    if batch_size is not None and batch_size < 1:
        raise ConfigError(f"--batch-size: must be at least 1, got {batch_size}")
    design = build_design(spec) if design is None else design
    with open_store(out, make_manifest(spec, evaluator, design), design, resume=resume) as store:
        return _run(store, evaluator, workers, client, max_points, batch_size, progress)


def _run(
    store: SweepStore,
    evaluator: Evaluator,
    workers: int,
    client: Any,
    max_points: int | None,
    batch_size: int | None,
    progress: bool,
) -> SweepRun:
    """Execute the pending points of an open store."""
    total = int(store.manifest["n_points"])
    design = store.design()
    names = list(store.manifest["parameters"])
    done = store.done_points()
    pending = pending_points(store, done, max_points)
    before = len(done)
    executor = Executor(workers, client)
    size = batch_size or auto_batch_size(len(pending), executor.slots)

    def point(index: int) -> dict[str, float]:
        return {name: design.at[index, name].item() for name in names}  # keeps int columns int

    work = list(batches(pending, point, size))
    start = time.perf_counter()
    run = 0
    with executor, _progress(total, before, progress and len(pending) > 0) as bar:
        task = bar.task_ids[0]
        shared = executor.share(evaluator) if work else evaluator
        for _, rows in executor.as_completed(evaluate_batch, [(shared, batch) for batch in work]):
            store.write_part(rows)
            points = len({row["point"] for row in rows})
            run += points
            elapsed = time.perf_counter() - start
            bar.update(task, advance=points, rate=f"{run / elapsed:.2f} points/s")
    return SweepRun(store.root, total, before, run, time.perf_counter() - start)


def report_line(spec: SweepSpec, result: SweepRun) -> str:
    """One line for the terminal after a run."""
    state = "complete" if result.complete else "incomplete; continue with --resume"
    return (
        f"sweep {spec.name}: {result.before + result.run}/{result.total} points stored in "
        f"{result.out} ({state}); ran {result.run} points in {result.seconds:.1f} s "
        f"({result.rate:.2f} points/s)"
    )
