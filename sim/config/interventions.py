"""Schema of the ``interventions:`` section of a scenario: every intervention is off by default.

Every effect size has a default taken from ``docs/calibration.md`` (the source is named in
the field's description) or is marked as an assumption with the range a sweep should explore.
Where and how each intervention acts in the model is documented in ``sim/model/interventions/effects.py``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, model_validator

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Hour = Annotated[float, Field(ge=0.0, le=24.0)]


class _Intervention(BaseModel):
    """Fields every intervention has: a switch and the share of cases, calls or officers reached."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(False, description="Switch the intervention on; off in the baseline.")
    adoption: Share = Field(
        1.0,
        description="Share of cases, calls or interviews the intervention reaches when enabled "
        "(assumption: full roll-out; sweep 0 to 1).",
    )


class AutomatedRedaction(_Intervention):
    """Software redacts body-worn video and case-file text; an officer checks the result."""

    video_saving: Share = Field(
        0.6,
        description="Share of video redaction time saved (Home Office Accelerated Capability "
        "Environment case study: about 60%).",
    )
    text_saving: Share = Field(
        0.8,
        description="Share of text redaction time saved (PPR 2023, reported: 80% automation "
        "frees 618,000 of 770,000 h; one force 80 to 92%, College of Policing practice bank).",
    )
    video_check_minutes_per_footage_minute: NonNegative = Field(
        0.0,
        description="Residual human check per minute of footage, added after the saving "
        "(assumption: the published savings are net of checking, so 0; sweep 0 to 1).",
    )
    text_check_hours_per_file: NonNegative = Field(
        0.0,
        description="Residual human check per redacted case file, added after the saving "
        "(assumption: 0, as above; sweep 0 to 0.5).",
    )


class Ai101Triage(_Intervention):
    """An AI assistant takes 101 contacts first; it resolves some and shortens the rest."""

    containment: Share = Field(
        0.5,
        description="Share of reached 101 contacts needing no deployment that the assistant "
        "resolves without a handler (vendor figures 75 to 82%, low confidence; sweep 0.3 to "
        "0.8, central 0.5).",
    )
    handling_time_saving: Share = Field(
        0.2,
        description="Share of handler time saved on contacts the assistant passes on, because "
        "details are already taken (assumption; sweep 0 to 0.5).",
    )
    patience_factor: Positive = Field(
        1.0,
        description="Multiplier on the patience of 101 callers passed to a handler; above 1 "
        "fewer abandon (assumption: no change; sweep 0.5 to 2).",
    )
    regrade: dict[str, dict[str, Share]] = Field(
        default_factory=dict,
        description="Misgrade matrix of the assistant: for a true grade, the probability of "
        "each other grade being assigned instead; the rest keep their grade (assumption: no "
        "misgrading). An incident graded too low waits longer.",
    )
    concurrent_sessions: PositiveInt | None = Field(
        None,
        description="Contacts the assistant can hold at once; a contact arriving when it is "
        "full goes straight to a handler. None means unlimited (vendor claim, assumption).",
    )
    session_minutes: Positive = Field(
        4.0,
        description="How long the assistant holds a contact, used only with a finite "
        "concurrent_sessions (assumption; sweep 2 to 10).",
    )

    @model_validator(mode="after")
    def _rows_are_distributions(self) -> Ai101Triage:
        """Each misgrade row is a sub-distribution: the probabilities of changing sum to <= 1."""
        for grade, row in self.regrade.items():
            if grade in row:
                raise ValueError(f"regrade.{grade}: a grade cannot be misgraded as itself")
            if sum(row.values()) > 1.0 + 1e-9:
                raise ValueError(f"regrade.{grade}: probabilities sum to {sum(row.values()):g}, expected <= 1")
        return self


class RapidVideoResponse(BaseModel):
    """The Kent trial model: eligible DA P3 victims offered a video call by a desk officer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(
        True,
        description="Offer rapid video response to eligible DA P3; acts only while video_interviews itself is enabled.",
    )
    incident_types: list[str] = Field(
        default_factory=lambda: ["domestic_abuse"],
        description="Incident types offered a video response (Kent trial: domestic abuse).",
    )
    grades: list[str] = Field(
        default_factory=lambda: ["P3"],
        description="Grades offered a video response (Kent trial: non-urgent, scheduled).",
    )
    eligible_share: Share = Field(
        0.5,
        description="Share of those incidents eligible (no immediate risk, suspect absent); "
        "assumption, sweep 0.3 to 0.8.",
    )
    consent_share: Share = Field(
        0.75,
        description="Share of eligible victims who consent (Kent randomised trial, Rothwell et al. 2022: about 75%).",
    )
    desk_officers: PositiveInt = Field(
        2,
        description="Desk-based officers taking video calls at once, around the clock "
        "(assumption; a medium force's single team).",
    )
    call_minutes: Positive = Field(
        45.0,
        description="Mean length of a video call, exponential (assumption; sweep 30 to 90).",
    )
    visit_kept_share: Share = Field(
        0.0,
        description="Share of video-attended incidents that still get the scheduled in-person "
        "visit (assumption: the visit is avoided; sweep 0 to 1).",
    )


class VideoInterviews(_Intervention):
    """Victim and witness interviews by video call: no travel and a shorter contact."""

    duration_factor: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.8,
        description="Length of a video interview as a share of the in-person one, travel "
        "excluded (assumption; sweep 0.6 to 1).",
    )
    rapid_response: RapidVideoResponse = Field(
        default_factory=RapidVideoResponse,
        description="Rapid video response to eligible DA P3 incidents (Kent trial model).",
    )


class DroneFirstResponse(_Intervention):
    """Drones launched from stations reach eligible incidents first; some need no officer."""

    drones_per_station: PositiveInt = Field(
        1,
        description="Drones at each station; each serves one incident at a time (assumption).",
    )
    speed_kmh: Positive = Field(
        60.0,
        description="Cruise speed (assumption; one US city reports first on scene in about 150 s; sweep 40 to 90).",
    )
    launch_minutes: NonNegative = Field(1.0, description="Time from dispatch to airborne (assumption; sweep 0.5 to 3).")
    travel_minutes_without_geography: Positive = Field(
        5.0,
        description="Flight time when the scenario has no geography (assumption; sweep 2 to 10).",
    )
    range_km: Positive = Field(
        5.0,
        description="Largest distance from the station a drone serves (assumption: line of "
        "sight operations; sweep 2 to 15).",
    )
    operating_start_hour: Hour = Field(
        7.0, description="Start of flying hours each day (assumption: daylight; sweep 5 to 9)."
    )
    operating_end_hour: Hour = Field(
        19.0, description="End of flying hours each day (assumption: daylight; sweep 17 to 22)."
    )
    weather_availability: Share = Field(
        0.8,
        description="Share of requests in flying hours when the weather allows flight (assumption; sweep 0.6 to 0.95).",
    )
    incident_types: list[str] = Field(
        default_factory=lambda: [
            "road_traffic_collision",
            "missing_person",
            "concern_for_welfare",
        ],
        description="Incident types a drone is sent to (design document's eligible list).",
    )
    grades: list[str] = Field(
        default_factory=lambda: ["P1", "P2"],
        description="Grades a drone is sent to (assumption: emergency and priority).",
    )
    resolved_share: Share = Field(
        0.15,
        description="Share of drone-attended incidents resolved without any officer "
        "(assumption: no UK outcome data; sweep 0 to 0.4).",
    )
    on_scene_saving: Share = Field(
        0.15,
        description="Share of officer time on scene saved for the others, as the scene is "
        "already assessed (assumption; sweep 0 to 0.3).",
    )
    scene_minutes: Positive = Field(
        20.0,
        description="Drone time over the scene before it returns (assumption; sweep 10 to 40).",
    )

    @model_validator(mode="after")
    def _hours_in_order(self) -> DroneFirstResponse:
        """Flying hours must form a non-empty window within one day."""
        if self.operating_end_hour <= self.operating_start_hour:
            raise ValueError(
                f"operating_end_hour ({self.operating_end_hour:g}) must be after "
                f"operating_start_hour ({self.operating_start_hour:g})"
            )
        return self


class AdminReduction(_Intervention):
    """A generic saving in hours per follow-up task, to reproduce or test any admin measure."""

    hours_saved: dict[str, NonNegative] = Field(
        default_factory=dict,
        description="Hours saved per completed task, by follow-up task name; a task never "
        "drops below zero (the Productivity Review's measures, or any hypothesis).",
    )
    incident_types: list[str] | None = Field(
        None, description="Incident types the saving applies to; None means every type."
    )


class ExtraDemand(BaseModel):
    """Extra incidents of one type (a what-if, set by ``policesim capacity``), nested by volume."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    incident_type: str | None = Field(None, description="type to add; none: no extra demand")
    yearly_volume: NonNegative = Field(0.0, description="extra incidents per year")
    max_yearly_volume: Positive = Field(
        1.0,
        description="candidates are drawn at this volume and thinned to yearly_volume, so a "
        "search over volumes below it adds incidents without moving the others",
    )

    @model_validator(mode="after")
    def _within_maximum(self) -> ExtraDemand:
        """The volume cannot exceed the volume candidates are drawn at."""
        if self.yearly_volume > self.max_yearly_volume:
            raise ValueError(
                f"yearly_volume ({self.yearly_volume:g}) exceeds max_yearly_volume ({self.max_yearly_volume:g})"
            )
        return self


class InterventionsConfig(BaseModel):
    """All interventions of a scenario; each one is off unless its ``enabled`` is true."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    automated_redaction: AutomatedRedaction = Field(default_factory=AutomatedRedaction)
    ai_101_triage: Ai101Triage = Field(default_factory=Ai101Triage)
    video_interviews: VideoInterviews = Field(default_factory=VideoInterviews)
    drone_first_response: DroneFirstResponse = Field(default_factory=DroneFirstResponse)
    admin_reduction: AdminReduction = Field(default_factory=AdminReduction)
    extra_demand: ExtraDemand = Field(default_factory=ExtraDemand)

    def active(self) -> list[str]:
        """Names of the interventions switched on, in a fixed order."""
        return [name for name in INTERVENTIONS if getattr(self, name).enabled]

    def check_references(self, types: list[str], grades: list[str], tasks: list[str]) -> None:
        """Every incident type, grade and task an intervention names exists in the scenario."""
        names = {"incident type": types, "grade": grades, "task": tasks}
        for where, kind, given in self._references():
            unknown = [name for name in given if name not in names[kind]]
            if unknown:
                raise ValueError(
                    f"interventions.{where}: {unknown} not a {kind} of the scenario (expected one of {names[kind]})"
                )

    def _references(self) -> list[tuple[str, str, list[str]]]:
        """(field path, kind of name, names given) for each reference an enabled one makes."""
        refs: list[tuple[str, str, list[str]]] = []
        video = self.video_interviews
        if video.enabled and video.rapid_response.enabled:
            rapid = video.rapid_response
            refs.append(("video_interviews.rapid_response.incident_types", "incident type", rapid.incident_types))
            refs.append(("video_interviews.rapid_response.grades", "grade", rapid.grades))
        drone = self.drone_first_response
        if drone.enabled:
            refs.append(("drone_first_response.incident_types", "incident type", drone.incident_types))
            refs.append(("drone_first_response.grades", "grade", drone.grades))
        admin = self.admin_reduction
        if admin.enabled:
            refs.append(("admin_reduction.hours_saved", "task", list(admin.hours_saved)))
            refs.append(("admin_reduction.incident_types", "incident type", admin.incident_types or []))
        regrade = self.ai_101_triage.regrade
        if self.ai_101_triage.enabled:
            names = [*regrade, *(g for row in regrade.values() for g in row)]
            refs.append(("ai_101_triage.regrade", "grade", names))
        if self.extra_demand.incident_type is not None:
            refs.append(("extra_demand.incident_type", "incident type", [self.extra_demand.incident_type]))
        return refs


INTERVENTIONS: tuple[str, ...] = (
    "automated_redaction",
    "admin_reduction",
    "video_interviews",
    "drone_first_response",
    "ai_101_triage",
)
