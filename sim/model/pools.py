"""The investigation pool: a second body of officers, on its own roster, doing follow-up tasks.

``duties.investigation.takes`` names which follow-up tasks of which incident types and grades
the pool takes over (for instance interviews, evidence review, redaction and case files of
domestic abuse); the attending response officer keeps the rest (crime recording and statements,
say). When the attending officer leaves the scene, the pool's tasks join one shared queue, oldest
first; an investigator on duty with nothing in hand takes the task at its head and works it to
the end, or until the shift ends, when the remainder goes back to the head of the queue for the
next investigator. Investigators have no meal breaks and no overtime, and are abstracted for a
whole shift with probability ``abstraction`` (stream ``investigation.abstraction``).

Their time is charged to their own statistics, by the same activities as response officers'
(``available``, ``abstraction`` and each task), so the two pools' hours and backlogs are
reported apart (``pools.<pool>.*``) and an intervention's saving lands in the pool that does the
work: interventions rewrite a task's minutes before the work is handed over.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator

import numpy as np

from sim.config.duties import Investigation
from sim.config.schema import TASKS, Scenario
from sim.errors import ConfigError
from sim.model import work
from sim.model.engine import Clock
from sim.model.officers import (
    ABSTRACTION,
    AVAILABLE,
    DESK,
    OFF,
    Duty,
    Officer,
    ShiftInstance,
    build_officers,
    shift_instances,
)
from sim.model.stats import ACTIVITIES, Stats


def routing_table(scenario: Scenario) -> np.ndarray:
    """``table[type, grade, task]``: whether the investigation pool does that task (all False without a pool)."""
    types, grades = list(scenario.incident_types), scenario.grade_order()
    table = np.zeros((len(types), len(grades), len(TASKS)), dtype=bool)
    pool = scenario.duties.investigation if scenario.duties is not None else None
    if pool is None:
        return table
    for index, rule in enumerate(pool.takes):
        where = f"duties.investigation.takes[{index}]"
        for field, names, known in (
            ("tasks", rule.tasks, TASKS),
            ("incident_types", rule.incident_types, types),
            ("grades", rule.grades, grades),
        ):
            unknown = sorted(set(names or ()) - set(known))
            if unknown:
                raise ConfigError(f"{where}.{field}: {unknown} not among {list(known)}")
        kinds = [types.index(t) for t in rule.incident_types] if rule.incident_types is not None else range(len(types))
        levels = [grades.index(g) for g in rule.grades] if rule.grades is not None else range(len(grades))
        for kind in kinds:
            for grade in levels:
                for task in rule.tasks:
                    table[kind, grade, TASKS.index(task)] = True
    return table


class InvestigationPool:
    """Investigators on their roster working one shared queue of follow-up tasks."""

    def __init__(
        self, config: Investigation, officers: int, clock: Clock, stats: Stats, rng: np.random.Generator, horizon: float
    ) -> None:
        workforce = config.workforce(officers)
        self.clock = clock
        self.stats = stats
        self.rng = rng
        self.abstraction = config.abstraction
        self.officers = build_officers(workforce, with_places=False)
        self.duty = Duty(clock, stats)
        self.teams: list[list[Officer]] = [[] for _ in range(config.teams)]
        for officer in self.officers:
            self.teams[officer.team].append(officer)
        self.instances = shift_instances(workforce, horizon)
        self.queue: deque[list] = deque()  # [task index, minutes remaining], oldest first
        self.waiting: dict[int, Officer] = {}  # on duty with nothing in hand
        clock.process(self._roster())

    def add(self, task: int, minutes: float) -> None:
        """A task handed over by an attending officer."""
        self.queue.append([task, minutes])
        if self.waiting:
            self._next(self.waiting.popitem()[1])

    def _roster(self) -> Generator:
        for shift in self.instances:
            start = max(shift.start, 0.0)
            if start > self.clock.now:
                yield self.clock.timeout(start - self.clock.now)
            self._start(shift)

    def _start(self, shift: ShiftInstance) -> None:
        team = self.teams[shift.team]
        rostered = self.stats.overlap(shift.start, shift.end)
        for officer, draw in zip(team, self.rng.random(len(team)).tolist(), strict=True):
            self.stats.rostered_minutes += rostered
            officer.shift_end = shift.end
            if draw < self.abstraction:
                self.duty.move(officer, ABSTRACTION)
            else:
                self._next(officer)
        self.clock.after(shift.end - self.clock.now, self._end, shift)

    def _next(self, officer: Officer) -> None:
        """Take the task at the head of the queue, or wait for one."""
        if not self.queue:
            self.duty.move(officer, AVAILABLE)
            self.waiting[officer.number] = officer
            return
        item = self.queue.popleft()
        officer.backlog.append(item)
        self.duty.move(officer, DESK)
        officer.token += 1
        self.clock.after(item[1], self._done, officer, officer.token)

    def _done(self, officer: Officer, token: int) -> None:
        if officer.token != token:
            return
        work.charge_desk_time(officer, officer.since, self.clock.now - officer.since, self.stats, finished=True)
        self._next(officer)

    def _end(self, shift: ShiftInstance) -> None:
        for officer in self.teams[shift.team]:
            if officer.shift_end != shift.end or officer.state == OFF:
                continue
            if officer.state == AVAILABLE:
                del self.waiting[officer.number]
            elif officer.state == DESK:
                self._stop(officer, self.clock.now)
                self.queue.extendleft(reversed(officer.backlog))
                officer.backlog.clear()
            self.duty.move(officer, OFF)

    def _stop(self, officer: Officer, now: float) -> None:
        """Charge a task stint up to ``now`` (the remainder stays in the officer's hands)."""
        officer.token += 1
        work.charge_desk_time(officer, officer.since, now - officer.since, self.stats, finished=False)

    def settle(self, end: float) -> None:
        """Charge every investigator's current activity up to the end of the run."""
        for officer in self.officers:
            if officer.state < DESK:
                self.stats.add_activity(officer.state, officer.since, end)
            elif officer.state == DESK:
                self._stop(officer, end)

    def outstanding_minutes(self) -> float:
        """Follow-up minutes queued and in hand."""
        return sum(item[1] for item in self.queue) + sum(officer.backlog_minutes() for officer in self.officers)

    def metrics(self) -> dict[str, float]:
        """``pools.investigation.*``: officers, hours (in all, by activity, on follow-up) and the work outstanding."""
        minutes = self.stats.activity_minutes
        followup = sum(minutes[work.TASK_ACTIVITY[0] :])
        by_activity = {
            f"pools.investigation.activity_hours.{name}": m / 60.0 for name, m in zip(ACTIVITIES, minutes, strict=True)
        }
        return {
            **by_activity,
            "pools.investigation.officers": float(len(self.officers)),
            "pools.investigation.officer_hours": sum(minutes) / 60.0,
            "pools.investigation.rostered_hours": self.stats.rostered_minutes / 60.0,
            "pools.investigation.followup_hours": followup / 60.0,
            "pools.investigation.backlog_hours": self.outstanding_minutes() / 60.0,
        }
