"""Named random streams: one numpy generator per source of randomness, all from one seed.

A replication's ``SeedSequence`` is ``SeedSequence(seed, spawn_key=key + (replication,))``. Each
stream is keyed by a stable hash of its name, so adding a stream (or an incident type) never
changes the draws of any other: two scenarios run with the same seed see the same incidents at
the same times (common random numbers).
"""

from __future__ import annotations

import hashlib

import numpy as np


def replication_seed(seed: int, replication: int, key: tuple[int, ...] = ()) -> np.random.SeedSequence:
    """The seed sequence of one replication; sweeps pass ``key=(point_index,)``."""
    if seed < 0 or replication < 0:
        raise ValueError("seed and replication must be non-negative integers")
    return np.random.SeedSequence(seed, spawn_key=(*key, replication))


def stream_key(name: str) -> int:
    """A stable 64-bit integer for a stream name (the same on every machine and Python)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


class Streams:
    """Hands out one generator per name, derived from the replication's seed sequence."""

    def __init__(self, seed_sequence: np.random.SeedSequence | int) -> None:
        if isinstance(seed_sequence, int):
            seed_sequence = replication_seed(seed_sequence, 0)
        self._root = seed_sequence
        self._generators: dict[str, np.random.Generator] = {}

    @property
    def root(self) -> np.random.SeedSequence:
        """The replication's seed sequence (recorded in results)."""
        return self._root

    def get(self, name: str) -> np.random.Generator:
        """The generator of stream ``name``; the same object on every call in one replication."""
        generator = self._generators.get(name)
        if generator is None:
            sequence = np.random.SeedSequence(self._root.entropy, spawn_key=(*self._root.spawn_key, stream_key(name)))
            generator = np.random.Generator(np.random.PCG64(sequence))
            self._generators[name] = generator
        return generator

    def indexed(self, name: str, index: int) -> np.random.Generator:
        """A fresh generator for part ``index`` of stream ``name`` (e.g. one block of call numbers).

        Draws addressed by index rather than by order: an incident's draws do not depend on which
        other incidents asked first, so two scenarios with one seed share them.
        """
        key = (*self._root.spawn_key, stream_key(name), index)
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(self._root.entropy, spawn_key=key)))
