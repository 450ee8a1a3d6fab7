"""Results directories: resume without loss or duplicates, kills lose only work in flight."""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.errors import DataError, OutputExistsError
from sim.sweep.analyse import analyse_store, write_analysis
from sim.sweep.designs import build_design
from sim.sweep.evaluate import build_evaluator
from sim.sweep.runner import run_sweep
from sim.sweep.spec import SweepSpec, parse_spec
from sim.sweep.store import open_results

REPO = Path(__file__).resolve().parents[1]


def spec_dict(n: int = 64, seed: int = 3) -> dict:
    return {
        "name": "store",
        "model": {"kind": "ishigami", "noise_sd": 0.5},
        "parameters": [{"path": p, "low": -math.pi, "high": math.pi} for p in ("x1", "x2", "x3")],
        "design": {"method": "sobol", "n": n},
        "replications": 2,
        "seed": seed,
        "outputs": ["y"],
    }


def sweep(spec: SweepSpec, out: Path, **options: object):
    design = build_design(spec)
    return run_sweep(spec, build_evaluator(spec, "s.yaml", design), out, design=design, **options)


def test_interrupted_and_resumed_equals_uninterrupted(tmp_path: Path) -> None:
    spec = parse_spec(spec_dict())
    whole = sweep(spec, tmp_path / "whole")
    first = sweep(spec, tmp_path / "parts", max_points=100, batch_size=9)
    assert (first.before, first.run, first.complete) == (0, 100, False)
    second = sweep(spec, tmp_path / "parts", resume=True, max_points=77, batch_size=5)
    assert (second.before, second.run) == (100, 77)
    third = sweep(spec, tmp_path / "parts", resume=True)
    assert (third.before, third.run, third.complete) == (177, whole.total - 177, True)
    again = sweep(spec, tmp_path / "parts", resume=True)  # nothing left: writes nothing
    assert again.run == 0
    resumed = open_results(tmp_path / "parts").results()
    pd.testing.assert_frame_equal(open_results(tmp_path / "whole").results(), resumed)
    assert len(resumed) == 2 * whole.total
    assert not resumed.duplicated(["point", "replication"]).any()


class TypeProbe:
    """Reports whether the model was handed x3 as a Python int."""

    seed = 3
    replications = 1
    fingerprint = "probe"

    def __call__(self, point: int, params: dict) -> list[dict[str, float]]:
        return [{"y": float(isinstance(params["x3"], int))}]


def test_integer_parameters_stay_whole_numbers(tmp_path: Path) -> None:
    raw = {**spec_dict(n=16), "replications": 1}
    raw["parameters"][2] = {"path": "x3", "low": -3, "high": 3, "integer": True}
    run_sweep(parse_spec(raw), TypeProbe(), tmp_path / "out")
    rows = open_results(tmp_path / "out").results()
    assert rows["x3"].dtype == "int64" and set(rows["x3"]) <= set(range(-3, 4))
    assert rows["x1"].dtype == "float64"
    assert (rows["y"] == 1.0).all()  # the model saw whole numbers as ints


def test_a_write_cut_short_is_ignored_and_cleaned(tmp_path: Path) -> None:
    spec = parse_spec(spec_dict())
    sweep(spec, tmp_path / "out", max_points=10)
    stale = tmp_path / "out" / "parts" / ".tmp-0123-part-000000010-x.parquet"
    stale.write_bytes(b"PAR1 half a file")
    assert open_results(tmp_path / "out").done_points() == set(range(10))
    sweep(spec, tmp_path / "out", resume=True)
    assert not stale.exists()


def test_refusals(tmp_path: Path) -> None:
    spec = parse_spec(spec_dict())
    sweep(spec, tmp_path / "out", max_points=5)
    with pytest.raises(OutputExistsError, match="pass --resume"):
        sweep(spec, tmp_path / "out")
    with pytest.raises(OutputExistsError, match="different sweep"):
        sweep(parse_spec(spec_dict(seed=4)), tmp_path / "out", resume=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(OutputExistsError, match="holds no sweep manifest"):
        sweep(spec, tmp_path / "other")
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"
    (tmp_path / "empty").mkdir()
    assert sweep(spec, tmp_path / "empty", max_points=1).run == 1


def test_two_processes_never_write_one_directory(tmp_path: Path) -> None:
    from sim.sweep.store import open_store

    spec = parse_spec(spec_dict())
    design = build_design(spec)
    sweep(spec, tmp_path / "out", max_points=1)
    stored = open_results(tmp_path / "out").manifest
    manifest = {k: v for k, v in stored.items() if k != "format"}
    with (
        open_store(tmp_path / "out", manifest, design, resume=True),
        pytest.raises(OutputExistsError, match="another sweep process"),
    ):
        open_store(tmp_path / "out", manifest, design, resume=True)


def test_analysis_needs_a_complete_sweep_and_is_not_overwritten(tmp_path: Path) -> None:
    spec = parse_spec(spec_dict(n=8))
    sweep(spec, tmp_path / "out", max_points=30)
    with pytest.raises(DataError, match="30 of 40 points stored"):
        analyse_store(open_results(tmp_path / "out"))
    sweep(spec, tmp_path / "out", resume=True)
    analysis = analyse_store(open_results(tmp_path / "out"))
    target = write_analysis(analysis, tmp_path / "out")
    assert {p.name for p in target.iterdir()} == {"indices.csv", "summary.csv", "sensitivity.png"}
    with pytest.raises(OutputExistsError, match="--force"):
        write_analysis(analysis, tmp_path / "out")
    write_analysis(analysis, tmp_path / "out", force=True)


def _start(sweep_file: Path, out: Path, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "sim.commands.cli", "sweep", str(sweep_file), "--out", str(out)]
    return subprocess.Popen([*command, "--quiet", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_parts(out: Path, count: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while len(list((out / "parts").glob("part-*.parquet"))) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the sweep wrote no parts in 60 s"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("sig", "workers", "code"), [(signal.SIGKILL, "1", -signal.SIGKILL), (signal.SIGINT, "2", 130)]
)
def test_killed_sweep_resumes_to_the_uninterrupted_table(
    tmp_path: Path, sig: signal.Signals, workers: str, code: int
) -> None:
    """One-point batches so the kill lands mid-run; every finished batch survives it."""
    import yaml

    spec = spec_dict(n=256)  # 1,280 points, far more than are done before the kill
    sweep_file = tmp_path / "s.yaml"
    sweep_file.write_text(yaml.safe_dump(spec))
    out = tmp_path / "out"
    process = _start(sweep_file, out, "--batch-size", "1", "--workers", workers)
    _wait_for_parts(out, 5, process)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    if sig == signal.SIGINT:
        assert "interrupted; batches already stored are kept (continue with --resume)" in stderr
    kept = open_results(out).done_points()
    assert 5 <= len(kept) < 1_280
    resumed = sweep(parse_spec(spec), out, resume=True)
    assert (resumed.before, resumed.run) == (len(kept), 1_280 - len(kept))
    whole = tmp_path / "whole"
    sweep(parse_spec(spec), whole)
    pd.testing.assert_frame_equal(open_results(whole).results(), open_results(out).results())
