"""Where independent jobs run: in this process, on local worker processes, or on a Dask cluster.

Replications, paired experiments, capacity searches, national runs and sweeps all hand their jobs
to an :class:`Executor`. A job's result depends only on its arguments (its seed comes from its
replication or design-point index), so where it runs never changes the numbers; results come
back in job order (``map``) or as each finishes (``as_completed``), tagged with the job's index.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from sim.errors import PolicesimError

Job = tuple[Any, ...]
Progress = Callable[[int], None]


def default_workers(jobs: int) -> int:
    """As many processes as there are cores, but no more than there are jobs."""
    return max(1, min(jobs, os.cpu_count() or 1))


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which stops the pool and keeps what is written."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _indexed(call: tuple[int, Callable[..., Any], Job]) -> tuple[int, Any]:
    """Run one job in a worker and tag its result with the job's index."""
    index, function, job = call
    return index, function(*job)


def _context() -> multiprocessing.context.BaseContext:
    """Fresh worker processes, never a fork of a parent that may be running threads.

    A fork server (where the platform has one) imports the model once and forks each worker
    from it, so a pool starts fast; elsewhere workers are spawned.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.model.replication"])
    return context


def _start_pool(size: int) -> Any:
    """A pool of ``size`` workers that leave Ctrl-C to the parent: none prints a traceback.

    The fork server starts with Ctrl-C ignored, so it and every worker forked from it ignore it
    from birth. While the workers start, a Ctrl-C is noted rather than raised and raised once the
    pool exists, so the caller can end the pool instead of leaving workers half started.
    """
    context = _context()
    if threading.current_thread() is not threading.main_thread():  # handlers belong to the main thread
        return context.Pool(size, initializer=_ignore_sigint)
    interrupted: list[int] = []
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        if context.get_start_method() == "forkserver":
            from multiprocessing import forkserver

            forkserver.ensure_running()  # inherits the ignored Ctrl-C
        signal.signal(signal.SIGINT, lambda number, frame: interrupted.append(number))
        pool = context.Pool(size, initializer=_ignore_sigint)
    finally:
        signal.signal(signal.SIGINT, previous)
    if interrupted:
        pool.terminate()
        pool.join()
        raise KeyboardInterrupt
    return pool


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


class Executor:
    """Runs ``function(*job)`` for a list of jobs: inline (1 worker), on a pool, or on Dask.

    A local pool starts when a call first has more than one job to share, lives until
    :meth:`close` (so batch after batch reuses it), and is ended at once if a call is left early
    (an error, Ctrl-C): jobs in flight are dropped, results already handed back are kept.
    """

    def __init__(self, workers: int = 1, client: Any = None) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.client = client
        self._pool: Any = None
        self._pool_size = 0
        self._checked = False

    @property
    def slots(self) -> int:
        """How many jobs can run at once: the cluster's threads, or the local workers."""
        if self.client is not None:
            return int(sum(self.client.nthreads().values()))
        return self.workers

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, error_type: object, *rest: object) -> None:
        if error_type is None:
            self.close()
        else:
            self._terminate()  # an error or Ctrl-C: do not wait for jobs nobody will read

    def close(self) -> None:
        """Stop the local pool, if one was started (a Dask client is the caller's to close)."""
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool, self._pool_size = None, 0

    def _terminate(self) -> None:
        """End the local pool now, dropping jobs in flight."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool, self._pool_size = None, 0

    def share(self, value: Any) -> Any:
        """``value`` for use in many jobs: sent once to every Dask worker, else as it is."""
        if self.client is None:
            return value
        self._check()
        return self.client.scatter(value, broadcast=True)

    def _check(self) -> None:
        if not self._checked:
            from sim import __version__

            check_workers(self.client, __version__)
            self._checked = True

    def as_completed(self, function: Callable[..., Any], jobs: Sequence[Job]) -> Iterator[tuple[int, Any]]:
        """``(index, function(*jobs[index]))`` for every job, as each finishes."""
        if self.client is not None:
            yield from self._dask(function, jobs)
        elif self.workers <= 1 or len(jobs) <= 1:
            for index, job in enumerate(jobs):
                yield index, function(*job)
        else:
            yield from self._local(function, jobs)

    def _local(self, function: Callable[..., Any], jobs: Sequence[Job]) -> Iterator[tuple[int, Any]]:
        size = min(self.workers, len(jobs))
        if self._pool is not None and self._pool_size < size:
            self.close()
        finished = False
        try:
            if self._pool is None:
                self._pool, self._pool_size = _start_pool(size), size
            calls = [(index, function, job) for index, job in enumerate(jobs)]
            yield from self._pool.imap_unordered(_indexed, calls)
            finished = True
        finally:
            if not finished:
                self._terminate()

    def _dask(self, function: Callable[..., Any], jobs: Sequence[Job]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed

        self._check()
        futures = {self.client.submit(function, *job, pure=False): index for index, job in enumerate(jobs)}
        try:
            for future in as_completed(list(futures)):
                yield futures[future], future.result()
        finally:
            self.client.cancel(list(futures))

    def map(self, function: Callable[..., Any], jobs: Sequence[Job], progress: Progress | None = None) -> list[Any]:
        """``function(*job)`` for every job, in job order; ``progress(done)`` after each."""
        results: dict[int, Any] = {}
        for index, result in self.as_completed(function, jobs):
            results[index] = result
            if progress:
                progress(len(results))
        return [results[index] for index in range(len(jobs))]


def local(executor: Executor | None, workers: int | None, jobs: int) -> AbstractContextManager[Executor]:
    """The caller's executor as it is, or a local one for ``jobs`` jobs, closed after use.

    ``workers`` None means one per core (at most one per job).
    """
    if executor is not None:
        return nullcontext(executor)
    return Executor(default_workers(jobs) if workers is None else max(1, workers))
