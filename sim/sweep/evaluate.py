"""The evaluator of a sweep spec: design-point values become config overrides of a policesim run.

With an intervention, each replication runs the base and the intervention scenario on the same
seed (common random numbers), so ``difference:`` outputs measure the intervention, not noise.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.config import paths
from sim.errors import ConfigError
from sim.sweep.designs import DesignMatrix
from sim.sweep.execute import Evaluator
from sim.sweep.seeds import point_seed
from sim.sweep.spec import IshigamiModel, PolicesimModel, SweepSpec, split_output
from sim.sweep.store import OVERLOADED
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

    def sides(self) -> list[dict[str, Any]]:
        """The raw configs one replication runs: base, then the intervention if any."""
        return [self.base] if self.intervention is None else [self.base, self.intervention]

    def __call__(self, point: int, params: Mapping[str, float]) -> list[dict[str, float]]:
        """One output dict per replication (plus the overload flag); seeds from the point index."""
        from sim.model.replication import simulate

        scenarios = [point_scenario(raw, params, f"design point {point}") for raw in self.sides()]
        rows = []
        for rep in range(self.replications):
            results = [simulate(s, point_seed(self.seed, point, rep)) for s in scenarios]
            metrics = by_side([r.metrics for r in results])
            row = {name: output_value(name, metrics) for name in self.outputs}
            row[OVERLOADED] = int(any(r.overload is not None for r in results))
            rows.append(row)
        return rows


def by_side(metrics: Sequence[Mapping[str, float]]) -> dict[str, Mapping[str, float]]:
    """Name the metrics of one replication's runs: base, then intervention."""
    return {side: m for side, m in zip(("base", "intervention"), metrics, strict=False)}


def with_path(raw: dict[str, Any], path: str) -> dict[str, Any]:
    """``raw`` where every parent of ``path`` exists, missing sections filled with schema defaults.

    A parameter may name a field the scenario file leaves at its default (say an intervention's
    effect size); the section is then copied from the validated scenario, so the override lands.
    """
    from sim.config.loading import resolved_dict, scenario_from_dict

    keys = paths.keys_of(path)
    node: Any = raw
    for depth, key in enumerate(keys[:-1]):
        if isinstance(node, dict) and key not in node:
            resolved = paths.get(resolved_dict(scenario_from_dict(raw, source="sweep")), keys[:depth])
            if not isinstance(resolved, dict) or key not in resolved:
                return raw  # not a schema field: apply_overrides names the path in its error
            raw = copy.deepcopy(raw)
            paths.get(raw, keys[:depth])[key] = copy.deepcopy(resolved[key])
            return raw
        try:
            node = paths.step(node, key)
        except (KeyError, IndexError):
            return raw
    return raw


def point_scenario(raw: dict[str, Any], params: Mapping[str, float], source: str) -> Any:
    """The validated scenario of one design point (its parameter values set on ``raw``)."""
    from sim.config.loading import apply_overrides, scenario_from_dict

    try:
        overridden = apply_overrides(raw, dict(params))
    except ConfigError as error:
        raise ConfigError(f"{source}: {error}") from None
    return scenario_from_dict(overridden, source=source)


def output_value(name: str, metrics: Mapping[str, Mapping[str, float]]) -> float:
    """The value of one output, e.g. ``difference:summary.incidents.burglary.attended``."""
    scope, path = split_output(name)
    key = path.removeprefix("summary.")
    sides = ("base", "intervention") if scope == "difference" else (scope,)
    values = []
    for side in sides:
        if key not in metrics[side]:
            raise ConfigError(f"outputs: {name!r}: policesim has no metric {path!r}")
        values.append(float(metrics[side][key]))
    return values[1] - values[0] if scope == "difference" else values[0]


def _load(spec_path: Path, scenario: str | None, overlays: Sequence[str]) -> dict[str, Any]:
    """Scenario file (or the packaged baseline) with overlays merged in order."""
    from sim.config.loading import DEFAULT_CONFIG, load_raw

    raw = load_raw(DEFAULT_CONFIG if scenario is None else spec_path.parent / scenario)
    return _load_on(raw, spec_path, overlays)


def _raws(spec: SweepSpec, model: PolicesimModel, spec_path: Path) -> list[dict[str, Any]]:
    """The base and intervention configs, each parameter path made present in both."""
    from sim.config.loading import apply_overrides

    where = "model"
    try:
        base = apply_overrides(_load(spec_path, model.scenario, model.overlays), model.set)
        raws = [base]
        if model.intervention is not None:
            where = "model.intervention"
            side = model.intervention
            raws.append(apply_overrides(_load_on(base, spec_path, side.overlays), side.set))
    except ConfigError as error:
        raise ConfigError(f"{spec_path}: {where}: {error}") from None
    for i, path in enumerate(spec.names):
        try:
            raws = [with_path(raw, path) for raw in raws]
        except ConfigError as error:
            raise ConfigError(f"{spec_path}: parameters[{i}] ({path}): {error}") from None
    return raws


def _load_on(base: dict[str, Any], spec_path: Path, overlays: Sequence[str]) -> dict[str, Any]:
    """``base`` with overlay files merged in order."""
    from sim.config.loading import load_raw, merge

    raw = base
    for overlay in overlays:
        raw = merge(raw, load_raw(spec_path.parent / overlay))
    return raw


def _check(spec: SweepSpec, evaluator: PolicesimEvaluator, design: DesignMatrix, source: str) -> None:
    """Each parameter at its extremes must give a valid scenario; each output must exist.

    A point elsewhere that breaks a cross-field rule stops the sweep when it runs, with an
    error naming it; the batches finished before are kept.
    """
    from sim.model.replication import simulate

    for i, name in enumerate(spec.names):
        extremes = sorted({design.values[:, i].min().item(), design.values[:, i].max().item()})
        for raw in evaluator.sides():
            for value in extremes:  # one parameter at a time, so an error names the right one
                try:
                    point_scenario(raw, {name: value}, f"{source}: parameters[{i}]")
                except ConfigError as error:
                    raise ConfigError(str(error)) from None
    rows = {int(f(design.values[:, i])) for i in range(len(spec.names)) for f in (np.argmin, np.argmax)}
    for row in sorted(rows):  # all parameters together (cross-field rules) at the extreme points
        for raw in evaluator.sides():
            point_scenario(raw, design.point(row), f"{source}: design point {row}")
    # A one-day run at the first point shows which metrics the scenarios report.
    one_day = {**design.point(0), "horizon_days": 1.0, "warmup_days": 0.0}
    short = [point_scenario(raw, one_day, source) for raw in evaluator.sides()]
    metrics = by_side([simulate(s, point_seed(0, 0, 0)).metrics for s in short])
    for i, output in enumerate(spec.outputs):
        try:
            output_value(output, metrics)
        except ConfigError:
            scope, path = split_output(output)
            raise ConfigError(
                f"{source}: outputs[{i}]: {path!r} is not a policesim metric of the {scope} scenario"
            ) from None


def _resolved_hash(raws: Sequence[dict[str, Any]]) -> str:
    """A short hash of the resolved scenarios (their config hashes, in order)."""
    from sim.config.loading import config_hash, scenario_from_dict

    text = json.dumps([config_hash(scenario_from_dict(raw)) for raw in raws])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def policesim_evaluator(
    spec: SweepSpec, model: PolicesimModel, spec_path: Path, design: DesignMatrix
) -> PolicesimEvaluator:
    """Load the scenarios; check every parameter path, the design's extremes and the outputs."""
    raws = _raws(spec, model, spec_path)
    intervention = raws[1] if len(raws) > 1 else None
    evaluator = PolicesimEvaluator(
        spec.seed,
        spec.replications,
        tuple(spec.outputs),
        raws[0],
        intervention,
        _resolved_hash(raws),
    )
    _check(spec, evaluator, design, str(spec_path))
    return evaluator


def build_evaluator(spec: SweepSpec, spec_path: str | Path, design: DesignMatrix) -> Evaluator:
    """The evaluator the spec's ``model`` names, checked against the design up front."""
    model = spec.model
    if isinstance(model, IshigamiModel):
        return IshigamiEvaluator(spec.seed, spec.replications, model.a, model.b, model.noise_sd)
    return policesim_evaluator(spec, model, Path(spec_path), design)
