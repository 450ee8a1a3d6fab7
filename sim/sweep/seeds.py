"""Seeds of a sweep: each design point and replication gets its own stream from the sweep seed."""

from __future__ import annotations

from numpy.random import SeedSequence

from sim.model.streams import replication_seed


def point_seed(seed: int, point: int, replication: int) -> SeedSequence:
    """The seed of one replication of one design point; independent of where or when it runs."""
    return replication_seed(seed, replication, key=(point,))
