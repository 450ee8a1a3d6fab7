"""Progress inside replications: the simulated days of each running replication, summed.

``simulate(..., progress=report)`` calls ``report(day)`` once a simulated day. A
:class:`Tracker` turns those reports, from this process or from pool workers, into one number
for a progress bar: replications finished plus the finished share of those running. Workers send
their reports through a queue that :func:`process_pool` hands them; the parent reads it while it
waits for results (:func:`completed`), so no extra thread is needed. Results never depend on it.
"""

from __future__ import annotations

import multiprocessing
import queue as queues
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from sim.parent import exit_with_parent

Progress = Callable[[float], None]
POLL_SECONDS = 0.25

_worker_queue: Any = None  # set in each worker by the pool's initializer


class Tracker:
    """Replications done (whole ones plus the share of running ones), passed to ``progress``."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.finished: set[Hashable] = set()
        self.running: dict[Hashable, float] = {}
        self.queue: Any = None

    def part(self, job: Hashable, share: float) -> None:
        """A running job has done ``share`` (0 to 1) of its simulated time."""
        if job not in self.finished:
            self.running[job] = min(max(share, 0.0), 1.0)
            self._tell()

    def done(self, job: Hashable) -> None:
        """A job finished."""
        self.running.pop(job, None)
        self.finished.add(job)
        self._tell()

    def in_process(self, job: Hashable, horizon_days: float) -> Progress | None:
        """The day reporter for a job run in this process (None without a progress callback)."""
        if self.progress is None:
            return None
        return lambda day: self.part(job, day / horizon_days)

    def drain(self) -> None:
        """Take every report the workers have sent so far."""
        if self.queue is None:
            return
        while True:
            try:
                job, share = self.queue.get_nowait()
            except (queues.Empty, OSError, EOFError):
                return
            self.part(job, share)

    def close(self) -> None:
        """Close the workers' queue (after the pool has ended)."""
        if self.queue is not None:
            self.queue.close()
            self.queue = None

    def _tell(self) -> None:
        if self.progress is not None:
            self.progress(len(self.finished) + sum(self.running.values()))


def _init_worker(report_queue: Any) -> None:
    """Pool initializer: end with the parent, and keep the queue for day reports."""
    global _worker_queue
    exit_with_parent()
    _worker_queue = report_queue


def in_worker(job: Hashable, horizon_days: float) -> Progress | None:
    """The day reporter for a job in a pool worker (None when the parent asked for no progress)."""
    report_queue = _worker_queue
    if report_queue is None:
        return None
    return lambda day: report_queue.put((job, day / horizon_days))


def process_pool(workers: int, tracker: Tracker) -> ProcessPoolExecutor:
    """A pool whose workers end with the parent and report days to ``tracker`` (if it has progress)."""
    context = multiprocessing.get_context()
    if tracker.progress is not None:
        tracker.queue = context.Queue()
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(tracker.queue,))


def completed(futures: Iterable[Future], tracker: Tracker) -> Iterator[Future]:
    """Futures as they finish (as ``as_completed``), reading the workers' day reports meanwhile."""
    pending = set(futures)
    while pending:
        finished, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        tracker.drain()
        yield from finished
