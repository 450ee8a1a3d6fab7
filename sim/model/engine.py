"""The simulation clock: a SimPy environment that also runs plain scheduled callbacks, cheaply.

Components schedule work with ``after(delay, callback, *args)``. That puts the entry
``(time, priority, sequence, None, callback, args)`` in SimPy's own event queue, keyed exactly as
SimPy keys a timeout (time, priority, insertion sequence; the sequence is unique, so the rest is
never compared), so callbacks and SimPy events interleave in SimPy's order. SimPy's own entries hold
an event where ours hold ``None``. The run loop calls a callback entry directly and hands every
other entry (timeouts, processes, events) to SimPy's own ``step``. A callback thus costs one tuple
and one heap entry, where a timeout costs an event object, a callback list and a generator
resumption: most of the model's events are callbacks, and this is where a large part of its run
time went.

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
from simpy.core import StopSimulation
from simpy.events import NORMAL, URGENT, Event

# Garbage-collector thresholds during a run (generation 0 allocations, then collections of the
# younger generation between older ones): far rarer than Python's (700, 10, 10), see below.
RUN_GC_THRESHOLD = (50_000, 20, 20)


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
        self._simpy_events = 0  # SimPy's own events scheduled so far (``schedule``)

    @property
    def events(self) -> int:
        """Callbacks scheduled so far. SimPy numbers every entry of its queue from one counter; the
        callbacks are those numbers less SimPy's own events, so scheduling one costs no count of its own."""
        numbered = int(repr(self._eid).removeprefix("count(").removesuffix(")"))  # the next number, unused
        return numbered - self._simpy_events

    def schedule(self, event: Event, priority: int = NORMAL, delay: float = 0) -> None:
        """SimPy's ``schedule`` (every SimPy event goes through it), counted apart from the callbacks."""
        self._simpy_events += 1
        super().schedule(event, priority, delay)  # type: ignore[arg-type]

    @property
    def env(self) -> simpy.Environment:
        """The SimPy environment: the clock itself."""
        return self

    def after(self, delay: float, callback: Callable[..., Any], *args: Any) -> None:
        """Call ``callback(*args)`` ``delay`` minutes from now (ordered as a SimPy timeout)."""
        if delay < 0.0:
            raise ValueError(f"negative delay {delay}")
        queue: list[Any] = self._queue  # SimPy's heap: an entry holds an event, or None and a callback
        heappush(queue, (self._now + delay, NORMAL, next(self._eid), None, callback, args))

    def at(self, time: float, callback: Callable[..., Any], *args: Any) -> None:
        """Call ``callback(*args)`` at minute ``time`` (ordered as a SimPy timeout scheduled now).

        For times worked out ahead of the clock (the contact centre's): the entry holds ``time``
        itself, where ``after`` would hold ``now + (time - now)``, which can differ in the last bit.
        """
        self._at(time, NORMAL, callback, args)

    def first_at(self, time: float, callback: Callable[..., Any], *args: Any) -> None:
        """Call ``callback(*args)`` at minute ``time``, before every other callback due then
        (SimPy's urgent priority): for work that must be done before anything else reads it."""
        self._at(time, URGENT, callback, args)

    def _at(self, time: float, priority: int, callback: Callable[..., Any], args: tuple[Any, ...]) -> None:
        if time < self._now:
            raise ValueError(f"time {time} is before now ({self._now})")
        queue: list[Any] = self._queue
        heappush(queue, (time, priority, next(self._eid), None, callback, args))

    def step(self) -> None:
        """Process the next entry: call a scheduled callback, or let SimPy process its event."""
        queue: list[Any] = self._queue
        if queue and queue[0][3] is None:
            self._now, _, _, _, callback, args = heappop(queue)
            callback(*args)
            return
        super().step()

    def run(self, until: float | Event | None = None) -> Any:
        """SimPy's ``run`` (same ``until`` rules and result), stepping in one loop rather than a
        ``step`` call per entry: callbacks are called right here, SimPy's events go to its ``step``."""
        if until is not None:
            if not isinstance(until, Event):
                at = until if isinstance(until, int) else float(until)
                if at <= self._now:
                    raise ValueError(f"until ({at}) must be greater than the current simulation time")
                until = Event(self)
                until._ok = True
                until._value = None
                self.schedule(until, URGENT, at - self._now)
            elif until.processed:
                return until.value
            until.callbacks.append(StopSimulation.callback)
        queue: list[Any] = self._queue
        simpy_step = super().step
        try:
            while queue:
                if queue[0][3] is None:
                    self._now, _, _, _, callback, args = heappop(queue)
                    callback(*args)
                else:
                    simpy_step()
        except StopSimulation as stop:
            return stop.args[0]
        if until is not None:
            raise RuntimeError(f'No scheduled events left but "until" event was not triggered: {until}')
        return None


@contextmanager
def long_lived_objects_set_aside() -> Iterator[None]:
    """Keep the garbage collector's full scans off the objects that existed before the run.

    A full scan visits every tracked object in the process (the scenario, numpy, pandas, pydantic
    and the rest); during a run all of those are long-lived, and the scans that the run's
    allocations trigger cost about 5% of a force-year. ``gc.freeze`` sets them aside for the run
    and ``gc.unfreeze`` returns them. The run's own long-lived lists (drawn blocks, queues) would
    still be scanned at every older-generation collection, and the run makes no reference cycles
    as it goes (its garbage is freed by reference counting), so collections are also made rarer
    for the run (``RUN_GC_THRESHOLD``) and the thresholds restored after. This changes when memory
    is reclaimed, never what the model computes. A process that has frozen objects of its own is
    left as it is.
    """
    if gc.get_freeze_count():
        yield
        return
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*RUN_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
