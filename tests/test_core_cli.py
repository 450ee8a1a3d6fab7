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


# ---- start-up, one-line errors on results directories, progress, terminal tables ---------------

LIGHT_START = (
    "import sys\n"
    "from sim.commands.cli import main\n"
    "for argv in (['--help'], ['--version'], ['run', '--help']):\n"
    "    try:\n"
    "        main(argv)\n"
    "    except SystemExit:\n"
    "        pass\n"
    "assert main(['validate', '--quiet']) == 0\n"
    "heavy = [m for m in ('pandas', 'scipy', 'matplotlib', 'pyarrow', 'sim.model', 'sim.study') if m in sys.modules]\n"
    "assert not heavy, heavy\n"
)


def test_help_version_and_validate_load_no_heavy_module() -> None:
    done = subprocess.run([sys.executable, "-c", LIGHT_START], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_analyse_of_a_run_directory_is_one_line(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    assert main(["run", "--days", "2", "--warmup-days", "0", "--replications", "1", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["analyse", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"policesim: error: {out}: not a sweep results directory (written by `policesim run`); `policesim report` reads it"
    ]


def test_truncated_parquet_files_are_named(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    sweep_file = DEFAULT_CONFIG.parent.parent.parent / "experiments" / "ishigami_check.yaml"
    if not sweep_file.exists():
        sweep_file = (
            __import__("pathlib").Path(__file__).resolve().parent.parent / "experiments" / "ishigami_check.yaml"
        )
    sweep = tmp_path / "sweep"
    assert (
        main(["sweep", str(sweep_file), "--out", str(sweep), "--max-points", "64", "--batch-size", "16", "--quiet"])
        == 0
    )
    part = sorted((sweep / "parts").glob("part-*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:100])
    run = tmp_path / "run"
    assert (
        main(["run", "--days", "2", "--warmup-days", "0", "--replications", "1", "--records", "--out", str(run)]) == 0
    )
    records = run / "records.parquet"
    records.write_bytes(records.read_bytes()[:200])
    capsys.readouterr()
    for argv, named, advice in (
        (["analyse", str(sweep)], part, "--resume"),
        (["sweep", str(sweep_file), "--out", str(sweep), "--resume", "--quiet"], part, "--resume"),
        (["report", str(sweep)], part, "--resume"),
        (["report", str(run)], records, "run the command that wrote it again"),
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and str(named) in err[0] and advice in err[0], (argv, err)


def test_progress_moves_inside_one_replication() -> None:
    from sim.config.loading import load_scenario
    from sim.study.replications import run_replications

    scenario = load_scenario(None, ["horizon_days=6", "warmup_days=1"])
    for workers in (1, 2):
        seen: list[float] = []
        results = run_replications(scenario, 2, 3, workers, progress=seen.append)
        assert any(0 < value < 1 for value in seen), (workers, seen)  # a part of the first one
        assert seen[-1] == 2
        quiet = run_replications(scenario, 2, 3, workers)
        assert [repr(r.metrics) for r in results] == [repr(r.metrics) for r in quiet]  # NaN-safe
        assert [r.events for r in results] == [r.events for r in quiet]


def test_progress_lines_off_a_terminal(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from sim.report import progress

    now = [0.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: now[0])
    with progress.progress_bar("baseline: replications", 4, enabled=None) as update:
        for seconds, done in ((5, 0.5), (11, 1.5), (12, 2.0), (25, 3.0)):  # lines at 11 s and 25 s
            now[0] = seconds
            update(done)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("policesim: baseline: replications: 1.5/4 (38%)"), lines


def test_run_tables_fit_100_columns_and_cut_impossible_intervals(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["run", "--days", "3", "--warmup-days", "1", "--replications", "2", "--seed", "4"]) == 0
    text = capsys.readouterr().out
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "road_traffic_collision" in text and "antisocial_behaviour" in text and "…" not in text
    assert "(-" not in text  # no count, time or share interval below 0
    assert "* interval cut at 0" in text
    shares = [float(x) for x in __import__("re").findall(r"\(\d\.\d{3} to (\d\.\d{3})\)", text)]
    assert shares and max(shares) <= 1.0


def test_variance_ratios_read_as_numbers() -> None:
    from sim.report.tables import ratio_text

    assert [ratio_text(v) for v in (15.46, 317484.2, float("inf"), None, float("nan"))] == [
        "15.5x",
        "317,484x",
        "∞",
        "-",
        "-",
    ]


def test_replications_reports_each_replication_as_it_goes(capsys) -> None:  # type: ignore[no-untyped-def]
    argv = ["replications", "--days", "3", "--warmup-days", "1", "--replications", "2", "--cap", "3"]
    assert main([*argv, "--look-ahead", "0", "--workers", "1", "--precision", "0.01"]) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if " replication" in line and "burglary" in line]
    assert [line.split(":")[0] for line in lines] == ["1 replication", "2 replications", "3 replications"]


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    """``policesim results | head -1``: the listing's reader closes the pipe after one line."""
    listing = subprocess.Popen(
        [sys.executable, "-m", "sim.commands.cli", "results"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert listing.stdout is not None and listing.stderr is not None
    first = listing.stdout.readline()
    listing.stdout.close()  # as head does after its line
    errors = listing.stderr.read().decode()
    assert listing.wait() in (0, 141)  # 0 if the listing had all been written before the close
    assert first.strip() and "Traceback" not in errors and "BrokenPipe" not in errors
