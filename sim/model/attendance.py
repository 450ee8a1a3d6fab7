"""Attendance decisions: route each deployed incident to the response its assessment chooses.

Built only when a scenario has an ``attendance`` section; dispatch then hands every deployed
incident here instead of sending officers at once. The response is in person (dispatch's queue),
an appointment (the diary), telephone or video (the resolution centre), or none. A periodic tick
samples the stack (incidents waiting for an officer) and runs the stack review. Tallies become
metrics named by their JSON-contract paths (docs/reference/json-contract.md).
"""

from __future__ import annotations

import math

import numpy as np

from sim.config.response import RESPONSES, Rule
from sim.config.response import Attendance as AttendanceConfig
from sim.config.schema import Scenario
from sim.model.assessment import (
    APPOINTMENT,
    IN_PERSON,
    NO_RISK,
    NONE,
    TELEPHONE,
    VIDEO,
    Assessment,
    CompiledRule,
    compile_rules,
)
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
        self.first_rule = self.assessment.table.first
        self.diary = Diary(config.diary) if config.diary is not None else None
        self.centre = (
            ResolutionCentre(config.resolution_centre, clock, streams, self._started, self._finished)
            if config.resolution_centre is not None
            else None
        )
        self.stack = Stack(config.stack, scenario, streams, self) if config.stack is not None else None
        self.video_rule = _rapid_video_rule(scenario) if self.centre is not None else None
        if self.video_rule is not None:
            dispatcher.video_desk = self.video
        # every (response, reason) a decision can be given, and where its count is kept
        self.reasons: dict[tuple[int, str], int] = {}
        for rule in self._rules():
            rule.slot = self.reasons.setdefault((rule.response, rule.name), len(self.reasons))
        self.decisions = [[0] * len(self.reasons) for _ in self.types]  # counted incidents by type and slot
        self.appointment_wait = [LogHistogram() for _ in self.types]
        self.stack_samples: list[int] = []
        self.response_of: dict[int, tuple[str, str]] | None = {} if dispatcher.records is not None else None
        self.tick = config.stack.review_minutes if config.stack is not None else SAMPLE_MINUTES
        dispatcher.respond = self.submit
        clock.after(self.tick, self._tick)

    # ---- decisions ---------------------------------------------------------------------------
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
        """A deployed incident, just graded: assess it and give it its response (the first rule
        that applies; this object is the state its discretionary rules read)."""
        assessment = self.assessment
        risk = assessment.risk(incident) if assessment.assessed[incident.kind] else NO_RISK
        rule = self.first_rule(incident.kind, incident.grade, risk, self)
        assert rule is not None  # the default rule covers every incident and has no conditions
        self.give(incident, rule, rule.conditional and rule.response != IN_PERSON)

    def give(self, incident: Incident, rule: CompiledRule, diverted: bool) -> None:
        """Record the decision (``incident.decision``: the rule that gave it) and hand the incident
        to the place that gives the response.

        An incident is diverted at most once: a diverted incident never waits for an officer
        again except by appointment, which the stack leaves alone."""
        incident.decision = rule
        if incident.counted:
            self.decisions[incident.kind][rule.slot] += 1
            if diverted:
                self.stats.count(incident.kind, incident.grade, DIVERTED)
        if self.response_of is not None:
            self.response_of[incident.number] = (RESPONSES[rule.response], rule.name)
        response = rule.response
        if response == IN_PERSON:
            self.dispatcher.in_person(incident)
        elif response == APPOINTMENT:
            self._book(incident, 0)
        elif response in (TELEPHONE, VIDEO):
            assert self.centre is not None
            incident.state = SCHEDULED
            self.centre.take(incident, response == VIDEO)
        else:
            assert response == NONE
            self.dispatcher.close(incident, RESOLVED)

    def video(self, incident: Incident) -> None:
        """A rapid video response of the video_interviews intervention: the resolution centre's
        video queue (attended by video when its call starts; reason ``rapid_video_response``)."""
        assert self.video_rule is not None
        self.give(incident, self.video_rule, diverted=False)

    def close_unreached(self, incident: Incident) -> None:
        """The stack closes a waiting incident whose caller could not be re-contacted."""
        self.dispatcher.withdraw(incident)
        self.dispatcher.close(incident, NOT_ATTENDED)

    # ---- the diary ---------------------------------------------------------------------------
    def _book(self, incident: Incident, missed: int) -> None:
        """Book the earliest free slot (``missed``: appointments this incident has missed so far)."""
        assert self.diary is not None
        now = self.clock.now
        start = self.diary.book(now)
        if incident.counted and not missed:  # the wait counts from the first booking
            self.appointment_wait[incident.kind].add((start - incident.time) / 60.0)
        incident.state = SCHEDULED
        self.clock.after(start - now, self._due, incident, missed)

    def _due(self, incident: Incident, missed: int) -> None:
        """The appointment starts: an officer is sent if one is free, or when one frees up within the grace time."""
        incident.give_up_at = math.inf
        self.dispatcher.dispatchable(incident)
        if incident.state == WAITING:
            assert self.config.diary is not None
            self.clock.after(self.config.diary.grace_minutes, self._late, incident, missed)

    def _late(self, incident: Incident, missed: int) -> None:
        """Nobody came within the grace time: the appointment is missed, rebooked and counted."""
        if incident.state != WAITING:  # an officer was sent
            return
        assert self.config.diary is not None
        self.dispatcher.withdraw(incident)
        missed += 1
        if incident.counted:
            self.stats.count(incident.kind, incident.grade, MISSED)
        if missed >= self.config.diary.max_missed:
            self.dispatcher.close(incident, NOT_ATTENDED)
        else:
            self._book(incident, missed)

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
            out[f"incidents.{name}.upgraded"] = float(self.stack.upgraded[kind]) if self.stack is not None else 0.0
            waits = self.appointment_wait[kind]
            out[f"appointment_wait_hours.{name}.mean"] = waits.mean()
            out[f"appointment_wait_hours.{name}.p90"] = waits.quantile(0.9)
            counts = self.decisions[kind]
            for response, reason in self._reasons(kind):
                out[f"responses.{name}.{RESPONSES[response]}.{reason}"] = float(
                    counts[self.reasons[(response, reason)]]
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

    def _rules(self) -> list[CompiledRule]:
        """Every rule that can decide a response: the default, the assessment's, the stack's."""
        divert = self.stack.divert if self.stack is not None else []
        video = [self.video_rule] if self.video_rule is not None else []
        return [self.assessment.default, *self.assessment.rules, *divert, *video]

    def _reasons(self, kind: int) -> list[tuple[int, str]]:
        """Every (response, reason) an incident of this type can be given: one metric each, always present."""
        pairs: list[tuple[int, str]] = []
        for rule in self._rules():
            if (rule.types is None or kind in rule.types) and (rule.response, rule.name) not in pairs:
                pairs.append((rule.response, rule.name))
        return pairs


def _rapid_video_rule(scenario: Scenario) -> CompiledRule | None:
    """The decision recorded for the video_interviews intervention's rapid video responses, when
    that response is on (they then go through the resolution centre)."""
    settings = scenario.interventions.section("video_interviews")
    rapid = getattr(settings, "rapid_response", None)
    if not settings.enabled or rapid is None or not rapid.enabled:
        return None
    rule = Rule(
        name="rapid_video_response", types=tuple(rapid.incident_types), grades=tuple(rapid.grades), response="video"
    )
    return compile_rules((rule,), scenario)[0]
