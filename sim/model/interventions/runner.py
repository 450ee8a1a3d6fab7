"""The interventions of one replication, driven through their contract in registry order.

Each week's call table is rewritten before its calls reach the clock (``apply``), so two
scenarios run with one seed see the same incidents and differ only where an intervention acts;
each graded incident passes the responders on its way to dispatch (``respond``, called by the
model in one place); the tallies become metrics (``metrics``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.schema import Scenario
from sim.model.dispatch import Dispatcher
from sim.model.geography import Map
from sim.model.incident import CallBlock, Incident
from sim.model.interventions.contract import Context, Intervention, Response
from sim.model.interventions.registry import REGISTRY
from sim.model.stats import Stats
from sim.model.streams import Streams


@dataclass
class CallTable:
    """A block of calls with each intervention's uniforms alongside it, a row per call."""

    block: CallBlock
    uniforms: dict[str, np.ndarray]

    def select(self, mask: np.ndarray) -> CallTable:
        """The rows where ``mask`` holds."""
        return CallTable(self.block.select(mask), {key: values[mask] for key, values in self.uniforms.items()})

    def merge(self, other: CallTable) -> CallTable:
        """Both tables as one sorted by time (stable: ties keep this table's calls first)."""
        order = np.argsort(np.concatenate([self.block.time, other.block.time]), kind="stable")  # as concatenate's
        uniforms = {key: np.concatenate([self.uniforms[key], other.uniforms[key]])[order] for key in self.uniforms}
        return CallTable(CallBlock.concatenate([self.block, other.block]), uniforms)


class Interventions:
    """The enabled interventions of a scenario, each built from its registry entry."""

    def __init__(
        self, scenario: Scenario, streams: Streams, stats: Stats, geo: Map | None, dispatcher: Dispatcher
    ) -> None:
        context = Context(scenario, streams, stats, geo, dispatcher)
        config = scenario.interventions
        enabled = set(config.active())
        if enabled - REGISTRY.keys():
            raise ValueError(f"interventions {sorted(enabled - REGISTRY.keys())} have settings but no model registered")
        self.streams = streams
        self.active: list[Intervention] = [
            intervention(name, config.section(name), context)
            for name, intervention in REGISTRY.items()
            if name in enabled
        ]
        self.responders = [intervention for intervention in self.active if intervention.responds]

    def apply(self, block: CallBlock, week: int | None, first_number: int) -> CallBlock:
        """The week's calls (``week`` None: a replayed log) with every enabled intervention applied.

        ``first_number`` is the call number the model gives the first row of the returned block
        (row ``i`` gets ``first_number + i``): responders note incidents by these numbers."""
        if not self.active:
            return block
        table = CallTable(block, self._uniforms(len(block), ""))
        for intervention in self.active:
            added = intervention.add_calls(week) if week is not None else None
            if added is not None:
                calls, keep = added
                extra = CallTable(calls, self._uniforms(len(calls), f"{intervention.name}."))
                table = table.merge(extra.select(keep))
        for intervention in self.active:
            remain = intervention.rewrite(table.block, table.uniforms[intervention.name])
            if remain is not None and not remain.all():
                table = table.select(remain)
        numbers = first_number + np.arange(len(table.block))
        for intervention in self.responders:
            intervention.plan(table.block, table.uniforms[intervention.name], numbers)
        return table.block

    def respond(self, incident: Incident, now: float) -> bool:
        """Whether a remote response attended ``incident`` on its way to dispatch (no officer goes)."""
        for intervention in self.responders:
            response = intervention.respond(incident, now)
            if response is not Response.PASS:
                return response is Response.ATTENDED
        return False

    def metrics(self) -> dict[str, float]:
        """Every intervention's metrics: the ``hours_saved.<name>`` first, in registry order, then the rest by name."""
        merged: dict[str, float] = {}
        for intervention in self.active:
            merged.update(intervention.metrics())
        first = [key for key in merged if key.startswith("hours_saved.")]
        rest = sorted(key for key in merged if not key.startswith("hours_saved."))
        return {key: merged[key] for key in first + rest}

    def _uniforms(self, n: int, prefix: str) -> dict[str, np.ndarray]:
        """Each intervention's uniforms for ``n`` calls, from its stream ``<prefix>intervention.<name>``."""
        return {
            intervention.name: self.streams.get(f"{prefix}intervention.{intervention.name}").random(
                (n, intervention.uniforms)
            )
            if intervention.uniforms
            else np.empty((n, 0))
            for intervention in self.active
        }
