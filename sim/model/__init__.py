"""One replication of the model: ``simulate(scenario, seed) -> RunResult``, with no I/O.

Engine, demand and replay, contact centre, dispatch, officers and rosters, follow-up work,
interventions and statistics. Imports only ``sim.config`` (and ``sim.errors``) from below.
"""

from sim.model.replication import RunResult, simulate

__all__ = ["RunResult", "simulate"]
