"""The assessment at grading: choose each incident's response by the first rule that applies.

Rules are read in the order written. A rule applies to an incident of its types, grades and
risk levels (empty: all); a discretionary rule also needs every condition it names to hold at
that moment: incidents of the incident's grade waiting, officers free, the earliest diary slot.
No rule applying means ``in_person`` (reason ``default``). The risk level is drawn per incident
by call number from its own stream, so it is the same in every scenario of one seed.
"""

from __future__ import annotations

from typing import Protocol

from sim.config.response import RESPONSES, Attendance, Rule
from sim.config.schema import Scenario
from sim.model.draws import ByNumber, uniform
from sim.model.incident import Incident
from sim.model.streams import Streams

IN_PERSON, APPOINTMENT, TELEPHONE, VIDEO, NONE = (RESPONSES.index(r) for r in RESPONSES)
NO_RISK = -1


class State(Protocol):
    """What a discretionary rule may read when it is applied (read live, when asked)."""

    def waiting(self, grade: int) -> int:
        """Incidents of ``grade`` waiting for an officer."""
        ...

    def free_officers(self) -> int:
        """Officers free now."""
        ...

    def earliest_slot_hours(self) -> float:
        """Hours from now to the earliest free appointment slot (inf: no diary)."""
        ...


class CompiledRule:
    """A rule with its names turned into index sets, for quick matching."""

    def __init__(self, rule: Rule, types: list[str], grades: list[str], risk_levels: list[str]) -> None:
        self.rule = rule
        self.name = rule.name
        self.response = RESPONSES.index(rule.response)
        self.mandatory = rule.mandatory
        self.conditional = rule.conditional()
        self.types = {types.index(t) for t in rule.types} or None
        self.grades = {grades.index(g) for g in rule.grades} or None
        self.risk = {risk_levels.index(r) for r in rule.risk} or None
        self.any_risk = next(iter(self.risk)) if self.risk else NO_RISK  # a level the rule covers

    def covers(self, kind: int, grade: int, risk: int) -> bool:
        """Whether the rule is about this incident (before its conditions)."""
        return (
            (self.types is None or kind in self.types)
            and (self.grades is None or grade in self.grades)
            and (self.risk is None or risk in self.risk)
        )

    def holds(self, grade: int, state: State) -> bool:
        """Whether every condition the rule names holds now."""
        rule = self.rule
        if rule.waiting_at_least is not None and state.waiting(grade) < rule.waiting_at_least:
            return False
        if rule.free_officers_below is not None and state.free_officers() >= rule.free_officers_below:
            return False
        return rule.slot_after_hours is None or state.earliest_slot_hours() > rule.slot_after_hours


def compile_rules(rules: tuple[Rule, ...], scenario: Scenario) -> list[CompiledRule]:
    """Rules of the config, with names resolved against the scenario."""
    config = scenario.attendance
    levels = list(config.risk.shares) if config is not None and config.risk is not None else []
    return [CompiledRule(rule, list(scenario.incident_types), scenario.grade_order(), levels) for rule in rules]


class Assessment:
    """Draws each incident's risk level and chooses its response."""

    def __init__(self, config: Attendance, scenario: Scenario, streams: Streams) -> None:
        self.rules = compile_rules(config.rules, scenario)
        types = list(scenario.incident_types)
        grades = range(len(scenario.grades))
        # The rules that can apply, by type and grade: the search per incident skips the rest.
        self.candidates = [
            [[r for r in self.rules if r.covers(kind, grade, r.any_risk)] for grade in grades]
            for kind in range(len(types))
        ]
        self.risk_draws = ByNumber(streams, "attendance.risk", uniform) if config.risk is not None else None
        self.assessed = [False] * len(types)
        self.cumulative: list[float] = []
        if config.risk is not None:
            for kind in config.risk.types:
                self.assessed[types.index(kind)] = True
            total = 0.0
            for share in config.risk.shares.values():
                total += share
                self.cumulative.append(total)

    def risk(self, incident: Incident) -> int:
        """The incident's risk level (an index into ``risk.shares``), or NO_RISK for types not assessed."""
        if self.risk_draws is None or not self.assessed[incident.kind]:
            return NO_RISK
        u = self.risk_draws.one(incident.number)
        for level, bound in enumerate(self.cumulative):
            if u < bound:
                return level
        return len(self.cumulative) - 1

    def choose(self, incident: Incident, risk: int, state: State) -> CompiledRule | None:
        """The first rule that applies now (None: in person by default)."""
        for rule in self.rules:
            if rule.covers(incident.kind, incident.grade, risk) and (
                not rule.conditional or rule.holds(incident.grade, state)
            ):
                return rule
        return None
