"""The roster at work: shifts start and end, officers are abstracted, meal breaks are taken.

Who works which shift is decided in ``sim.model.officers`` (teams on a pattern, or staffing).

An officer still on a job when the shift ends finishes it (overtime, counted until they are
free); desk work in hand stops and carries over to their next shift as a backlog.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np

from sim.config.schema import Workforce
from sim.model.court import CourtDates
from sim.model.dispatch import Dispatcher
from sim.model.engine import Clock
from sim.model.officers import ABSTRACTION, BUSY_STATES, MEAL_BREAK, OFF, Officer, ShiftInstance, shift_instances
from sim.model.stats import Stats

BREAK_GROUPS = 4  # a team's meal breaks start in four waves across the break window


class Roster:
    """Drives every team's shifts over the horizon."""

    def __init__(
        self,
        clock: Clock,
        workforce: Workforce,
        officers: list[Officer],
        dispatcher: Dispatcher,
        stats: Stats,
        rng: np.random.Generator,
        horizon_minutes: float,
    ) -> None:
        self.clock = clock
        self.dispatcher = dispatcher
        self.stats = stats
        self.rng = rng
        self.abstraction_share = workforce.abstraction.total()
        self.break_minutes = workforce.meal_break_minutes
        self.break_after = workforce.meal_break_after_hours * 60.0
        self.break_window = workforce.meal_break_window_hours * 60.0
        count = workforce.teams if workforce.staffing is None else len(workforce.staffing_groups())
        self.teams: list[list[Officer]] = [[] for _ in range(count or 0)]
        for officer in officers:
            self.teams[officer.team].append(officer)
        self.instances = shift_instances(workforce, horizon_minutes)
        self.court: CourtDates | None = None  # court dates taking officers at the start of a shift

    def process(self) -> Generator:
        """SimPy process: start each team shift at its time."""
        env = self.clock
        for shift in self.instances:
            start = max(shift.start, 0.0)
            if start > env.now:
                yield env.timeout(start - env.now)
            self._start(shift)

    def _members(self, shift: ShiftInstance) -> list[Officer]:
        """The officers rostered on a shift: the whole team, or those staffing picked."""
        team = self.teams[shift.team]
        return team if shift.members is None else [team[i] for i in shift.members]

    def _start(self, shift: ShiftInstance) -> None:
        team = self._members(shift)
        rostered = self.stats.overlap(shift.start, shift.end)
        draws = self.rng.random(len(team)).tolist()
        for officer, draw in zip(team, draws, strict=True):
            self.stats.rostered_minutes += rostered
            self._start_officer(officer, shift.end, draw < self.abstraction_share)
        now = self.clock.now
        self.clock.after(shift.end - now, self._end, shift)
        if self.break_minutes > 0.0:
            for group in range(BREAK_GROUPS):
                at = shift.start + self.break_after + self.break_window * group / BREAK_GROUPS
                if now < at < shift.end:
                    self.clock.after(at - now, self._break, shift, group)

    def _start_officer(self, officer: Officer, end: float, abstracted: bool) -> None:
        dispatcher = self.dispatcher
        if officer.state != OFF:
            # Still finishing a job from the previous shift: its overtime ends here.
            if officer.ending:
                self.stats.overtime_minutes += self.stats.overlap(officer.shift_end, self.clock.now)
                officer.ending = False
            officer.shift_end = end
            return
        officer.shift_end = end
        if abstracted:
            dispatcher.move(officer, ABSTRACTION)
        elif self.court is None or not self.court.attend(officer):
            dispatcher.officer_free(officer)

    def _end(self, shift: ShiftInstance) -> None:
        for officer in self.teams[shift.team]:
            if officer.shift_end != shift.end or officer.state == OFF:
                continue
            if officer.state in BUSY_STATES:
                officer.ending = True
                continue
            self.dispatcher.leave_pools(officer)
            self.dispatcher.go_off(officer)

    def _break(self, shift: ShiftInstance, group: int) -> None:
        """Officers of one break group start their meal break (or take it after the job in hand)."""
        for officer in self._members(shift)[group::BREAK_GROUPS]:
            if officer.shift_end != shift.end or officer.state in (OFF, ABSTRACTION, MEAL_BREAK):
                continue
            if officer.state in BUSY_STATES:
                officer.break_due = True
                continue
            self.dispatcher.leave_pools(officer)
            self.dispatcher.start_break(officer)
