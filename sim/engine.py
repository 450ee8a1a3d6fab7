"""The simulation clock: a SimPy environment with cheap callback scheduling and an event count.

Components schedule work with ``after(delay, callback, *args)``: one small object goes into
SimPy's event queue (through its public ``Environment.schedule``, exactly as a timeout would)
and calls the function when its time comes. This keeps one Python object per event instead of a
generator per entity, and skips the timeout, closure and list SimPy would build for each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy
from simpy.events import NORMAL


def _fire(call: _Call) -> None:
    """SimPy's event loop calls this when a scheduled call falls due."""
    call.function(*call.args)


class _Call:
    """A scheduled callback, carrying only what SimPy's event loop reads (callbacks, _ok)."""

    __slots__ = ("callbacks", "_ok", "_value", "function", "args")

    def __init__(self, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.callbacks: list[Callable[[_Call], None]] | None = [_fire]
        self._ok = True
        self._value = None
        self.function = function
        self.args = args


class Clock(simpy.Environment):
    """A SimPy environment that schedules plain callbacks and counts them.

    ``now`` is the environment's own clock (minutes); ``env`` is the clock itself, for code that
    starts SimPy processes or events on it.
    """

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
        self.schedule(_Call(callback, args), NORMAL, delay)  # type: ignore[arg-type]
