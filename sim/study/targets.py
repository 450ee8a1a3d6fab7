"""Published-figure targets: load them, compute each from replications, and judge it with a CI.

A target names a published figure (with its source), how to compute the same quantity from a
run's flat metrics, and a tolerance. The check is the replication mean against the band
``value +/- tolerance``; the confidence interval is reported beside it so a reader can see
whether a miss is noise or model.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.config.schema import Scenario
from sim.errors import ConfigError

Patterns = list[str]
Level = Literal["force", "national"]  # where a target is checked: each force's runs, or the national sum
LEVELS: tuple[Level, ...] = ("force", "national")


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
        return self

    def band(self) -> tuple[float, float]:
        """The accepted interval around the published value."""
        half = self.tolerance if self.tolerance is not None else abs(self.value) * float(self.relative_tolerance or 0.0)
        return self.value - half, self.value + half


class TargetsFile(BaseModel):
    """The whole ``targets.yaml``: the officer FTE one scenario stands for, and the targets."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    officer_fte: float = Field(gt=0, description="all-officer FTE of the force a scenario stands for")
    hours_per_year: float = Field(gt=0, description="hours in a year, for shares of strength")
    targets: list[TargetSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> TargetsFile:
        """Target names identify rows of the report, so they must be unique."""
        names = [t.name for t in self.targets]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate target names: {', '.join(duplicates)}")
        return self


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
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: {where}: {first['msg']}") from None


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
        raise ConfigError(f"no metric matches {', '.join(patterns)}")
    return keys


def compute(target: TargetSpec, metrics: Mapping[str, float], context: Context) -> float:
    """The target's quantity from one replication's flat metrics."""
    if target.metric is not None:
        if target.metric not in metrics:
            raise ConfigError(f"target {target.name}: metric {target.metric!r} is not produced")
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

    @property
    def within(self) -> bool:
        """True when the replication mean lies inside the tolerance band."""
        lo, hi = self.target.band()
        return lo <= self.mean <= hi


def check_targets(
    targets: Sequence[TargetSpec],
    replication_metrics: Sequence[Mapping[str, float]],
    context: Context,
    level: Level = "force",
    confidence: float = 0.95,
) -> list[TargetResult]:
    """Compute every target that applies at ``level`` over the replications and judge it."""
    from sim.study.replications import mean_ci

    if not replication_metrics:
        raise ConfigError("no replications to check targets against")
    results = []
    for target in targets:
        if level not in target.applies_to:
            continue
        values = [compute(target, m, context) for m in replication_metrics]
        mean, low, high = mean_ci(values, confidence)
        results.append(TargetResult(target, mean, low, high, len(values)))
    return results


def misses(results: Sequence[TargetResult], quality: str = "good") -> list[TargetResult]:
    """Results outside tolerance among targets of the given data quality."""
    return [r for r in results if r.target.quality == quality and not r.within]


def _number(value: float) -> str:
    """A compact number for the table: three significant figures, thousands kept whole."""
    if value != value:  # NaN
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def render_results(results: Sequence[TargetResult], width: int = 200) -> str:
    """The validation table as plain text: target, source, simulated with CI, verdict."""
    import io

    from rich.console import Console
    from rich.table import Table

    table = Table(title="Published-figure targets (mean and 95% CI over replications)")
    for column in ("target", "quality", "published", "band", "simulated", "95% CI", "verdict"):
        table.add_column(column)
    table.add_column("source", overflow="fold", max_width=60)
    for r in results:
        lo, hi = r.target.band()
        verdict = "within" if r.within else "MISS"
        table.add_row(
            r.target.name,
            r.target.quality,
            _number(r.target.value),
            f"{_number(lo)} to {_number(hi)}",
            _number(r.mean),
            f"{_number(r.low)} to {_number(r.high)}",
            verdict,
            r.target.source,
        )
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    console.print(table)
    good = [r for r in results if r.target.quality == "good"]
    console.print(
        f"{sum(r.within for r in good)} of {len(good)} good-data targets within tolerance; "
        f"{sum(r.within for r in results) - sum(r.within for r in good)} of "
        f"{len(results) - len(good)} weak-data targets within tolerance"
    )
    return buffer.getvalue()


def check_scenario(
    scenario: Scenario, targets: TargetsFile, replications: int, seed: int, workers: int | None
) -> list[TargetResult]:
    """Run one force's scenario and judge the force-level targets."""
    from sim.study.replications import run_replications

    runs = run_replications(scenario, replications, seed, workers)
    years = (scenario.horizon_days - scenario.warmup_days) / 365.25
    context = Context(targets.officer_fte, years, targets.hours_per_year)
    return check_targets(targets.targets, [r.metrics for r in runs], context, "force")


def check_national(
    path: str | Path,
    targets: TargetsFile,
    replications: int,
    seed: int,
    workers: int | None,
    days: float | None = None,
) -> list[TargetResult]:
    """Run the national model and judge the national-level targets on the E&W aggregates."""
    from sim.study.national import load_national, run_national, with_horizon

    config = load_national(path, {"replications": replications, "seed": seed})
    if days is not None:
        config = with_horizon(config, days)
    result = run_national(config, workers)
    horizon = float(config.baseline_raw["horizon_days"]) - float(config.baseline_raw["warmup_days"])
    fte = sum(f.officer_fte for f in config.forces)
    context = Context(fte, horizon / 365.25, targets.hours_per_year)
    return check_targets(targets.targets, result.national, context, "national")
