"""The shipped forces: each loads, runs, takes its officers from the forces table, and keeps its sourced inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.config.forces import load_forces
from sim.config.loading import load_raw, load_scenario, read_yaml
from sim.errors import ConfigError
from sim.model.replication import simulate
from sim.study.targets import load_targets, scenario_context, scenario_targets

ROOT = Path(__file__).resolve().parents[1]
FORCES = ROOT / "configs" / "forces"
TABLE = {force.name: force for force in load_forces(FORCES / "forces.csv")}
BASELINE = load_raw(ROOT / "configs" / "baseline.yaml")
SHIPPED = sorted(FORCES.glob("*.yaml"))
# Each force's demand factor (its recorded crimes over the baseline's 5.5 m / 43), as its header derives it.
FACTORS = {
    "cleveland": 73000 / (5.5e6 / 43),
    "devon_and_cornwall": 110000 / (5.5e6 / 43),
    "metropolitan": 830700 / (5.5e6 / 43),
}
# Volumes the force publishes itself, instead of the baseline's times the factor.
PUBLISHED = {
    "cleveland": {"antisocial_behaviour": 17027},
    "devon_and_cornwall": {"burglary": 2102 + 1456, "shoplifting": 7651},
    "metropolitan": {},
}


def test_three_forces_ship_a_metropolitan_a_county_and_a_strained_one() -> None:
    assert [p.stem for p in SHIPPED] == ["cleveland", "devon_and_cornwall", "metropolitan"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_officers_come_from_the_forces_table_once(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.force is not None
    row = TABLE[scenario.force.name]
    assert scenario.force.officer_fte == row.officer_fte
    assert scenario.workforce.response_officers == round(row.officer_fte * scenario.force.response_share)
    own = read_yaml(path)  # the FTE is written only in the table
    assert "officer_fte" not in own["force"] and "response_officers" not in own.get("workforce", {})
    assert f"{row.officer_fte:g}" not in path.read_text().replace(",", "")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_demand_is_the_forces_own_published_or_scaled_by_its_crimes(path: Path) -> None:
    scenario = load_scenario(path)
    factor, published = FACTORS[path.stem], PUBLISHED[path.stem]
    for name, kind in scenario.incident_types.items():
        expected = published.get(name, round(BASELINE["incident_types"][name]["yearly_volume"] * factor))
        assert kind.yearly_volume == expected, name
    assert scenario.contact is not None
    for channel, calls in BASELINE["contact"]["non_incident_calls_per_year"].items():
        assert scenario.contact.non_incident_calls_per_year[channel] == round(calls * factor)
    handlers = BASELINE["contact"]["call_handlers"]["staff_by_hour"]
    assert scenario.contact.call_handlers.staff_by_hour == tuple(max(1, round(h * factor)) for h in handlers)


def test_each_force_has_its_own_geography() -> None:
    scenarios = {p.stem: load_scenario(p) for p in SHIPPED}
    assert len({s.workforce.stations for s in scenarios.values()}) == 3
    assert len({s.geography.zones for s in scenarios.values() if s.geography}) == 3
    assert scenarios["devon_and_cornwall"].grades["P1"].target_minutes == 20  # rural in the forces table
    assert TABLE["Devon and Cornwall"].setting == "rural"
    assert scenarios["metropolitan"].grades["P1"].target_minutes == 15


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_force_runs(path: Path) -> None:
    scenario = load_scenario(path, ["horizon_days=1", "warmup_days=0.25"])
    result = simulate(scenario, seed=1)
    assert result.metrics["incidents.burglary.generated"] > 0
    assert result.metrics["overloaded"] == 0


def test_per_officer_targets_use_the_forces_fte_and_its_own_targets() -> None:
    targets = load_targets(ROOT / "configs" / "targets.yaml")
    met = load_scenario(FORCES / "metropolitan.yaml")
    assert scenario_context(met, targets).officer_fte == TABLE["Metropolitan Police"].officer_fte
    assert scenario_context(load_scenario(None), targets).officer_fte == targets.officer_fte
    own = {t.name: t.value for t in scenario_targets(met, targets)}
    assert own["p2_within_target"] == 0.625


def _force_file(tmp_path: Path, text: str) -> Path:
    (tmp_path / "forces.csv").write_text((FORCES / "forces.csv").read_text())
    path = tmp_path / "f.yaml"
    path.write_text(f"extends: {ROOT / 'configs' / 'baseline.yaml'}\nname: f\n{text}")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "force: {name: Cleveland, table: forces.csv, response_share: 0.2}\nworkforce: {response_officers: 300}\n",
            "workforce.response_officers: set by the force block",
        ),
        ("force: {name: Atlantis, table: forces.csv, response_share: 0.2}\n", "force.name: 'Atlantis' is not a force"),
        (
            "force: {name: Cleveland, table: forces.csv, response_share: 0.2, officer_fte: 1514}\n",
            "force.officer_fte: read from the forces table",
        ),
        (
            "force: {name: Cleveland, table: forces.csv, response_share: 1.5}\n",
            "force.response_share: expected a share",
        ),
        ("force: {name: Cleveland, table: forces.csv}\n", "force.response_share: missing"),
    ],
)
def test_force_block_errors_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_scenario(_force_file(tmp_path, text))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_set_override_of_officers_still_applies(tmp_path: Path) -> None:
    scenario = load_scenario(FORCES / "cleveland.yaml", ["workforce.response_officers=300"])
    assert scenario.workforce.response_officers == 300


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_input_of_a_force_has_a_source_in_the_report(path: Path) -> None:
    from sim.config.loading import resolved_dict
    from sim.report.inputs import NO_SOURCE, calibration_entries, file_sources, input_rows

    config = resolved_dict(load_scenario(path))
    rows = input_rows(config, [file_sources(path)], calibration_entries(ROOT / "docs" / "calibration.md"))
    assert [r.path for r in rows if not r.source or r.source.startswith(NO_SOURCE)] == []
    sources = {r.path: r.source for r in rows}
    name = config["force"]["name"]
    assert f"row {name!r}" in sources["force.officer_fte"]
    assert f"row {name!r}" in sources["workforce.response_officers"]  # not the baseline's comment
