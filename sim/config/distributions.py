"""Declarative time distributions: validated in the config, sampled in blocks from a named stream.

Each distribution is a small pydantic model selected by its ``dist`` field. ``sample(rng, n)``
returns ``n`` non-negative draws as a numpy array; ``mean()`` gives the expected value, used by the
linear conversions and by tests that compare against theory.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, model_validator

from sim.errors import DataError


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def mean(self) -> float:  # pragma: no cover
        raise NotImplementedError

    def scaled(self, factor: float) -> _Dist:
        """The same shape with every draw multiplied by ``factor`` (used by interventions)."""
        return Scaled(dist="scaled", base=self, factor=factor)


class Fixed(_Dist):
    """Always the same value."""

    dist: Literal["fixed"]
    value: float = Field(ge=0)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value, dtype=float)

    def mean(self) -> float:
        return self.value


class Exponential(_Dist):
    """Memoryless durations: the M in M/M/c."""

    dist: Literal["exponential"]
    mean_value: PositiveFloat = Field(alias="mean")

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_value, n)

    def mean(self) -> float:
        return self.mean_value


class Lognormal(_Dist):
    """Right-skewed durations given by their mean and coefficient of variation (sd / mean)."""

    dist: Literal["lognormal"]
    mean_value: PositiveFloat = Field(alias="mean")
    cv: PositiveFloat

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        sigma2 = math.log1p(self.cv**2)
        mu = math.log(self.mean_value) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), n)

    def mean(self) -> float:
        return self.mean_value


class Gamma(_Dist):
    """Gamma durations given by mean and coefficient of variation."""

    dist: Literal["gamma"]
    mean_value: PositiveFloat = Field(alias="mean")
    cv: PositiveFloat

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean_value / shape, n)

    def mean(self) -> float:
        return self.mean_value


class Triangular(_Dist):
    """Durations known only as low, most likely and high."""

    dist: Literal["triangular"]
    low: float = Field(ge=0)
    mode: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError(f"needs low <= mode <= high and low < high, got {self.low}, {self.mode}, {self.high}")
        return self

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, n)

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3


class Empirical(_Dist):
    """Resampling of observed durations, given inline (``values``) or as a CSV column."""

    dist: Literal["empirical"]
    values: tuple[float, ...] | None = None
    csv: Path | None = None
    column: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Empirical:
        if (self.values is None) == (self.csv is None):
            raise ValueError("give exactly one of 'values' (a list) or 'csv' with 'column'")
        if self.csv is not None:
            if not self.column:
                raise ValueError("'csv' needs 'column', the name of the column to read")
            object.__setattr__(self, "values", _read_csv_column(self.csv, self.column))
            object.__setattr__(self, "csv", None)
        if not self.values:
            raise ValueError("needs at least one value")
        if min(self.values) < 0:
            raise ValueError("durations cannot be negative")
        return self

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(np.asarray(self.values, dtype=float), n)

    def mean(self) -> float:
        assert self.values is not None  # the validator has read any CSV into values
        return float(np.mean(self.values))


class Scaled(_Dist):
    """Another distribution with every draw multiplied by a factor."""

    dist: Literal["scaled"]
    base: Distribution
    factor: float = Field(ge=0)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.base.sample(rng, n) * self.factor

    def mean(self) -> float:
        return self.base.mean() * self.factor


def _read_csv_column(path: Path, column: str) -> tuple[float, ...]:
    """Read one numeric column of a CSV; a missing file, column or bad row is a ``DataError``."""
    import csv

    if not path.is_file():
        raise DataError(f"CSV file {path} does not exist")
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or column not in reader.fieldnames:
            raise DataError(f"{path}: no column {column!r} (columns: {reader.fieldnames})")
        values = []
        for row_number, row in enumerate(reader, start=2):
            try:
                values.append(float(row[column]))
            except (TypeError, ValueError):
                raise DataError(
                    f"{path} row {row_number}: column {column!r} is {row[column]!r}, not a number"
                ) from None
    return tuple(values)


Distribution = Annotated[
    Fixed | Exponential | Lognormal | Gamma | Triangular | Empirical | Scaled,
    Field(discriminator="dist"),
]
Scaled.model_rebuild()


class _Holder(BaseModel):
    value: Distribution


def parse_distribution(data: object) -> _Dist:
    """Validate a plain mapping as a distribution (for tests and programmatic use)."""
    return _Holder(value=data).value
