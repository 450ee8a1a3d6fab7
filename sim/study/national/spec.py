"""The national config's schema and loading: the ``national:`` section and the forces table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, ValidationError

from sim.config.forces import Force, load_forces
from sim.config.loading import format_validation_error, load_raw, read_yaml
from sim.config.paths import relative
from sim.errors import ConfigError, PolicesimError

NATIONAL_KEY = "national"


class Scaling(BaseModel):
    """Which baseline numbers scale with a force's officers, and which depend on its setting."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    proportional: list[str] = Field(min_length=1, description="dotted path patterns, * = one key")
    integer: list[str] = Field(default_factory=list, description="patterns rounded, at least 1")
    by_setting: dict[str, dict[Literal["urban", "mixed", "rural"], float]] = Field(
        default_factory=dict, description="exact dotted path -> value by setting"
    )


class Published(BaseModel):
    """A published England and Wales figure printed beside the simulated national total."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: float
    per: Literal["year", "total"] = Field(
        default="year", description="year: compare with the simulated total scaled to a year"
    )
    source: str = Field(min_length=1)


class NationalSpec(BaseModel):
    """The ``national:`` section: baseline, forces table, scaling rule and run settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    baseline: str = Field(description="scenario every force is built from (relative to this file)")
    forces: str = Field(description="CSV with force, officer_fte, fte_status, fte_source, setting")
    baseline_officer_fte: PositiveFloat = Field(description="officer FTE the baseline force stands for")
    scaling: Scaling
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="dotted path -> value applied to every force first"
    )
    replications: PositiveInt = 2
    seed: int = Field(default=20240331, ge=0)
    workers: int = Field(default=0, ge=0, description="processes; 0 = one per CPU")
    only: list[str] = Field(default_factory=list, description="run just these forces (by name)")
    published: dict[str, Published] = Field(
        default_factory=dict, description="metric -> published E&W figure to compare with"
    )


@dataclass(frozen=True)
class NationalConfig:
    """A loaded national config: its spec, the resolved baseline and the forces to run."""

    path: Path
    spec: NationalSpec
    baseline_raw: dict[str, Any]
    forces: tuple[Force, ...]


def is_national(path: str | Path) -> bool:
    """True when ``path`` is a national config (has a top-level ``national:`` section)."""
    try:
        return NATIONAL_KEY in read_yaml(path)
    except PolicesimError:
        return False


def load_national(path: str | Path, overrides: Mapping[str, Any] | None = None) -> NationalConfig:
    """Load a national config; ``overrides`` are ``national.*`` settings (e.g. replications)."""
    path = Path(path)
    raw = read_yaml(path)
    section = dict(raw.get(NATIONAL_KEY) or {})
    for key, value in (overrides or {}).items():
        section[key] = value
    try:
        spec = NationalSpec.model_validate(section)
    except ValidationError as error:
        raise ConfigError(format_validation_error(error, f"{path}: national")) from None
    baseline_raw = load_raw(relative(path, spec.baseline))
    forces = load_forces(relative(path, spec.forces))
    if spec.only:
        unknown = sorted(set(spec.only) - {f.name for f in forces})
        if unknown:
            raise ConfigError(f"{path}: national.only: unknown force(s) {unknown}")
        forces = tuple(f for f in forces if f.name in spec.only)
    return NationalConfig(path, spec, baseline_raw, forces)


def all_forces(config: NationalConfig) -> tuple[Force, ...]:
    """The full table (so a force keeps its seed key when ``only`` picks a subset)."""
    return load_forces(relative(config.path, config.spec.forces))


def with_horizon(config: NationalConfig, days: float, warmup_days: float | None = None) -> NationalConfig:
    """The same national config over a shorter (or longer) horizon, for quick runs and tests."""
    raw = dict(config.baseline_raw, horizon_days=days)
    if warmup_days is not None:
        raw["warmup_days"] = warmup_days
    elif float(raw.get("warmup_days", 0)) >= days:
        raw["warmup_days"] = days / 4
    return NationalConfig(config.path, config.spec, raw, config.forces)
