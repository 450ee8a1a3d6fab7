"""The schema of attendance decisions: response options, assessment rules, the stack, the diary, the resolution centre.

Absent from a scenario, nothing changes: every deployed incident is attended in person (after
its grade's ``appointment_hours``). Present, an assessment at grading chooses each incident's
response by the first rule that matches (mandatory rules first, as written), a periodic review
of the stack may divert or close waiting incidents, appointments are booked into a limited
diary, and telephone and video responses are handled by the resolution centre's own staff.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    field_validator,
    model_validator,
)

from sim.config.base import MAX_PEOPLE, Share, Strict
from sim.config.distributions import Distribution

RESPONSES: tuple[str, ...] = ("in_person", "appointment", "telephone", "video", "none")
Response = Literal["in_person", "appointment", "telephone", "video", "none"]


def _check_day(values: tuple[int, ...], where: str, empty: str) -> None:
    """24 hourly values, not all zero."""
    if len(values) != 24:
        raise ValueError(f"{where} needs 24 values, got {len(values)}")
    if max(values) == 0:
        raise ValueError(f"{where}: {empty}")


class Rule(Strict):
    """One assessment rule: which incidents it covers, the response it gives, and when.

    A mandatory rule has no conditions and is never overridden (not by the stack either). A
    discretionary rule applies only while every condition it names holds at the moment of the
    decision; with none named it always applies.
    """

    name: str = Field(description="the reason recorded for incidents this rule decides")
    types: tuple[str, ...] = Field(default=(), description="incident types covered; empty: all")
    grades: tuple[str, ...] = Field(default=(), description="grades covered; empty: all deployed grades")
    risk: tuple[str, ...] = Field(default=(), description="risk levels covered; empty: all")
    response: Response
    mandatory: bool = False
    waiting_at_least: NonNegativeInt | None = Field(
        default=None, description="applies only while at least this many incidents of the incident's grade wait"
    )
    free_officers_below: NonNegativeInt | None = Field(
        default=None, description="applies only while fewer officers than this are free"
    )
    slot_after_hours: NonNegativeFloat | None = Field(
        default=None, description="applies only while the earliest free diary slot is later than this"
    )

    @model_validator(mode="after")
    def _mandatory_has_no_conditions(self) -> Rule:
        conditions = (self.waiting_at_least, self.free_officers_below, self.slot_after_hours)
        if self.mandatory and any(c is not None for c in conditions):
            raise ValueError(f"rule {self.name!r}: a mandatory rule takes no conditions")
        return self

    def conditional(self) -> bool:
        """True when the rule reads the state of the force (a discretionary decision)."""
        return any(c is not None for c in (self.waiting_at_least, self.free_officers_below, self.slot_after_hours))


class RiskLevels(Strict):
    """A risk level drawn per incident of the listed types (e.g. a DASH-like high/medium/standard)."""

    types: tuple[str, ...] = Field(min_length=1, description="incident types that are risk-assessed")
    shares: dict[str, Share] = Field(min_length=1, description="share of those incidents at each level")

    @field_validator("shares")
    @classmethod
    def _sums_to_one(cls, shares: dict[str, float]) -> dict[str, float]:
        total = sum(shares.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"shares sum to {total:.6g}, not 1")
        return shares


class Upgrade(Strict):
    """A waiting incident whose risk may rise with its wait: raised to a more urgent grade.

    At each review, an incident of its types, grades and risk levels that has waited at least
    ``waited_at_least_hours`` since the call is raised to ``to_grade`` with ``probability`` (one
    draw per incident and review, from the incident's own draws). It then waits in that grade's
    queue and is dispatched with that grade's priority.
    """

    name: str = Field(description="the name of the upgrade")
    types: tuple[str, ...] = Field(default=(), description="incident types covered; empty: all")
    grades: tuple[str, ...] = Field(
        default=(), description="grades raised from; empty: every deployed grade less urgent than to_grade"
    )
    risk: tuple[str, ...] = Field(default=(), description="risk levels covered; empty: all")
    to_grade: str = Field(description="the grade it is raised to (more urgent than each grade raised from)")
    waited_at_least_hours: NonNegativeFloat = Field(description="waited at least this long since the call")
    probability: Share = Field(description="chance of the upgrade at each review once it has waited that long")


class StackReview(Strict):
    """The periodic review of incidents waiting for an officer."""

    review_minutes: PositiveFloat = Field(description="how often the stack is reviewed")
    recontact_after_hours: NonNegativeFloat = Field(
        description="a waiting incident is re-contacted at each review once it has waited this long"
    )
    recontact_success: Share = Field(description="probability that one re-contact attempt reaches the caller")
    close_after_failed: Annotated[int, Field(ge=1)] = Field(
        description="closed as not attended after this many failed re-contacts in a row"
    )
    divert: tuple[Rule, ...] = Field(
        default=(), description="rules that move a waiting incident to another response (mandatory ones not allowed)"
    )
    upgrade: tuple[Upgrade, ...] = Field(
        default=(), description="waiting incidents raised to a more urgent grade (first that applies)"
    )

    @model_validator(mode="after")
    def _discretionary(self) -> StackReview:
        for rule in self.divert:
            if rule.mandatory or rule.response == "in_person":
                raise ValueError(f"stack.divert rule {rule.name!r}: must be discretionary and not in_person")
        return self


class Diary(Strict):
    """Appointment slots: how many start in each hour of the day, booked earliest first after a lead time."""

    slots_by_hour: tuple[Annotated[int, Field(ge=0, le=MAX_PEOPLE)], ...] = Field(description="24 values, 00:00 first")
    lead_hours: NonNegativeFloat = Field(description="the earliest slot offered is at least this long after booking")
    grace_minutes: PositiveFloat = Field(description="an appointment not reached this long after its start is missed")
    max_missed: Annotated[int, Field(ge=1)] = Field(description="closed as not attended after this many misses")

    @model_validator(mode="after")
    def _day(self) -> Diary:
        _check_day(self.slots_by_hour, "diary.slots_by_hour", "no slot in the day")
        return self


class ResolutionCentre(Strict):
    """Desk staff who resolve incidents by telephone or video: their own roster, queue and handling times."""

    staff_by_hour: tuple[Annotated[int, Field(ge=0, le=MAX_PEOPLE)], ...] = Field(description="24 values, 00:00 first")
    telephone_minutes: Distribution
    video_minutes: Distribution

    @model_validator(mode="after")
    def _day(self) -> ResolutionCentre:
        _check_day(self.staff_by_hour, "resolution_centre.staff_by_hour", "nobody is ever on duty")
        return self


class Attendance(Strict):
    """How a force decides the response to each incident, and the places that give it."""

    rules: tuple[Rule, ...] = Field(description="assessment rules, first match wins; none matching: in_person")
    risk: RiskLevels | None = None
    stack: StackReview | None = None
    diary: Diary | None = None
    resolution_centre: ResolutionCentre | None = None

    @model_validator(mode="after")
    def _places_exist(self) -> Attendance:
        rules = [*self.rules, *(self.stack.divert if self.stack else ())]
        for rule in rules:
            if rule.response == "appointment" and self.diary is None:
                raise ValueError(f"rule {rule.name!r} books appointments but there is no diary")
            if rule.response in ("telephone", "video") and self.resolution_centre is None:
                raise ValueError(f"rule {rule.name!r} gives {rule.response} but there is no resolution_centre")
            if rule.slot_after_hours is not None and self.diary is None:
                raise ValueError(f"rule {rule.name!r} reads the diary but there is no diary")
            if rule.risk and self.risk is None:
                raise ValueError(f"rule {rule.name!r} names risk levels but attendance.risk is not set")
        for upgrade in self.stack.upgrade if self.stack else ():
            if upgrade.risk and self.risk is None:
                raise ValueError(f"upgrade {upgrade.name!r} names risk levels but attendance.risk is not set")
        return self

    def check_references(self, types: list[str], deployed: list[str]) -> None:
        """Every type, grade and risk level a rule names exists (called by the scenario's validator
        with the deployed grades most urgent first)."""
        risk_levels = set(self.risk.shares) if self.risk else set()
        for kind in self.risk.types if self.risk else ():
            if kind not in types:
                raise ValueError(f"attendance.risk.types: {kind!r} is not an incident type")
        upgrades = self.stack.upgrade if self.stack else ()
        named: list[Rule | Upgrade] = [*self.rules, *(self.stack.divert if self.stack else ()), *upgrades]
        for rule in named:
            where = f"attendance {'rule' if isinstance(rule, Rule) else 'stack.upgrade'} {rule.name!r}"
            for kind in rule.types:
                if kind not in types:
                    raise ValueError(f"{where}: type {kind!r} is not an incident type")
            for grade in (*rule.grades, *([rule.to_grade] if isinstance(rule, Upgrade) else [])):
                if grade not in deployed:
                    raise ValueError(f"{where}: grade {grade!r} is not a deployed grade")
            for level in rule.risk:
                if level not in risk_levels:
                    raise ValueError(f"{where}: risk level {level!r} is not in attendance.risk.shares")
        for upgrade in upgrades:
            for grade in upgrade.grades:
                if deployed.index(grade) <= deployed.index(upgrade.to_grade):
                    raise ValueError(
                        f"attendance.stack.upgrade {upgrade.name!r}: to_grade {upgrade.to_grade!r} "
                        f"is not more urgent than {grade!r}"
                    )
