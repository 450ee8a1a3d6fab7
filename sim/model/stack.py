"""The stack: a periodic review of incidents waiting for an officer.

At each review, oldest first within each grade, a waiting incident that has waited at least
``recontact_after_hours`` since the call is re-contacted (success drawn per incident and attempt
by call number); after ``close_after_failed`` failed attempts it is closed as not attended. It
may then be raised to a more urgent grade by the first ``upgrade`` that applies (drawn per
incident and review by call number), moving to that grade's queue. A waiting incident not
raised and not decided by a mandatory rule may then be diverted by the first ``divert`` rule that
applies (to an appointment, telephone, video or no response). Kept incidents stay in the queue;
the give-up timer set when it was queued still applies as one rule among these. Incidents
waiting for an appointment are left alone.

A review reads only what can change: a grade with nobody waiting is skipped, and while no
divert rule of the grade holds, only the incidents that have waited long enough to be
re-contacted or raised (the oldest) are read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.config.response import StackReview, Upgrade
from sim.config.schema import Scenario
from sim.model.assessment import APPOINTMENT, NO_RISK, Match, RuleTable, compile_rules, risk_levels
from sim.model.draws import ByNumber, uniform
from sim.model.incident import WAITING, Incident
from sim.model.streams import Streams

if TYPE_CHECKING:
    from sim.model.attendance import Attendance

RECONTACT_DRAWS = 32  # re-contact attempts drawn per incident; an incident is not re-contacted more often
UPGRADE_DRAWS = 64  # upgrade draws per incident; an incident is not offered an upgrade more often


class CompiledUpgrade(Match):
    """An upgrade with its names turned into indices."""

    __slots__ = ("name", "to_grade", "after", "probability")

    def __init__(self, upgrade: Upgrade, scenario: Scenario) -> None:
        grades = scenario.grade_order()
        to_grade = grades.index(upgrade.to_grade)
        if not upgrade.grades:  # every deployed grade less urgent than to_grade
            less = tuple(g for g in grades[to_grade + 1 :] if scenario.grades[g].deploy)
            upgrade = upgrade.model_copy(update={"grades": less})
        super().__init__(upgrade, list(scenario.incident_types), grades, risk_levels(scenario))
        self.name = upgrade.name
        self.to_grade = to_grade
        self.after = upgrade.waited_at_least_hours * 60.0
        self.probability = upgrade.probability


class Stack:
    """Reviews the dispatch queues for the attendance decisions in ``owner``."""

    def __init__(self, config: StackReview, scenario: Scenario, streams: Streams, owner: Attendance) -> None:
        self.config = config
        self.divert = compile_rules(config.divert, scenario)
        self.table = RuleTable(self.divert, scenario)
        self.grades = range(len(scenario.grades))
        self.by_grade = [
            [rule for rule in self.divert if rule.grades is None or grade in rule.grades] for grade in self.grades
        ]
        self.recontact_after = config.recontact_after_hours * 60.0
        self.success = ByNumber(streams, "attendance.recontact", uniform, columns=RECONTACT_DRAWS)
        upgrades = [CompiledUpgrade(upgrade, scenario) for upgrade in config.upgrade]
        self.upgrades = [[u for u in upgrades if u.grades is None or grade in u.grades] for grade in self.grades]
        self.upgrade_draws = ByNumber(streams, "attendance.upgrade", uniform, columns=UPGRADE_DRAWS)
        self.offered: dict[int, int] = {}  # call number -> upgrade draws used
        self.upgraded = [0] * len(scenario.incident_types)  # upgrades of counted incidents, by type
        # the shortest wait after which a review does more than divert, by grade
        self.horizon = [min([self.recontact_after, *(u.after for u in here)]) for here in self.upgrades]
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
        horizon = self.horizon[grade]
        upgrades = self.upgrades[grade]
        live = self._live(grade)
        # waiting incidents by their live queue entry only (sim.model.dispatch: an older one is stale);
        # with no rule live, only those past the horizon can be acted on
        entries = sorted(
            entry
            for entry in queue
            if (live or now - entry[0] >= horizon) and entry[1] == entry[2].entry and entry[2].state == WAITING
        )
        for entry in entries:
            incident: Incident = entry[2]
            waited = now - incident.time
            if not (live or waited >= horizon):
                break
            rule = incident.decision
            if incident.state != WAITING or rule is None or rule.response == APPOINTMENT:
                continue
            if waited >= after and not self._reached(incident):
                owner.close_unreached(incident)
                if incident.counted:
                    self.closed += 1
                continue
            if upgrades and self._upgraded(incident, waited, upgrades):
                live = live and self._live(grade)
                continue
            if not live or rule.mandatory:
                continue
            divert = self.table.first(incident.kind, grade, self._risk(incident), owner)
            if divert is not None:
                self.tries.pop(incident.number, None)
                owner.dispatcher.withdraw(incident)
                owner.give(incident, divert, diverted=True)
                live = self._live(grade)

    def _risk(self, incident: Incident) -> int:
        assessment = self.owner.assessment
        return assessment.risk(incident) if assessment.assessed[incident.kind] else NO_RISK

    def _upgraded(self, incident: Incident, waited: float, upgrades: list[CompiledUpgrade]) -> bool:
        """Offer the first upgrade that applies (one draw); True if the incident was raised."""
        risk = self._risk(incident)
        for upgrade in upgrades:
            if waited >= upgrade.after and upgrade.covers(incident.kind, incident.grade, risk):
                used = self.offered.get(incident.number, 0)
                if used >= UPGRADE_DRAWS:
                    return False
                self.offered[incident.number] = used + 1
                if self.upgrade_draws.draw(incident.number, used) >= upgrade.probability:
                    return False
                if incident.counted:
                    self.upgraded[incident.kind] += 1
                self._raise(incident, upgrade.to_grade)
                return True
        return False

    def _raise(self, incident: Incident, grade: int) -> None:
        """Move a waiting incident to a more urgent grade: into that grade's queue as a new entry
        (the old one goes stale), where an officer is sent at once if one can go. Its call time and
        give-up time stay; it counts under that grade."""
        dispatcher = self.owner.dispatcher
        dispatcher.withdraw(incident)
        if incident.counted:
            dispatcher.stats.regrade(incident.grade, grade)
        incident.grade = grade
        dispatcher.dispatchable(incident)

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
