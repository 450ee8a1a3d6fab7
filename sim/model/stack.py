"""The stack: a periodic review of incidents waiting for an officer.

At each review, oldest first within each grade, a waiting incident that has waited at least
``recontact_after_hours`` since the call is re-contacted (success drawn per incident and attempt
by call number); after ``close_after_failed`` failed attempts it is closed as not attended. A
waiting incident not decided by a mandatory rule may then be diverted by the first ``divert``
rule that applies (to an appointment, telephone, video or no response). Kept incidents stay in
the queue; the grade's give-up timer still applies as one rule among these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.config.response import StackReview
from sim.config.schema import Scenario
from sim.model.assessment import APPOINTMENT, compile_rules
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
        self.recontact_after = config.recontact_after_hours * 60.0
        self.success = ByNumber(streams, "attendance.recontact", uniform, columns=RECONTACT_DRAWS)
        self.owner = owner
        self.closed = 0  # counted incidents closed after failed re-contacts

    def review(self) -> None:
        """One review of every waiting incident."""
        owner = self.owner
        dispatcher = owner.dispatcher
        now = dispatcher.clock.now
        for queue in dispatcher.queues:
            waiting = sorted(entry for entry in queue if entry[2].state == WAITING)
            for entry in waiting:
                incident: Incident = entry[2]
                decision = incident.decision
                if incident.state != WAITING or decision is None or decision.response == APPOINTMENT:
                    continue
                due = now - incident.time >= self.recontact_after
                if due and not self._reached(incident) and decision.failed >= self.config.close_after_failed:
                    owner.close_unreached(incident)
                    if incident.counted:
                        self.closed += 1
                    continue
                if decision.mandatory:
                    continue
                state = owner.state()
                for rule in self.divert:
                    if rule.covers(incident.kind, incident.grade, decision.risk) and rule.holds(incident.grade, state):
                        dispatcher.withdraw(incident)
                        owner.give(incident, rule.response, rule.name, diverted=True)
                        break

    def _reached(self, incident: Incident) -> bool:
        """One re-contact attempt; True if the caller was reached (or no draws are left)."""
        decision = incident.decision
        assert decision is not None
        if decision.attempts >= RECONTACT_DRAWS:
            return True
        u = self.success.row(incident.number)[decision.attempts]
        decision.attempts += 1
        if u < self.config.recontact_success:
            return True
        decision.failed += 1
        return False
