"""The sweep pipeline recovers known sensitivity indices when the model is a known function."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sim.sweep.analyse import analyse_store
from sim.sweep.designs import build_design
from sim.sweep.evaluate import build_evaluator
from sim.sweep.runner import run_sweep
from sim.sweep.spec import load_spec, parse_spec
from sim.sweep.store import open_results
from sim.sweep.testfunctions import ishigami, ishigami_indices

REPO = Path(__file__).resolve().parents[1]
ISHIGAMI = REPO / "experiments" / "ishigami_check.yaml"


def test_exact_ishigami_indices_match_the_published_values() -> None:
    """Ishigami and Homma (1990), a=7, b=0.1: S1 = .3139, .4424, 0; ST = .5576, .4424, .2437."""
    exact = ishigami_indices(7.0, 0.1)
    assert exact["S1"]["x1"] == pytest.approx(0.3139, abs=1e-4)
    assert exact["S1"]["x2"] == pytest.approx(0.4424, abs=1e-4)
    assert exact["ST"]["x1"] == pytest.approx(0.5576, abs=1e-4)
    assert exact["ST"]["x3"] == pytest.approx(0.2437, abs=1e-4)
    assert ishigami(math.pi / 2, math.pi / 2, 1.0) == pytest.approx(1 + 7 + 0.1)


def test_sobol_sweep_recovers_ishigami_indices(tmp_path: Path) -> None:
    """Each estimate lies within 2 of its 95% half-widths (about 4 standard errors) of the truth."""
    spec = load_spec(ISHIGAMI)
    design = build_design(spec)
    run_sweep(
        spec,
        build_evaluator(spec, ISHIGAMI, design),
        tmp_path / "out",
        design=design,
        batch_size=4096,
    )
    analysis = analyse_store(open_results(tmp_path / "out"))
    exact = ishigami_indices()
    table = analysis.indices.set_index("parameter")
    for order in ("S1", "ST"):
        for name in ("x1", "x2", "x3"):
            estimate, conf = table.loc[name, order], table.loc[name, f"{order}_conf"]
            assert conf < 0.06, f"{order} {name}: interval too wide to test anything ({conf})"
            assert abs(estimate - exact[order][name]) <= 2 * conf, (order, name, estimate, conf)
    assert list(analysis.ranking("y")["parameter"]) == ["x1", "x2", "x3"]


def _linear_spec(method: dict) -> dict:
    """A sweep on [0, 1]^3 whose spec passes validation; the tests pass their own evaluator."""
    return {
        "name": "linear",
        "model": {"kind": "ishigami"},
        "parameters": [{"path": p, "low": 0.0, "high": 1.0} for p in ("x1", "x2", "x3")],
        "design": method,
        "seed": 7,
        "outputs": ["y"],
    }


class Linear:
    """y = x1 + 2 x2 + 4 x3: elementary effects are exactly 1, 2, 4 with no spread."""

    seed = 7
    replications = 1
    fingerprint = "linear"

    def __call__(self, point: int, params: dict) -> list[dict[str, float]]:
        return [{"y": params["x1"] + 2 * params["x2"] + 4 * params["x3"]}]


def test_morris_on_a_linear_model_gives_exact_effects(tmp_path: Path) -> None:
    """For a linear model mu* equals each slope times the range and sigma is zero."""
    spec = parse_spec(_linear_spec({"method": "morris", "trajectories": 10, "levels": 4}))
    run_sweep(spec, Linear(), tmp_path / "out")
    analysis = analyse_store(open_results(tmp_path / "out"))
    table = analysis.indices.set_index("parameter")
    np.testing.assert_allclose(table["mu_star"], [1.0, 2.0, 4.0], rtol=1e-9)
    np.testing.assert_allclose(table["sigma"], [0.0, 0.0, 0.0], atol=1e-9)
    assert list(analysis.ranking("y")["parameter"]) == ["x3", "x2", "x1"]


def test_lhs_rbd_fast_on_a_linear_model_matches_variance_shares(tmp_path: Path) -> None:
    """Uniform inputs: S1 = c_i^2 / sum c^2 = 1/21, 4/21, 16/21, within the bootstrap interval."""
    spec = parse_spec(_linear_spec({"method": "lhs", "n": 2000}))
    run_sweep(spec, Linear(), tmp_path / "out")
    analysis = analyse_store(open_results(tmp_path / "out"))
    table = analysis.indices.set_index("parameter")
    for name, share in zip(("x1", "x2", "x3"), (1 / 21, 4 / 21, 16 / 21), strict=True):
        conf = table.loc[name, "S1_conf"]
        assert conf < 0.1
        assert abs(table.loc[name, "S1"] - share) <= 2 * conf, (name, table.loc[name])
