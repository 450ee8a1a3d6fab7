"""The STRESS-DES checklist answers from the scenario and the run, never from fixed text.

An item is complete only when its answer covers the study: enabled interventions and their
settings (2.3), the scenario's components, the seeds, the warm-up and overloads.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.commands.cli import main
from sim.config.loading import load_scenario, resolved_dict
from sim.report.stress import Facts, checklist, enabled_interventions, interventions_text


def _config(**overrides: object) -> dict:
    return resolved_dict(load_scenario(overrides={"horizon_days": 10, "warmup_days": 2, **overrides}))


def _items(facts: Facts) -> dict:
    return {item.number: item for item in checklist(facts).items}


def test_scenario_logic_names_each_enabled_intervention_with_its_settings() -> None:
    config = _config(
        **{"interventions.automated_redaction.enabled": True, "interventions.automated_redaction.video_saving": 0.35}
    )
    item = _items(Facts(configs={"redaction": config}))["2.3"]
    assert "automated_redaction" in item.answer and "video_saving 0.35" in item.answer
    assert "no intervention" not in item.answer and "Single scenario" not in item.answer
    assert "sim/model/interventions/" in item.answer and item.done


def test_a_baseline_run_says_no_intervention_is_enabled() -> None:
    item = _items(Facts(configs={"baseline": _config()}))["2.3"]
    assert item.answer == "Scenarios: baseline: no intervention enabled." and item.done
    assert enabled_interventions(_config()) == {}


def test_every_scenario_of_a_comparison_is_described() -> None:
    drones = _config(**{"interventions.drone_first_response.enabled": True})
    answers = _items(Facts(configs={"baseline": _config(), "drones": drones}))
    assert "baseline: no intervention enabled" in answers["2.3"].answer
    assert "drones: drone_first_response (" in answers["2.3"].answer
    assert not answers["5.2"].done  # no seed recorded: the researcher must say
    seeded = _items(Facts(configs={"baseline": _config(), "drones": drones}, seed=3))["5.2"]
    assert seeded.done and "common random numbers" in seeded.answer


def test_extra_demand_counts_as_an_intervention_only_when_it_adds_incidents() -> None:
    off = _config()
    on = _config(
        **{
            "interventions.extra_demand.incident_type": "burglary",
            "interventions.extra_demand.yearly_volume": 50,
            "interventions.extra_demand.max_yearly_volume": 100,
        }
    )
    assert "extra_demand" not in enabled_interventions(off)
    assert interventions_text(on).startswith("extra_demand (incident_type burglary, yearly_volume 50")


def test_components_come_from_the_scenario() -> None:
    config = _config(**{"workforce.response_officers": 321})
    answers = _items(Facts(configs={"mine": config}))
    assert "321 response officers" in answers["2.5.3"].answer
    assert "burglary" in answers["2.5.1"].answer and "statements" in answers["2.5.2"].answer
    assert "P2 after 24 h" in answers["2.4"].answer
    drones = _config(**{"interventions.drone_first_response.enabled": True})
    assert "drones (1 per station)" in _items(Facts(configs={"d": drones}))["2.5.3"].answer


def test_without_a_recorded_scenario_the_scenario_items_are_left_open() -> None:
    answers = _items(Facts())
    for number in ("2.2", "2.3", "2.4", "2.5.1", "2.5.3"):
        assert not answers[number].done, number


@pytest.mark.parametrize(
    ("facts", "number", "done", "phrase"),
    [
        (Facts(warmup_days=0.0), "4.1", False, "no warm-up is discarded"),
        (Facts(warmup_days=7.0), "4.1", True, "first 7 days"),
        (Facts(horizon_days=30, runs=4, overloaded_runs=1, overload_reason="queue grew"), "4.2", False, "1 of 4"),
        (Facts(horizon_days=30, runs=4), "4.2", True, "no run overloaded"),
        (Facts(replications=3, seed=9), "5.2", True, "SeedSequence(9"),
        (Facts(sources="docs", unsourced_inputs=2, inputs_listed=5), "3.1", False, "2 unsourced"),
    ],
)
def test_run_items_follow_the_run(facts: Facts, number: str, done: bool, phrase: str) -> None:
    item = _items(facts)[number]
    assert item.done is done and phrase in item.answer


def test_a_run_report_with_an_intervention_describes_it(tmp_path: Path) -> None:
    out = tmp_path / "results"
    argv = ["run", "--replications", "1", "--days", "4", "--warmup-days", "1", "--workers", "1"]
    argv += [
        "--set",
        "interventions.ai_101_triage.enabled=true",
        "--set",
        "interventions.ai_101_triage.containment=0.3",
    ]
    assert main([*argv, "--out", str(out)]) == 0
    assert main(["report", str(out)]) == 0
    markdown = (out / "report" / "report.md").read_text(encoding="utf-8")
    stress = markdown.split("## STRESS-DES checklist", 1)[1]
    row = next(line for line in stress.splitlines() if line.startswith("| 2.3 |"))
    assert "ai_101_triage" in row and "containment 0.3" in row and "| filled |" in row
    assert "Single scenario" not in markdown
