"""The command line: bad configs give one clear line naming the field and exit non-zero;
results are never overwritten silently; --json prints the contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sim.commands.cli import main
from sim.config.loading import DEFAULT_CONFIG
from sim.report.output import FILES_LIST

BAD_OVERLAYS = [
    ("workforce:\n  response_oficers: 3\n", "workforce.response_oficers: unknown key"),
    ("horizon_days: a year\n", "horizon_days"),
    ("incident_types:\n  burglary:\n    yearly_volume: -5\n", "incident_types.burglary.yearly_volume"),
    ("workforce:\n  abstraction:\n    sickness: 1.5\n", "workforce.abstraction.sickness"),
    ("incident_types:\n  burglary:\n    grade_mix: {P1: 0.5, P2: 0.2, P3: 0.2, P4: 0.2}\n", "grade_mix must sum to 1"),
    ("workforce:\n  pattern: ['off', 'off']\n", "nobody on shift"),
    (
        "incident_types:\n  burglary:\n    on_scene_minutes: {dist: weibull}\n",
        "incident_types.burglary.on_scene_minutes",
    ),
    ("replay:\n  path: no-such-log.csv\n  default_type: other\n", "does not exist"),
    ("contact:\n  call_handlers:\n    staff_by_hour: [1, 2]\n", "contact.call_handlers.staff_by_hour"),
]


@pytest.mark.parametrize(("overlay", "message"), BAD_OVERLAYS)
def test_bad_config_is_one_clear_line(tmp_path, capsys, overlay, message):
    config = tmp_path / "bad.yaml"
    config.write_text(f"extends: {DEFAULT_CONFIG}\n{overlay}")
    code = main(["validate", str(config), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_yaml_that_is_not_a_mapping(tmp_path, capsys):
    config = tmp_path / "list.yaml"
    config.write_text("- a\n- b\n")
    assert main(["validate", str(config)]) == 2
    assert "expected a mapping" in capsys.readouterr().err


def test_set_to_an_unknown_path_names_it(capsys):
    assert main(["validate", "--set", "workforce.officers.count=3", "--quiet"]) == 2
    assert "workforce.officers does not exist" in capsys.readouterr().err


def test_set_overrides_a_value(capsys):
    assert main(["validate", "--set", "workforce.response_officers=420"]) == 0
    assert "response_officers: 420" in capsys.readouterr().out


def test_run_json_contract_and_refusal_to_overwrite(tmp_path, capsys):
    out = tmp_path / "results"
    args = ["run", "--replications", "2", "--seed", "3", "--days", "7", "--warmup-days", "1", "--workers", "1"]
    assert main([*args, "--json", "--out", str(out)]) == 0
    document = json.loads(capsys.readouterr().out)
    burglary = document["summary"]["incidents"]["burglary"]
    assert set(burglary["generated"]) == {"mean", "ci_low", "ci_high"}
    assert len(document["replications"]) == 2 and document["meta"]["seed"] == 3
    assert {p.name for p in out.iterdir()} == {"summary.json", "manifest.json", "replications.parquet", FILES_LIST}
    before = (out / "summary.json").read_bytes()
    assert main([*args, "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "summary.json").read_bytes() == before
    assert main([*args, "--out", str(out), "--force", "--seed", "4"]) == 0
    assert (out / "summary.json").read_bytes() != before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_console_command_exits_non_zero_without_traceback(tmp_path):
    process = subprocess.run(
        [sys.executable, "-m", "sim.commands.cli", "run", "--replications", "0"], capture_output=True, text=True
    )
    assert process.returncode == 2
    assert "must be at least 1" in process.stderr and "Traceback" not in process.stderr
