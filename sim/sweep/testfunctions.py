"""The Ishigami function as a sweep model: its Sobol indices are known, so it checks a set-up."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.sweep.seeds import point_seed


def ishigami(x1: float, x2: float, x3: float, a: float = 7.0, b: float = 0.1) -> float:
    """sin x1 + a sin^2 x2 + b x3^4 sin x1 (Ishigami and Homma, 1990)."""
    return math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict[str, dict[str, float]]:
    """Exact first- and total-order Sobol indices for inputs uniform on [-pi, pi]."""
    pi4, pi8 = math.pi**4, math.pi**8
    v1 = 0.5 * (1.0 + b * pi4 / 5.0) ** 2
    v2 = a**2 / 8.0
    v13 = b**2 * pi8 * (1.0 / 18.0 - 1.0 / 50.0)
    total = v1 + v2 + v13
    return {
        "S1": {"x1": v1 / total, "x2": v2 / total, "x3": 0.0},
        "ST": {"x1": (v1 + v13) / total, "x2": v2 / total, "x3": v13 / total},
    }


@dataclass(frozen=True)
class IshigamiEvaluator:
    """Evaluates the Ishigami function at a design point, adding seeded noise when asked."""

    seed: int
    replications: int
    a: float = 7.0
    b: float = 0.1
    noise_sd: float = 0.0

    @property
    def fingerprint(self) -> str:
        """Nothing beyond the sweep spec determines the results."""
        return "ishigami"

    def __call__(self, point: int, params: Mapping[str, float]) -> list[dict[str, float]]:
        """One output row per replication; noise comes from the point's own seed stream."""
        y = ishigami(params["x1"], params["x2"], params["x3"], self.a, self.b)
        rows = []
        for rep in range(self.replications):
            noise = 0.0
            if self.noise_sd > 0:
                rng = np.random.default_rng(point_seed(self.seed, point, rep))
                noise = float(rng.normal(0.0, self.noise_sd))
            rows.append({"y": y + noise})
        return rows
