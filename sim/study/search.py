"""A monotone search for the largest volume that passes a test: doubling, then bisection.

:class:`Bracket` is the search as a state machine (ask :meth:`Bracket.next_volume`, run the test
however you like, :meth:`Bracket.record` the verdict), so a caller can run the trials of several
searches together, each a batch of replications on an executor. :func:`largest_feasible` drives
one search with a test function. The search takes the test as monotone in the volume (passing up
to some volume, failing beyond it); it only ever tries volumes on its own path, so its answer is
the bracket between the last volume that passed and the first that failed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Bracket:
    """Largest volume in [0, max_extra] that passes, to within ``resolution``.

    Tries 0 first (failing there ends the search: nothing is absorbable); then ``first_step``
    above the last pass, the step doubling after each pass, until a volume fails or
    ``max_extra`` passes (the answer is then censored at ``max_extra``); then bisects until the
    bracket is no wider than ``resolution``.
    """

    first_step: float
    max_extra: float
    resolution: float
    passing: float | None = None  # largest volume that passed
    failing: float | None = None  # smallest volume that failed
    tried: dict[float, bool] = field(default_factory=dict)  # every volume tried and its verdict
    _step: float = 0.0

    def __post_init__(self) -> None:
        if not (self.first_step > 0 and self.resolution > 0 and self.max_extra >= self.first_step):
            raise ValueError(
                f"need 0 < first_step <= max_extra and resolution > 0; got first_step={self.first_step!r}, "
                f"max_extra={self.max_extra!r}, resolution={self.resolution!r}"
            )
        self._step = self.first_step

    @property
    def censored(self) -> bool:
        """The largest volume searched passed: the answer is at least ``max_extra``."""
        return self.passing is not None and self.passing >= self.max_extra

    @property
    def done(self) -> bool:
        """Nothing left to try."""
        return self.next_volume() is None

    def next_volume(self) -> float | None:
        """The volume to test next, or None when the search is over."""
        if not self.tried:
            return 0.0
        if self.passing is None or self.censored:
            return None
        if self.failing is None:
            return min(self.passing + self._step, self.max_extra)
        if self.failing - self.passing > self.resolution:
            return 0.5 * (self.passing + self.failing)
        return None

    def record(self, volume: float, passed: bool) -> None:
        """The verdict at ``volume`` (which must be :meth:`next_volume`)."""
        expected = self.next_volume()
        if expected is None or volume != expected:
            raise ValueError(f"expected a verdict at {expected!r}, got one at {volume!r}")
        self.tried[volume] = passed
        if passed:
            if self.passing is not None and self.failing is None and volume > 0.0:
                self._step *= 2.0
            self.passing = volume
        else:
            self.failing = volume

    def trials_left(self) -> int:
        """At most how many more volumes the search will try (for a progress bar)."""
        if not self.tried:
            return 1 + self._doublings(0.0, self.first_step) + _halvings(self._largest_step(), self.resolution)
        if self.done:
            return 0
        assert self.passing is not None
        if self.failing is None:
            return self._doublings(self.passing, self._step) + _halvings(self._largest_step(), self.resolution)
        return _halvings(self.failing - self.passing, self.resolution)

    def _doublings(self, low: float, step: float) -> int:
        """Trials from ``low`` with a doubling ``step`` until ``max_extra`` is reached."""
        count = 0
        while low < self.max_extra:
            low, step, count = min(low + step, self.max_extra), 2.0 * step, count + 1
        return count

    def _largest_step(self) -> float:
        """The widest bracket a failing trial can leave: the step that reaches ``max_extra``."""
        low, step = self.passing or 0.0, self._step
        while low + step < self.max_extra:
            low, step = low + step, 2.0 * step
        return self.max_extra - low


def _halvings(width: float, resolution: float) -> int:
    """Bisections that take a bracket of ``width`` to ``resolution`` or less."""
    return max(0, math.ceil(math.log2(width / resolution))) if width > resolution else 0


@dataclass(frozen=True)
class SearchResult:
    """Outcome of one search: the bracket and what it cost (``passing`` None: failed at 0)."""

    passing: float | None
    failing: float | None
    evaluations: int
    censored: bool


def largest_feasible(
    feasible: Callable[[float], bool], *, first_step: float, max_extra: float, resolution: float
) -> SearchResult:
    """Run a :class:`Bracket` search with ``feasible`` as the test."""
    bracket = Bracket(first_step, max_extra, resolution)
    while (volume := bracket.next_volume()) is not None:
        bracket.record(volume, feasible(volume))
    return SearchResult(bracket.passing, bracket.failing, len(bracket.tried), bracket.censored)
