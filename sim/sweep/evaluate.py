"""The evaluator of a sweep spec: a design point's values become config overrides of a policesim run.

With an intervention, each replication runs the base and the intervention scenario on the same
seed (common random numbers), so ``difference:`` outputs measure the intervention, not noise.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import ConfigError
from sim.sweep.designs import DesignMatrix
from sim.sweep.execute import Evaluator
from sim.sweep.spec import IshigamiModel, PolicesimModel, SweepSpec, split_output
from sim.sweep.testfunctions import IshigamiEvaluator


@dataclass(frozen=True)
class PolicesimEvaluator:
    """Runs policesim at a design point: base scenario, and the intervention when there is one."""

    seed: int
    replications: int
    outputs: tuple[str, ...]
    base: dict[str, Any]
    intervention: dict[str, Any] | None = None
    _fingerprint: str = field(default="", compare=False)

    @property
    def fingerprint(self) -> str:
        """Hash of the resolved base (and intervention) scenarios the parameters apply to."""
        return self._fingerprint

    def scenario(self, raw: dict[str, Any], params: Mapping[str, float]) -> Any:
        """The validated scenario of one design point."""
        from sim.config import apply_overrides, scenario_from_dict

        return scenario_from_dict(apply_overrides(raw, dict(params)), source="sweep point")

    def __call__(self, point: int, params: Mapping[str, float]) -> list[dict[str, float]]:
        """One output dict per replication, seeds from the sweep seed and the point index."""
        from sim.model import simulate
        from sim.streams import replication_seed

        base = self.scenario(self.base, params)
        other = None if self.intervention is None else self.scenario(self.intervention, params)
        rows = []
        for rep in range(self.replications):
            seed = replication_seed(self.seed, rep, key=(point,))
            metrics = {"base": simulate(base, seed).metrics}
            if other is not None:
                seed = replication_seed(self.seed, rep, key=(point,))
                metrics["intervention"] = simulate(other, seed).metrics
            rows.append({name: _output(name, metrics) for name in self.outputs})
        return rows


def _output(name: str, metrics: Mapping[str, Mapping[str, float]]) -> float:
    """The value of one output, e.g. ``difference:summary.incidents.burglary.attended``."""
    scope, _, path = split_output(name)
    key = path.removeprefix("summary.")
    sides = ("base", "intervention") if scope == "difference" else (scope,)
    values = []
    for side in sides:
        if key not in metrics[side]:
            raise ConfigError(f"outputs: {name!r}: policesim has no metric {path!r}")
        values.append(float(metrics[side][key]))
    return values[1] - values[0] if scope == "difference" else values[0]


def _resolved_hash(*scenarios: Any) -> str:
    """A short hash of the resolved scenarios (their config hashes, in order)."""
    from sim.config import config_hash

    text = json.dumps([config_hash(s) for s in scenarios])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def policesim_evaluator(
    spec: SweepSpec, model: PolicesimModel, spec_path: Path, design: DesignMatrix
) -> PolicesimEvaluator:
    """Load the scenarios and check every parameter path and the design's extreme values."""
    from sim.config import DEFAULT_CONFIG, apply_overrides, load_raw, scenario_from_dict

    source = str(spec_path)
    scenario_path = DEFAULT_CONFIG if model.scenario is None else spec_path.parent / model.scenario
    try:
        base = apply_overrides(load_raw(scenario_path), model.set)
    except ConfigError as error:
        raise ConfigError(f"{source}: model: {error}") from None
    intervention = None
    if model.intervention is not None:
        try:
            intervention = apply_overrides(base, model.intervention.set)
        except ConfigError as error:
            raise ConfigError(f"{source}: model.intervention.set: {error}") from None
    evaluator = PolicesimEvaluator(spec.seed, spec.replications, tuple(spec.outputs), base,
                                   intervention)
    raws = [raw for raw in (base, intervention) if raw is not None]
    for i, name in enumerate(spec.names):
        for row in {int(design.values[:, i].argmin()), int(design.values[:, i].argmax())}:
            for raw in raws:
                try:
                    evaluator.scenario(raw, design.point(row))
                except ConfigError as error:
                    raise ConfigError(f"{source}: parameters[{i}] ({name}): {error}") from None
    resolved = [scenario_from_dict(raw, source=source) for raw in raws]
    return PolicesimEvaluator(spec.seed, spec.replications, tuple(spec.outputs), base,
                              intervention, _resolved_hash(*resolved))


def build_evaluator(spec: SweepSpec, spec_path: str | Path, design: DesignMatrix) -> Evaluator:
    """The evaluator the spec's ``model`` names, checked against the design up front."""
    model = spec.model
    if isinstance(model, IshigamiModel):
        return IshigamiEvaluator(spec.seed, spec.replications, model.a, model.b, model.noise_sd)
    return policesim_evaluator(spec, model, Path(spec_path), design)
