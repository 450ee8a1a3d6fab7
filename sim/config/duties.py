"""Schema of the optional ``duties:`` section: what else takes response officers' time, and whose time it is.

Absent, officers only respond, take breaks and do their own follow-up work (the model as it was).
Each part is optional too:

- ``court``: a case file may lead to a court appearance by the attending officer.
- ``proactive``: part of officers' free time is planned patrol or problem-solving.
- ``crewing``: how many officers go to every incident, by shift, overriding the per-type draws.
- ``investigation``: a second pool of officers, on its own roster, that takes over follow-up tasks.

How each acts in the model is documented in ``sim/model/court.py``, ``sim/model/proactive.py``,
``sim/model/crewing.py`` and ``sim/model/pools.py``. Task, type, grade and shift names are checked
against the rest of the scenario when the model is built (a one-line ``ConfigError``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field, PositiveInt, ValidationError, model_validator

from sim.config.base import Share, Strict
from sim.config.distributions import Distribution

if TYPE_CHECKING:
    from sim.config.schema import Workforce


class Court(Strict):
    """Case files lead to court days: the attending officer is away from duty while at court."""

    case_file_share: Share = Field(
        description="probability that an incident with a case file brings a court appearance"
    )
    days_after: Distribution = Field(description="days from the end of the attendance to the court date")
    hours: Distribution = Field(description="time at court per appearance, from the start of the officer's shift")


class Proactive(Strict):
    """Free time partly spent on planned patrol or problem-solving, interruptible by urgent grades."""

    share: Share = Field(description="probability that an officer with nothing to do starts a proactive spell")
    spell_minutes: Distribution = Field(description="length of one spell; then the queue is looked at again")
    interrupted_by: tuple[str, ...] | None = Field(
        default=None, description="grades that may take an officer off a spell; none: grades with interrupts_followup"
    )


class Crewing(Strict):
    """Officers sent to every incident by shift (the shift that started most recently at dispatch)."""

    by_shift: dict[str, PositiveInt] = Field(
        description="crew size for incidents dispatched during each named shift; shifts not named keep the per-type draw"
    )


class InvestigationShift(Strict):
    """A shift of the investigation pool: start hour and length."""

    start_hour: Annotated[float, Field(ge=0, lt=24)]
    length_hours: Annotated[float, Field(gt=0, le=24)]


class TaskRule(Strict):
    """Follow-up tasks the investigation pool takes over, for some incident types and grades."""

    tasks: tuple[str, ...] = Field(min_length=1, description="follow-up task names")
    incident_types: tuple[str, ...] | None = Field(default=None, description="none: every type")
    grades: tuple[str, ...] | None = Field(default=None, description="none: every grade")


class Reallocation(Strict):
    """Officers moved between pools in proportion to the hours interventions free in each."""

    share: Share = Field(default=0.0, description="share of the freed hours turned into moved officers; 0: none")
    sample_weeks: PositiveInt = Field(default=4, description="weeks of demand drawn to measure the freed hours")


class Investigation(Strict):
    """A second pool (CID, an investigation hub, a safeguarding unit) working a shared queue of tasks."""

    officers: PositiveInt = Field(le=200_000)
    teams: PositiveInt
    shifts: dict[str, InvestigationShift]
    pattern: tuple[str, ...] = Field(description="the rota cycle, one entry a day: a shift name or 'off'")
    abstraction: Share = Field(description="probability an investigator is abstracted for a whole shift")
    takes: tuple[TaskRule, ...] = Field(min_length=1, description="which tasks of which incidents the pool does")
    reallocation: Reallocation = Field(default_factory=Reallocation)

    @model_validator(mode="after")
    def _rota(self) -> Investigation:
        self.workforce(self.officers)  # checked as the response rota is
        return self

    def workforce(self, officers: int) -> Workforce:
        """The pool's roster as a ``Workforce`` at one place, so its shifts are laid out as the response rota's."""
        from sim.config.schema import Abstraction, Shift, Station, Workforce  # schema imports this module

        try:
            return Workforce(
                response_officers=officers,
                teams=self.teams,
                shifts={
                    name: Shift(start_hour=s.start_hour, length_hours=s.length_hours) for name, s in self.shifts.items()
                },
                pattern=self.pattern,
                stations=(Station(name="investigation"),),
                abstraction=Abstraction(training=self.abstraction),
            )
        except ValidationError as error:
            raise ValueError(error.errors()[0]["msg"].removeprefix("Value error, ")) from None

    def hours_per_officer_year(self) -> float:
        """Hours an investigator works in a year: mean shift hours a day x 365.25 x (1 - abstraction)."""
        daily = sum(self.shifts[day].length_hours for day in self.pattern if day != "off") / len(self.pattern)
        return daily * 365.25 * (1.0 - self.abstraction)


class Duties(Strict):
    """Duties besides responding, and the investigation pool; every part optional."""

    court: Court | None = None
    proactive: Proactive | None = None
    crewing: Crewing | None = None
    investigation: Investigation | None = None
