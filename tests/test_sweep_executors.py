"""A sweep gives the same rows in this process, on a local pool and on a Dask LocalCluster."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from sim.errors import PolicesimError
from sim.sweep.designs import build_design
from sim.sweep.evaluate import build_evaluator
from sim.sweep.runner import run_sweep
from sim.sweep.spec import parse_spec
from sim.sweep.store import open_results
from sim.sweep.testfunctions import ishigami


def noisy_spec() -> dict:
    """Ishigami plus seeded noise, 2 replications: rows depend on each point's own seeds."""
    return {
        "name": "noisy",
        "model": {"kind": "ishigami", "noise_sd": 1.0},
        "parameters": [{"path": p, "low": -math.pi, "high": math.pi} for p in ("x1", "x2", "x3")],
        "design": {"method": "sobol", "n": 32},
        "replications": 2,
        "seed": 11,
        "outputs": ["y"],
    }


def run(out: Path, **where: object) -> pd.DataFrame:
    spec = parse_spec(noisy_spec())
    design = build_design(spec)
    evaluator = build_evaluator(spec, "noisy.yaml", design)
    result = run_sweep(spec, evaluator, out, batch_size=7, design=design, **where)
    assert result.complete and result.run == design.n_points == 160
    return open_results(out).results()


def test_one_worker_two_workers_and_dask_give_identical_tables(tmp_path: Path) -> None:
    inline = run(tmp_path / "inline", workers=1)
    pool = run(tmp_path / "pool", workers=2)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        dask = run(tmp_path / "dask", client=client)
    pd.testing.assert_frame_equal(inline, pool, check_exact=True)
    pd.testing.assert_frame_equal(inline, dask, check_exact=True)
    assert len(inline) == 320 and not inline.duplicated(["point", "replication"]).any()
    # The noise is real: replications differ, and each row is the function plus N(0, 1) noise.
    first = inline[inline["point"] == 0]
    assert first["y"].iloc[0] != first["y"].iloc[1]
    exact = [ishigami(r.x1, r.x2, r.x3) for r in inline.itertuples()]
    noise = inline["y"].to_numpy() - np.array(exact)
    assert abs(noise.mean()) < 4 / math.sqrt(len(noise))  # mean 0, sd 1: 4 standard errors
    assert 0.8 < noise.std(ddof=1) < 1.2  # sd of an sd estimate from 320 draws is about 0.04


def test_a_cluster_without_workers_is_refused(tmp_path: Path) -> None:
    with (
        LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as client,
        pytest.raises(PolicesimError, match="no workers"),
    ):
        run(tmp_path / "none", client=client)
