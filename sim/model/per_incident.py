"""Draws indexed by incident number, so a mechanism's randomness never depends on event order.

A mechanism that decides something when an incident is already in progress (an arrest, a section
136 detention, a scene guard) reads the incident's own draw from its own named stream: the
stream is drawn in fixed chunks in incident-number order, so the value for incident ``n`` is the
same whenever (and whether) it is asked for. Two scenarios run with one seed therefore share these
draws (common random numbers), and no other stream moves.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

CHUNK = 4096


class PerIncident:
    """The ``n``-th value of a named stream, drawn ``CHUNK`` at a time by ``sample(rng, n)``."""

    __slots__ = ("rng", "sample", "values")

    def __init__(self, rng: np.random.Generator, sample: Callable[[np.random.Generator, int], np.ndarray]) -> None:
        self.rng = rng
        self.sample = sample
        self.values: list[float] = []

    def __getitem__(self, number: int) -> float:
        values = self.values
        while number >= len(values):
            values.extend(self.sample(self.rng, CHUNK).tolist())
        return values[number]


def uniforms(rng: np.random.Generator) -> PerIncident:
    """Uniforms on [0, 1), one per incident number."""
    return PerIncident(rng, lambda generator, n: generator.random(n))
