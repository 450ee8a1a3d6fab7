"""The policesim evaluator: parameters become overrides, seeds come from the point index."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import yaml

from sim.commands.cli import main
from sim.config.loading import DEFAULT_CONFIG, apply_overrides, load_raw, merge, scenario_from_dict
from sim.model.replication import simulate
from sim.model.streams import replication_seed
from sim.sweep.designs import build_design
from sim.sweep.evaluate import build_evaluator
from sim.sweep.spec import load_spec
from sim.sweep.store import open_results

REPO = Path(__file__).resolve().parents[1]
OVERLAY = REPO / "configs" / "interventions" / "automated_redaction.yaml"
OUTPUTS = [
    "summary.incidents.burglary.generated",
    "intervention:summary.hours_saved.automated_redaction",
    "difference:summary.followup_backlog_hours",
]


def sweep_file(tmp_path: Path) -> Path:
    spec = {
        "name": "tiny_redaction",
        "model": {
            "kind": "policesim",
            "set": {"horizon_days": 3, "warmup_days": 1},
            "intervention": {"overlays": [str(OVERLAY)]},
        },
        "parameters": [
            {"path": "interventions.automated_redaction.text_saving", "low": 0.6, "high": 0.92},
            {"path": "tasks.video_redaction.minutes_per_footage_minute", "low": 3, "high": 10},
        ],
        "design": {"method": "morris", "trajectories": 2, "levels": 4},
        "replications": 1,
        "seed": 5,
        "outputs": OUTPUTS,
    }
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def direct(point: int, rep: int, params: dict[str, float]) -> dict[str, float]:
    """What the sweep must store: both scenarios run by hand on the point's own seed."""
    base_raw = apply_overrides(load_raw(DEFAULT_CONFIG), {"horizon_days": 3, "warmup_days": 1})  # the sweep's default
    sides = {}
    for side, raw in (("base", base_raw), ("intervention", merge(base_raw, load_raw(OVERLAY)))):
        if "interventions" not in raw:  # the baseline leaves the section at its defaults
            raw = merge(raw, {"interventions": {"automated_redaction": {}}})
        scenario = scenario_from_dict(apply_overrides(raw, params))
        sides[side] = simulate(scenario, replication_seed(5, rep, key=(point,))).metrics
    return {
        OUTPUTS[0]: sides["base"]["incidents.burglary.generated"],
        OUTPUTS[1]: sides["intervention"]["hours_saved.automated_redaction"],
        OUTPUTS[2]: sides["intervention"]["followup_backlog_hours"] - sides["base"]["followup_backlog_hours"],
    }


def test_sweep_rows_equal_runs_by_hand_and_analyse_ranks(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    assert (
        main(
            [
                "sweep",
                str(sweep_file(tmp_path)),
                "--out",
                str(out),
                "--workers",
                "2",
                "--batch-size",
                "2",
                "--quiet",
            ]
        )
        == 0
    )
    assert "6/6 points stored" in capsys.readouterr().out
    rows = open_results(out).results()
    assert len(rows) == 6 and set(rows["overloaded"]) == {0}
    names = [
        "interventions.automated_redaction.text_saving",
        "tasks.video_redaction.minutes_per_footage_minute",
    ]
    checked = rows[rows["point"].isin([0, 5])]  # the first and the last point
    for values in checked.to_dict("records"):
        expected = direct(int(values["point"]), int(values["replication"]), {name: values[name] for name in names})
        for output, value in expected.items():
            assert values[output] == pytest.approx(value, rel=1e-12), (output, values)
    # The evaluator survives pickling (how it reaches pool and Dask workers) unchanged.
    spec = load_spec(tmp_path / "sweep.yaml")
    design = build_design(spec)
    evaluator = build_evaluator(spec, tmp_path / "sweep.yaml", design)
    copy = pickle.loads(pickle.dumps(evaluator))
    assert copy == evaluator and copy.fingerprint == evaluator.fingerprint
    assert copy(5, design.point(5))[0][OUTPUTS[1]] == rows[rows["point"] == 5][OUTPUTS[1]].item()
    assert main(["analyse", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "intervention:summary.hours_saved.automated_redaction" in printed
    assert (out / "analysis" / "indices.csv").exists()
