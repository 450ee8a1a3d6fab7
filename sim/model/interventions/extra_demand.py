"""Extra demand (a what-if, used by ``policesim capacity``): more incidents of one type.

Candidates are drawn from ``extra_demand.*`` streams at ``max_yearly_volume`` and thinned to
``yearly_volume``, so a larger volume adds incidents and never moves the others (nor any other
draw: the candidates' intervention uniforms come from ``extra_demand.intervention.*`` streams).
Not for a replayed log (a log is the demand).
"""

from __future__ import annotations

import numpy as np

from sim.config.interventions import ExtraDemand as Settings
from sim.model.demand import (
    HOURS_PER_WEEK,
    HOURS_PER_YEAR,
    DemandGenerator,
    poisson_times,
    seasonal_factor,
    weekly_weights,
)
from sim.model.incident import CallBlock
from sim.model.interventions.contract import Context, Intervention
from sim.model.streams import Streams

MINUTES_PER_DAY = 1440.0


class PrefixedStreams(Streams):
    """The streams of a replication under a name prefix, so extra draws never shift the others."""

    def __init__(self, streams: Streams, prefix: str) -> None:
        self._inner = streams
        self._prefix = prefix

    def get(self, name: str) -> np.random.Generator:
        """The generator named ``prefix + name`` of the wrapped streams."""
        return self._inner.get(self._prefix + name)


class ExtraDemand(Intervention):
    """Adds incidents of one type to every week, nested by volume."""

    config_model = Settings
    config: Settings

    def __init__(self, name: str, config: Settings, context: Context) -> None:
        super().__init__(name, config, context)
        self.generator = DemandGenerator(context.scenario, PrefixedStreams(context.streams, f"{name}."))

    def add_calls(self, week: int) -> tuple[CallBlock, np.ndarray]:
        """Extra incidents of one type: candidates at the maximum volume, and the thinned ones kept."""
        cfg = self.config
        scenario = self.context.scenario
        assert cfg.incident_type is not None
        name = cfg.incident_type
        spec = scenario.incident_types[name]
        hours = week * HOURS_PER_WEEK + np.arange(HOURS_PER_WEEK)
        rate = (
            cfg.max_yearly_volume
            / HOURS_PER_YEAR
            * weekly_weights(scenario, spec.profile)
            * seasonal_factor(scenario, hours)
        )
        streams = self.generator.streams
        times = poisson_times(streams.get(f"arrivals.{name}"), rate, int(hours[0]))
        thin = streams.get(f"thinning.{name}").random(len(times))
        candidates = self.generator.attributes(self.types.index(name), times)
        keep = (thin < cfg.yearly_volume / cfg.max_yearly_volume) & (times < scenario.horizon_days * MINUTES_PER_DAY)
        return candidates, keep

    def metrics(self) -> dict[str, float]:
        """None: it saves no time, and its incidents are counted with the others."""
        return {}
