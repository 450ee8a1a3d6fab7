"""The assessment at grading: choose each incident's response by the first rule that applies.

Rules are read in the order written. A rule applies to an incident of its types, grades and
risk levels (empty: all); a discretionary rule also needs every condition it names to hold at
that moment: incidents of the incident's grade waiting, officers free, the earliest diary slot.
No rule applying means ``in_person`` (reason ``default``). The risk level is drawn per incident
by call number from its own stream, so it is the same in every scenario of one seed.

Which rules can apply to a (type, grade, risk level) never changes, so that is worked out once
(``RuleTable``); per incident only the conditions of the candidates are read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sim.config.response import RESPONSES, Attendance, Rule, Upgrade
from sim.config.schema import Scenario
from sim.model.draws import ByNumber, uniform
from sim.model.incident import Incident
from sim.model.streams import Streams

IN_PERSON, APPOINTMENT, TELEPHONE, VIDEO, NONE = (RESPONSES.index(r) for r in RESPONSES)
NO_RISK = -1
DEFAULT = Rule(name="default", response="in_person")  # the decision when no rule applies


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


class Match:
    """Which incidents a rule is about: its types, grades and risk levels as index sets (None: all)."""

    __slots__ = ("types", "grades", "risk")

    def __init__(self, rule: Rule | Upgrade, types: list[str], grades: list[str], risk_levels: list[str]) -> None:
        self.types = {types.index(t) for t in rule.types} or None
        self.grades = {grades.index(g) for g in rule.grades} or None
        self.risk = {risk_levels.index(r) for r in rule.risk} or None

    def covers(self, kind: int, grade: int, risk: int) -> bool:
        """Whether the rule is about this incident (before its conditions)."""
        return (
            (self.types is None or kind in self.types)
            and (self.grades is None or grade in self.grades)
            and (self.risk is None or risk in self.risk)
        )


class CompiledRule(Match):
    """A rule with its names turned into index sets, for quick matching."""

    __slots__ = (
        "rule",
        "name",
        "response",
        "mandatory",
        "conditional",
        "waiting_at_least",
        "free_officers_below",
        "slot_after_hours",
        "slot",
    )

    def __init__(self, rule: Rule, types: list[str], grades: list[str], risk_levels: list[str]) -> None:
        super().__init__(rule, types, grades, risk_levels)
        self.rule = rule
        self.name = rule.name
        self.response = RESPONSES.index(rule.response)
        self.mandatory = rule.mandatory
        self.conditional = rule.conditional()
        self.waiting_at_least = rule.waiting_at_least
        self.free_officers_below = rule.free_officers_below
        self.slot_after_hours = rule.slot_after_hours
        self.slot = -1  # where its decisions are counted (set by the owner of the tallies)

    def holds(self, grade: int, state: State) -> bool:
        """Whether every condition the rule names holds now."""
        if self.waiting_at_least is not None and state.waiting(grade) < self.waiting_at_least:
            return False
        if self.free_officers_below is not None and state.free_officers() >= self.free_officers_below:
            return False
        return self.slot_after_hours is None or state.earliest_slot_hours() > self.slot_after_hours


def risk_levels(scenario: Scenario) -> list[str]:
    """The scenario's risk levels, in the order of ``attendance.risk.shares``."""
    config = scenario.attendance
    return list(config.risk.shares) if config is not None and config.risk is not None else []


def compile_rules(rules: tuple[Rule, ...], scenario: Scenario) -> list[CompiledRule]:
    """Rules of the config, with names resolved against the scenario."""
    levels = risk_levels(scenario)
    return [CompiledRule(rule, list(scenario.incident_types), scenario.grade_order(), levels) for rule in rules]


class RuleTable:
    """The rules that can apply to each (type, grade, risk level), in order, found once.

    A list stops at its first rule without conditions: that one always applies, so no later
    rule is ever read. ``table[kind][grade][risk + 1]`` (risk ``NO_RISK`` is column 0).
    """

    def __init__(self, rules: list[CompiledRule], scenario: Scenario) -> None:
        levels = len(risk_levels(scenario))
        self.table = [
            [
                [_until_unconditional(r for r in rules if r.covers(kind, grade, risk)) for risk in range(-1, levels)]
                for grade in range(len(scenario.grades))
            ]
            for kind in range(len(scenario.incident_types))
        ]

    def first(self, kind: int, grade: int, risk: int, state: State) -> CompiledRule | None:
        """The first rule that applies now, or None."""
        for rule in self.table[kind][grade][risk + 1]:
            if not rule.conditional or rule.holds(grade, state):
                return rule
        return None


def _until_unconditional(rules: Iterable[CompiledRule]) -> tuple[CompiledRule, ...]:
    out: list[CompiledRule] = []
    for rule in rules:
        out.append(rule)
        if not rule.conditional:
            break
    return tuple(out)


class Assessment:
    """Draws each incident's risk level and chooses its response."""

    def __init__(self, config: Attendance, scenario: Scenario, streams: Streams) -> None:
        types = list(scenario.incident_types)
        self.rules = compile_rules(config.rules, scenario)
        self.default = compile_rules((DEFAULT,), scenario)[0]
        self.table = RuleTable([*self.rules, self.default], scenario)
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
        if not self.assessed[incident.kind] or self.risk_draws is None:
            return NO_RISK
        u = self.risk_draws.draw(incident.number)
        for level, bound in enumerate(self.cumulative):
            if u < bound:
                return level
        return len(self.cumulative) - 1

    def choose(self, incident: Incident, risk: int, state: State) -> CompiledRule:
        """The first rule that applies now (``default``, in person, when none does)."""
        rule = self.table.first(incident.kind, incident.grade, risk, state)
        assert rule is not None  # the default covers every incident and has no conditions
        return rule
