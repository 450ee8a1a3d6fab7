"""Experiment files: named scenarios (overlays and overrides on a base config) compared on
common random numbers against one of them, with the run settings (replications, seed, horizon).

``policesim compare``, ``capacity``, ``warmup`` and ``replications`` read them; running and
comparing the scenarios is :mod:`sim.study.compare`. A ``doses:`` block adds, for each technology
named, its scenarios at each dose factor (expanded by :mod:`sim.study.dose`; ``policesim dose``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    ValidationError,
    model_validator,
)

from sim.config.loading import (
    DEFAULT_CONFIG,
    apply_overrides,
    format_validation_error,
    load_raw,
    merge,
    read_yaml,
    scenario_from_dict,
)
from sim.config.paths import relative
from sim.config.schema import Scenario
from sim.errors import ConfigError

# The incident types reported first: the two the Treasury's hours-per-incident claim names.
HEADLINE_TYPES: tuple[str, ...] = ("burglary", "domestic_abuse")
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]*$"


class ScenarioEntry(BaseModel):
    """One named scenario: overlays merged onto the base config, then ``--set``-style overrides."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    overlays: list[str] = Field(default_factory=list, description="YAML fragments, merged in order")
    overrides: dict[str, Any] = Field(
        default_factory=dict, alias="set", description="dotted path -> value, as with --set"
    )


class Technology(BaseModel):
    """One intervention given at several doses: the overlays and overrides that switch it on."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    intervention: str = Field(description="the intervention's section name (its plug-in states how it doses)")
    name: str | None = Field(None, pattern=NAME_PATTERN, description="label; none: the intervention's name")
    overlays: list[str] = Field(default_factory=list, description="YAML fragments merged onto the base scenario")
    overrides: dict[str, Any] = Field(default_factory=dict, alias="set", description="dotted path -> value")

    @property
    def label(self) -> str:
        """The technology's name in scenario names and tables."""
        return self.name or self.intervention


class Doses(BaseModel):
    """Technologies each run at several multiples of their configured saving, on the base scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    factors: list[Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(
        default_factory=lambda: [0.0, 0.25, 0.5, 1.0, 2.0],
        min_length=1,
        description="dose factors d: each technology's saving times d",
    )
    technologies: list[Technology] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> Doses:
        """Factors and technology labels are unique."""
        if len(set(self.factors)) != len(self.factors):
            raise ValueError(f"factors must be unique; got {self.factors}")
        labels = [t.label for t in self.technologies]
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        if repeated:
            raise ValueError(f"technologies must have unique names (give `name:`); repeated: {repeated}")
        return self


class ExperimentSpec(BaseModel):
    """An experiment file: base config, the scenario compared against, the scenarios, the run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    config: str | None = Field(None, description="scenario file; none: the packaged default (configs/default.yaml)")
    base: str = Field(description="name of the scenario the others are compared against")
    replications: PositiveInt = 10
    seed: NonNegativeInt = 0
    horizon_days: float | None = Field(None, gt=0)
    warmup_days: float | None = Field(None, ge=0)
    types: list[str] = Field(default_factory=lambda: list(HEADLINE_TYPES), description="incident types reported first")
    scenarios: list[ScenarioEntry] = Field(min_length=1)
    doses: Doses | None = Field(None, description="technologies at several doses, on the base scenario")

    @model_validator(mode="after")
    def _names(self) -> ExperimentSpec:
        """Scenario names are unique and the base is one of them; something to compare it with."""
        names = [entry.name for entry in self.scenarios]
        if len(names) < 2 and self.doses is None:
            raise ValueError("scenarios: at least 2 are needed (the base and one to compare), or a doses block")
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"scenario names must be unique; repeated: {repeated}")
        if self.base not in names:
            raise ValueError(f"base {self.base!r} is not a scenario name; names: {names}")
        return self


@dataclass(frozen=True)
class DosePoint:
    """One technology at one dose factor: its scenario, or None when the dose is beyond reach."""

    technology: str
    intervention: str
    factor: float
    reach: float  # the largest factor its settings can take (inf: unbounded)
    scenario: str | None
    settings: dict[str, Any]  # the dosed fields' values (empty when unreachable)
    largest_reachable: bool = False  # added at ``reach`` because a factor asked was beyond it


@dataclass(frozen=True)
class Experiment:
    """A loaded experiment: its spec and every scenario resolved and validated, base first."""

    spec: ExperimentSpec
    path: Path
    scenarios: dict[str, Scenario]
    doses: tuple[DosePoint, ...] = ()

    @property
    def base(self) -> Scenario:
        """The scenario the others are compared against."""
        return self.scenarios[self.spec.base]


def load_experiment(
    path: Path | str,
    replications: int | None = None,
    horizon_days: float | None = None,
    warmup_days: float | None = None,
    factors: list[float] | None = None,
) -> Experiment:
    """Read, validate and resolve an experiment file; the arguments override the file's values
    (``factors``: the dose factors of its ``doses`` block)."""
    path = Path(path)
    raw = read_yaml(path)
    changes = {"replications": replications, "horizon_days": horizon_days, "warmup_days": warmup_days}
    raw = {**raw, **{key: value for key, value in changes.items() if value is not None}}
    if factors is not None:
        if not isinstance(raw.get("doses"), dict):
            raise ConfigError(f"{path}: doses: missing (--factors needs a doses block)")
        raw["doses"] = {**raw["doses"], "factors": factors}
    try:
        spec = ExperimentSpec.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(format_validation_error(error, str(path))) from None
    base_raw = load_raw(DEFAULT_CONFIG if spec.config is None else relative(path, spec.config))
    for key in ("horizon_days", "warmup_days"):
        if getattr(spec, key) is not None:
            base_raw[key] = getattr(spec, key)
    if spec.horizon_days is not None and spec.warmup_days is None:
        base_raw["warmup_days"] = min(base_raw.get("warmup_days", 0.0), spec.horizon_days / 4)
    ordered = sorted(spec.scenarios, key=lambda entry: entry.name != spec.base)
    scenarios = {entry.name: resolve(path, entry, base_raw) for entry in ordered}
    points: tuple[DosePoint, ...] = ()
    if spec.doses is not None:
        from sim.study.dose import expand  # the interventions' plug-ins state how they dose

        dosed, points = expand(path, spec, base_raw, scenarios)
        scenarios.update(dosed)
    for name, scenario in scenarios.items():
        missing = [kind for kind in spec.types if kind not in scenario.incident_types]
        if missing:
            raise ConfigError(f"{path}: types: {missing} not incident types of scenario {name!r}")
    return Experiment(spec=spec, path=path, scenarios=scenarios, doses=points)


def resolved_raw(
    path: Path, base_raw: dict[str, Any], overlays: list[str], overrides: dict[str, Any]
) -> dict[str, Any]:
    """Base config, then each overlay merged in order (paths relative to the experiment file),
    then the overrides: the raw scenario, not yet validated."""
    raw = dict(base_raw)
    for overlay in overlays:
        raw = merge(raw, load_raw(relative(path, overlay)))
    return apply_overrides(raw, overrides)


def resolve(path: Path, entry: ScenarioEntry, base_raw: dict[str, Any]) -> Scenario:
    """One scenario entry resolved and validated."""
    raw = resolved_raw(path, base_raw, entry.overlays, entry.overrides)
    return scenario_from_dict(raw, source=f"{path}: scenarios.{entry.name}")


def describe(spec: ExperimentSpec) -> dict[str, Any]:
    """The experiment file as resolved data, for manifests."""
    return spec.model_dump(mode="json", by_alias=True)
