"""Published-figure targets: load them, compute each from replications, and judge it with a CI.

A target names a published figure (with its source), how to compute the same quantity from a
run's flat metrics, and a tolerance. The check is the replication mean against the band
``value +/- tolerance``; the confidence interval is reported beside it so a reader can see
whether a miss is noise or model.

Every target has a role: ``fit`` targets are what calibration may tune assumed parameters
against; ``holdout`` targets are never used to fit, so they test the model. No target may measure
a configured input (an incident volume, offered calls, rostered hours): that would check the
config against itself. A targets file may hold per-force sections (``forces:``, keyed by the
force's name in the forces table) whose targets are added to the common ones, or replace a common
target of the same name, for a scenario that names that force.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.config.schema import Scenario
from sim.errors import ConfigError
from sim.study.national import load_national, run_national, with_horizon
from sim.study.replications import mean_ci, run_replications

Patterns = list[str]
Level = Literal["force", "national"]  # where a target is checked: each force's runs, or the national sum
LEVELS: tuple[Level, ...] = ("force", "national")
Role = Literal["fit", "holdout"]
ROLES: tuple[Role, ...] = ("fit", "holdout")
# Metrics that restate configured inputs (volumes drawn from the config, hours it rosters): a
# target may divide by them, never measure them.
INPUT_METRICS: tuple[str, ...] = (
    "incidents.*.generated",
    "incidents_by_grade.*.generated",
    "contact.offered_999",
    "contact.offered_101",
    "contact.online_handled",
    "rostered_hours",
    "officer_hours.abstraction",
    "window_days",
)


class MetricMissing(ConfigError):
    """A target's metric is not produced by this scenario (its mechanism is not configured)."""


class ShareSpec(BaseModel):
    """A ratio of two sums of metrics, each given as key patterns (``*`` wildcards)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    numerator: Patterns = Field(min_length=1)
    denominator: Patterns = Field(min_length=1)


class TargetSpec(BaseModel):
    """One published figure the model should reproduce, with its source and tolerance."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    description: str = ""
    source: str = Field(min_length=1)
    quality: Literal["good", "weak"]
    role: Role = Field(description="fit: calibration may tune assumed parameters to it; holdout: never")
    value: float
    tolerance: float | None = Field(default=None, gt=0)
    relative_tolerance: float | None = Field(default=None, gt=0)
    metric: str | None = None
    sum: Patterns | None = None
    share: ShareSpec | None = None
    per: Literal["none", "officer_fte_year", "officer_fte_hours", "year"] = "none"
    scale: float = Field(default=1.0, gt=0)
    applies_to: list[Level] = Field(default_factory=lambda: list(LEVELS))

    @model_validator(mode="after")
    def _one_metric_one_tolerance(self) -> TargetSpec:
        """Exactly one way to compute the quantity and exactly one tolerance."""
        given = [x is not None for x in (self.metric, self.sum, self.share)]
        if sum(given) != 1:
            raise ValueError("give exactly one of metric, sum, share")
        if (self.tolerance is None) == (self.relative_tolerance is None):
            raise ValueError("give exactly one of tolerance, relative_tolerance")
        inputs = self.measured_inputs()
        if inputs:
            raise ValueError(f"measures {inputs[0]}, a configured input, not a model output")
        return self

    def measured(self) -> list[str]:
        """The metric patterns this target measures (a share's numerator; its denominator may be an input)."""
        if self.metric is not None:
            return [self.metric]
        if self.sum is not None:
            return list(self.sum)
        assert self.share is not None
        return list(self.share.numerator)

    def measured_inputs(self) -> list[str]:
        """Measured patterns that match a configured input (see INPUT_METRICS)."""
        return [
            pattern
            for pattern in self.measured()
            if any(fnmatch.fnmatchcase(pattern, i) or fnmatch.fnmatchcase(i, pattern) for i in INPUT_METRICS)
        ]

    def band(self) -> tuple[float, float]:
        """The accepted interval around the published value."""
        half = self.tolerance if self.tolerance is not None else abs(self.value) * float(self.relative_tolerance or 0.0)
        return self.value - half, self.value + half


class ForceTargets(BaseModel):
    """One force's own published figures (added to the common targets, or replacing one by name)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    targets: list[TargetSpec] = Field(min_length=1)


def _duplicates(targets: Sequence[TargetSpec]) -> list[str]:
    names = [t.name for t in targets]
    return sorted({n for n in names if names.count(n) > 1})


class TargetsFile(BaseModel):
    """The whole ``targets.yaml``: the officer FTE one scenario stands for, the targets, per-force ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    officer_fte: float = Field(gt=0, description="all-officer FTE of a scenario that names no force")
    hours_per_year: float = Field(gt=0, description="hours in a year, for shares of strength")
    targets: list[TargetSpec] = Field(min_length=1)
    forces: dict[str, ForceTargets] = Field(
        default_factory=dict, description="force name (as in the forces table) -> that force's own targets"
    )

    @model_validator(mode="after")
    def _unique_names(self) -> TargetsFile:
        """Target names identify rows of the report, so they must be unique (within each section)."""
        for where, targets in [("targets", self.targets)] + [
            (f"forces.{f}", s.targets) for f, s in self.forces.items()
        ]:
            duplicates = _duplicates(targets)
            if duplicates:
                raise ValueError(f"{where}: duplicate target names: {', '.join(duplicates)}")
        return self

    def for_force(self, force: str | None) -> list[TargetSpec]:
        """The common targets with ``force``'s own added (a same-named one replaces the common one)."""
        own = {t.name: t for t in (self.forces[force].targets if force in self.forces else [])}
        common = {t.name for t in self.targets}
        return [own.get(t.name, t) for t in self.targets] + [t for name, t in own.items() if name not in common]


def with_role(targets: Sequence[TargetSpec], role: Role) -> list[TargetSpec]:
    """The targets of one role, in file order."""
    return [t for t in targets if t.role == role]


def load_targets(path: str | Path) -> TargetsFile:
    """Read and validate a targets file; any problem is a one-line ConfigError naming the field."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read targets file ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML ({error})") from error
    try:
        return TargetsFile.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        raise ConfigError(f"{path}: {_where(raw, first['loc'])}: {first['msg']}") from None


def _where(raw: Any, loc: Sequence[int | str]) -> str:
    """The error's field path, with the target's name after its index (``targets.3 (p2_mean).role``)."""
    parts: list[str] = []
    node = raw
    for part in loc:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
        name = node.get("name") if isinstance(part, int) and isinstance(node, dict) else None
        parts.append(f"{part} ({name})" if isinstance(name, str) else str(part))
    return ".".join(parts)


@dataclass(frozen=True)
class Context:
    """What per-officer and per-year targets divide by."""

    officer_fte: float
    years: float
    hours_per_year: float = 8766.0


def _matching(metrics: Mapping[str, float], patterns: Sequence[str]) -> list[str]:
    """Metric keys matching any of ``patterns``; none at all is an error naming the patterns."""
    keys = sorted({k for k in metrics for p in patterns if fnmatch.fnmatchcase(k, p)})
    if not keys:
        raise MetricMissing(f"no metric matches {', '.join(patterns)}")
    return keys


def compute(target: TargetSpec, metrics: Mapping[str, float], context: Context) -> float:
    """The target's quantity from one replication's flat metrics."""
    if target.metric is not None:
        if target.metric not in metrics:
            raise MetricMissing(f"target {target.name}: metric {target.metric!r} is not produced")
        value = float(metrics[target.metric])
    elif target.sum is not None:
        value = sum(float(metrics[k]) for k in _matching(metrics, target.sum))
    else:
        assert target.share is not None
        numerator = sum(float(metrics[k]) for k in _matching(metrics, target.share.numerator))
        denominator = sum(float(metrics[k]) for k in _matching(metrics, target.share.denominator))
        value = numerator / denominator if denominator else float("nan")
    if target.per == "officer_fte_year":
        value /= context.officer_fte * context.years
    elif target.per == "officer_fte_hours":
        value /= context.officer_fte * context.years * context.hours_per_year
    elif target.per == "year":
        value /= context.years
    return value * target.scale


@dataclass(frozen=True)
class TargetResult:
    """One row of the validation table."""

    target: TargetSpec
    mean: float
    low: float
    high: float
    replications: int
    produced: bool = True  # False: the scenario does not produce the metric (mechanism not configured)

    @property
    def within(self) -> bool:
        """True when the replication mean lies inside the tolerance band."""
        lo, hi = self.target.band()
        return self.produced and lo <= self.mean <= hi

    @property
    def error(self) -> float:
        """Simulated minus published."""
        return self.mean - self.target.value


def check_targets(
    targets: Sequence[TargetSpec],
    replication_metrics: Sequence[Mapping[str, float]],
    context: Context,
    level: Level = "force",
    confidence: float = 0.95,
) -> list[TargetResult]:
    """Compute every target that applies at ``level`` over the replications and judge it."""
    if not replication_metrics:
        raise ConfigError("no replications to check targets against")
    results = []
    for target in targets:
        if level not in target.applies_to:
            continue
        try:
            values = [compute(target, m, context) for m in replication_metrics]
        except MetricMissing:
            nan = float("nan")
            results.append(TargetResult(target, nan, nan, nan, len(replication_metrics), produced=False))
            continue
        mean, low, high = mean_ci(values, confidence)
        results.append(TargetResult(target, mean, low, high, len(values)))
    return results


def misses(results: Sequence[TargetResult], quality: str = "good") -> list[TargetResult]:
    """Results outside tolerance among targets of the given data quality (unproduced ones are not misses)."""
    return [r for r in results if r.target.quality == quality and r.produced and not r.within]


def scenario_context(scenario: Scenario, targets: TargetsFile) -> Context:
    """Per-officer targets divide by the named force's FTE (forces table), else the file's."""
    years = (scenario.horizon_days - scenario.warmup_days) / 365.25
    fte = scenario.force.officer_fte if scenario.force is not None and scenario.force.officer_fte else None
    return Context(fte or targets.officer_fte, years, targets.hours_per_year)


def scenario_targets(scenario: Scenario, targets: TargetsFile) -> list[TargetSpec]:
    """The targets that apply to ``scenario``: the common ones and its force's own."""
    return targets.for_force(scenario.force.name if scenario.force is not None else None)


def check_scenario(
    scenario: Scenario, targets: TargetsFile, replications: int, seed: int, workers: int | None
) -> list[TargetResult]:
    """Run one force's scenario and judge the force-level targets (its own force's included)."""
    runs = run_replications(scenario, replications, seed, workers)
    context = scenario_context(scenario, targets)
    return check_targets(scenario_targets(scenario, targets), [r.metrics for r in runs], context, "force")


def check_national(
    path: str | Path,
    targets: TargetsFile,
    replications: int,
    seed: int,
    workers: int | None,
    days: float | None = None,
) -> list[TargetResult]:
    """Run the national model and judge the national-level targets on the E&W aggregates."""
    config = load_national(path, {"replications": replications, "seed": seed})
    if days is not None:
        config = with_horizon(config, days)
    result = run_national(config, workers)
    horizon = float(config.baseline_raw["horizon_days"]) - float(config.baseline_raw["warmup_days"])
    fte = sum(f.officer_fte for f in config.forces)
    context = Context(fte, horizon / 365.25, targets.hours_per_year)
    return check_targets(targets.targets, result.national, context, "national")
