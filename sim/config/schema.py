"""The scenario schema: every field typed and validated, unknown keys refused.

Units are carried in field names (``_minutes``, ``_hours``, ``_days``, ``_km``, ``_kmh``); shares
are in [0, 1]. The simulation clock runs in minutes from Monday 00:00 of the first week.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    Field,
    NonNegativeFloat,
    PositiveFloat,
    PositiveInt,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from sim.config.base import MAX_PEOPLE, Share, Strict, known_tasks
from sim.config.distributions import Distribution
from sim.config.duties import Duties
from sim.config.forces import ForceBlock
from sim.config.geography import Geography as Geography  # the geography section's classes, re-exported
from sim.config.geography import Zone as Zone
from sim.config.interventions import InterventionsConfig
from sim.config.response import Attendance
from sim.config.sinks import Sinks
from sim.config.workforce import Abstraction as Abstraction  # the workforce section's classes, re-exported
from sim.config.workforce import Shift as Shift
from sim.config.workforce import Staffing as Staffing
from sim.config.workforce import Station as Station
from sim.config.workforce import Workforce

# Bounds far past any real force (about 10 million 999 calls a year nationally): larger is a typo.
MAX_HORIZON_DAYS = 36525.0  # a century
MAX_YEARLY_CALLS = 1e8
MAX_MULTIPLIER = 1e6
Multiplier = Annotated[float, Field(ge=0.0, le=MAX_MULTIPLIER)]
MonthFactor = Annotated[float, Field(gt=0.0, le=MAX_MULTIPLIER)]
CHANNELS: tuple[str, ...] = ("emergency_999", "non_emergency_101", "online")
TASKS: tuple[str, ...] = (
    "crime_recording",
    "statements",
    "interviews",
    "evidence_review",
    "video_redaction",
    "text_redaction",
    "case_file",
)
MIX_TOLERANCE = 1e-6


Key = TypeVar("Key", str, int)


def _check_mix(mix: dict[Key, float], what: str) -> dict[Key, float]:
    """A mix of shares must be non-empty and sum to 1."""
    total = sum(mix.values())
    if not mix or abs(total - 1.0) > MIX_TOLERANCE:
        raise ValueError(f"{what} must sum to 1, got {total:.6g}")
    return mix


class Grade(Strict):
    """A response grade: its priority, target and the time after which it is closed unattended."""

    priority: PositiveInt = Field(description="1 is served first")
    deploy: bool = Field(description="false: resolved without deployment (advice, other agency)")
    target_minutes: PositiveFloat | None = Field(
        default=None, description="response target from the call; none for non-deployed grades"
    )
    give_up_hours: PositiveFloat | None = Field(
        default=None, description="closed as not attended if nobody is sent by then; none: never"
    )
    appointment_hours: NonNegativeFloat = Field(
        default=0.0, description="dispatchable only this long after the call (scheduled grades)"
    )
    interrupts_followup: bool = Field(default=False, description="may take an officer away from desk (follow-up) work")

    @model_validator(mode="after")
    def _target_when_deployed(self) -> Grade:
        if self.deploy and self.target_minutes is None:
            raise ValueError("a deployed grade needs target_minutes")
        return self


class Profile(Strict):
    """Relative demand by hour of week: 168 multipliers, or 24 by hour times 7 by day (Monday first)."""

    hour_of_week: tuple[Multiplier, ...] | None = None
    by_hour: tuple[Multiplier, ...] | None = None
    by_weekday: tuple[Multiplier, ...] | None = None

    @model_validator(mode="after")
    def _shape(self) -> Profile:
        if self.hour_of_week is not None:
            if self.by_hour is not None or self.by_weekday is not None:
                raise ValueError("give hour_of_week alone, or by_hour and by_weekday")
            if len(self.hour_of_week) != 168:
                raise ValueError(f"hour_of_week needs 168 values, got {len(self.hour_of_week)}")
        else:
            if self.by_hour is None or len(self.by_hour) != 24:
                raise ValueError("by_hour needs 24 values (or give hour_of_week)")
            if self.by_weekday is None or len(self.by_weekday) != 7:
                raise ValueError("by_weekday needs 7 values, Monday first")
        if sum(self.weekly()) <= 0:
            raise ValueError("a profile needs at least one positive value")
        return self

    def weekly(self) -> tuple[float, ...]:
        """The 168 hourly multipliers, Monday 00:00 first (not yet normalised)."""
        if self.hour_of_week is not None:
            return self.hour_of_week
        assert self.by_hour is not None and self.by_weekday is not None
        return tuple(d * h for d in self.by_weekday for h in self.by_hour)


class IncidentType(Strict):
    """One kind of incident: how often, when, how it arrives, how urgent, and the work it makes."""

    yearly_volume: PositiveFloat = Field(le=MAX_YEARLY_CALLS, description="incidents per year (365.25 days)")
    profile: str = Field(default="flat", description="name of a profile in `profiles`")
    channel_mix: dict[str, Share] = Field(description="share by channel; sums to 1")
    grade_mix: dict[str, Share] = Field(description="share by grade; sums to 1")
    officers_needed: dict[PositiveInt, Share] = Field(
        default_factory=lambda: {1: 1.0}, description="share of incidents needing 1, 2, ... officers"
    )
    on_scene_minutes: Distribution
    followup: dict[str, Share] = Field(
        default_factory=dict, description="probability that each follow-up task is needed"
    )

    @field_validator("channel_mix")
    @classmethod
    def _channels(cls, mix: dict[str, float]) -> dict[str, float]:
        unknown = set(mix) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown channel {sorted(unknown)}; expected one of {list(CHANNELS)}")
        return _check_mix(mix, "channel_mix")

    @field_validator("grade_mix")
    @classmethod
    def _grades(cls, mix: dict[str, float]) -> dict[str, float]:
        return _check_mix(mix, "grade_mix")

    @field_validator("officers_needed")
    @classmethod
    def _crew(cls, mix: dict[int, float]) -> dict[int, float]:
        return _check_mix(mix, "officers_needed")

    @field_validator("followup")
    @classmethod
    def _tasks(cls, tasks: dict[str, float]) -> dict[str, float]:
        return known_tasks(tasks, TASKS)


class Replay(Strict):
    """Replay an incident log instead of generating arrivals (contact centre bypassed).

    Types named in the log but not in ``incident_types`` (all of them, when none are configured)
    are log types: ``officers`` officers each, time on scene from the log's column or else
    ``on_scene_minutes``, and no follow-up work.
    """

    path: Path = Field(description="CSV: time, grade, and optional type, latitude, longitude, on_scene_minutes")
    start: str | None = Field(
        default=None, description="ISO 8601 timestamp of simulation time 0 for ISO times in the log"
    )
    default_type: str = Field(default="other", description="type for rows without one")
    on_scene_minutes: Distribution | None = Field(
        default=None, description="time on scene of log types where the log gives none"
    )
    officers: PositiveInt = Field(default=1, description="officers sent to an incident of a log type")


class HandlerStaffing(Strict):
    """A rostered pool of staff: how many are on duty in each hour of the day."""

    staff_by_hour: tuple[Annotated[int, Field(ge=0, le=MAX_PEOPLE)], ...] = Field(description="24 values, 00:00 first")

    @field_validator("staff_by_hour")
    @classmethod
    def _day(cls, staff: tuple[int, ...]) -> tuple[int, ...]:
        if len(staff) != 24:
            raise ValueError(f"needs 24 values, got {len(staff)}")
        if max(staff) == 0:
            raise ValueError("nobody is ever on duty")
        return staff


class ContactCentre(Strict):
    """Call handlers (999 before 101), 101 abandonment, and the desk that takes online reports."""

    call_handlers: HandlerStaffing
    handling_minutes: dict[Literal["emergency_999", "non_emergency_101"], Distribution]
    grading_minutes: Distribution = Field(
        description="time from answering a call to passing the graded incident to dispatch (the handler stays on the call)"
    )
    patience_101_minutes: Distribution = Field(description="how long a 101 caller waits before hanging up")
    reattempt_share: Share = Field(description="share of abandoned 101 callers with an incident who call again")
    reattempt_delay_minutes: Distribution
    non_incident_calls_per_year: dict[
        Literal["emergency_999", "non_emergency_101"],
        Annotated[float, Field(ge=0, le=MAX_YEARLY_CALLS)],
    ] = Field(
        description="calls that need no incident (advice, wrong number, other agency); same hourly profile as demand"
    )
    non_incident_profile: str = Field(default="flat", description="profile of non-incident calls")
    online_desk: HandlerStaffing
    online_handling_minutes: Distribution

    @field_validator("handling_minutes")
    @classmethod
    def _both(cls, value: dict[str, object]) -> dict[str, object]:
        missing = {"emergency_999", "non_emergency_101"} - set(value)
        if missing:
            raise ValueError(f"needs a distribution for {sorted(missing)}")
        return value


class Dispatch(Strict):
    """How officers are sent when there is no geography, and early stop when a queue runs away."""

    travel_minutes: dict[str, Distribution] = Field(
        default_factory=dict, description="travel time by grade when there is no geography"
    )
    overload_wait_multiple: PositiveFloat = Field(
        default=200.0, description="overloaded when an incident has waited this many times its grade's target"
    )
    max_waiting_per_officer: PositiveFloat = Field(
        default=10.0, description="overloaded when more incidents wait per response officer than this"
    )
    max_waiting_incidents: PositiveInt = Field(
        default=20000, description="overloaded when more incidents than this wait (a memory guard)"
    )
    max_backlog_hours_per_officer: PositiveFloat = Field(
        default=500.0, description="overloaded when the follow-up backlog per officer exceeds this"
    )


class Task(Strict):
    """A follow-up task: its duration, or for video redaction footage minutes x minutes per minute."""

    minutes: Distribution | None = None
    footage_minutes: Distribution | None = None
    minutes_per_footage_minute: PositiveFloat | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Task:
        footage = self.footage_minutes is not None or self.minutes_per_footage_minute is not None
        if footage and self.minutes is not None:
            raise ValueError("give minutes, or footage_minutes with minutes_per_footage_minute, not both")
        if footage and (self.footage_minutes is None or self.minutes_per_footage_minute is None):
            raise ValueError("footage_minutes and minutes_per_footage_minute go together")
        if not footage and self.minutes is None:
            raise ValueError("needs minutes (or footage_minutes with minutes_per_footage_minute)")
        return self


class Output(Strict):
    """What a run records besides its summary."""

    timeseries_bin_minutes: PositiveFloat = Field(default=60.0, description="bin of the time series")


class Scenario(Strict):
    """A whole scenario: one police force's demand, contact centre, officers and work."""

    name: str
    description: str = ""
    horizon_days: PositiveFloat = Field(le=MAX_HORIZON_DAYS)
    warmup_days: NonNegativeFloat
    seasonality_by_month: tuple[MonthFactor, ...] | None = Field(
        default=None, description="12 multipliers of demand, January first; none: flat"
    )
    grades: dict[str, Grade]
    profiles: dict[str, Profile] = Field(default_factory=dict)
    incident_types: dict[str, IncidentType] = Field(
        default_factory=dict, description="at least one, unless a replayed log supplies the incidents"
    )
    replay: Replay | None = None
    contact: ContactCentre | None = Field(description="none: calls reach dispatch at once; not needed with a replay")
    workforce: Workforce
    geography: Geography | None = None
    dispatch: Dispatch = Field(default_factory=Dispatch)
    tasks: dict[str, Task] = Field(default_factory=dict)
    interventions: InterventionsConfig = Field(default_factory=InterventionsConfig)
    duties: Duties | None = Field(default=None, description="court, proactive work, crewing, investigation pool")
    attendance: Attendance | None = Field(default=None, description="response decisions; none: all in person")
    sinks: Sinks | None = Field(default=None, description="after the scene: custody, mental health, scene guards")
    output: Output = Field(default_factory=Output)
    force: ForceBlock | None = Field(
        default=None, description="the force this scenario stands for (configs/forces/*.yaml); none: a generic one"
    )

    @model_serializer(mode="wrap")
    def _without_force(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A scenario that names no force keeps the resolved form (and config hash) it had before."""
        data = handler(self)
        if data.get("force") is None:
            data.pop("force", None)
        return data

    @model_validator(mode="before")
    @classmethod
    def _replay_needs_no_contact(cls, data: Any) -> Any:
        """A replayed log goes straight to dispatch, so ``contact`` may be left out."""
        if isinstance(data, dict) and data.get("replay") is not None and "contact" not in data:
            return {**data, "contact": None}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if self.replay is None and not self.incident_types:
            raise ValueError("incident_types: give at least one type (or a replay log that supplies them)")
        if self.replay is None and self.geography is not None and not self.geography.zones:
            raise ValueError("geography.zones: give at least one zone (or a replay log with every incident's place)")
        if self.warmup_days >= self.horizon_days:
            raise ValueError(f"warmup_days ({self.warmup_days}) must be below horizon_days ({self.horizon_days})")
        if self.seasonality_by_month is not None and len(self.seasonality_by_month) != 12:
            raise ValueError("seasonality_by_month needs 12 values")
        priorities = [grade.priority for grade in self.grades.values()]
        if len(set(priorities)) != len(priorities):
            raise ValueError("grade priorities must be distinct")
        unknown_tasks = set(self.tasks) - set(TASKS)
        if unknown_tasks:
            raise ValueError(f"tasks: unknown task {sorted(unknown_tasks)}; expected {list(TASKS)}")
        for name, kind in self.incident_types.items():
            where = f"incident_types.{name}"
            for grade in kind.grade_mix:
                if grade not in self.grades:
                    raise ValueError(f"{where}.grade_mix: grade {grade!r} is not in grades {sorted(self.grades)}")
            if kind.profile != "flat" and kind.profile not in self.profiles:
                raise ValueError(f"{where}.profile: {kind.profile!r} is not in profiles {sorted(self.profiles)}")
            for task in kind.followup:
                if task not in self.tasks:
                    raise ValueError(f"{where}.followup: task {task!r} has no entry in tasks")
        if self.contact is not None:
            profile = self.contact.non_incident_profile
            if profile != "flat" and profile not in self.profiles:
                raise ValueError(f"contact.non_incident_profile: {profile!r} is not in profiles")
        if self.geography is None:
            deployed = [g for g, grade in self.grades.items() if grade.deploy]
            missing = [g for g in deployed if g not in self.dispatch.travel_minutes]
            if missing:
                raise ValueError(
                    f"dispatch.travel_minutes: without geography every deployed grade needs a travel time; missing {missing}"
                )
        else:
            for grade in self.geography.blue_light_grades:
                if grade not in self.grades:
                    raise ValueError(f"geography.blue_light_grades: {grade!r} is not a grade")
        if self.replay is not None and self.incident_types and self.replay.default_type not in self.incident_types:
            raise ValueError(f"replay.default_type: {self.replay.default_type!r} is not an incident type")
        self.interventions.check_references(list(self.incident_types), list(self.grades), list(TASKS))
        if self.attendance is not None:
            deployed = [g for g in self.grade_order() if self.grades[g].deploy]  # most urgent first
            self.attendance.check_references(list(self.incident_types), deployed)
        if self.sinks is not None:
            self.sinks.check_references(self)
        return self

    def grade_order(self) -> list[str]:
        """Grade names, most urgent first."""
        return sorted(self.grades, key=lambda name: self.grades[name].priority)
