"""Run batches of design points in this process, a local process pool, or on a Dask cluster.

Every backend calls the same :func:`evaluate_batch`, and each point's seed depends only on the
sweep seed and the point's index, so where a batch runs never changes its rows.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any, Protocol

from sim.errors import PolicesimError
from sim.parent import ignore_interrupt_and_exit_with_parent
from sim.sweep.store import OVERLOADED

Batch = list[tuple[int, dict[str, float]]]
Row = dict[str, Any]


class Evaluator(Protocol):
    """A model a sweep can run: one output dict per replication for a design point.

    An output dict may carry ``overloaded: 1`` when the run stopped early on a runaway queue.

    Implementations must be picklable (module-level classes) to run in other processes.
    """

    @property
    def seed(self) -> int:
        """The sweep's root seed."""
        ...

    @property
    def replications(self) -> int:
        """Replications per design point."""
        ...

    @property
    def fingerprint(self) -> str:
        """What besides the sweep spec fixes the results (e.g. the resolved scenario's hash)."""
        ...

    def __call__(self, point: int, params: Mapping[str, float]) -> list[dict[str, float]]:
        """Evaluate one design point."""
        ...


def evaluate_batch(evaluator: Evaluator, batch: Batch) -> list[Row]:
    """Rows (point, replication, seed, parameters, outputs) for every point of a batch."""
    rows: list[Row] = []
    for point, params in batch:
        outputs = evaluator(point, params)
        if len(outputs) != evaluator.replications:
            raise PolicesimError(
                f"point {point}: the model returned {len(outputs)} replications, expected {evaluator.replications}"
            )
        for replication, values in enumerate(outputs):
            outputs_only = dict(values)
            overloaded = int(outputs_only.pop(OVERLOADED, 0))
            rows.append(
                {
                    "point": point,
                    "replication": replication,
                    "seed": evaluator.seed,
                    OVERLOADED: overloaded,
                    **params,
                    **outputs_only,
                }
            )
    return rows


def batches(points: Iterable[int], design: Callable[[int], dict[str, float]], size: int) -> Iterator[Batch]:
    """Group points into batches of ``size``, each point paired with its parameter values."""
    batch: Batch = []
    for point in points:
        batch.append((point, design(point)))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_inline(evaluator: Evaluator, work: Iterable[Batch]) -> Iterator[list[Row]]:
    """Evaluate batches one after another in this process."""
    for batch in work:
        yield evaluate_batch(evaluator, batch)


def run_pool(evaluator: Evaluator, work: Iterable[Batch], workers: int) -> Iterator[list[Row]]:
    """Evaluate batches on ``workers`` fresh processes, yielding each as soon as it finishes."""
    context = multiprocessing.get_context("spawn")  # no fork: the parent may run threads
    # Workers leave Ctrl-C to the parent, which stops the pool and keeps what is written.
    pool = context.Pool(workers, initializer=ignore_interrupt_and_exit_with_parent)
    try:
        yield from pool.imap_unordered(partial(evaluate_batch, evaluator), work)
        pool.close()
    finally:
        pool.terminate()  # on error, Ctrl-C or early exit: in-flight batches are dropped
        pool.join()


def _worker_version() -> str:
    """The policesim version a Dask worker has installed."""
    from sim import __version__

    return __version__


def check_workers(client: Any, version: str) -> None:
    """Refuse a cluster whose workers lack policesim or run another version of it."""
    try:
        found = client.run(_worker_version)
    except Exception as error:  # noqa: BLE001 - any failure here means the workers cannot run us
        raise PolicesimError(
            f"scheduler: workers cannot import policesim ({type(error).__name__}: {error}); "
            "install the same policesim on every worker"
        ) from None
    if not found:
        raise PolicesimError("scheduler: the cluster has no workers yet; start `dask worker` first")
    for worker, worker_version in sorted(found.items()):
        if worker_version != version:
            raise PolicesimError(f"scheduler: worker {worker} has policesim {worker_version}, this is {version}")


def run_dask(evaluator: Evaluator, work: Sequence[Batch], client: Any) -> Iterator[list[Row]]:
    """Evaluate batches on a Dask cluster, yielding each as soon as it finishes."""
    from distributed import as_completed

    from sim import __version__

    check_workers(client, __version__)
    remote = client.scatter(evaluator, broadcast=True)
    futures = [client.submit(evaluate_batch, remote, batch, pure=False) for batch in work]
    try:
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.cancel(futures)
