"""Response officers: who they are, what they are doing, and when their shifts run.

Officers belong to a team and a station. Teams follow the rota ``pattern`` (one entry a day),
team ``i`` offset by ``i * len(pattern) // teams`` days so the teams cover the cycle evenly. With
``staffing`` instead, each station and shift has its own group of officers (its "team"), as many
as its busiest weekday needs; each day the group's next officers in turn work (a rotation, so
the days are shared evenly). At each shift start every rostered officer is abstracted (sickness,
leave, training) with the configured probability, drawn from the ``abstraction`` stream in roster
order. The rules for users are in docs/howto/write-a-force-config.md.

An officer is always in exactly one ``State``; every change of state goes through
``Duty.move``, which charges the time spent in the old state, so each officer-hour on shift is
accounted to exactly one activity.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from sim.config.schema import Workforce

if TYPE_CHECKING:
    from sim.model.engine import Clock
    from sim.model.incident import Incident
    from sim.model.stats import Stats


class State(IntEnum):
    """What an officer is doing. States before ``DESK`` are also activities in ``sim.model.stats``
    (time charged as it passes); ``DESK`` time is charged task by task (``sim.model.work``);
    ``OFF`` is not officer time at all."""

    AVAILABLE = 0
    TRAVEL = 1
    ON_SCENE = 2
    MEAL_BREAK = 3
    ABSTRACTION = 4
    CUSTODY = 5  # after-scene sinks (sim.model.sinks): one contiguous group
    PLACE_OF_SAFETY = 6
    SCENE_GUARD = 7
    # Duties besides responding (sim.model.proactive, sim.model.court); kept together before DESK.
    PROACTIVE = 8  # planned patrol or problem-solving in free time; urgent grades may interrupt it
    COURT = 9  # giving evidence at court, away from dispatch until it ends
    DESK = 10
    OFF = 11

    @property
    def label(self) -> str:
        """The name used in outputs (``officers_<label>`` columns, ``officer_hours.<label>``)."""
        return self.name.lower()


# Module-level names for the hot path, as plain ints: looking up an enum member costs more than a
# global, and an enum member as a list index or in a comparison misses the interpreter's int fast paths.
(
    AVAILABLE,
    TRAVEL,
    ON_SCENE,
    MEAL_BREAK,
    ABSTRACTION,
    CUSTODY,
    PLACE_OF_SAFETY,
    SCENE_GUARD,
    PROACTIVE,
    COURT,
    DESK,
    OFF,
) = (int(state) for state in State)
STATE_NAMES: tuple[str, ...] = tuple(state.label for state in State)
TIMED_STATES: tuple[str, ...] = tuple(state.label for state in State if state < DESK)
SINK_STATES = (CUSTODY, PLACE_OF_SAFETY, SCENE_GUARD)
# A job in hand: breaks and shift ends wait for it to finish.
BUSY_STATES = (TRAVEL, ON_SCENE, *SINK_STATES, COURT)


class Duty:
    """The one place officers change state: it charges the old state's time."""

    def __init__(self, clock: Clock, stats: Stats) -> None:
        self.clock = clock
        self.stats = stats

    def move(self, officer: Officer, state: int) -> None:
        """Charge the time in the old state to its activity and enter ``state``."""
        old = officer.state
        now = self.clock._now
        if old < DESK:  # Stats.add_activity, inlined: this is the model's most frequent call
            stats = self.stats
            low = officer.since
            if low < stats.start:
                low = stats.start
            high = now if now < stats.end else stats.end
            if high > low:
                stats.activity_minutes[old] += high - low
        officer.state = state
        officer.since = now


class Officer:
    """One response officer's state; plain attributes for speed on the hot path."""

    __slots__ = (
        "number",
        "team",
        "station",
        "place",
        "state",
        "since",
        "shift_end",
        "ending",
        "break_due",
        "backlog",
        "token",
        "incident",
        "is_lead",
    )

    def __init__(self, number: int, team: int, station: int) -> None:
        self.number = number
        self.team = team
        self.station = station
        self.place = station
        self.state = OFF
        self.since = 0.0
        self.shift_end = 0.0
        self.ending = False
        self.break_due = False
        self.backlog: deque[list] = deque()  # [task index, minutes remaining], done in order
        self.token = 0  # bumped to cancel a scheduled desk or break end
        self.incident: Incident | None = None
        self.is_lead = False

    def backlog_minutes(self) -> float:
        """Follow-up work in hand, in minutes (added in order: the same sum on every Python)."""
        total = 0.0
        for item in self.backlog:
            total += item[1]
        return total


def heads(officers: list[Officer]) -> list[int]:
    """Officers in each state now, in ``State`` order (counted when asked: the time series reads
    it once a bin, far less often than officers change state)."""
    return np.bincount([officer.state for officer in officers], minlength=len(State)).tolist()


@dataclass(frozen=True)
class ShiftInstance:
    """One team's shift on one day; ``members`` (positions in the team) when not all of it works."""

    team: int
    start: float
    end: float
    members: tuple[int, ...] | None = None


def split_evenly(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` by ``weights`` with the largest-remainder rule (sums exactly to ``total``)."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [math.floor(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def build_officers(workforce: Workforce, with_places: bool) -> list[Officer]:
    """Officers numbered station by station, team by team within a station (``roster_teams``)."""
    officers: list[Officer] = []
    for station, team, size in roster_teams(workforce):
        first = len(officers)
        officers.extend(Officer(first + i, team, station) for i in range(size))
    if not with_places:  # without geography everyone is at one place
        for officer in officers:
            officer.place = 0
    return officers


def roster_teams(workforce: Workforce) -> list[tuple[int, int, int]]:
    """(station, team, officers) for every station's part of every team.

    With teams, stations get officers by ``officer_share`` (largest remainder) and each station's
    officers are dealt to the teams in turn, the dealing carrying on from one station to the next,
    so every station's teams and the teams overall differ in size by at most one. With staffing,
    each station and staffed shift is a team of its own, as large as its busiest weekday needs.
    """
    if workforce.staffing is not None:
        return [(station, team, max(week)) for team, (station, _, week) in enumerate(workforce.staffing_groups())]
    assert workforce.teams is not None
    teams = workforce.teams
    per_station = split_evenly(workforce.response_officers, [s.officer_share for s in workforce.stations])
    parts = []
    dealt = 0  # officers dealt so far, over all stations: the next one goes to team dealt % teams
    for station, count in enumerate(per_station):
        for team in range(teams):
            # Officers dealt+0 .. dealt+count-1 go to teams in turn; this team gets those k with
            # (dealt + k) % teams == team.
            size = len(range((team - dealt) % teams, count, teams))
            parts.append((station, team, size))
        dealt += count
    return parts


def team_offset_days(workforce: Workforce, team: int) -> int:
    """Where in the rota cycle a team starts."""
    assert workforce.teams is not None and workforce.pattern is not None
    return team * len(workforce.pattern) // workforce.teams


def shift_instances(workforce: Workforce, horizon_minutes: float) -> list[ShiftInstance]:
    """Every team shift that overlaps [0, horizon], sorted by start then team."""
    if workforce.staffing is not None:
        return _staffed_instances(workforce, horizon_minutes)
    assert workforce.teams is not None and workforce.pattern is not None
    cycle = len(workforce.pattern)
    instances = []
    for day in _days(horizon_minutes):
        for team in range(workforce.teams):
            name = workforce.pattern[(day + team_offset_days(workforce, team)) % cycle]
            if name == "off":
                continue
            start, end = _times(workforce, name, day)
            if end > 0 and start < horizon_minutes:
                instances.append(ShiftInstance(team, start, end))
    instances.sort(key=lambda s: (s.start, s.team))
    return instances


def _staffed_instances(workforce: Workforce, horizon_minutes: float) -> list[ShiftInstance]:
    """Staffing's shifts: each day the group's next officers in turn, as many as the weekday needs.

    The turn carries on from day to day (the day before the horizon included), so over a week the
    group's officers share the shifts as evenly as whole shifts allow; the choice is fixed by the
    config alone (no random draw). A shift belongs to the weekday on which it starts.
    """
    instances = []
    for team, (_, name, week) in enumerate(workforce.staffing_groups()):
        size = max(week)
        turn = 0
        for day in _days(horizon_minutes):
            needed = week[day % 7]  # day 0 is a Monday
            members = tuple((turn + k) % size for k in range(needed))
            turn = (turn + needed) % size
            start, end = _times(workforce, name, day)
            if needed and end > 0 and start < horizon_minutes:
                instances.append(ShiftInstance(team, start, end, members))
    instances.sort(key=lambda s: (s.start, s.team))
    return instances


def _days(horizon_minutes: float) -> range:
    """Days whose shifts may overlap [0, horizon]: from the day before the start."""
    return range(-1, int(math.ceil(horizon_minutes / 1440.0)) + 1)


def _times(workforce: Workforce, shift: str, day: int) -> tuple[float, float]:
    """Start and end, in simulation minutes, of ``shift`` on ``day``."""
    start = day * 1440.0 + workforce.shifts[shift].start_hour * 60.0
    return start, start + workforce.shifts[shift].length_hours * 60.0
