"""Bad sweep files get one clear line naming the field; good ones give the designs they promise."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

from sim.commands.cli import main
from sim.errors import ConfigError
from sim.sweep.designs import build_design, transform
from sim.sweep.spec import Parameter, parse_spec

REPO = Path(__file__).resolve().parents[1]
REDACTION = REPO / "experiments" / "sensitivity_redaction.yaml"

GOOD = {
    "name": "t",
    "model": {"kind": "ishigami"},
    "parameters": [{"path": p, "low": -3.0, "high": 3.0} for p in ("x1", "x2", "x3")],
    "design": {"method": "sobol", "n": 16},
    "seed": 1,
    "outputs": ["y"],
}


def problem(change) -> str:
    raw = copy.deepcopy(GOOD)
    change(raw)
    with pytest.raises(ConfigError) as error:
        parse_spec(raw, "s.yaml")
    message = str(error.value)
    assert "\n" not in message
    return message


def test_bad_fields_are_named() -> None:
    assert problem(lambda r: r["parameters"][1].update(low=5.0)) == (
        "s.yaml: parameters[1]: lower bound 5 is not below upper bound 3"
    )
    assert problem(lambda r: r["design"].update(method="taguchi")) == (
        "s.yaml: design.method: unknown value 'taguchi'; expected one of 'sobol', 'morris', 'lhs', 'grid'"
    )
    assert problem(lambda r: r["design"].update(n=100)).startswith("s.yaml: design.n: n must be a power of two")
    assert problem(lambda r: r.update(replications=0)).startswith("s.yaml: replications:")
    assert problem(lambda r: r.update(sed=1)) == "s.yaml: sed: unknown field (got 1)"
    assert problem(lambda r: r["parameters"][0].update(distribution="gamma")).startswith(
        "s.yaml: parameters[0].distribution: Input should be"
    )
    assert problem(lambda r: r["parameters"][0].update(distribution="normal")) == (
        "s.yaml: parameters[0]: a normal parameter needs 'mean'"
    )
    assert "parameters[0]: a loguniform parameter needs low > 0" in problem(
        lambda r: r["parameters"][0].update(distribution="loguniform")
    )
    assert "listed twice" in problem(lambda r: r["parameters"][2].update(path="x1"))


def test_policesim_outputs_are_contract_paths() -> None:
    def outputs(*names: str, intervention: bool = True):
        def change(raw: dict) -> None:
            raw["model"] = {"kind": "policesim"}
            if intervention:
                raw["model"]["intervention"] = {"set": {"horizon_days": 1}}
            raw["parameters"][0]["path"] = "workforce.response_officers"
            raw["outputs"] = list(names)

        return change

    assert "outputs[0]: 'delta:summary.overtime_hours' is not a contract path" in problem(
        outputs("delta:summary.overtime_hours")
    )
    assert "outputs[1]: 'overtime_hours' is not a contract path" in problem(
        outputs("summary.overtime_hours", "overtime_hours")
    )
    assert "needs an intervention (model.intervention)" in problem(
        outputs("difference:summary.overtime_hours", intervention=False)
    )


def test_morris_and_grid_need_a_bounded_normal() -> None:
    def unbounded_morris(raw: dict) -> None:
        raw["design"] = {"method": "morris", "trajectories": 4}
        raw["parameters"][0] = {"path": "x1", "distribution": "normal", "mean": 0, "sd": 1}

    assert "parameters[0]: a morris design visits the ends" in problem(unbounded_morris)


def write(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(REDACTION.read_text())
    overlays = raw["model"]["intervention"]["overlays"]
    raw["model"]["intervention"]["overlays"] = [str(REDACTION.parent / o) for o in overlays]
    change(raw)
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda r: r["parameters"][0].update(path="tasks.video_redaction.minutes_per_minute"),
            "sweep.yaml: parameters[0]: tasks.video_redaction.minutes_per_minute: unknown key",
        ),
        (
            lambda r: r["parameters"][2].update(path="tasks.no_such_task.minutes.mean"),
            "sweep.yaml: parameters[2]: --set tasks.no_such_task.minutes.mean: tasks.no_such_task does not exist",
        ),
        (
            lambda r: r["parameters"][5].update(low=0.5, high=1.5),
            "sweep.yaml: parameters[5]: interventions.automated_redaction.adoption: "
            "Input should be less than or equal to 1",
        ),
        (
            lambda r: r["outputs"].append("difference:summary.incidents.burglary.attended_late"),
            "outputs[5]: 'summary.incidents.burglary.attended_late' is not a policesim metric",
        ),
        (
            lambda r: r["model"]["intervention"].update(overlays=["missing.yaml"]),
            "model.intervention: ",
        ),
    ],
)
def test_policesim_paths_are_checked_before_any_run(tmp_path: Path, capsys, change, expected) -> None:
    """Unknown config paths, out-of-range values and unknown metrics: exit 2, one line."""
    code = main(["sweep", str(write(tmp_path, change)), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and expected in err, err
    assert not (tmp_path / "out").exists()


def test_distribution_transforms_follow_their_laws() -> None:
    u = (np.arange(20_000) + 0.5) / 20_000  # evenly spaced quantiles: exact up to discretisation
    tri = Parameter(path="a", distribution="triangular", low=3, mode=9, high=10)
    assert transform(tri, u).mean() == pytest.approx((3 + 9 + 10) / 3, rel=1e-4)
    logu = Parameter(path="a", distribution="loguniform", low=5, high=60)
    assert np.median(transform(logu, u)) == pytest.approx(math.sqrt(5 * 60), rel=1e-3)
    norm = Parameter(path="a", distribution="normal", mean=2, sd=0.5, low=1.5)
    values = transform(norm, u)
    assert values.min() >= 1.5
    assert values.mean() == pytest.approx(stats.truncnorm(-1, np.inf, loc=2, scale=0.5).mean(), rel=1e-4)
    integer = Parameter(path="a", low=1, high=4, integer=True)
    counts = np.unique(transform(integer, u), return_counts=True)
    assert counts[0].tolist() == [1, 2, 3, 4] and counts[1].tolist() == [5000] * 4
    assert transform(integer, np.array([0.0, 1.0])).tolist() == [1, 4]


def test_design_sizes_and_determinism() -> None:
    sizes = {
        ("sobol", False): ({"method": "sobol", "n": 16}, 16 * 5),
        ("sobol", True): ({"method": "sobol", "n": 16, "second_order": True}, 16 * 8),
        ("saltelli", False): ({"method": "sobol", "n": 16, "sampler": "saltelli"}, 16 * 5),
        ("morris", False): ({"method": "morris", "trajectories": 6, "levels": 4}, 6 * 4),
        ("lhs", False): ({"method": "lhs", "n": 50}, 50),
        ("grid", False): ({"method": "grid", "levels": 3}, 27),
    }
    for design, expected in sizes.values():
        spec = parse_spec({**GOOD, "design": design})
        first, second = build_design(spec), build_design(spec)
        assert first.n_points == expected
        np.testing.assert_array_equal(first.values, second.values)
        assert first.values.min() >= -3.0 and first.values.max() <= 3.0
    lhs = build_design(parse_spec({**GOOD, "design": {"method": "lhs", "n": 50}}))
    strata = np.floor(lhs.unit * 50).astype(int)
    assert all(sorted(strata[:, j]) == list(range(50)) for j in range(3))  # one point per stratum
