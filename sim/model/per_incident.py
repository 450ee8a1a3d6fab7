"""Draws indexed by incident number, so a mechanism's randomness never depends on event order.

A mechanism that decides something while an incident is in progress (an arrest, a section 136
detention, a scene guard) reads the incident's own value of a named stream: value ``n`` lies in
chunk ``n // CHUNK``, drawn from its own generator, the child ``chunk`` of the stream's seed
sequence (``sim.model.streams``). The value for incident ``n`` is therefore the same whenever
(and whether) it is asked for, two scenarios run with one seed share it (common random
numbers), and no other stream moves. Only the latest ``KEEP`` chunks are held; an older one is
drawn again, identically, if it is asked for.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.model.streams import Streams, stream_key

SHIFT = 12
CHUNK = 1 << SHIFT
MASK = CHUNK - 1
KEEP = 16


class PerIncident:
    """Value ``n`` of stream ``name``, drawn ``CHUNK`` at a time by ``sample(rng, size)``."""

    __slots__ = ("entropy", "key", "sample", "chunks")

    def __init__(self, streams: Streams, name: str, sample: Callable[[np.random.Generator, int], np.ndarray]) -> None:
        root = streams.root
        self.entropy = root.entropy
        self.key = (*root.spawn_key, stream_key(name))
        self.sample = sample
        # Arrays, read one value at a time: far fewer values are read than drawn (call numbers
        # count the calls that need no police too), so converting whole chunks to lists costs more.
        self.chunks: dict[int, np.ndarray] = {}

    def __getitem__(self, number: int) -> float:
        chunk = self.chunks.get(number >> SHIFT)
        if chunk is None:
            chunk = self._draw(number >> SHIFT)
        return chunk.item(number & MASK)  # a Python float

    def _draw(self, index: int) -> np.ndarray:
        sequence = np.random.SeedSequence(self.entropy, spawn_key=(*self.key, index))
        values = np.asarray(self.sample(np.random.Generator(np.random.PCG64(sequence)), CHUNK))
        if len(self.chunks) >= KEEP:
            del self.chunks[min(self.chunks)]
        self.chunks[index] = values
        return values


def uniforms(streams: Streams, name: str) -> PerIncident:
    """Uniforms on [0, 1), one per incident number."""
    return PerIncident(streams, name, lambda generator, n: generator.random(n))
