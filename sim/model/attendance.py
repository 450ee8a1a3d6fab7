"""Attendance decisions: route each deployed incident to the response its assessment chooses.

Built only when a scenario has an ``attendance`` section; dispatch then hands every deployed
incident here instead of sending officers at once. The response is in person (dispatch's queue),
an appointment (the diary), telephone or video (the resolution centre), or none. A periodic tick
samples the stack (incidents waiting for an officer) and runs the stack review. Tallies become
metrics named by their JSON-contract paths (docs/reference/json-contract.md).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from sim.config.response import RESPONSES
from sim.config.response import Attendance as AttendanceConfig
from sim.config.schema import Scenario
from sim.model.assessment import APPOINTMENT, IN_PERSON, NONE, TELEPHONE, VIDEO, Assessment, CompiledRule, State
from sim.model.diary import Diary
from sim.model.dispatch import ATTENDED, NOT_ATTENDED, RESOLVED, Dispatcher
from sim.model.engine import Clock
from sim.model.incident import CLOSED, SCHEDULED, WAITING, Incident
from sim.model.resolution import ResolutionCentre
from sim.model.stack import Stack
from sim.model.stats import OUTCOMES, LogHistogram, Stats
from sim.model.streams import Streams

BY_VIDEO = OUTCOMES.index("attended_by_video")
BY_TELEPHONE = OUTCOMES.index("resolved_by_telephone")
DIVERTED = OUTCOMES.index("diverted")
MISSED = OUTCOMES.index("appointments_missed")
SAMPLE_MINUTES = 60.0  # how often the stack is sampled when there is no stack review


class Decision:
    """An incident's attendance decision and its history on the stack and in the diary."""

    __slots__ = ("response", "reason", "risk", "mandatory", "diverted", "attempts", "failed", "missed", "booked")

    def __init__(self, risk: int, rule: CompiledRule | None) -> None:
        self.risk = risk
        self.mandatory = rule is not None and rule.mandatory
        self.response = IN_PERSON
        self.reason = "default"
        self.diverted = False
        self.attempts = 0  # re-contact attempts
        self.failed = 0  # failed re-contact attempts
        self.missed = 0  # missed appointments
        self.booked = False


class Attendance:
    """The assessment, the stack, the diary and the resolution centre of one replication."""

    def __init__(
        self,
        config: AttendanceConfig,
        scenario: Scenario,
        clock: Clock,
        stats: Stats,
        streams: Streams,
        dispatcher: Dispatcher,
    ) -> None:
        self.config = config
        self.clock = clock
        self.stats = stats
        self.dispatcher = dispatcher
        self.types = list(scenario.incident_types)
        self.assessment = Assessment(config, scenario, streams)
        self.diary = Diary(config.diary) if config.diary is not None else None
        self.centre = (
            ResolutionCentre(config.resolution_centre, clock, streams, self._started, self._finished)
            if config.resolution_centre is not None
            else None
        )
        self.stack = Stack(config.stack, scenario, streams, self) if config.stack is not None else None
        self.decisions: Counter[tuple[int, int, str]] = Counter()  # (type, response, reason) of counted incidents
        self.appointment_wait = [LogHistogram() for _ in self.types]
        self.stack_samples: list[int] = []
        self.response_of: dict[int, tuple[str, str]] | None = {} if dispatcher.records is not None else None
        self.tick = config.stack.review_minutes if config.stack is not None else SAMPLE_MINUTES
        dispatcher.respond = self.submit
        clock.after(self.tick, self._tick)

    # ---- decisions ---------------------------------------------------------------------------
    def state(self) -> State:
        """What discretionary rules read (this object: each reading is taken when a rule asks)."""
        return self

    def waiting(self, grade: int) -> int:
        return self.dispatcher.waiting[grade]

    def free_officers(self) -> int:
        return self.dispatcher.free_count

    def earliest_slot_hours(self) -> float:
        if self.diary is None:
            return math.inf
        now = self.clock.now
        return (self.diary.earliest(now) - now) / 60.0

    def submit(self, incident: Incident) -> None:
        """A deployed incident, just graded: assess it and give it its response."""
        risk = self.assessment.risk(incident)
        rule = self.assessment.choose(incident, risk, self.state())
        incident.decision = Decision(risk, rule)
        if rule is None:
            self.give(incident, IN_PERSON, "default", diverted=False)
        else:
            self.give(incident, rule.response, rule.name, diverted=rule.conditional and rule.response != IN_PERSON)

    def give(self, incident: Incident, response: int, reason: str, diverted: bool) -> None:
        """Record the decision and hand the incident to the place that gives the response."""
        decision = incident.decision
        decision.response, decision.reason = response, reason
        if incident.counted:
            self.decisions[(incident.kind, response, reason)] += 1
            if diverted and not decision.diverted:
                self.stats.count(incident.kind, incident.grade, DIVERTED)
        decision.diverted = decision.diverted or diverted
        if self.response_of is not None:
            self.response_of[incident.number] = (RESPONSES[response], reason)
        if response == IN_PERSON:
            self.dispatcher.in_person(incident)
        elif response == APPOINTMENT:
            self._book(incident)
        elif response in (TELEPHONE, VIDEO):
            assert self.centre is not None
            incident.state = SCHEDULED
            self.centre.take(incident, response == VIDEO)
        else:
            assert response == NONE
            self.dispatcher.close(incident, RESOLVED)

    def close_unreached(self, incident: Incident) -> None:
        """The stack closes a waiting incident whose caller could not be re-contacted."""
        self.dispatcher.withdraw(incident)
        self.dispatcher.close(incident, NOT_ATTENDED)

    # ---- the diary ---------------------------------------------------------------------------
    def _book(self, incident: Incident) -> None:
        assert self.diary is not None
        now = self.clock.now
        start = self.diary.book(now)
        decision = incident.decision
        if incident.counted and not decision.booked:
            self.appointment_wait[incident.kind].add((start - incident.time) / 60.0)
        decision.booked = True
        incident.state = SCHEDULED
        self.clock.after(start - now, self._due, incident)

    def _due(self, incident: Incident) -> None:
        """The appointment starts: an officer is sent if one is free, or when one frees up within the grace time."""
        incident.give_up_at = math.inf
        self.dispatcher.dispatchable(incident)
        if incident.state == WAITING:
            assert self.diary is not None and self.config.diary is not None
            self.clock.after(self.config.diary.grace_minutes, self._late, incident, incident.decision.missed)

    def _late(self, incident: Incident, missed: int) -> None:
        """Nobody came within the grace time: the appointment is missed, rebooked and counted."""
        decision = incident.decision
        if incident.state != WAITING or decision.missed != missed:
            return
        assert self.config.diary is not None
        self.dispatcher.withdraw(incident)
        decision.missed += 1
        if incident.counted:
            self.stats.count(incident.kind, incident.grade, MISSED)
        if decision.missed >= self.config.diary.max_missed:
            self.dispatcher.close(incident, NOT_ATTENDED)
        else:
            self._book(incident)

    # ---- the resolution centre ---------------------------------------------------------------
    def _started(self, incident: Incident, video: bool) -> None:
        """A desk call starts: for video, that is the attendance."""
        if not video:
            return
        incident.state = CLOSED
        if incident.counted:
            self.stats.count(incident.kind, incident.grade, BY_VIDEO)
        self.dispatcher.attend(incident, self.clock.now)

    def _finished(self, incident: Incident, video: bool) -> None:
        """A desk call ends: a telephone resolution closes the incident."""
        if not video:
            self.dispatcher.close(incident, BY_TELEPHONE)

    # ---- the stack ---------------------------------------------------------------------------
    def _tick(self) -> None:
        now = self.clock.now
        if self.stats.start <= now <= self.stats.end:
            self.stack_samples.append(sum(self.dispatcher.waiting))
        if self.stack is not None:
            self.stack.review()
        self.clock.after(self.tick, self._tick)

    # ---- results -----------------------------------------------------------------------------
    def metrics(self, metrics: dict[str, float]) -> dict[str, float]:
        """The attendance metrics, given the replication's other metrics (for remote attendances)."""
        out: dict[str, float] = {}
        for kind, name in enumerate(self.types):
            row = self.stats.outcomes[kind]
            video = row[BY_VIDEO] + metrics.get(f"remote.{name}.video_attended", 0.0)
            drone = metrics.get(f"remote.{name}.drone_attended", 0.0)
            out[f"incidents.{name}.attended_in_person"] = float(row[ATTENDED] - video - drone)
            out[f"incidents.{name}.attended_by_video"] = float(video)
            out[f"incidents.{name}.diverted"] = float(row[DIVERTED])
            out[f"incidents.{name}.appointments_missed"] = float(row[MISSED])
            waits = self.appointment_wait[kind]
            out[f"appointment_wait_hours.{name}.mean"] = waits.mean()
            out[f"appointment_wait_hours.{name}.p90"] = waits.quantile(0.9)
            for response, reason in self._reasons(kind):
                out[f"responses.{name}.{RESPONSES[response]}.{reason}"] = float(
                    self.decisions[(kind, response, reason)]
                )
        samples = np.asarray(self.stack_samples, dtype=float)
        empty = len(samples) == 0
        out["stack.mean"] = math.nan if empty else float(samples.mean())
        out["stack.p90"] = math.nan if empty else float(np.quantile(samples, 0.9))
        out["stack.max"] = math.nan if empty else float(samples.max())
        out["stack.closed_after_recontact"] = float(self.stack.closed) if self.stack is not None else 0.0
        handled = self.centre.handled if self.centre is not None else 0
        wait = self.centre.wait_total if self.centre is not None else 0.0
        out["resolution_centre.handled"] = float(handled)
        out["resolution_centre.mean_wait_minutes"] = wait / handled if handled else math.nan
        return out

    def _reasons(self, kind: int) -> list[tuple[int, str]]:
        """Every (response, reason) an incident of this type can be given: one metric each, always present."""
        rules = [*self.assessment.rules, *(self.stack.divert if self.stack is not None else [])]
        pairs = [(IN_PERSON, "default")]
        for rule in rules:
            if (rule.types is None or kind in rule.types) and (rule.response, rule.name) not in pairs:
                pairs.append((rule.response, rule.name))
        return pairs
