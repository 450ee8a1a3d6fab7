"""Dispatch: a queue per grade ordered by call time, officers sent nearest first.

An incident becomes dispatchable when the contact centre has graded it (after its appointment
delay, for scheduled grades). It takes the nearest available officer; an urgent grade may take
an officer from desk work instead (the work resumes later). Otherwise it waits, most urgent grade
first and oldest first within a grade, until an officer frees up or its give-up time passes
(then it is closed as not attended). An incident needing several officers keeps its place in the
queue until all are on their way; it counts as attended when the first arrives. Only an incident's
latest queue entry is live: an entry left from an earlier wait is dropped when it comes up.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.config.schema import Scenario
from sim.model import work
from sim.model.engine import Clock
from sim.model.geography import Map
from sim.model.incident import ASSIGNED, CLOSED, SCHEDULED, WAITING, Incident, wants_officer
from sim.model.officers import AVAILABLE, DESK, MEAL_BREAK, OFF, ON_SCENE, PROACTIVE, TRAVEL, Duty, Officer
from sim.model.proactive import ProactiveWork
from sim.model.stats import OUTCOMES, Stats

if TYPE_CHECKING:
    from sim.model.sinks import Sinks

ATTENDED = OUTCOMES.index("attended")
WITHIN = OUTCOMES.index("attended_within_target")
NOT_ATTENDED = OUTCOMES.index("not_attended")
RESOLVED = OUTCOMES.index("resolved_without_deployment")
WAITED = OUTCOMES.index("waited")


class Dispatcher:
    """Owns the dispatch queues, the pools of free and desk-bound officers, and officers' jobs."""

    def __init__(
        self,
        clock: Clock,
        scenario: Scenario,
        stats: Stats,
        duty: Duty,
        geo: Map | None,
        records: list | None,
    ) -> None:
        self.clock = clock
        self.stats = stats
        self.map = geo
        self.records = records
        grades = [scenario.grades[name] for name in scenario.grade_order()]
        self.deploy = [g.deploy for g in grades]
        self.target = [g.target_minutes if g.target_minutes is not None else math.inf for g in grades]
        self.give_up = [g.give_up_hours * 60.0 if g.give_up_hours is not None else math.inf for g in grades]
        self.appointment = [g.appointment_hours * 60.0 for g in grades]
        self.interrupts = [g.interrupts_followup for g in grades]
        blue = scenario.geography.blue_light_grades if scenario.geography else ()
        self.blue_light = [name in blue for name in scenario.grade_order()]
        self.return_mode = scenario.geography.return_mode() if scenario.geography else "stay"
        self.break_minutes = scenario.workforce.meal_break_minutes
        self.queues: list[list] = [[] for _ in grades]
        self.waiting = [0] * len(grades)
        self._waiting_since = [0.0] * len(grades)
        places = len(geo.latitude) if geo is not None else 1
        self.free: list[dict[int, Officer]] = [{} for _ in range(places)]
        self.desk: list[dict[int, Officer]] = [{} for _ in range(places)]
        self.free_count = 0
        self.desk_count = 0
        self.duty = duty
        self.move = duty.move
        self.backlog_minutes = 0.0
        self._sequence = itertools.count()
        self.sinks: Sinks | None = None  # after-scene hook (custody, mental health, scene guards), set by the model
        # Hooks for the optional duties (sim.model.duties); None leaves dispatch as it was.
        self.crewing: Callable[[float, int], int] | None = None  # crew size by shift
        self.proactive: ProactiveWork | None = None  # officers on proactive spells
        self.handover: Callable[[Officer, Incident], None] | None = None  # where follow-up work goes
        self.respond: Callable[[Incident], None] | None = None  # attendance decisions (None: all in person)
        self.video_desk: Callable[[Incident], None] | None = None  # the resolution centre's video queue, if any

    # ---- incidents ---------------------------------------------------------------------------
    def submit(self, incident: Incident) -> None:
        """An incident graded by the contact centre (or replayed): resolve, schedule or dispatch."""
        grade = incident.grade
        if not self.deploy[grade]:
            self.close(incident, RESOLVED)
            return
        if self.respond is not None:
            self.respond(incident)
        else:
            self.in_person(incident)

    def in_person(self, incident: Incident) -> None:
        """Send officers: after the grade's appointment delay, or now."""
        grade = incident.grade
        incident.give_up_at = incident.time + self.give_up[grade]
        if self.appointment[grade] > 0.0:
            incident.state = SCHEDULED
            self.clock.after(self.appointment[grade], self.dispatchable, incident)
        else:
            self.dispatchable(incident)

    def dispatchable(self, incident: Incident) -> None:
        """Send officers now if any can go, otherwise queue the incident."""
        now = self.clock._now
        incident.queued_at = now
        if incident.counted:
            self.stats.queue_entries[incident.kind] += 1
        if now >= incident.give_up_at:
            self._expire(incident)
            return
        if self.crewing is not None:
            incident.crew = self.crewing(now, incident.crew)
        self._crew_from_pools(incident)
        if incident.assigned == 0:
            incident.state = WAITING
            self._change_waiting(incident.grade, +1)
            self._push(incident)
            if incident.give_up_at < math.inf:
                self.clock.after(incident.give_up_at - now, self._give_up, incident)
        elif incident.assigned < incident.crew:
            self._push(incident)

    def withdraw(self, incident: Incident) -> None:
        """Take a waiting incident out of the queue (its entry goes stale) for another decision."""
        self._change_waiting(incident.grade, -1)
        if incident.counted:
            self.stats.queue_wait_total[incident.kind] += self.clock.now - incident.queued_at
        incident.state = SCHEDULED

    def _push(self, incident: Incident) -> None:
        """Queue the incident: this entry is its only live one (``incident.entry``), so an entry
        left from an earlier wait (a missed appointment rebooked, a grade raised) is stale."""
        entry = incident.entry = next(self._sequence)
        heapq.heappush(self.queues[incident.grade], (incident.time, entry, incident))

    def _crew_from_pools(self, incident: Incident) -> None:
        """Assign free officers (or, for urgent grades, proactive then desk-bound ones) until the crew is complete."""
        proactive = self.proactive
        while incident.assigned < incident.crew:
            officer = self._nearest(incident, self.free) if self.free_count else None
            if officer is not None:
                self.free_count -= 1
            elif proactive is not None and proactive.count and proactive.urgent[incident.grade]:
                officer = self._nearest(incident, proactive.pools)
                assert officer is not None
                proactive.taken(officer)
            elif self.interrupts[incident.grade] and self.desk_count:
                officer = self._nearest(incident, self.desk)
                assert officer is not None  # desk_count > 0
                self.desk_count -= 1
                self._stop_desk(officer)
            if officer is None:
                return
            self._assign(officer, incident)

    def _nearest(self, incident: Incident, pools: list[dict[int, Officer]]) -> Officer | None:
        """Take the officer nearest the incident out of ``pools`` (the most recently freed there)."""
        if self.map is None:
            return pools[0].popitem()[1] if pools[0] else None
        order = (
            self.map.nearest_order[incident.place] if incident.km is None else np.argsort(incident.km, kind="stable")
        )
        for place in order:
            pool = pools[place]
            if pool:
                return pool.popitem()[1]
        return None

    def _give_up(self, incident: Incident) -> None:
        """The give-up time of a queued incident: close it if nobody has been sent."""
        if incident.state == WAITING:
            self._change_waiting(incident.grade, -1)
            self._expire(incident)

    def _expire(self, incident: Incident) -> None:
        if incident.counted:
            self.stats.queue_wait_total[incident.kind] += self.clock.now - incident.queued_at
        self.close(incident, NOT_ATTENDED)

    def close(self, incident: Incident, outcome: int, graded: bool = True) -> None:
        """Record a final outcome that is not an attendance (``graded``: it reached a grade)."""
        incident.state = CLOSED
        if incident.counted:
            self.stats.count(incident.kind, incident.grade if graded else -1, outcome)
        if self.records is not None:
            self.record(incident, math.nan, OUTCOMES[outcome])

    def record(self, incident: Incident, arrived: float, outcome: str) -> None:
        """One per-incident record (only when records were asked for)."""
        assert self.records is not None
        row = (incident.number, incident.kind, incident.grade, incident.channel, incident.time, incident.queued_at)
        self.records.append((*row, arrived, outcome))

    def _change_waiting(self, grade: int, delta: int) -> None:
        now = self.clock.now
        self.stats.queue_area[grade] += self.waiting[grade] * self.stats.overlap(self._waiting_since[grade], now)
        self._waiting_since[grade] = now
        self.waiting[grade] += delta

    def settle_queue_area(self) -> None:
        """Close the queue-length integrals at the end of the run."""
        for grade in range(len(self.waiting)):
            self._change_waiting(grade, 0)

    def longest_wait(self, grade: int) -> float:
        """Minutes since the call of the oldest incident of ``grade`` still wanting an officer (0 if none).

        Drops stale heap entries on the way, exactly as ``_next_incident`` would, so it changes nothing."""
        queue = self.queues[grade]
        while queue:
            _, entry, incident = queue[0]
            if wants_officer(entry, incident):
                return self.clock.now - incident.time
            heapq.heappop(queue)
        return 0.0

    def _next_incident(self, urgent_only: bool) -> Incident | None:
        """The most urgent, oldest incident still wanting an officer (stale entries dropped)."""
        for grade, queue in enumerate(self.queues):
            if urgent_only and not self.interrupts[grade]:
                continue
            while queue:
                _, entry, incident = queue[0]
                if wants_officer(entry, incident):
                    heapq.heappop(queue)
                    if incident.state == WAITING:
                        self._change_waiting(grade, -1)
                    return incident
                heapq.heappop(queue)
        return None

    # ---- officers' jobs ----------------------------------------------------------------------
    def _assign(self, officer: Officer, incident: Incident) -> None:
        """Send ``officer`` to ``incident``."""
        if incident.assigned == 0:
            incident.state = ASSIGNED
            officer.is_lead = True
            if incident.counted:
                wait = self.clock._now - incident.queued_at
                self.stats.queue_wait_total[incident.kind] += wait
                if wait > 0.0:
                    self.stats.count(incident.kind, incident.grade, WAITED)
        else:
            officer.is_lead = False
        incident.assigned += 1
        officer.incident = incident
        self.move(officer, TRAVEL)
        if self.map is None:
            minutes = incident.travel
        elif incident.km is None:  # Map.drive_minutes from the officer's place, inlined
            minutes = self.map.drive_minutes_table[self.blue_light[incident.grade]][officer.place][incident.place]
        else:
            minutes = self.map.minutes(incident.km[officer.place], self.blue_light[incident.grade])
        self.clock.after(minutes, self._arrive, officer, incident)

    def _drive_minutes(self, incident: Incident, place: int, blue_light: bool) -> float:
        """Driving time between the incident's scene and ``place`` (road distances are symmetric)."""
        assert self.map is not None
        if incident.km is None:
            return self.map.drive_minutes(place, incident.place, blue_light)
        return self.map.minutes(incident.km[place], blue_light)

    def _arrive(self, officer: Officer, incident: Incident) -> None:
        self.move(officer, ON_SCENE)
        if incident.arrived < 0.0:
            self.attend(incident, self.clock._now)
        self.clock.after(incident.on_scene, self._leave_scene, officer, incident)

    def attend(self, incident: Incident, when: float) -> None:
        """The incident is attended at ``when``: by its first officer, or by a remote response
        (an intervention's, which closes it). Counted with its response time, and recorded."""
        incident.arrived = when
        if incident.counted:
            kind, grade, stats = incident.kind, incident.grade, self.stats
            response = when - incident.time
            by_kind, by_grade = stats.outcomes[kind], stats.grade_outcomes[grade]  # Stats.count, inlined
            by_kind[ATTENDED] += 1
            by_grade[ATTENDED] += 1
            stats.response[kind].add(response)
            stats.grade_response[grade].add(response)
            if response <= self.target[grade]:
                by_kind[WITHIN] += 1
                by_grade[WITHIN] += 1
        if self.records is not None:
            self.record(incident, when, "attended")

    def _leave_scene(self, officer: Officer, incident: Incident) -> None:
        if officer.is_lead:
            incident.lead_done = True
            incident.state = CLOSED
            if incident.followup is not None:
                if self.handover is None:
                    self.backlog_minutes += work.add_followup(officer, incident.followup)
                else:
                    self.handover(officer, incident)
        officer.incident = None
        if self.sinks is not None and self.sinks.take(officer, incident):
            return
        scene = incident.place
        if self.map is not None and self.return_mode == "drive" and scene != officer.station:
            minutes = self._drive_minutes(incident, officer.station, False)
            officer.place = officer.station
            self.move(officer, TRAVEL)
            self.clock.after(minutes, self.officer_free, officer)
            return
        if self.map is not None:
            officer.place = officer.station if self.return_mode == "instant" else scene
        self.officer_free(officer)

    def officer_free(self, officer: Officer) -> None:
        """An officer with nothing in hand: go off duty, take a break, a job, desk work, or wait."""
        if officer.ending:
            self.stats.overtime_minutes += self.stats.overlap(officer.shift_end, self.clock.now)
            officer.ending = False
            self.go_off(officer)
            return
        if officer.break_due:
            self.start_break(officer)
            return
        if any(self.queues):
            incident = self._next_incident(urgent_only=bool(officer.backlog))
            if incident is not None:
                self._assign(officer, incident)
                if incident.assigned < incident.crew:
                    self._push(incident)
                return
        if officer.backlog:
            self._start_desk(officer)
            return
        if self.proactive is not None and self.proactive.start(officer):
            return
        self.move(officer, AVAILABLE)
        self.free[officer.place][officer.number] = officer
        self.free_count += 1

    # ---- desk work, breaks, duty ---------------------------------------------------------------
    def _start_desk(self, officer: Officer) -> None:
        self.move(officer, DESK)
        self.desk[officer.place][officer.number] = officer
        self.desk_count += 1
        officer.token += 1
        self.clock.after(officer.backlog_minutes(), self._desk_done, officer, officer.token)

    def _desk_done(self, officer: Officer, token: int) -> None:
        if officer.token != token:
            return
        del self.desk[officer.place][officer.number]
        self.desk_count -= 1
        self.backlog_minutes -= work.charge_desk_time(
            officer, officer.since, self.clock.now - officer.since, self.stats, finished=True
        )
        self.officer_free(officer)

    def _stop_desk(self, officer: Officer) -> None:
        """End a desk stint early (the officer is already out of the desk pool)."""
        officer.token += 1
        self.backlog_minutes -= work.charge_desk_time(
            officer, officer.since, self.clock.now - officer.since, self.stats, finished=False
        )

    def leave_pools(self, officer: Officer) -> None:
        """Take an available, proactive or desk-bound officer out of the pools (break or end of shift)."""
        if officer.state == AVAILABLE:
            del self.free[officer.place][officer.number]
            self.free_count -= 1
        elif officer.state == PROACTIVE:
            assert self.proactive is not None
            self.proactive.leave(officer)
        elif officer.state == DESK:
            del self.desk[officer.place][officer.number]
            self.desk_count -= 1
            self._stop_desk(officer)

    def start_break(self, officer: Officer) -> None:
        officer.break_due = False
        self.move(officer, MEAL_BREAK)
        officer.token += 1
        self.clock.after(self.break_minutes, self._break_done, officer, officer.token)

    def _break_done(self, officer: Officer, token: int) -> None:
        if officer.token == token:
            self.officer_free(officer)

    def go_off(self, officer: Officer) -> None:
        officer.break_due = False
        officer.token += 1
        self.move(officer, OFF)
