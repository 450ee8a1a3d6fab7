"""Design matrices from SALib samplers in the unit cube, mapped to each parameter's distribution."""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from sim.errors import ConfigError
from sim.sweep.spec import (
    GridDesign,
    LhsDesign,
    MorrisDesign,
    Parameter,
    SobolDesign,
    SweepSpec,
)


@dataclass(frozen=True)
class DesignMatrix:
    """A sweep's points: ``unit`` in [0, 1]^d as the sampler drew them, ``values`` transformed."""

    names: tuple[str, ...]
    unit: np.ndarray
    values: np.ndarray

    @property
    def n_points(self) -> int:
        """Number of design points (rows)."""
        return int(self.unit.shape[0])

    def point(self, index: int) -> dict[str, float]:
        """The parameter values of one design point, by config path."""
        return {name: self.values[index, j].item() for j, name in enumerate(self.names)}


def unit_problem(names: list[str] | tuple[str, ...]) -> dict:
    """The SALib problem every design is drawn from and analysed in: d inputs on [0, 1]."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def sample_unit(spec: SweepSpec) -> np.ndarray:
    """Draw the design in the unit cube with SALib (or numpy's grid for the full factorial)."""
    problem = unit_problem(spec.names)
    design = spec.design
    d = len(spec.names)
    if isinstance(design, SobolDesign):
        if design.sampler == "saltelli":
            from SALib.sample import saltelli

            with warnings.catch_warnings():  # SALib marks saltelli as superseded by sobol
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("ignore", FutureWarning)
                return saltelli.sample(problem, design.n, calc_second_order=design.second_order)
        from SALib.sample import sobol

        return sobol.sample(problem, design.n, calc_second_order=design.second_order, scramble=True, seed=spec.seed)
    if isinstance(design, MorrisDesign):
        from SALib.sample import morris

        return morris.sample(problem, design.trajectories, num_levels=design.levels, seed=spec.seed)
    if isinstance(design, LhsDesign):
        from SALib.sample import latin

        return latin.sample(problem, design.n, seed=spec.seed)
    if isinstance(design, GridDesign):
        levels = np.linspace(0.0, 1.0, design.levels)
        return np.array(list(itertools.product(levels, repeat=d)), dtype=float).reshape(-1, d)
    raise ConfigError(f"design.method: unknown design {design!r}")  # pragma: no cover


def _integer_uniform(parameter: Parameter, u: np.ndarray) -> np.ndarray:
    """Each whole number in [low, high] with equal chance: floor over [low, high + 1)."""
    low, high = float(parameter.low), float(parameter.high)  # type: ignore[arg-type]
    return np.minimum(np.floor(low + u * (high - low + 1.0)), high)


def transform(parameter: Parameter, u: np.ndarray) -> np.ndarray:
    """Map unit-cube values to the parameter's distribution by its inverse CDF."""
    kind = parameter.distribution
    if kind == "uniform" and parameter.integer:
        return _integer_uniform(parameter, u)
    if kind == "uniform":
        values = parameter.low + u * (parameter.high - parameter.low)  # type: ignore[operator]
    elif kind == "loguniform":
        values = stats.loguniform(parameter.low, parameter.high).ppf(u)
    elif kind == "triangular":
        width = parameter.high - parameter.low  # type: ignore[operator]
        c = (parameter.mode - parameter.low) / width  # type: ignore[operator]
        values = stats.triang(c, loc=parameter.low, scale=width).ppf(u)
    else:
        mean, sd = float(parameter.mean), float(parameter.sd)  # type: ignore[arg-type]
        if parameter.low is None and parameter.high is None:
            values = stats.norm(mean, sd).ppf(u)
        else:
            a = -np.inf if parameter.low is None else (parameter.low - mean) / sd
            b = np.inf if parameter.high is None else (parameter.high - mean) / sd
            values = stats.truncnorm(a, b, loc=mean, scale=sd).ppf(u)
    values = np.asarray(values, dtype=float)
    return np.rint(values) if parameter.integer else values


def build_design(spec: SweepSpec) -> DesignMatrix:
    """The full design of a sweep; deterministic given the spec (and SALib's version)."""
    unit = np.asarray(sample_unit(spec), dtype=float)
    values = np.column_stack([transform(p, unit[:, j]) for j, p in enumerate(spec.parameters)])
    bad = ~np.isfinite(values)
    if bad.any():
        j = int(np.argwhere(bad)[0][1])
        raise ConfigError(f"parameters[{j}]: the design reaches an infinite value; give 'low' and 'high'")
    return DesignMatrix(names=tuple(spec.names), unit=unit, values=values)
