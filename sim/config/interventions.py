"""Schema of the ``interventions:`` section of a scenario: every intervention is off by default.

Every effect size has a default taken from ``docs/calibration.md`` (the source is named in
the field's description) or is marked as an assumption with the range a sweep should explore.
Each acts in its own module of ``sim/model/interventions/``. Built-in sections are fields of
``InterventionsConfig`` (they load with only ``sim.config`` imported); a plug-in's settings model (a
subclass of ``InterventionConfig``) is added to ``SECTIONS`` by the model's registry and validated
alike, errors naming the field. This layer imports no model code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, model_validator
from pydantic_core import ErrorDetails, InitErrorDetails

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Hour = Annotated[float, Field(ge=0.0, le=24.0)]
Reference = tuple[str, str, list[str]]  # (field path in the section, kind of name, names given)


class InterventionConfig(BaseModel):
    """Fields every intervention has: a switch and the share of cases, calls or officers reached.

    A plug-in's settings subclass this; ``references`` names the scenario's incident types, grades
    or tasks its fields mention, so a misspelt one is refused when the scenario loads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(False, description="Switch the intervention on; off in the baseline.")
    adoption: Share = Field(
        1.0,
        description="Share of cases, calls or interviews the intervention reaches when enabled "
        "(assumption: full roll-out; sweep 0 to 1).",
    )

    def references(self) -> list[Reference]:
        """The incident types (``"incident type"``), grades (``"grade"``) and tasks (``"task"``) named."""
        return []


class AutomatedRedaction(InterventionConfig):
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


class Ai101Triage(InterventionConfig):
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

    def references(self) -> list[Reference]:
        return [("regrade", "grade", [*self.regrade, *(g for row in self.regrade.values() for g in row)])]


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
        "(assumption; a medium force's single team). With a resolution centre, only kept visits' calls.",
    )
    call_minutes: Positive = Field(
        45.0,
        description="Mean length of a video call, exponential (assumption; sweep 30 to 90); with a resolution centre, its own.",
    )
    visit_kept_share: Share = Field(
        0.0,
        description="Share of video-attended incidents that still get the scheduled in-person "
        "visit (assumption: the visit is avoided; sweep 0 to 1).",
    )


class VideoInterviews(InterventionConfig):
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

    def references(self) -> list[Reference]:
        rapid = self.rapid_response
        if not rapid.enabled:
            return []
        return [
            ("rapid_response.incident_types", "incident type", rapid.incident_types),
            ("rapid_response.grades", "grade", rapid.grades),
        ]


class DroneFirstResponse(InterventionConfig):
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

    def references(self) -> list[Reference]:
        return [("incident_types", "incident type", self.incident_types), ("grades", "grade", self.grades)]


class AdminReduction(InterventionConfig):
    """A generic saving in hours per follow-up task, to reproduce or test any admin measure."""

    hours_saved: dict[str, NonNegative] = Field(
        default_factory=dict,
        description="Hours saved per completed task, by follow-up task name; a task never "
        "drops below zero (the Productivity Review's measures, or any hypothesis).",
    )
    incident_types: list[str] | None = Field(
        None, description="Incident types the saving applies to; None means every type."
    )

    def references(self) -> list[Reference]:
        return [
            ("hours_saved", "task", list(self.hours_saved)),
            ("incident_types", "incident type", self.incident_types or []),
        ]


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

    @property
    def enabled(self) -> bool:
        """On when an incident type is named (the section has no switch of its own)."""
        return self.incident_type is not None

    def references(self) -> list[Reference]:
        return [("incident_type", "incident type", [self.incident_type] if self.incident_type else [])]


class InterventionsConfig(BaseModel):
    """All interventions of a scenario; each one is off unless its ``enabled`` is true."""

    model_config = ConfigDict(extra="allow", frozen=True)  # extra: only registered plug-in sections

    automated_redaction: AutomatedRedaction = Field(default_factory=AutomatedRedaction)
    ai_101_triage: Ai101Triage = Field(default_factory=Ai101Triage)
    video_interviews: VideoInterviews = Field(default_factory=VideoInterviews)
    drone_first_response: DroneFirstResponse = Field(default_factory=DroneFirstResponse)
    admin_reduction: AdminReduction = Field(default_factory=AdminReduction)
    extra_demand: ExtraDemand = Field(default_factory=ExtraDemand)

    @model_validator(mode="before")
    @classmethod
    def _plug_in_sections(cls, data: Any) -> Any:
        """Validate each plug-in section with its registered model; refuse unknown sections."""
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name in set(data) - set(cls.model_fields):
            if name not in SECTIONS and section_finder is not None:
                section_finder()  # a higher layer registers its plug-ins now
            if name not in SECTIONS:
                unknown = InitErrorDetails(type="extra_forbidden", loc=(name,), input=data[name])
                raise ValidationError.from_exception_data(cls.__name__, [unknown])
            try:
                out[name] = SECTIONS[name].model_validate(data[name])
            except ValidationError as error:  # the same problems, under the section's name
                problems = [_under(name, problem) for problem in error.errors()]
                raise ValidationError.from_exception_data(cls.__name__, problems) from None
        return out

    def section(self, name: str) -> Section:
        """The settings of intervention ``name`` (its defaults, off, if the scenario omits it)."""
        given = getattr(self, name, None)
        return given if given is not None else SECTIONS[name]()

    def active(self) -> list[str]:
        """Names of the interventions switched on, in the order of ``SECTIONS``."""
        return [name for name in SECTIONS if self.section(name).enabled]

    def check_references(self, types: list[str], grades: list[str], tasks: list[str]) -> None:
        """Every incident type, grade and task an enabled intervention names exists in the scenario."""
        names = {"incident type": types, "grade": grades, "task": tasks}
        for name in self.active():
            for where, kind, given in self.section(name).references():
                unknown = [value for value in given if value not in names[kind]]
                if unknown:
                    raise ValueError(
                        f"interventions.{name}.{where}: {unknown} not a {kind} of the scenario "
                        f"(expected one of {names[kind]})"
                    )


Section = InterventionConfig | ExtraDemand
# Every section by name, in the order the model applies them: built-ins, then plug-ins as registered.
# A higher layer may set ``section_finder``, called when a config names a section not registered
# yet: the command line imports the model's registry then, so ``validate`` stays light.
section_finder: Callable[[], object] | None = None
SECTIONS: dict[str, type[Section]] = {
    "automated_redaction": AutomatedRedaction,
    "admin_reduction": AdminReduction,
    "video_interviews": VideoInterviews,
    "drone_first_response": DroneFirstResponse,
    "ai_101_triage": Ai101Triage,
    "extra_demand": ExtraDemand,
}


def register_section(name: str, model: type[Section]) -> None:
    """Let ``interventions.<name>`` be validated by ``model`` (a plug-in's settings)."""
    known = SECTIONS.get(name)
    if known is model:
        return
    if known is not None:
        raise ValueError(f"interventions.{name}: already a section, validated by {known.__name__}")
    if not name.isidentifier() or not issubclass(model, InterventionConfig):
        raise ValueError(f"interventions.{name}: a plug-in needs a plain name and a subclass of InterventionConfig")
    SECTIONS[name] = model


def unregister_section(name: str) -> None:
    """Forget a plug-in section (built-in sections stay)."""
    if name not in InterventionsConfig.model_fields:
        SECTIONS.pop(name, None)


def _under(name: str, problem: ErrorDetails) -> InitErrorDetails:  # a plug-in's problem, under its name
    detail = InitErrorDetails(type=problem["type"], loc=(name, *problem["loc"]), input=problem["input"])
    if "ctx" in problem:
        detail["ctx"] = problem["ctx"]
    return detail
