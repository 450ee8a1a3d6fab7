"""The ``workforce:`` section: shifts, stations, abstraction, and who is on duty when.

Who is on duty is given one of two ways (exactly one per config):

- ``teams`` and a rota ``pattern``: officers are split over stations by ``officer_share`` and over
  teams as evenly as possible; each team works the pattern from its own offset in the cycle.
- ``staffing``: how many officers are on duty on each shift at each station, constant or by day
  of week. Each station and shift gets its own officers, as many as its busiest day needs.

The rules are written out for users in docs/howto/write-a-force-config.md.
"""

from __future__ import annotations

from typing import Annotated, Any

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

from sim.config.base import MAX_PEOPLE, Share, Strict

WEEKDAYS = 7
OnDuty = Annotated[int, Field(ge=0, le=MAX_PEOPLE)]
# Officers on duty on one shift at one station: one number for every day, or 7 (Monday first).
WeekOnDuty = OnDuty | tuple[OnDuty, ...]
# By shift name: the same at every station, or by station name.
Staffing = dict[str, WeekOnDuty | dict[str, WeekOnDuty]]


class Shift(Strict):
    """A shift's start time and length."""

    start_hour: Annotated[float, Field(ge=0, lt=24)]
    length_hours: Annotated[float, Field(gt=0, le=24)]


class Station(Strict):
    """A police station: where officers start and (optionally) return."""

    name: str
    latitude: Annotated[float, Field(ge=-90, le=90)] = 0.0
    longitude: Annotated[float, Field(ge=-180, le=180)] = 0.0
    officer_share: PositiveFloat = Field(
        default=1.0, description="relative share of response officers (with teams; not used with staffing)"
    )


class Abstraction(Strict):
    """Share of rostered officer-shifts lost, each officer-shift drawn at random."""

    sickness: Share = 0.0
    leave: Share = 0.0
    training: Share = 0.0

    def total(self) -> float:
        """Probability that an officer is abstracted for a whole shift."""
        return self.sickness + self.leave + self.training

    @model_validator(mode="after")
    def _at_most_one(self) -> Abstraction:
        if self.total() >= 1.0:
            raise ValueError(f"abstraction shares sum to {self.total():.3g}; nobody would work")
        return self


class Workforce(Strict):
    """Response officers at stations, on duty by teams on a rota pattern or by staffing numbers."""

    response_officers: PositiveInt = Field(
        le=MAX_PEOPLE, description="with staffing: must equal the officers staffing needs (the error says how many)"
    )
    teams: PositiveInt | None = Field(
        default=None, description="teams on the rota pattern; give teams and pattern, or staffing"
    )
    shifts: dict[str, Shift]
    pattern: tuple[str, ...] | None = Field(
        default=None,
        description="the rota cycle, one entry a day: a shift name or 'off'; team i starts i x days/teams in",
    )
    staffing: Staffing | None = Field(
        default=None,
        description="officers on duty by shift name: one number (every station and day), 7 (by day, Monday first), "
        "or a map by station name of either; instead of teams and pattern",
    )
    stations: tuple[Station, ...] = Field(min_length=1)
    abstraction: Abstraction
    meal_break_minutes: NonNegativeFloat = 0.0
    meal_break_after_hours: NonNegativeFloat = 4.0
    meal_break_window_hours: NonNegativeFloat = Field(
        default=2.0, description="breaks start in turn across this window after meal_break_after_hours, not all at once"
    )

    @model_serializer(mode="wrap")
    def _without_unused(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The resolved config leaves out the unused way of rostering, so configs written before
        staffing existed keep their resolved form and config hash."""
        data = handler(self)
        for key in ("teams", "pattern", "staffing"):
            if data.get(key) is None:
                data.pop(key, None)
        return data

    @field_validator("staffing", mode="before")
    @classmethod
    def _staffing_shape(cls, staffing: Any) -> Any:
        """One clear message for a malformed entry (the union's own errors list every branch)."""
        if not isinstance(staffing, dict):
            return staffing  # none, or the type error pydantic reports
        for shift, value in staffing.items():
            for where, week in value.items() if isinstance(value, dict) else [("", value)]:
                if not _is_week(week):
                    raise ValueError(
                        f"{shift}{'.' if where else ''}{where}: give a whole number from 0 to {MAX_PEOPLE}, "
                        f"{WEEKDAYS} of them (Monday first)"
                        + ("" if where else ", or a map of either by station name")
                        + f"; got {week!r}"
                    )
        return staffing

    @model_validator(mode="after")
    def _roster(self) -> Workforce:
        names = [station.name for station in self.stations]
        if len(set(names)) != len(names):
            raise ValueError("station names must be unique")
        with_teams = self.teams is not None or self.pattern is not None
        if with_teams == (self.staffing is not None):
            raise ValueError(
                "give teams and pattern, or staffing, not both (a config that extends one with "
                "teams switches to staffing with teams: null and pattern: null)"
            )
        if self.staffing is not None:
            self._check_staffing()
        else:
            self._check_rota()
        return self

    def _check_rota(self) -> None:
        if self.teams is None or self.pattern is None:
            raise ValueError(f"{'pattern' if self.teams is not None else 'teams'}: needed with teams and pattern")
        unknown = {day for day in self.pattern if day != "off" and day not in self.shifts}
        if unknown:
            raise ValueError(f"pattern names shifts {sorted(unknown)} not in shifts {sorted(self.shifts)}")
        if all(day == "off" for day in self.pattern):
            raise ValueError("the roster has nobody on shift: pattern is all 'off'")
        following = self.pattern[1:] + self.pattern[:1]
        for day, (today, tomorrow) in enumerate(zip(self.pattern, following, strict=True)):
            if "off" in (today, tomorrow):
                continue
            ends = self.shifts[today].start_hour + self.shifts[today].length_hours
            # A team cannot work two shifts at once.
            if ends > 24.0 + self.shifts[tomorrow].start_hour:
                raise ValueError(
                    f"pattern: {today!r} (day {day + 1}) ends at hour {ends:g}, after the next "
                    f"day's {tomorrow!r} starts at hour {24 + self.shifts[tomorrow].start_hour:g}"
                )
        if self.response_officers < self.teams * len(self.stations):
            raise ValueError(
                f"{self.response_officers} officers cannot staff {self.teams} teams at "
                f"{len(self.stations)} stations: some team would have nobody on shift"
            )

    def _check_staffing(self) -> None:
        assert self.staffing is not None
        names = [station.name for station in self.stations]
        for shift, value in self.staffing.items():
            if shift not in self.shifts:
                raise ValueError(f"staffing.{shift}: not a shift in shifts {sorted(self.shifts)}")
            if isinstance(value, dict):
                unknown = sorted(set(value) - set(names))
                missing = [name for name in names if name not in value]
                if unknown or missing:
                    raise ValueError(
                        f"staffing.{shift}: give every station once, by name {names}"
                        + (f"; unknown {unknown}" if unknown else "")
                        + (f"; missing {missing}" if missing else "")
                    )
        needed = sum(max(week) for _, _, week in self.staffing_groups())
        if needed == 0:
            raise ValueError("staffing: nobody is ever on duty")
        if self.response_officers != needed:
            raise ValueError(
                f"response_officers: staffing needs {needed} officers (each station and shift has as "
                f"many as its busiest weekday); set response_officers to {needed}"
            )

    def on_duty(self, shift: str, station: str) -> tuple[int, ...]:
        """Officers on duty on ``shift`` at ``station`` by weekday, Monday first (staffing only)."""
        assert self.staffing is not None
        value = self.staffing.get(shift, 0)
        if isinstance(value, dict):
            value = value[station]
        return (value,) * WEEKDAYS if isinstance(value, int) else value

    def staffing_groups(self) -> list[tuple[int, str, tuple[int, ...]]]:
        """(station index, shift name, on duty by weekday) for every station and staffed shift,
        stations in order then shifts in the order of ``shifts``; groups never on duty left out."""
        assert self.staffing is not None
        groups = []
        for index, station in enumerate(self.stations):
            for shift in self.shifts:
                week = self.on_duty(shift, station.name)
                if max(week) > 0:
                    groups.append((index, shift, week))
        return groups


def _is_week(week: Any) -> bool:
    """One whole number of officers, or 7 of them."""
    if isinstance(week, list | tuple):
        return len(week) == WEEKDAYS and all(_is_week(day) for day in week)
    return isinstance(week, int) and not isinstance(week, bool) and 0 <= week <= MAX_PEOPLE
