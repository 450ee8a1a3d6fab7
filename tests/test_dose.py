"""Doses: each plug-in's scaling and reach, the expansion of a doses block into paired scenarios,
dose 0 against the base on common random numbers, unreachable doses, the linear column, the
command. (That attendances rise with freed time in expectation is tested in test_properties.)"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.commands.cli import main
from sim.config.interventions import SECTIONS
from sim.config.loading import config_hash, load_raw
from sim.errors import ConfigError
from sim.model.interventions.dose import DoseError
from sim.model.interventions.registry import REGISTRY
from sim.model.replication import simulate
from sim.study.compare import comparison_document, run_experiment
from sim.study.dose import dose_document
from sim.study.experiment import load_experiment

ROOT = Path(__file__).resolve().parent.parent
OVERLAYS = ROOT / "configs" / "interventions"
STRAINED = {
    "overlays": [str(ROOT / "configs/attendance/decisions.yaml"), str(ROOT / "configs/attendance/pre_pledge.yaml")],
    "set": {"workforce.response_officers": 350},
}
FIVE = ("automated_redaction", "ai_101_triage", "video_interviews", "drone_first_response", "admin_reduction")


def shipped(name: str) -> Any:
    """An intervention's settings as its shipped overlay gives them."""
    return SECTIONS[name].model_validate(load_raw(OVERLAYS / f"{name}.yaml")["interventions"][name])


def write(folder: Path, technologies: list[str], factors: list[float] | None = None, **extra: Any) -> Path:
    """An experiment file: the strained force and a doses block over ``technologies``."""
    doses: dict[str, Any] = {
        "technologies": [{"intervention": t, "overlays": [str(OVERLAYS / f"{t}.yaml")]} for t in technologies]
    }
    if factors is not None:
        doses["factors"] = factors
    spec = {
        "name": "dose_test",
        "base": "strained",
        "replications": 2,
        "seed": 11,
        "horizon_days": 4,
        "warmup_days": 1,
        "scenarios": [{"name": "strained", **STRAINED}],
        "doses": doses,
        **extra,
    }
    path = folder / "doses.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


# ---- each plug-in's dose ------------------------------------------------------------------------
EXPECTED = {  # the dosed fields at d = 0.5 and the largest reachable d, from the shipped overlays
    "automated_redaction": ({"video_saving": 0.3, "text_saving": 0.4}, 1.25),
    "ai_101_triage": ({"containment": 0.25, "handling_time_saving": 0.1}, 2.0),
    "video_interviews": ({"adoption": 0.25, "rapid_response.eligible_share": 0.25}, 2.0),
    "drone_first_response": ({"resolved_share": 0.075, "on_scene_saving": 0.075}, 1 / 0.15),
    "admin_reduction": ({"hours_saved": {"crime_recording": 0.04}}, math.inf),
}


@pytest.mark.parametrize("name", FIVE)
def test_each_plug_in_scales_its_saving_and_states_its_reach(name: str) -> None:
    plug_in = REGISTRY[name]
    settings = shipped(name)
    half, top = EXPECTED[name]
    dosed = plug_in.dosed(settings, 0.5)
    for path, value in half.items():
        node: Any = dosed
        for key in path.split("."):
            node = getattr(node, key)
        assert node == pytest.approx(value)
    assert plug_in.reach(settings) == pytest.approx(top)
    assert plug_in.dosed(settings, 1.0) == settings  # d = 1 is the configured saving, exactly
    untouched = {k for k in type(settings).model_fields if k not in {p.split(".")[0] for p in plug_in.dose_fields}}
    assert {k: getattr(dosed, k) for k in untouched} == {k: getattr(settings, k) for k in untouched}


def test_a_dose_beyond_reach_is_refused_naming_the_field_and_the_reach() -> None:
    settings = shipped("automated_redaction")
    top = REGISTRY["automated_redaction"].dosed(settings, 1.25)
    assert (top.video_saving, top.text_saving) == (0.75, 1.0)
    with pytest.raises(
        DoseError, match=r"text_saving: 0.8 x 1.3 exceeds its bound 1; the largest reachable dose is 1.25"
    ):
        REGISTRY["automated_redaction"].dosed(settings, 1.3)
    with pytest.raises(DoseError, match="takes no dose"):
        REGISTRY["extra_demand"].dosed(SECTIONS["extra_demand"](), 0.5)


# ---- expansion ----------------------------------------------------------------------------------
def test_a_doses_block_expands_into_one_scenario_per_technology_and_factor(tmp_path: Path) -> None:
    experiment = load_experiment(write(tmp_path, ["automated_redaction", "admin_reduction"], [0, 0.5, 1]))
    assert list(experiment.scenarios) == [
        "strained",
        *(f"{t}_x{f}" for t in ("automated_redaction", "admin_reduction") for f in ("0", "0_5", "1")),
    ]
    half = experiment.scenarios["automated_redaction_x0_5"].interventions.automated_redaction
    assert (half.enabled, half.video_saving, half.text_saving) == (True, 0.3, 0.4)
    assert experiment.scenarios["admin_reduction_x0"].interventions.admin_reduction.hours_saved == {
        "crime_recording": 0.0
    }
    # dose 1 is the scenario the overlay alone gives, as a compare file would write it
    plain = tmp_path / "plain.yaml"
    plain.write_text(
        yaml.safe_dump(
            {
                "name": "plain",
                "base": "strained",
                "horizon_days": 4,
                "warmup_days": 1,
                "scenarios": [
                    {"name": "strained", **STRAINED},
                    {
                        "name": "redaction",
                        "overlays": [*STRAINED["overlays"], str(OVERLAYS / "automated_redaction.yaml")],
                        "set": STRAINED["set"],
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    reference = load_experiment(plain).scenarios["redaction"]
    assert config_hash(experiment.scenarios["automated_redaction_x1"]) == config_hash(reference)
    # --factors replaces the file's
    again = load_experiment(write(tmp_path, ["admin_reduction"]), factors=[2.0])
    assert list(again.scenarios) == ["strained", "admin_reduction_x2"]


def test_the_default_factors_are_those_of_the_issue(tmp_path: Path) -> None:
    experiment = load_experiment(write(tmp_path, ["video_interviews"]))
    assert [p.factor for p in experiment.doses] == [0, 0.25, 0.5, 1, 2]


def test_an_unreachable_dose_is_reported_and_its_largest_reachable_dose_run(tmp_path: Path) -> None:
    experiment = load_experiment(write(tmp_path, ["automated_redaction"], [1, 2]))
    points = {p.factor: p for p in experiment.doses}
    assert points[2].scenario is None and points[2].reach == 1.25
    assert points[1.25].largest_reachable and points[1.25].scenario == "automated_redaction_max"
    top = experiment.scenarios["automated_redaction_max"].interventions.automated_redaction
    assert (top.video_saving, top.text_saving) == (0.75, 1.0)
    assert list(experiment.scenarios) == ["strained", "automated_redaction_x1", "automated_redaction_max"]
    comparison = comparison_document(experiment, run_experiment(experiment, workers=1))
    rows = dose_document(experiment, comparison)["technologies"]["automated_redaction"]["points"]
    assert [(r["factor"], r["reachable"], r["largest_reachable"]) for r in rows] == [
        (1, True, False),
        (1.25, True, True),
        (2, False, False),
    ]
    assert rows[2]["note"] == "unreachable: the largest reachable dose is 1.25"
    assert "hours_saved_per_year" not in rows[2]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"doses": {"factors": [-1], "technologies": [{"intervention": "admin_reduction"}]}}, "doses.factors.0"),
        ({"doses": {"technologies": [{"intervention": "teleport"}]}}, "doses.technologies.0.intervention: 'teleport'"),
        ({"doses": {"technologies": [{"intervention": "extra_demand"}]}}, "extra_demand takes no dose"),
        ({"doses": {"technologies": [{"intervention": "admin_reduction"}]}}, "enabled is false after its overlays"),
        (
            {"doses": {"factors": [1, 1], "technologies": [{"intervention": "admin_reduction"}]}},
            "factors must be unique",
        ),
    ],
)
def test_a_bad_doses_block_is_one_line_naming_the_field(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    path = write(tmp_path, ["admin_reduction"], **change)
    with pytest.raises(ConfigError, match=message) as error:
        load_experiment(path)
    assert "\n" not in str(error.value)


def test_a_technology_already_on_in_the_base_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, ["admin_reduction"])
    spec = yaml.safe_load(path.read_text())
    spec["scenarios"][0]["overlays"].append(str(OVERLAYS / "admin_reduction.yaml"))
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(ConfigError, match=r"doses.technologies.0.intervention: admin_reduction is already on"):
        load_experiment(path)


# ---- dose 0 on common random numbers ------------------------------------------------------------
def test_dose_zero_is_the_base_exactly_and_the_dose_moves_the_run(tmp_path: Path) -> None:
    """Each of the five at dose 0: switched on, yet every metric of the base run is the same
    number (same seed); at dose 1 the run differs. Redaction's measured saving halves at 0.5."""
    experiment = load_experiment(write(tmp_path, list(FIVE), [0, 0.5, 1]))
    seed = 5
    base = simulate(experiment.base, seed).metrics
    for name in FIVE:
        zero_scenario = experiment.scenarios[f"{name}_x0"]
        assert zero_scenario.interventions.section(name).enabled
        zero = simulate(zero_scenario, seed).metrics
        same = [k for k, v in base.items() if zero[k] == v or (math.isnan(v) and math.isnan(zero[k]))]
        assert same == list(base), (name, sorted(set(base) - set(same))[:5])
        assert zero[f"hours_saved.{name}"] == 0.0
        one = simulate(experiment.scenarios[f"{name}_x1"], seed).metrics
        assert any(one[k] != v and not (math.isnan(v) and math.isnan(one[k])) for k, v in base.items()), name
        if name == "automated_redaction":
            half = simulate(experiment.scenarios[f"{name}_x0_5"], seed).metrics
            assert one[f"hours_saved.{name}"] > 0
            assert half[f"hours_saved.{name}"] == pytest.approx(0.5 * one[f"hours_saved.{name}"], rel=1e-9)


# ---- the linear column and the command ----------------------------------------------------------
def test_the_command_reports_the_curve_beside_the_linear_conversion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, ["automated_redaction"], [0.5, 2])
    args = ["dose", str(path), "--workers", "1"]
    assert main([*args, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    rows = document["technologies"]["automated_redaction"]["points"]
    assert [r["factor"] for r in rows] == [0.5, 1.25, 2]
    for row in rows[:2]:
        hours = row["hours_saved_per_year"]["mean"]
        assert hours > 0
        for kind, per_incident in (("burglary", 1.67), ("domestic_abuse", 2.0)):
            cell = row["types"][kind]
            assert cell["linear_extra_attended"] == pytest.approx(hours / per_incident, abs=1e-3)
            assert set(cell["extra_attended_in_person"]) >= {"mean", "ci_low", "ci_high"}
            assert set(cell["time_to_attend_change_minutes"]) >= {"mean", "ci_low", "ci_high"}
    assert document["linear"]["hours_per_incident"] == {"burglary": 1.67, "domestic_abuse": 2.0}
    assert set(document["comparison"]["scenarios"]) == {"automated_redaction_x0_5", "automated_redaction_max"}
    out = tmp_path / "results"
    assert main([*args, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "x2 (n/a): unreachable: the largest reachable dose is 1.25" in text
    linear = f"{rows[0]['types']['burglary']['linear_extra_attended']:,.0f}"
    assert linear in text
    written = {p.name for p in out.rglob("*")}
    assert {"dose.json", "dose.parquet", "manifest.json", "paired.parquet", "dose_curves.png"} <= written
    assert (out / "plots" / "dose_curves.png").stat().st_size > 5000
    assert main([*args, "--out", str(out)]) == 2
    assert "already holds results" in capsys.readouterr().err


def test_the_command_needs_a_doses_block(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, ["admin_reduction"])
    spec = yaml.safe_load(path.read_text())
    del spec["doses"]
    spec["scenarios"].append({"name": "other", **STRAINED})
    path.write_text(yaml.safe_dump(spec))
    assert main(["dose", str(path)]) == 2
    err = capsys.readouterr().err
    assert "doses: missing" in err and err.count("\n") == 1


def test_a_plug_in_registered_at_run_time_doses_through_its_contract(tmp_path: Path) -> None:
    """The toy of test_intervention_plugin states its dose by one class attribute; a factor at
    its reach is run as asked (no extra `_max` scenario), one beyond it is unreachable."""
    from test_intervention_plugin import DeskCallback

    from sim.model.interventions.registry import register, unregister

    register("desk_callback", DeskCallback)
    try:
        overlay = tmp_path / "callback.yaml"
        overlay.write_text("interventions:\n  desk_callback: {enabled: true, adoption: 0.5}\n")
        path = write(tmp_path, [], [0, 2, 3])
        spec = yaml.safe_load(path.read_text())
        spec["doses"]["technologies"] = [{"intervention": "desk_callback", "overlays": [str(overlay)]}]
        path.write_text(yaml.safe_dump(spec))
        experiment = load_experiment(path)
    finally:
        unregister("desk_callback")
    assert list(experiment.scenarios) == ["strained", "desk_callback_x0", "desk_callback_x2"]
    assert [(p.factor, p.scenario) for p in experiment.doses] == [
        (0, "desk_callback_x0"),
        (2, "desk_callback_x2"),
        (3, None),
    ]
    assert experiment.scenarios["desk_callback_x2"].interventions.section("desk_callback").adoption == 1.0
