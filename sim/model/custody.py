"""Arrests and custody: transport, a booking-in queue per suite, handover, then PACE-clock work.

An arrest (the incident's draw from the ``arrest`` stream below ``custody.arrest_share``) holds up to
``officers_held`` of the attending officers (state ``CUSTODY``). They drive the detainee to the
nearest suite, queue first come first served for one of its ``booking_desks`` (custody sergeants),
are booked in, and stay until handover. The PACE clock starts on arrival at the suite: the
arresting officer's ``pace_work`` (interviews, case file) is due within ``pace_hours``. With
``deadline_first`` it goes into the officer's backlog ahead of discretionary follow-up work (after
earlier deadline work), otherwise behind it. A detention whose PACE work is finished after its
deadline, or is unfinished when the deadline passes inside the run, is a breach.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

from sim.config.schema import TASKS
from sim.config.sinks import Custody as CustodyConfig
from sim.model.officers import CUSTODY
from sim.model.per_incident import uniforms
from sim.model.sinks import Context
from sim.model.stats import LogHistogram

if TYPE_CHECKING:
    from sim.model.incident import Incident
    from sim.model.officers import Officer


class PaceCase:
    """One detention's deadline work: done when its last task is done."""

    __slots__ = ("deadline", "remaining", "counted", "finished")

    def __init__(self, deadline: float, remaining: int, counted: bool) -> None:
        self.deadline = deadline
        self.remaining = remaining
        self.counted = counted
        self.finished = math.inf

    def task_done(self, when: float) -> None:
        """Called by ``sim.model.work`` when one of the case's tasks is finished."""
        self.remaining -= 1
        if self.remaining == 0:
            self.finished = when


class Suite:
    """A custody suite's booking desks and their queue."""

    def __init__(self, place: int, desks: int) -> None:
        self.place = place
        self.free = desks
        self.queue: deque[tuple[list[Officer], Incident, float]] = deque()


class CustodySink:
    """The custody mechanism (a ``sim.model.sinks.Sink``)."""

    state = CUSTODY

    def __init__(self, config: CustodyConfig, context: Context) -> None:
        self.config = config
        self.context = context
        self.held = config.officers_held
        share = context.by_type(config.arrest_share)
        self.share = share
        self.kinds = [s > 0.0 for s in share]
        self.chance = uniforms(context.streams, "arrest")  # an arrest when below the type's share
        self.below = share
        self.suites = [Suite(context.place(s.place), s.booking_desks) for s in config.suites]
        self.places = [suite.place for suite in self.suites]
        self.transport = context.draws("custody.transport", config.transport_minutes)
        self.booking = context.draws("custody.booking", config.booking_minutes)
        self.handover = context.draws("custody.handover", config.handover_minutes)
        self.pace = [
            (TASKS.index(task), context.draws(f"custody.pace.{task}", d)) for task, d in config.pace_work.items()
        ]
        self.arrests = [0] * len(context.types)
        self.wait = LogHistogram()
        self.waited = 0
        self.cases: list[PaceCase] = []
        self.pace_minutes = 0.0  # deadline work added for counted detentions
        self.end = math.inf

    def start(self, officers: list[Officer], incident: Incident) -> None:
        """Drive the detainee to the nearest suite."""
        if incident.counted:
            self.arrests[incident.kind] += 1
        context = self.context
        suite = self.suites[context.nearest(incident, self.places)]
        minutes = self.transport[incident.number] if context.map is None else context.drive(incident, suite.place)
        context.clock.after(minutes, self._arrive, suite, officers, incident)

    def _arrive(self, suite: Suite, officers: list[Officer], incident: Incident) -> None:
        now = self.context.clock.now
        if suite.free:
            suite.free -= 1
            self._book(suite, officers, incident, now)
        else:
            suite.queue.append((officers, incident, now))

    def _book(self, suite: Suite, officers: list[Officer], incident: Incident, arrived: float) -> None:
        clock = self.context.clock
        if incident.counted:
            wait = clock.now - arrived
            self.wait.add(wait)
            self.waited += wait > 0.0
        self._add_pace_work(officers[0], incident, arrived)
        booking = self.booking[incident.number]
        clock.after(booking, self._booked, suite)
        clock.after(booking + self.handover[incident.number], self.context.release, officers, suite.place)

    def _booked(self, suite: Suite) -> None:
        """A desk is free: book in the next detainee waiting."""
        if suite.queue:
            officers, incident, arrived = suite.queue.popleft()
            self._book(suite, officers, incident, arrived)
        else:
            suite.free += 1

    def _add_pace_work(self, officer: Officer, incident: Incident, arrived: float) -> None:
        """Queue the deadline work in the arresting officer's backlog."""
        items = [(task, minutes[incident.number]) for task, minutes in self.pace]
        items = [(task, m) for task, m in items if m > 0.0]
        if not items:
            return
        case = PaceCase(arrived + self.config.pace_hours * 60.0, len(items), incident.counted)
        self.cases.append(case)
        backlog = officer.backlog
        position = len(backlog)
        if self.config.deadline_first:
            position = next((i for i, item in enumerate(backlog) if len(item) < 3), len(backlog))
        for offset, (task, minutes) in enumerate(items):
            backlog.insert(position + offset, [task, minutes, case])
        minutes = sum(m for _, m in items)
        self.context.dispatcher.backlog_minutes += minutes
        if incident.counted:
            self.pace_minutes += minutes

    def settle(self, end: float) -> None:
        self.end = end

    def breaches(self, end: float) -> int:
        """Counted detentions whose work was (or is still) unfinished at a deadline inside the run."""
        return sum(c.counted and c.deadline <= end and c.finished > c.deadline for c in self.cases)

    def metrics(self) -> dict[str, float]:
        out = {f"arrests.{name}": float(n) for name, n in zip(self.context.types, self.arrests, strict=True)}
        out["custody.detentions"] = float(sum(self.arrests))
        out["custody.booking_wait_minutes.mean"] = self.wait.mean()
        # Bookings without a wait are a mass at zero: the p90 is 0 when it falls inside that mass.
        inside_zero = self.wait.n - self.waited >= 0.9 * self.wait.n
        out["custody.booking_wait_minutes.p90"] = 0.0 if self.wait.n and inside_zero else self.wait.quantile(0.9)
        out["custody.booking_waited_share"] = self.waited / self.wait.n if self.wait.n else math.nan
        out["custody.pace_work_hours"] = self.pace_minutes / 60.0
        out["pace_breaches"] = float(self.breaches(self.end))
        return out
