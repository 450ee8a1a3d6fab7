"""Calibration adjusts only assumed parameters, and only against fit targets: holdouts are never read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import sim.study.targets as targets_module
from sim.config.loading import load_scenario
from sim.errors import ConfigError
from sim.study.calibration import FitParameter, calibrate, check_assumed, load_sources
from sim.study.targets import TargetsFile

ROOT = Path(__file__).resolve().parents[1]
ENTRIES = load_sources(ROOT / "docs" / "calibration.md")
SHORT = ["horizon_days=2", "warmup_days=0.5"]


def _targets(fit_value: float = 0.05) -> TargetsFile:
    common = {"source": "test", "quality": "good", "tolerance": 0.05}
    return TargetsFile.model_validate(
        {
            "officer_fte": 3436,
            "hours_per_year": 8766,
            "targets": [
                {**common, "name": "abandoned", "metric": "contact.abandoned_101", "value": fit_value, "role": "fit"},
                {**common, "name": "held_out", "metric": "within_target.P2", "value": 0.45, "role": "holdout"},
            ],
        }
    )


def test_calibration_never_reads_a_holdout_target(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    real = targets_module.compute

    def recording(target: Any, metrics: Any, context: Any) -> float:
        read.append(target.name)
        return real(target, metrics, context)

    monkeypatch.setattr(targets_module, "compute", recording)
    scenario = load_scenario(None, SHORT)
    parameter = FitParameter("contact.reattempt_share", 0.2, 0.8)
    calibrate(scenario, [parameter], _targets(), ENTRIES, replications=1, seed=1, points=2)
    assert read and set(read) == {"abandoned"}


def test_calibration_moves_an_assumed_parameter_towards_its_fit_target() -> None:
    """Each candidate is a real run (losses differ), and the value kept is the best one tried."""
    scenario = load_scenario(None, SHORT)
    parameter = FitParameter("contact.reattempt_share", 0.0, 1.0)
    result = calibrate(scenario, [parameter], _targets(0.0), ENTRIES, replications=1, seed=1, points=3)
    losses = dict((values["contact.reattempt_share"], loss) for values, loss in result.evaluations[1:])
    assert len(losses) == 3 and len(set(losses.values())) == 3
    assert result.loss == min(loss for _, loss in result.evaluations)
    assert result.values["contact.reattempt_share"] == min(losses, key=lambda v: losses[v])


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("incident_types.burglary.yearly_volume", "its row says 'derived'; only assumed parameters are fitted"),
        ("workforce.abstraction.sickness", "its row says 'published (second-hand)'"),
        ("no.such.parameter", "no row in docs/calibration.md"),
    ],
)
def test_only_assumed_parameters_may_be_fitted(path: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        check_assumed([FitParameter(path, 0.0, 1.0)], ENTRIES)
    check_assumed([FitParameter("grades.P3.appointment_hours", 8, 20)], ENTRIES)  # assumed, fitted


def test_a_targets_file_without_fit_targets_cannot_calibrate() -> None:
    scenario = load_scenario(None, SHORT)
    only_holdout = TargetsFile.model_validate(
        {**_targets().model_dump(), "targets": [_targets().targets[1].model_dump()]}
    )
    with pytest.raises(ConfigError, match="no fit targets"):
        calibrate(scenario, [FitParameter("contact.reattempt_share", 0.2, 0.8)], only_holdout, ENTRIES, 1, 1)


def test_calibrate_command_prints_the_best_values_and_refuses_a_published_parameter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sim.commands.cli import main

    args = ["calibrate", "--days", "2", "--warmup-days", "0.5", "--targets", str(ROOT / "configs" / "targets.yaml")]
    run = ["--points", "2", "--replications", "1", "--workers", "1"]
    assert main([*args, "--param", "contact.reattempt_share=0.2:0.8", *run]) == 0
    out = capsys.readouterr().out
    assert "3 runs of 1 replications" in out and "--set contact.reattempt_share=" in out
    assert main([*args, "--param", "workforce.abstraction.sickness=0.05:0.09", *run]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("policesim: error: calibrate: workforce.abstraction.sickness:") and "\n" not in error
