"""Paired experiments: an experiment file's scenarios run on common random numbers and compared.

Every scenario of an experiment runs with the same replication seeds, so replication ``r`` of each
sees the same incidents at the same times; the per-replication difference against the base
scenario is then the intervention's effect plus far less noise than independent runs would give.
Counts and hours are reported per year (scaled from the measured period after warm-up).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt, ValidationError
from pydantic import model_validator

from sim.config import (
    DEFAULT_CONFIG,
    apply_overrides,
    format_validation_error,
    load_raw,
    merge,
    read_yaml,
    scenario_from_dict,
)
from sim.errors import ConfigError
from sim.paired import linear_equivalent, paired_difference
from sim.schema import Scenario

DAYS_PER_YEAR = 365.25
# HM Treasury, March 2024: 500,000 h = 250,000 DA incidents or 300,000 burglaries.
GOVERNMENT_HOURS_PER_INCIDENT: dict[str, float] = {"domestic_abuse": 2.0, "burglary": 1.67}
HEADLINE_TYPES: tuple[str, ...] = ("burglary", "domestic_abuse")
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]*$"


class ScenarioEntry(BaseModel):
    """One named scenario: overlays merged onto the base config, then ``--set``-style overrides."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    overlays: list[str] = Field(default_factory=list, description="YAML fragments, in order")
    overrides: dict[str, Any] = Field(
        default_factory=dict, alias="set", description="dotted path -> value, as with --set"
    )


class ExperimentSpec(BaseModel):
    """An experiment file: base config, the scenario compared against, the scenarios, the run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    config: str | None = Field(None, description="scenario file; none: the packaged baseline")
    base: str = Field(description="name of the scenario the others are compared against")
    replications: PositiveInt = 10
    seed: NonNegativeInt = 0
    horizon_days: float | None = Field(None, gt=0)
    warmup_days: float | None = Field(None, ge=0)
    types: list[str] = Field(
        default_factory=lambda: list(HEADLINE_TYPES), description="incident types reported first"
    )
    scenarios: list[ScenarioEntry] = Field(min_length=2)

    @model_validator(mode="after")
    def _names(self) -> ExperimentSpec:
        """Scenario names are unique and the base is one of them."""
        names = [entry.name for entry in self.scenarios]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"scenario names must be unique; repeated: {repeated}")
        if self.base not in names:
            raise ValueError(f"base {self.base!r} is not a scenario name; names: {names}")
        return self


@dataclass(frozen=True)
class Experiment:
    """A loaded experiment: its spec and every scenario resolved and validated, base first."""

    spec: ExperimentSpec
    path: Path
    scenarios: dict[str, Scenario]

    @property
    def base(self) -> str:
        """Name of the scenario the others are compared against."""
        return self.spec.base


def load_experiment(path: Path | str, replications: int | None = None) -> Experiment:
    """Read, validate and resolve an experiment file; errors name the file and field."""
    path = Path(path)
    raw = read_yaml(path)
    if replications is not None:
        raw = {**raw, "replications": replications}
    try:
        spec = ExperimentSpec.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(format_validation_error(error, str(path))) from None
    base_file = DEFAULT_CONFIG if spec.config is None else _relative(path, spec.config)
    base_raw = load_raw(base_file)
    horizon = {
        key: value
        for key, value in (("horizon_days", spec.horizon_days), ("warmup_days", spec.warmup_days))
        if value is not None
    }
    base_raw = {**base_raw, **horizon}
    ordered = sorted(spec.scenarios, key=lambda entry: entry.name != spec.base)
    scenarios = {
        entry.name: _resolve(path, entry, base_raw, spec.horizon_days is not None)
        for entry in ordered
    }
    for name, scenario in scenarios.items():
        missing = [kind for kind in spec.types if kind not in scenario.incident_types]
        if missing:
            raise ConfigError(f"{path}: types: {missing} not incident types of scenario {name!r}")
    return Experiment(spec=spec, path=path, scenarios=scenarios)


def _relative(experiment_path: Path, name: str) -> Path:
    """A file named in an experiment, relative to the experiment file unless absolute."""
    candidate = Path(name)
    return candidate if candidate.is_absolute() else experiment_path.parent / candidate


def _resolve(path: Path, entry: ScenarioEntry, base_raw: dict[str, Any], fixed: bool) -> Scenario:
    """Base config, then each overlay merged in order, then the overrides; validated."""
    raw = dict(base_raw)
    for overlay in entry.overlays:
        raw = merge(raw, load_raw(_relative(path, overlay)))
    raw = apply_overrides(raw, entry.overrides)
    return scenario_from_dict(raw, source=f"{path}: scenarios.{entry.name}")


Runner = Callable[[Scenario, int, int], list[Mapping[str, float]]]


def run_experiment(
    experiment: Experiment, runner: Runner, progress: Callable[[str], None] | None = None
) -> pd.DataFrame:
    """Every scenario through ``runner(scenario, replications, seed)``: a long metrics table."""
    rows: list[dict[str, Any]] = []
    for name, scenario in experiment.scenarios.items():
        if progress is not None:
            progress(name)
        for replication, metrics in enumerate(
            runner(scenario, experiment.spec.replications, experiment.spec.seed)
        ):
            rows.extend(
                {"scenario": name, "replication": replication, "metric": key, "value": value}
                for key, value in metrics.items()
            )
    return pd.DataFrame(rows, columns=["scenario", "replication", "metric", "value"])


def measured_years(scenario: Scenario) -> float:
    """Length of the measured period (horizon after warm-up) in years."""
    return (scenario.horizon_days - scenario.warmup_days) / DAYS_PER_YEAR


def is_rate(metric: str) -> bool:
    """Whether a metric is a count or an hour total (scaled per year) rather than a level."""
    return bool(re.match(r"^(incidents\.|officer_hours\.|overtime_hours$|hours_saved)", metric))


def paired_table(runs: pd.DataFrame, base: str, years: float) -> pd.DataFrame:
    """Paired differences ``scenario - base`` of every metric, counts and hours per year."""
    wide = runs.pivot_table(
        index=["metric", "replication"], columns="scenario", values="value", aggfunc="first"
    )
    rows: list[dict[str, Any]] = []
    for metric, block in wide.groupby(level="metric", sort=True):
        scale = 1.0 / years if is_rate(str(metric)) else 1.0
        reference = block[base].to_numpy(dtype=float) * scale
        for scenario in (name for name in block.columns if name != base):
            values = block[scenario].to_numpy(dtype=float) * scale
            if any(math.isnan(v) for v in (*reference, *values)):
                continue
            result = paired_difference(reference, values)
            rows.append(
                {
                    "scenario": scenario,
                    "metric": metric,
                    "base_mean": float(reference.mean()),
                    **result.as_dict(),
                }
            )
    return pd.DataFrame(rows)


def officer_work_hours(metrics: Mapping[str, float]) -> float:
    """Officer hours spent working (every activity except available, break, abstraction)."""
    idle = {"officer_hours.available", "officer_hours.break", "officer_hours.abstraction"}
    return sum(
        value for key, value in metrics.items() if key.startswith("officer_hours.") and key not in idle
    )


def describe(spec: ExperimentSpec) -> str:
    """The experiment file as YAML, for manifests."""
    return yaml.safe_dump(spec.model_dump(mode="json", by_alias=True), sort_keys=False)


__all__ = [
    "GOVERNMENT_HOURS_PER_INCIDENT",
    "Experiment",
    "ExperimentSpec",
    "ScenarioEntry",
    "linear_equivalent",
    "load_experiment",
    "paired_table",
    "run_experiment",
]
