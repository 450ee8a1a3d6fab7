"""Every number of the shipped configs has a sourced row in docs/calibration.md; the check bites."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.config.loading import load_raw, read_yaml
from sim.errors import DataError
from sim.study.calibration import (
    entry_for,
    load_sources,
    numeric_leaves,
    shipped_configs,
    unsourced,
    value_mismatches,
)

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "calibration.md"

TABLE = """# notes

## Parameter table

| parameter | value | unit | source | confidence | sweep range | derivation |
|---|---|---|---|---|---|---|
| `workforce.response_officers` | 400 | officers | Home Office | derived | 300-500 | FTE x share |
| `incident_types.*.yearly_volume` | see config | per year | ONS | published | x0.8-1.2 | |
| `profiles.*.by_hour.*` | see config | multiplier | assumption | assumed | | |

after the table
"""


def _doc(tmp_path: Path, text: str = TABLE) -> Path:
    path = tmp_path / "calibration.md"
    path.write_text(text)
    return path


def test_table_rows_and_wildcards(tmp_path: Path) -> None:
    entries = load_sources(_doc(tmp_path))
    assert [e.parameter for e in entries][0] == "workforce.response_officers"
    assert entry_for("incident_types.burglary.yearly_volume", entries) is not None
    assert entry_for("incident_types.burglary.on_scene_minutes.mean", entries) is None
    assert entry_for("profiles.calls.by_hour.23", entries) is not None
    # a * is one path segment, never several
    assert entry_for("incident_types.a.b.yearly_volume", entries) is None


def test_an_unsourced_number_is_found_and_a_sourced_one_is_not(tmp_path: Path) -> None:
    entries = load_sources(_doc(tmp_path))
    raw = {
        "name": "x",
        "workforce": {"response_officers": 400, "teams": 5, "enabled": True},
        "incident_types": {"burglary": {"yearly_volume": 1200.0}},
        "profiles": {"calls": {"by_hour": [1.0] * 24}},
    }
    assert unsourced(raw, entries) == ["workforce.teams"]  # bools and strings are not numbers


def test_value_column_must_agree_with_the_config(tmp_path: Path) -> None:
    entries = load_sources(_doc(tmp_path))
    assert value_mismatches({"workforce": {"response_officers": 400}}, entries) == []
    drift = value_mismatches({"workforce": {"response_officers": 420}}, entries)
    assert drift == ["workforce.response_officers: config 420 but docs/calibration.md says 400"]


def test_list_items_are_named_by_their_name_field() -> None:
    raw = {
        "stations": [
            {"name": "north", "officer_share": 0.6},
            {"name": "south", "officer_share": 0.4},
        ]
    }
    assert numeric_leaves(raw) == {
        "stations.north.officer_share": 0.6,
        "stations.south.officer_share": 0.4,
    }


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("| `a.b` | 1 | u | src | guessed | | |", "confidence 'guessed'"),
        ("| `a.b` | 1 | u |  | assumed | | |", "source cell is empty"),
        ("| `a.b` | 1 | u | src | assumed |", "expected 7 cells"),
    ],
)
def test_malformed_rows_name_the_line(tmp_path: Path, row: str, message: str) -> None:
    text = TABLE.replace("| `profiles.*.by_hour.*` | see config | multiplier | assumption | assumed | | |", row)
    with pytest.raises(DataError, match=rf"calibration.md:9: .*{message}"):
        load_sources(_doc(tmp_path, text))


def test_missing_table_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no '## Parameter table' section"):
        load_sources(_doc(tmp_path, "# nothing here\n"))


def test_every_number_of_every_shipped_config_is_sourced() -> None:
    """The real check: configs/*.yaml, configs/**/*.yaml and experiments/*.yaml against the doc."""
    entries = load_sources(DOC)
    configs = shipped_configs(ROOT)
    assert ROOT / "configs" / "baseline.yaml" in configs
    assert ROOT / "configs" / "national.yaml" in configs
    problems: list[str] = []
    for path in configs:
        raw = read_yaml(path) if "extends" not in read_yaml(path) else _own_numbers(path)
        problems += [f"{path.relative_to(ROOT)}: {p}" for p in unsourced(raw, entries)]
    assert problems == [], "numbers without a row in docs/calibration.md:\n" + "\n".join(problems)


def test_the_baseline_agrees_with_the_value_column() -> None:
    entries = load_sources(DOC)
    raw = load_raw(ROOT / "configs" / "baseline.yaml")
    assert value_mismatches(raw, entries) == []


def _own_numbers(path: Path) -> dict[str, object]:
    """A config that extends another: only the numbers it sets itself need a row."""
    own = read_yaml(path)
    own.pop("extends", None)
    return own
