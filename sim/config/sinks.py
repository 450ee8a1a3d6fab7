"""Schema of the time sinks after a scene: arrests and custody, mental-health detentions, scene guards.

Each sink takes officers when they leave an incident's scene (``sim.model.sinks``). Places (custody
suites, places of safety, A&E) name a station or a zone of the scenario, so they are places on the
map; without geography the journey there takes ``transport_minutes``. Right Care Right Person is
configured here too until interventions become plug-ins (``sim.model.interventions.rcrp``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field, PositiveInt, field_validator

from sim.config.base import Share, Strict, known_tasks
from sim.config.distributions import Distribution, Fixed

if TYPE_CHECKING:
    from sim.config.schema import Scenario

PACE_TASKS: tuple[str, ...] = ("crime_recording", "statements", "interviews", "evidence_review", "case_file")


def _twenty_minutes() -> Fixed:
    return Fixed(dist="fixed", value=20.0)


class CustodySuite(Strict):
    """A custody suite: where it is and how many detainees can be booked in at once."""

    name: str
    place: str = Field(description="a station or zone name: where the suite is")
    booking_desks: PositiveInt = Field(description="custody sergeants booking in at once (servers of the queue)")


class Custody(Strict):
    """Arrests: transport to the nearest suite, queue to book in, handover, then PACE-clock work."""

    arrest_share: dict[str, Share] = Field(description="probability that an attended incident of a type ends in arrest")
    suites: tuple[CustodySuite, ...] = Field(min_length=1)
    officers_held: PositiveInt = Field(
        default=2, description="attending officers held with a detainee (at most the crew)"
    )
    transport_minutes: Distribution = Field(
        default_factory=_twenty_minutes, description="journey to the suite without geography"
    )
    booking_minutes: Distribution = Field(description="time at the booking desk")
    handover_minutes: Distribution = Field(description="after booking in, until the officers are released")
    pace_work: dict[str, Distribution] = Field(
        default_factory=dict, description="follow-up minutes per arrest by task, due within the PACE clock"
    )
    pace_hours: Annotated[float, Field(gt=0)] = Field(default=24.0, description="detention clock from booking in")
    deadline_first: bool = Field(default=True, description="PACE work goes ahead of discretionary follow-up work")

    @field_validator("pace_work")
    @classmethod
    def _tasks(cls, work: dict[str, object]) -> dict[str, object]:
        return known_tasks(work, PACE_TASKS)


class PlaceOfSafety(Strict):
    """A health-based place of safety with a limited number of places."""

    name: str
    place: str = Field(description="a station or zone name: where it is")
    places: PositiveInt = Field(description="detainees it can take at once")


class MentalHealth(Strict):
    """Section 136 detentions and conveyances from welfare-type incidents, and the waits they bring."""

    detention_share: dict[str, Share] = Field(
        description="probability that an attended incident of a type ends in s136"
    )
    conveyance_share: dict[str, Share] = Field(
        default_factory=dict, description="probability of a voluntary conveyance to A&E instead (no s136)"
    )
    places_of_safety: tuple[PlaceOfSafety, ...] = Field(default=())
    emergency_department: str = Field(description="a station or zone name: the A&E used when no place is free")
    officers_held: PositiveInt = Field(
        default=2, description="attending officers held until handover (at most the crew)"
    )
    transport_minutes: Distribution = Field(
        default_factory=_twenty_minutes, description="journey to the place without geography"
    )
    handover_minutes: Distribution = Field(description="at a place of safety, until the officers are released")
    emergency_wait_minutes: Distribution = Field(description="at A&E, until the officers are released")
    stay_hours: Distribution = Field(description="how long a detainee occupies a place of safety")


class SceneGuard(Strict):
    """A cordon: an officer held at the scene of a serious incident for hours."""

    share: dict[str, Share] = Field(description="probability that an attended incident of a type needs a guard")
    officers_held: PositiveInt = Field(default=1, description="officers on the cordon (at most the crew)")
    guard_minutes: Distribution


class RightCareRightPerson(Strict):
    """Right Care Right Person: a share of welfare-type incidents passed to health services, no deployment."""

    enabled: bool = False
    share: Share = Field(default=0.0, description="share of incidents of the listed types passed to health")
    types: tuple[str, ...] = ("concern_for_welfare",)


class Sinks(Strict):
    """Officer time after the scene; every part optional."""

    custody: Custody | None = None
    mental_health: MentalHealth | None = None
    scene_guard: SceneGuard | None = None
    right_care_right_person: RightCareRightPerson = Field(default_factory=RightCareRightPerson)

    def check_references(self, scenario: Scenario) -> None:
        """Every type and place named must exist in the scenario; raises ValueError naming the field."""
        types = list(scenario.incident_types)
        places = place_names(scenario)
        named: list[tuple[str, list[str], list[str]]] = []
        if self.right_care_right_person.enabled:
            named.append(("right_care_right_person.types", list(self.right_care_right_person.types), types))
        if self.custody is not None:
            named.append(("custody.arrest_share", list(self.custody.arrest_share), types))
            named.append(("custody.suites", [s.place for s in self.custody.suites], places))
        if self.mental_health is not None:
            health = self.mental_health
            named.append(("mental_health.detention_share", list(health.detention_share), types))
            named.append(("mental_health.conveyance_share", list(health.conveyance_share), types))
            named.append(("mental_health.places_of_safety", [p.place for p in health.places_of_safety], places))
            named.append(("mental_health.emergency_department", [health.emergency_department], places))
        if self.scene_guard is not None:
            named.append(("scene_guard.share", list(self.scene_guard.share), types))
        for where, given, known in named:
            unknown = sorted(set(given) - set(known))
            if unknown:
                raise ValueError(f"sinks.{where}: {unknown} not in {sorted(known)}")


def place_names(scenario: Scenario) -> list[str]:
    """Names of the places on the map, in map order: stations, then zones."""
    zones = scenario.geography.zones if scenario.geography is not None else ()
    return [s.name for s in scenario.workforce.stations] + [z.name for z in zones]
