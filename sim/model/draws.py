"""Draws addressed by call number: the same incident gets the same draw in every scenario of one seed.

Numbers are grouped in blocks of ``BLOCK``; each block has its own generator from a named stream
(``Streams.indexed``), so a draw never depends on the order in which incidents ask, nor on how
many others asked (common random numbers across scenarios with different officers or rules).
A block is kept as one flat numpy array (row after row) and read a value at a time: far fewer
of its values are read than a block holds, so turning it into Python floats would cost more.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.model.streams import Streams

BLOCK = 4096
CACHED_BLOCKS = 8


class ByNumber:
    """``columns`` draws per call number from stream ``name``, made by ``sample(rng, n)``."""

    def __init__(
        self,
        streams: Streams,
        name: str,
        sample: Callable[[np.random.Generator, int], np.ndarray],
        columns: int = 1,
    ) -> None:
        self.streams = streams
        self.name = name
        self.sample = sample
        self.columns = columns
        self.blocks: dict[int, np.ndarray] = {}

    def draw(self, number: int, column: int = 0) -> float:
        """Draw ``column`` of call ``number``."""
        block, offset = divmod(number, BLOCK)
        values = self.blocks.get(block)
        if values is None:
            values = self._make(block)
        return values.item(offset * self.columns + column)  # a Python float

    def _make(self, block: int) -> np.ndarray:
        if len(self.blocks) >= CACHED_BLOCKS:
            del self.blocks[min(self.blocks)]
        values = np.asarray(self.sample(self.streams.indexed(self.name, block), BLOCK * self.columns), dtype=float)
        self.blocks[block] = flat = values.ravel()
        return flat


def uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` uniforms on [0, 1)."""
    return rng.random(n)
