"""Response officers: who they are, what they are doing, and when their shifts run.

Officers belong to a team and a station. Teams follow the rota ``pattern`` (one entry a day),
team ``i`` offset by ``i * len(pattern) // teams`` days so the teams cover the cycle evenly. At
each shift start every officer is abstracted (sickness, leave, training) with the configured
probability, drawn from the ``abstraction`` stream in roster order.

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
    # Duties besides responding (sim.model.proactive, sim.model.court); kept together before DESK.
    PROACTIVE = 5  # planned patrol or problem-solving in free time; urgent grades may interrupt it
    COURT = 6  # giving evidence at court, away from dispatch until it ends
    DESK = 7
    OFF = 8

    @property
    def label(self) -> str:
        """The name used in outputs (``officers_<label>`` columns, ``officer_hours.<label>``)."""
        return self.name.lower()


# Module-level names for the hot path (an enum attribute lookup costs more than a global).
AVAILABLE, TRAVEL, ON_SCENE, MEAL_BREAK, ABSTRACTION, PROACTIVE, COURT, DESK, OFF = State
STATE_NAMES: tuple[str, ...] = tuple(state.label for state in State)
TIMED_STATES: tuple[str, ...] = tuple(state.label for state in State if state < DESK)
BUSY_STATES = (TRAVEL, ON_SCENE, COURT)  # finished before a break or the end of the shift


class Duty:
    """The one place officers change state: it charges the old state's time and counts heads."""

    def __init__(self, clock: Clock, stats: Stats, officers: int) -> None:
        self.clock = clock
        self.stats = stats
        self.count = [0] * len(State)  # officers in each state now
        self.count[OFF] = officers

    def move(self, officer: Officer, state: State) -> None:
        """Charge the time in the old state to its activity and enter ``state``."""
        old = officer.state
        now = self.clock.now
        if old < DESK:
            self.stats.add_activity(old, officer.since, now)
        self.count[old] -= 1
        self.count[state] += 1
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
        """Follow-up work in hand, in minutes."""
        return sum(item[1] for item in self.backlog)


@dataclass(frozen=True)
class ShiftInstance:
    """One team's shift on one day."""

    team: int
    start: float
    end: float


def split_evenly(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` by ``weights`` with the largest-remainder rule (sums exactly to ``total``)."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [math.floor(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def build_officers(workforce: Workforce, with_places: bool) -> list[Officer]:
    """Officers spread over stations by ``officer_share`` and over teams evenly within a station."""
    per_station = split_evenly(workforce.response_officers, [s.officer_share for s in workforce.stations])
    officers: list[Officer] = []
    for station, count in enumerate(per_station):
        for team, size in enumerate(split_evenly(count, [1.0] * workforce.teams)):
            first = len(officers)
            officers.extend(Officer(first + i, team, station) for i in range(size))
    if not with_places:  # without geography everyone is at one place
        for officer in officers:
            officer.place = 0
    return officers


def team_offset_days(workforce: Workforce, team: int) -> int:
    """Where in the rota cycle a team starts."""
    return team * len(workforce.pattern) // workforce.teams


def shift_instances(workforce: Workforce, horizon_minutes: float) -> list[ShiftInstance]:
    """Every team shift that overlaps [0, horizon], sorted by start then team."""
    cycle = len(workforce.pattern)
    days = int(math.ceil(horizon_minutes / 1440.0))
    instances = []
    for day in range(-1, days + 1):
        for team in range(workforce.teams):
            name = workforce.pattern[(day + team_offset_days(workforce, team)) % cycle]
            if name == "off":
                continue
            shift = workforce.shifts[name]
            start = day * 1440.0 + shift.start_hour * 60.0
            end = start + shift.length_hours * 60.0
            if end > 0 and start < horizon_minutes:
                instances.append(ShiftInstance(team, start, end))
    instances.sort(key=lambda s: (s.start, s.team))
    return instances
