"""A sweep's unit of work: a batch of design points, evaluated into rows by :func:`evaluate_batch`.

Batches run on :class:`sim.study.executor.Executor` (this process, local processes or a Dask
cluster); each point's seed depends only on the sweep seed and the point's index, so where a
batch runs never changes its rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol

from sim.errors import PolicesimError
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
