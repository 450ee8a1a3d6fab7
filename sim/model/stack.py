"""The stack: a periodic review of incidents waiting for an officer.

At each review, oldest first within each grade, a waiting incident that has waited at least
``recontact_after_hours`` since the call is re-contacted (success drawn per incident and attempt
by call number); after ``close_after_failed`` failed attempts it is closed as not attended. A
waiting incident not decided by a mandatory rule may then be diverted by the first ``divert``
rule that applies (to an appointment, telephone, video or no response). Kept incidents stay in
the queue; the grade's give-up timer still applies as one rule among these.

A review reads only what can change: a grade with nobody waiting is skipped, and while no
divert rule of the grade holds, only the incidents due for re-contact (the oldest) are read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.config.response import StackReview
from sim.config.schema import Scenario
from sim.model.assessment import APPOINTMENT, NO_RISK, RuleTable, compile_rules
from sim.model.draws import ByNumber, uniform
from sim.model.incident import WAITING, Incident
from sim.model.streams import Streams

if TYPE_CHECKING:
    from sim.model.attendance import Attendance

RECONTACT_DRAWS = 32  # re-contact attempts drawn per incident; an incident is not re-contacted more often


class Stack:
    """Reviews the dispatch queues for the attendance decisions in ``owner``."""

    def __init__(self, config: StackReview, scenario: Scenario, streams: Streams, owner: Attendance) -> None:
        self.config = config
        self.divert = compile_rules(config.divert, scenario)
        self.table = RuleTable(self.divert, scenario)
        self.by_grade = [
            [rule for rule in self.divert if rule.grades is None or grade in rule.grades]
            for grade in range(len(scenario.grades))
        ]
        self.recontact_after = config.recontact_after_hours * 60.0
        self.success = ByNumber(streams, "attendance.recontact", uniform, columns=RECONTACT_DRAWS)
        self.owner = owner
        self.closed = 0  # counted incidents closed after failed re-contacts
        self.tries: dict[int, list[int]] = {}  # call number -> [attempts, failed attempts], once re-contacted

    def review(self) -> None:
        """One review of every waiting incident, most urgent grade first, oldest first in a grade."""
        dispatcher = self.owner.dispatcher
        for grade, queue in enumerate(dispatcher.queues):
            if dispatcher.waiting[grade]:
                self._review_grade(grade, queue)

    def _review_grade(self, grade: int, queue: list) -> None:
        """Re-contact the due, divert while a rule holds.

        Only a divert can make a rule hold that did not (an appointment moves the earliest slot);
        re-contacts only close. So while no rule of the grade holds none ever will in this pass,
        and past the due incidents (a prefix, oldest first) nothing more can happen."""
        owner = self.owner
        now = owner.clock.now
        after = self.recontact_after
        live = self._live(grade)
        if live:
            entries = sorted(entry for entry in queue if entry[2].state == WAITING)
        else:
            entries = sorted(entry for entry in queue if now - entry[0] >= after and entry[2].state == WAITING)
        for entry in entries:
            incident: Incident = entry[2]
            due = now - incident.time >= after
            if not (due or live):
                break
            rule = incident.decision
            if incident.state != WAITING or rule is None or rule.response == APPOINTMENT:
                continue
            if due and not self._reached(incident):
                owner.close_unreached(incident)
                if incident.counted:
                    self.closed += 1
                continue
            if not live or rule.mandatory:
                continue
            kind = incident.kind
            risk = owner.assessment.risk(incident) if owner.assessment.assessed[kind] else NO_RISK
            divert = self.table.first(kind, grade, risk, owner)
            if divert is not None:
                self.tries.pop(incident.number, None)
                owner.dispatcher.withdraw(incident)
                owner.give(incident, divert, diverted=True)
                live = self._live(grade)

    def _live(self, grade: int) -> bool:
        """Whether some divert rule for ``grade`` holds now."""
        owner = self.owner
        return any(not rule.conditional or rule.holds(grade, owner) for rule in self.by_grade[grade])

    def _reached(self, incident: Incident) -> bool:
        """One re-contact attempt: False when it fails and the failures reach ``close_after_failed``.

        True when the caller is reached, or no draws are left."""
        tries = self.tries.setdefault(incident.number, [0, 0])  # attempts, failed attempts
        attempts, failed = tries
        if attempts >= RECONTACT_DRAWS:
            return True
        tries[0] = attempts + 1
        if self.success.draw(incident.number, attempts) < self.config.recontact_success:
            return True
        tries[1] = failed = failed + 1
        if failed < self.config.close_after_failed:
            return True
        del self.tries[incident.number]  # closed
        return False
