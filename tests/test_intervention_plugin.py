"""A plug-in intervention: defined here, registered at run time, run, and its effect checked.

The toy is the example of docs/howto/add-an-intervention.md: a desk officer rings back adopted
incidents of some types and grades as they reach dispatch, so no officer goes. On the small force
of test_interventions (fixed times, ample officers, a replayed log ending before the window does,
so all work ends inside it) every effect can be computed by hand, to rounding.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pydantic import Field
from test_interventions import EXACT, TASK_MINUTES, assert_same, quiet, service_keys, small_force, write_quiet_log

from sim.commands import common
from sim.commands.cli import main
from sim.config import interventions
from sim.config.interventions import InterventionConfig, Reference
from sim.config.loading import scenario_from_dict
from sim.errors import ConfigError
from sim.model.incident import CallBlock, Incident
from sim.model.interventions.contract import Context, Intervention, Response
from sim.model.interventions.registry import register, unregister


# ---- the plug-in: its settings and its behaviour (what would be one module in sim/model/interventions/)
class DeskCallbackSettings(InterventionConfig):
    """A desk officer rings back adopted incidents of some types and grades; no officer goes."""

    incident_types: list[str] = Field(default_factory=lambda: ["burglary"], description="types rung back")
    grades: list[str] = Field(default_factory=lambda: ["P3"], description="grades rung back")
    callback_minutes: float = Field(30.0, gt=0.0, description="from reaching dispatch to the call (assumption)")

    def references(self) -> list[Reference]:
        return [("incident_types", "incident type", self.incident_types), ("grades", "grade", self.grades)]


class DeskCallback(Intervention):
    """Adopted incidents are attended by a call-back ``callback_minutes`` after reaching dispatch."""

    config_model = DeskCallbackSettings
    uniforms = 1  # adoption
    dose_fields = ("adoption",)  # a dose d rings back d times as many incidents
    config: DeskCallbackSettings

    def __init__(self, name: str, config: DeskCallbackSettings, context: Context) -> None:
        super().__init__(name, config, context)
        self.chosen: set[int] = set()  # call numbers to ring back

    def plan(self, block: CallBlock, u: np.ndarray, numbers: np.ndarray) -> None:
        adopted = self.of_kind(block, self.config.incident_types, self.config.grades) & (u[:, 0] < self.config.adoption)
        self.chosen.update(numbers[adopted].tolist())

    def respond(self, incident: Incident, now: float) -> Response:
        if incident.number not in self.chosen:
            return Response.PASS
        self.chosen.remove(incident.number)
        self.attend_remotely(incident, now + self.config.callback_minutes, "callback")
        return Response.ATTENDED


# ---- the tests ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_quiet_log(tmp_path_factory.mktemp("plugin"))


@pytest.fixture
def registered() -> Iterator[None]:
    register("desk_callback", DeskCallback)
    yield
    unregister("desk_callback")


def officer_hours(metrics: dict[str, float]) -> float:
    """Officer hours spent on anything but waiting for a job."""
    return metrics["officer_hours_total"] - metrics["officer_hours.available"]


@pytest.mark.usefixtures("registered")
def test_a_registered_plug_in_runs_and_moves_exactly_what_it_should(log: Path) -> None:
    """Every burglary (all P3) rung back after 30 min: no travel, scene or follow-up for them."""
    base = quiet(log)
    other = quiet(log, desk_callback={"enabled": True})
    burglaries = base["incidents.burglary.generated"]
    assert burglaries > 100
    assert other["remote.burglary.callback_attended"] == burglaries
    assert other["incidents.burglary.attended"] == burglaries
    assert other["response_minutes.burglary.mean"] == pytest.approx(30.0, rel=EXACT)
    assert_same(base, other, [k for k in service_keys(base) if "burglary" not in k])
    scene, travel = 60.0, 20.0  # the small force's burglary: fixed on scene, P3 travel
    per_burglary = scene + travel + sum(TASK_MINUTES.values()) + 180.0  # + video redaction
    assert other["hours_saved.desk_callback"] == pytest.approx(burglaries * per_burglary / 60, rel=EXACT)
    assert officer_hours(base) - officer_hours(other) == pytest.approx(burglaries * per_burglary / 60, rel=EXACT)
    assert base["officer_hours.on_scene"] - other["officer_hours.on_scene"] == pytest.approx(
        burglaries * scene / 60, rel=EXACT
    )


@pytest.mark.usefixtures("registered")
def test_a_plug_in_draws_from_its_own_stream(log: Path) -> None:
    """Adoption 0 is the baseline to the last bit; adoption 0.5 rings back about half."""
    base = quiet(log)
    none = quiet(log, desk_callback={"enabled": True, "adoption": 0.0})
    for key, value in base.items():
        assert none[key] == value or (math.isnan(value) and math.isnan(none[key])), key
    assert none["hours_saved.desk_callback"] == 0.0
    half = quiet(log, desk_callback={"enabled": True, "adoption": 0.5})["remote.burglary.callback_attended"]
    burglaries = base["incidents.burglary.generated"]
    assert abs(half - 0.5 * burglaries) <= 4.0 * math.sqrt(burglaries * 0.25)


@pytest.mark.usefixtures("registered")
def test_a_plug_in_section_is_validated_with_the_field_named() -> None:
    bad = small_force(desk_callback={"enabled": True, "adoption": 1.5})
    with pytest.raises(ConfigError, match=r"interventions\.desk_callback\.adoption: Input should be less"):
        scenario_from_dict(bad, source="test")
    typo = small_force(desk_callback={"enabled": True, "callback_minute": 5})
    with pytest.raises(ConfigError, match=r"interventions\.desk_callback\.callback_minute: unknown key"):
        scenario_from_dict(typo, source="test")
    unknown = small_force(desk_callback={"enabled": True, "incident_types": ["burglry"]})
    with pytest.raises(ConfigError, match=r"interventions\.desk_callback\.incident_types: \['burglry'\]"):
        scenario_from_dict(unknown, source="test")


def test_an_unregistered_section_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"interventions\.desk_callback: unknown key"):
        scenario_from_dict(small_force(desk_callback={"enabled": True}), source="test")


def test_the_command_line_registers_plug_ins_when_a_config_names_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``validate`` loads no model code, yet a config naming a plug-in validates: the command line
    lets the config layer call back for unknown sections (here a stand-in for the model's registry)."""
    monkeypatch.setattr(interventions, "section_finder", None)  # restored afterwards
    monkeypatch.setattr(common, "_register_plug_in_interventions", lambda: register("desk_callback", DeskCallback))
    config = tmp_path / "callback.yaml"
    config.write_text(
        "extends: baseline.yaml\ninterventions:\n  desk_callback:\n    enabled: true\n    adoption: 0.3\n"
    )
    try:
        assert main(["validate", str(config), "--quiet"]) == 0
    finally:
        unregister("desk_callback")
