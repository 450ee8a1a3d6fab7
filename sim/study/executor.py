"""Where independent jobs run: in this process, on local worker processes, or on a Dask cluster.

Replications, paired experiments, capacity searches, national runs and sweeps all hand their jobs
to an :class:`Executor`. A job's result depends only on its arguments (its seed comes from its
replication or design-point index), so where it runs never changes the numbers; results come
back in job order (``map``) or as each finishes (``as_completed``), tagged with the job's index.

A job may tell how far it has got (:func:`day_reporter`, for ``simulate(progress=...)``): from a
worker the shares travel through a queue the pool hands its workers, read while the parent waits
for results, so ``map``'s progress moves inside long jobs too. Results never depend on it.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import queue as queues
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from itertools import count
from typing import Any

from sim.errors import PolicesimError
from sim.parent import exit_with_parent

Job = tuple[Any, ...]
Progress = Callable[[float], None]
OnShare = Callable[[int, float], None]
POLL_SECONDS = 0.25
_calls = count()  # tells one call's share reports from a late one of the call before

# Where a running job's shares go: set in each worker by the pool initializer, and in this
# process around a job run inline.
_reports: Any = None  # worker: the queue to the parent
_listening: Any = None  # worker: a shared flag, whether the parent reads the queue this call
_job: tuple[int, int] | None = None  # (call, job index) of the job running in this process
_inline: OnShare | None = None  # this process: where an inline job's shares go


def default_workers(jobs: int) -> int:
    """As many processes as there are cores, but no more than there are jobs."""
    return max(1, min(jobs, os.cpu_count() or 1))


def _init_worker(reports: Any, listening: Any) -> None:
    """Pool initializer: leave Ctrl-C to the parent (which stops the pool and keeps what is
    written), end with the parent, and keep the queue for share reports."""
    global _reports, _listening
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    _reports, _listening = reports, listening


def _exit_with_parent() -> None:
    """End this worker as soon as the process that started the pool dies (``kill -9``, a closed
    terminal). A fork server's worker is the server's child, and the server lives as long as its
    workers do, so the worker watches the pool's process itself: the pipe it keeps open to it."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        exit_with_parent()  # no pipe to watch: poll the parent pid instead
        return
    threading.Thread(target=_watch, args=(parent.sentinel,), name="exit-with-parent", daemon=True).start()


def _watch(sentinel: int) -> None:
    """Wait for the pipe from the parent to close (the parent died), then end this process."""
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _indexed(call: tuple[int, int, Callable[..., Any], Job]) -> tuple[int, Any]:
    """Run one job in a worker and tag its result with the job's index."""
    global _job
    number, index, function, job = call
    _job = (number, index)
    try:
        return index, function(*job)
    finally:
        _job = None


def day_reporter(horizon_days: float) -> Callable[[float], None] | None:
    """For a job's ``simulate(progress=...)``: reports the share of ``horizon_days`` simulated,
    or None when nobody listens (so the run carries no reporting at all)."""
    if _job is None:
        return None
    if _inline is not None:
        report, index = _inline, _job[1]
        return lambda day: report(index, day / horizon_days)
    if _reports is None or _listening is None or not _listening.value:
        return None
    reports, job = _reports, _job
    return lambda day: reports.put((*job, day / horizon_days))


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


def _start_pool(size: int) -> tuple[Any, Any, Any]:
    """A pool of ``size`` workers that leave Ctrl-C to the parent (none prints a traceback), with
    the queue and flag for their share reports.

    The fork server starts with Ctrl-C ignored, so it and every worker forked from it ignore it
    from birth. While the workers start, a Ctrl-C is noted rather than raised and raised once the
    pool exists, so the caller can end the pool instead of leaving workers half started.
    """
    context = _context()
    reports, listening = context.Queue(), context.Value("b", 0)
    if threading.current_thread() is not threading.main_thread():  # handlers belong to the main thread
        return context.Pool(size, initializer=_init_worker, initargs=(reports, listening)), reports, listening
    interrupted: list[int] = []
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        if context.get_start_method() == "forkserver":
            from multiprocessing import forkserver

            forkserver.ensure_running()  # inherits the ignored Ctrl-C
        signal.signal(signal.SIGINT, lambda number, frame: interrupted.append(number))
        pool = context.Pool(size, initializer=_init_worker, initargs=(reports, listening))
    finally:
        signal.signal(signal.SIGINT, previous)
    if interrupted:
        pool.terminate()
        pool.join()
        raise KeyboardInterrupt
    return pool, reports, listening


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
        self._reports: Any = None
        self._listening: Any = None
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
            self._drain(None, -1)  # a worker can only exit once its queue is read
            self._pool.join()
            self._forget()

    def _terminate(self) -> None:
        """End the local pool now, dropping jobs in flight."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._forget()

    def _forget(self) -> None:
        self._reports.close()
        self._pool, self._pool_size, self._reports, self._listening = None, 0, None, None

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

    def as_completed(
        self, function: Callable[..., Any], jobs: Sequence[Job], on_share: OnShare | None = None
    ) -> Iterator[tuple[int, Any]]:
        """``(index, function(*jobs[index]))`` for every job, as each finishes.

        ``on_share(index, share)`` hears how far a running job has got, if it reports
        (:func:`day_reporter`); not from a Dask cluster.
        """
        if self.client is not None:
            yield from self._dask(function, jobs)
        elif self.workers <= 1 or len(jobs) <= 1:
            yield from self._here(function, jobs, on_share)
        else:
            yield from self._local(function, jobs, on_share)

    @staticmethod
    def _here(function: Callable[..., Any], jobs: Sequence[Job], on_share: OnShare | None) -> Iterator[tuple[int, Any]]:
        """Every job in this process, one after another."""
        global _job, _inline
        number = next(_calls)
        for index, job in enumerate(jobs):
            _job, _inline = (number, index), on_share
            try:
                result = function(*job)
            finally:
                _job, _inline = None, None
            yield index, result

    def _local(
        self, function: Callable[..., Any], jobs: Sequence[Job], on_share: OnShare | None
    ) -> Iterator[tuple[int, Any]]:
        size = min(self.workers, len(jobs))
        if self._pool is not None and self._pool_size < size:
            self.close()
        finished = False
        try:
            if self._pool is None:
                self._pool, self._reports, self._listening = _start_pool(size)
                self._pool_size = size
            number = next(_calls)
            self._listening.value = int(on_share is not None)
            results = self._pool.imap_unordered(_indexed, [(number, i, function, job) for i, job in enumerate(jobs)])
            for _ in jobs:
                while True:
                    try:
                        item = results.next(timeout=POLL_SECONDS)
                        break
                    except multiprocessing.TimeoutError:
                        self._drain(on_share, number)
                self._drain(on_share, number)
                yield item
            finished = True
        finally:
            if not finished:
                self._terminate()

    def _drain(self, on_share: OnShare | None, number: int) -> None:
        """Read every share report the workers have sent; pass on this call's."""
        while True:
            try:
                call, index, share = self._reports.get_nowait()
            except (queues.Empty, OSError, EOFError, ValueError):
                return
            if on_share is not None and call == number:
                on_share(index, share)

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
        """``function(*job)`` for every job, in job order.

        ``progress(done)`` hears the jobs done, a fraction included for those running that
        report how far they have got (so one long job still moves a progress bar).
        """
        tally = _Tally(progress)
        results: dict[int, Any] = {}
        for index, result in self.as_completed(function, jobs, tally.part if progress else None):
            results[index] = result
            tally.done(index)
        return [results[index] for index in range(len(jobs))]


class _Tally:
    """Jobs done plus the share done of those running, told to ``progress``."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.finished: set[int] = set()
        self.running: dict[int, float] = {}

    def part(self, index: int, share: float) -> None:
        if index not in self.finished:
            self.running[index] = min(max(share, 0.0), 1.0)
            self._tell()

    def done(self, index: int) -> None:
        self.running.pop(index, None)
        self.finished.add(index)
        self._tell()

    def _tell(self) -> None:
        if self.progress is not None:
            self.progress(len(self.finished) + sum(self.running.values()))


def local(executor: Executor | None, workers: int | None, jobs: int) -> AbstractContextManager[Executor]:
    """The caller's executor as it is, or a local one for ``jobs`` jobs, closed after use.

    ``workers`` None means one per core (at most one per job).
    """
    if executor is not None:
        return nullcontext(executor)
    return Executor(default_workers(jobs) if workers is None else max(1, workers))
