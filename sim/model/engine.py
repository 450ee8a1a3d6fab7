"""The simulation clock: a SimPy environment that also runs plain scheduled callbacks, cheaply.

Components schedule work with ``after(delay, callback, *args)``. That puts the pair
``(callback, args)`` in SimPy's own event queue, keyed exactly as SimPy keys a timeout (time,
priority, insertion sequence), so callbacks and SimPy events interleave in SimPy's order. When such
an entry comes up, ``step`` calls it directly; every other entry (timeouts, processes, events) is
handed to SimPy's own ``step``. A callback thus costs one tuple and one heap entry, where a timeout
costs an event object, a callback list and a generator resumption: most of the model's events are
callbacks, and this is where a large part of its run time went.

This reads three attributes SimPy keeps for itself (``_queue``, ``_now``, ``_eid``: the heap, the
clock and the sequence counter, which its ``schedule``, ``step`` and ``now`` use in exactly this way).
``tests/test_engine.py`` checks the ordering against plain SimPy timeouts, so a SimPy release
that changed them would fail there first.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from heapq import heappop, heappush
from operator import attrgetter
from typing import Any

import simpy
from simpy.events import NORMAL


class Clock(simpy.Environment):
    """A SimPy environment that schedules plain callbacks and counts them.

    ``now`` is the environment's own clock (minutes); ``env`` is the clock itself, for code that
    starts SimPy processes or events on it.
    """

    # SimPy's ``now`` is a Python property; reading the same attribute through a C getter makes
    # the model's most frequent call (several per event) about as cheap as an attribute.
    now = property(attrgetter("_now"), doc="The current simulation time (minutes).")

    def __init__(self) -> None:
        super().__init__()
        self.events = 0

    @property
    def env(self) -> simpy.Environment:
        """The SimPy environment: the clock itself."""
        return self

    def after(self, delay: float, callback: Callable[..., Any], *args: Any) -> None:
        """Call ``callback(*args)`` ``delay`` minutes from now (ordered as a SimPy timeout)."""
        if delay < 0.0:
            raise ValueError(f"negative delay {delay}")
        self.events += 1
        queue: list[Any] = self._queue  # SimPy's heap; an entry holds an event or a (callback, args) pair
        heappush(queue, (self._now + delay, NORMAL, next(self._eid), (callback, args)))

    def step(self) -> None:
        """Process the next entry: call a scheduled callback, or let SimPy process its event."""
        queue: list[Any] = self._queue
        if queue and type(queue[0][3]) is tuple:
            self._now, _, _, (callback, args) = heappop(queue)
            callback(*args)
            return
        super().step()


@contextmanager
def long_lived_objects_set_aside() -> Iterator[None]:
    """Keep the garbage collector's full scans off the objects that existed before the run.

    A full scan visits every tracked object in the process (the scenario, numpy, pandas, pydantic
    and the rest); during a run all of those are long-lived, and the scans that the run's
    allocations trigger cost about 5% of a force-year. ``gc.freeze`` sets them aside for the run
    and ``gc.unfreeze`` returns them. This changes when memory is reclaimed, never what the model
    computes. A process that has frozen objects of its own is left as it is.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
