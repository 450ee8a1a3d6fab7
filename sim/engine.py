"""The simulation clock: a SimPy environment with cheap callback scheduling and an event count.

Components schedule work with ``after(delay, callback, *args)``: a SimPy timeout whose callback
runs the function. This keeps one Python object per event instead of a generator per entity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy


class Clock:
    """Wraps a SimPy environment; counts every event it schedules."""

    def __init__(self) -> None:
        self.env = simpy.Environment()
        self.events = 0

    @property
    def now(self) -> float:
        """Current simulation time in minutes."""
        return self.env.now

    def after(self, delay: float, callback: Callable[..., Any], *args: Any) -> None:
        """Call ``callback(*args)`` ``delay`` minutes from now."""
        self.events += 1
        timeout = self.env.timeout(delay)
        timeout.callbacks.append(lambda _event: callback(*args))

    def process(self, generator: Any) -> simpy.Process:
        """Start a SimPy process (used for the arrival and roster loops)."""
        return self.env.process(generator)
