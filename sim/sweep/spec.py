"""Schema of a sweep file (YAML): what varies, how it is sampled, what is measured."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.errors import ConfigError

_STRICT = ConfigDict(extra="forbid", frozen=True)

Scope = Literal["base", "intervention", "difference"]
SCOPES: tuple[str, ...] = ("base", "intervention", "difference")


class Parameter(BaseModel):
    """One uncertain input: a config path and the distribution its values are drawn from.

    ``uniform`` and ``loguniform`` use ``low`` and ``high``; ``triangular`` adds ``mode``;
    ``normal`` uses ``mean`` and ``sd``, truncated to ``low``/``high`` when given.
    ``integer: true`` makes a uniform parameter take each whole number in [low, high] with equal
    chance, and rounds any other distribution to the nearest whole number.
    """

    model_config = _STRICT

    path: str = Field(min_length=1)
    distribution: Literal["uniform", "loguniform", "triangular", "normal"] = "uniform"
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    integer: bool = False

    @field_validator("path")
    @classmethod
    def _dotted(cls, path: str) -> str:
        if any(not part for part in path.split(".")) or path != path.strip():
            raise ValueError(f"{path!r} is not a dotted config path like 'a.b.c'")
        return path

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        kind = self.distribution
        needs = {
            "uniform": ("low", "high"),
            "loguniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "normal": ("mean", "sd"),
        }[kind]
        allowed = set(needs) | ({"low", "high"} if kind == "normal" else set())
        for name in ("low", "high", "mode", "mean", "sd"):
            value = getattr(self, name)
            if name in needs and value is None:
                raise ValueError(f"a {kind} parameter needs '{name}'")
            if name not in allowed and value is not None:
                raise ValueError(f"'{name}' does not apply to a {kind} parameter")
            if value is not None and not math.isfinite(value):
                raise ValueError(f"'{name}' must be a finite number, got {value}")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"lower bound {self.low:g} is not below upper bound {self.high:g}")
        if kind == "loguniform" and self.low is not None and self.low <= 0:
            raise ValueError(f"a loguniform parameter needs low > 0, got {self.low:g}")
        if kind == "triangular" and not self.low <= self.mode <= self.high:  # type: ignore[operator]
            raise ValueError(f"mode {self.mode:g} lies outside [{self.low:g}, {self.high:g}]")
        if kind == "normal" and self.sd is not None and self.sd <= 0:
            raise ValueError(f"sd must be positive, got {self.sd:g}")
        if (
            self.integer
            and kind == "uniform"
            and not (
                float(self.low).is_integer() and float(self.high).is_integer()  # type: ignore[arg-type]
            )
        ):
            raise ValueError("an integer uniform parameter needs whole-number low and high")
        return self

    @property
    def bounded(self) -> bool:
        """Whether the distribution has finite support (a normal needs both truncation bounds)."""
        return self.distribution != "normal" or (self.low is not None and self.high is not None)


class SobolDesign(BaseModel):
    """Saltelli-style cross sampling for Sobol indices: n * (d + 2) points, or n * (2d + 2)."""

    model_config = _STRICT

    method: Literal["sobol"]
    n: int = Field(ge=2, description="base sample size; a power of two")
    second_order: bool = False
    sampler: Literal["sobol", "saltelli"] = "sobol"

    @field_validator("n")
    @classmethod
    def _power_of_two(cls, n: int) -> int:
        if n & (n - 1):
            raise ValueError(f"n must be a power of two (Sobol' sequences lose balance), got {n}")
        return n


class MorrisDesign(BaseModel):
    """Morris elementary-effects trajectories on a grid of ``levels`` levels: r * (d + 1) points."""

    model_config = _STRICT

    method: Literal["morris"]
    trajectories: int = Field(ge=2)
    levels: int = Field(default=4, ge=2)

    @field_validator("levels")
    @classmethod
    def _even(cls, levels: int) -> int:
        if levels % 2:
            raise ValueError(f"levels must be even so every step has the same size, got {levels}")
        return levels


class LhsDesign(BaseModel):
    """Latin hypercube of n points: uncertainty propagation and RBD-FAST first-order indices."""

    model_config = _STRICT

    method: Literal["lhs"]
    n: int = Field(ge=2)


class GridDesign(BaseModel):
    """Full factorial grid, ``levels`` evenly spaced quantiles per parameter: levels ** d points."""

    model_config = _STRICT

    method: Literal["grid"]
    levels: int = Field(ge=2)


Design = Annotated[SobolDesign | MorrisDesign | LhsDesign | GridDesign, Field(discriminator="method")]


class InterventionSpec(BaseModel):
    """The intervention side of a paired sweep: overlays and overrides on top of the base."""

    model_config = _STRICT

    overlays: list[str] = Field(
        default_factory=list, description="YAML fragments merged in order, relative to the sweep"
    )
    set: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _changes_something(self) -> InterventionSpec:
        if not self.overlays and not self.set:
            raise ValueError("an intervention needs 'overlays' or 'set' (else it is the base)")
        return self


class PolicesimModel(BaseModel):
    """Evaluate each design point with policesim, optionally as a base/intervention pair."""

    model_config = _STRICT

    kind: Literal["policesim"]
    scenario: str | None = Field(
        default=None, description="scenario file, relative to the sweep file; default: baseline"
    )
    overlays: list[str] = Field(
        default_factory=list, description="YAML fragments merged in order, relative to the sweep"
    )
    set: dict[str, Any] = Field(default_factory=dict)
    intervention: InterventionSpec | None = None


class IshigamiModel(BaseModel):
    """The Ishigami test function, whose Sobol indices are known: checks a set-up end to end."""

    model_config = _STRICT

    kind: Literal["ishigami"]
    a: float = 7.0
    b: float = 0.1
    noise_sd: float = Field(default=0.0, ge=0.0)


ModelSpec = Annotated[PolicesimModel | IshigamiModel, Field(discriminator="kind")]


class SweepSpec(BaseModel):
    """A whole sweep: model, uncertain parameters, design, replications, seed and outputs."""

    model_config = _STRICT

    name: str = Field(min_length=1)
    description: str = ""
    model: ModelSpec
    parameters: list[Parameter] = Field(min_length=1)
    design: Design
    replications: int = Field(default=1, ge=1)
    seed: int = Field(ge=0)
    outputs: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> SweepSpec:
        paths = [p.path for p in self.parameters]
        for i, path in enumerate(paths):
            if path in paths[:i]:
                raise ValueError(f"parameters[{i}].path: {path!r} is listed twice")
        for i, output in enumerate(self.outputs):
            if output in self.outputs[:i]:
                raise ValueError(f"outputs[{i}]: {output!r} is listed twice")
            if output in paths:
                raise ValueError(f"outputs[{i}]: {output!r} is also a parameter path")
        if self.design.method in ("morris", "grid"):
            for i, parameter in enumerate(self.parameters):
                if not parameter.bounded:
                    raise ValueError(
                        f"parameters[{i}]: a {self.design.method} design visits the ends of each "
                        "range, so a normal parameter needs 'low' and 'high' (truncation)"
                    )
        if isinstance(self.model, IshigamiModel):
            if paths != ["x1", "x2", "x3"]:
                raise ValueError(f"parameters: the ishigami model takes x1, x2, x3, got {paths}")
            if self.outputs != ["y"]:
                raise ValueError(f"outputs: the ishigami model has the one output 'y', got {self.outputs}")
        else:
            for i, output in enumerate(self.outputs):
                scope, path = split_output(output)
                if scope not in SCOPES or not path.startswith("summary.") or path == "summary.":
                    raise ValueError(
                        f"outputs[{i}]: {output!r} is not a contract path like "
                        "'summary.incidents.burglary.attended_within_target' "
                        "(optionally prefixed 'difference:' or 'intervention:')"
                    )
                if scope != "base" and self.model.intervention is None:
                    raise ValueError(f"outputs[{i}]: {output!r} needs an intervention (model.intervention)")
        return self

    @property
    def names(self) -> list[str]:
        """Parameter paths, in the order of the design's columns."""
        return [p.path for p in self.parameters]

    def canonical_json(self) -> str:
        """A stable text form of the spec, used for its hash and stored in the manifest."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))

    def spec_hash(self) -> str:
        """sha256 of the canonical spec, first 16 hex digits."""
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()[:16]


def split_output(output: str) -> tuple[str, str]:
    """``'difference:summary.x'`` -> ``('difference', 'summary.x')``; no prefix means base."""
    scope, sep, path = output.partition(":")
    return (scope, path) if sep else ("base", output)


def _location(loc: tuple[Any, ...]) -> str:
    """Pydantic's error location as a path: ``("a", 0, "low")`` -> ``a[0].low``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("sobol", "morris", "lhs", "grid", "policesim", "ishigami"):
            continue  # the union member pydantic tried; the field path reads better without it
        else:
            text += f".{part}" if text else str(part)
    return text


def format_validation_error(error: ValidationError, source: str) -> str:
    """The first problem of a pydantic error as one line naming the field."""
    first = error.errors()[0]
    where = _location(tuple(first["loc"]))
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"] == "union_tag_invalid":
        ctx = first["ctx"]
        where = f"{where}.{ctx['discriminator'].strip(chr(39))}"
        message = f"unknown value {ctx['tag']!r}; expected one of {ctx['expected_tags']}"
        return f"{source}: {where}: {message}"
    value = first.get("input")
    scalar = value is not None and not isinstance(value, dict | list)
    shown = f" (got {value!r})" if scalar and first["type"] != "value_error" else ""
    return f"{source}: {where + ': ' if where else ''}{message}{shown}"


def parse_spec(raw: Any, source: str = "<sweep>") -> SweepSpec:
    """Validate a loaded sweep document; a ``ConfigError`` names the first bad field."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: a sweep file must be a mapping, got {type(raw).__name__}")
    try:
        return SweepSpec.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(format_validation_error(error, source)) from None


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep YAML file."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: sweep file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory; give a sweep file (YAML) inside it") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {str(error).splitlines()[0]}") from None
    return parse_spec(raw, str(path))
