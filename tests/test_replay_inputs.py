"""Replaying a log as a researcher would: no dummy types, zones or contact section; bad rows named;
what policesim corrects (order, unknown columns) said as a warning; incidents left open warned of."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.commands.cli import main
from sim.config import load_scenario
from sim.model import simulate

HEADER = "time,grade,type,latitude,longitude,on_scene_minutes\n"
ROWS = (
    "0.2,P2,burglary,51.52,-0.10,60\n"
    "0.5,P1,alarm,51.50,-0.12,30\n"
    "1.0,P1,alarm,51.49,-0.13,20\n"
    "3.0,P2,burglary,51.51,-0.11,45\n"
)


def config(folder: Path, log: str, **replay: object) -> Path:
    """A replay config with no incident types, no zones and no contact section."""
    (folder / "log.csv").write_text(log, encoding="utf-8")
    raw = {
        "name": "replay-no-dummies",
        "horizon_days": 1,
        "warmup_days": 0,
        "grades": {
            "P1": {"priority": 1, "deploy": True, "target_minutes": 15},
            "P2": {"priority": 2, "deploy": True, "target_minutes": 60},
        },
        "replay": {"path": "log.csv", **replay},
        "workforce": {
            "response_officers": 1,
            "teams": 1,
            "shifts": {"day": {"start_hour": 0, "length_hours": 24}},
            "pattern": ["day"],
            "stations": [{"name": "Central", "latitude": 51.5, "longitude": -0.12}],
            "abstraction": {},
        },
        "geography": {
            "zones": [],
            "road_factor": 1.3,
            "speed_kmh": 30,
            "blue_light_speed_kmh": 50,
            "return_to_station": True,
        },
    }
    path = folder / "replay.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    return code, capsys.readouterr().err


def test_a_replay_needs_no_dummy_types_zones_or_contact(tmp_path: Path) -> None:
    result = simulate(load_scenario(config(tmp_path, HEADER + ROWS)), 1)
    metrics = result.metrics
    assert metrics["incidents.alarm.attended"] == 2 and metrics["incidents.burglary.attended"] == 2
    for grade, count in (("P1", 2), ("P2", 2)):
        assert metrics[f"incidents_by_grade.{grade}.generated"] == count
        assert metrics[f"incidents_by_grade.{grade}.attended"] == count
    assert result.extra == {}  # nothing to warn about


def test_a_log_type_without_time_on_scene_is_named_by_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = cli(["validate", "--quiet", str(config(tmp_path, HEADER + "0.2,P2,burglary,51.5,-0.1,\n"))], capsys)
    assert code == 2 and "row 2" in err and "on_scene_minutes" in err and "Traceback" not in err
    fixed = config(tmp_path, HEADER + "0.2,P2,burglary,51.5,-0.1,\n", on_scene_minutes={"dist": "fixed", "value": 25})
    assert simulate(load_scenario(fixed), 1).metrics["incidents.burglary.attended"] == 1


@pytest.mark.parametrize(
    ("rows", "named"),
    [
        ("2024-01-01T10:00+02:00,P1,alarm,51.5,-0.1,5\n", "row 2"),  # an offset, and replay.start has none
        ("0.5,P1,alarm,51.5,-0.1,5,surplus\n", "row 2"),  # more fields than the header
        ("", "no rows"),  # a header alone
        ("0.5,P1,alarm,,,5\n", "row 2"),  # no place, and no zones to put it in
    ],
)
def test_bad_logs_get_one_line_naming_the_row(
    rows: str, named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config(tmp_path, HEADER + rows, start="2024-01-01T00:00")
    code, err = cli(["validate", "--quiet", str(path)], capsys)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and named in lines[0] and "Traceback" not in err


def test_times_with_offsets_on_both_sides_are_accepted(tmp_path: Path) -> None:
    path = config(tmp_path, HEADER + "2024-01-01T10:00+02:00,P1,alarm,51.5,-0.1,5\n", start="2024-01-01T00:00+00:00")
    records = simulate(load_scenario(path), 1, records=True).records
    assert records is not None and records["call_minute"].tolist() == [480.0]  # 10:00+02:00 is 08:00 UTC


def test_an_unsorted_log_runs_sorted_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ROWS.splitlines(keepends=True)
    (tmp_path / "shuffled").mkdir()
    (tmp_path / "ordered").mkdir()
    shuffled = config(tmp_path / "shuffled", HEADER + "".join([rows[2], rows[0], rows[3], rows[1]]))
    ordered = config(tmp_path / "ordered", HEADER + ROWS)
    first, second = simulate(load_scenario(shuffled), 3), simulate(load_scenario(ordered), 3)
    assert first.metrics == second.metrics
    assert any("not in time order" in note for note in first.extra["warnings"])
    code, err = cli(["validate", "--quiet", str(shuffled)], capsys)
    assert code == 0 and "warning" in err and "not in time order" in err


def test_unknown_columns_are_ignored_with_a_warning(tmp_path: Path) -> None:
    path = config(tmp_path, "id," + HEADER + "".join(f"{i}," + row for i, row in enumerate(ROWS.splitlines(True))))
    result = simulate(load_scenario(path), 1)
    assert result.metrics["incidents.alarm.attended"] == 2
    assert any("['id'] ignored" in note for note in result.extra["warnings"])


def test_incidents_left_open_or_after_the_horizon_are_warned_of(tmp_path: Path) -> None:
    late = HEADER + "23.9,P1,alarm,51.5,-0.1,600\n23.95,P1,alarm,51.5,-0.1,600\n30,P2,burglary,51.5,-0.1,5\n"
    result = simulate(load_scenario(config(tmp_path, late)), 1)
    assert result.metrics["incidents.alarm.open_at_end"] == 1  # one officer, busy with the first
    warnings = " ".join(result.extra["warnings"])
    assert "1 replayed incidents were still open" in warnings
    assert "1 replayed incidents come after the horizon" in warnings


def test_counts_by_grade_add_up_on_the_baseline() -> None:
    metrics = simulate(load_scenario(None, ["horizon_days=20", "warmup_days=5"]), 4).metrics
    grades = ("P1", "P2", "P3", "P4")
    for grade in grades:
        parts = ("attended", "resolved_by_telephone", "not_attended", "open_at_end", "resolved_without_deployment")
        assert metrics[f"incidents_by_grade.{grade}.generated"] == sum(
            metrics[f"incidents_by_grade.{grade}.{part}"] for part in parts
        )
        assert metrics[f"incidents_by_grade.{grade}.open_at_end"] >= 0
    types = {key.split(".")[1] for key in metrics if key.startswith("incidents.")}
    for field in ("generated", "attended", "not_attended", "resolved_without_deployment", "resolved_by_telephone"):
        by_grade = sum(metrics[f"incidents_by_grade.{g}.{field}"] for g in grades)
        by_type = sum(metrics[f"incidents.{t}.{field}"] for t in types)
        assert by_grade == by_type, field
