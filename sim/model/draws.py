"""Draws addressed by call number: the same incident gets the same draw in every scenario of one seed.

Numbers are grouped in blocks of ``BLOCK``; each block has its own generator from a named stream
(``Streams.indexed``), so a draw never depends on the order in which incidents ask, nor on how
many others asked (common random numbers across scenarios with different officers or rules).
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
        self.blocks: dict[int, list[list[float]]] = {}

    def row(self, number: int) -> list[float]:
        """All draws of call ``number``."""
        block, offset = divmod(number, BLOCK)
        rows = self.blocks.get(block)
        if rows is None:
            if len(self.blocks) >= CACHED_BLOCKS:
                del self.blocks[min(self.blocks)]
            values = self.sample(self.streams.indexed(self.name, block), BLOCK * self.columns)
            rows = np.asarray(values, dtype=float).reshape(BLOCK, self.columns).tolist()
            self.blocks[block] = rows
        return rows[offset]

    def one(self, number: int) -> float:
        """The first draw of call ``number``."""
        rows = self.blocks.get(number // BLOCK)  # row's lookup, inlined for a block already drawn
        return rows[number % BLOCK][0] if rows is not None else self.row(number)[0]


def uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` uniforms on [0, 1)."""
    return rng.random(n)
