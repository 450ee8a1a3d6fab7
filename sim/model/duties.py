"""Wires the optional ``duties`` section into one replication: court, proactive work, crewing and
the investigation pool, each hooked where the dispatcher and roster leave room for it.

``Handover`` decides where an attendance's follow-up goes: the investigation pool's tasks to its
queue, the rest to the attending officer's backlog, and a court date perhaps for the officer.
Officer hours and backlogs are reported per pool: ``pools.response.*`` (the response officers,
whose hours are ``officer_hours.*``) and ``pools.investigation.*``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.config.schema import TASKS, Scenario
from sim.model import work
from sim.model.court import CourtDates
from sim.model.crewing import CrewPolicy
from sim.model.dispatch import Dispatcher
from sim.model.incident import Incident
from sim.model.officers import Officer
from sim.model.pools import InvestigationPool, routing_table
from sim.model.proactive import ProactiveWork
from sim.model.stats import Stats

if TYPE_CHECKING:
    from sim.model.replication import Model

CASE_FILE = TASKS.index("case_file")


class Handover:
    """Where the follow-up of an attendance goes, when its lead officer leaves the scene."""

    def __init__(
        self, scenario: Scenario, dispatcher: Dispatcher, pool: InvestigationPool | None, court: CourtDates | None
    ) -> None:
        self.dispatcher = dispatcher
        self.pool = pool
        self.court = court
        # By type and grade: the tasks (in task order) the pool takes over; empty without a pool.
        table = routing_table(scenario)
        self.routed = [[np.flatnonzero(tasks).tolist() for tasks in by_grade] for by_grade in table]

    def __call__(self, officer: Officer, incident: Incident) -> None:
        followup = incident.followup
        assert followup is not None
        if self.court is not None and followup[CASE_FILE] > 0.0:
            self.court.case_file(officer)
        routed = self.routed[incident.kind][incident.grade]
        if routed and self.pool is not None:
            kept = list(followup)
            for task in routed:
                minutes = followup[task]
                kept[task] = 0.0
                if minutes > 0.0:
                    self.pool.add(task, minutes)
            followup = kept
        self.dispatcher.backlog_minutes += work.add_followup(officer, followup)


class DutiesInModel:
    """The duties of one replication, hooked into its dispatcher and roster."""

    def __init__(self, model: Model, investigators: int) -> None:
        scenario = model.scenario
        duties = scenario.duties
        assert duties is not None
        dispatcher = model.dispatcher
        streams = model.streams
        self.pool: InvestigationPool | None = None
        self.court: CourtDates | None = None
        if duties.crewing is not None:
            dispatcher.crewing = CrewPolicy(scenario.workforce, duties.crewing).crew
        if duties.proactive is not None:
            proactive = ProactiveWork(
                duties.proactive,
                model.grade_names,
                dispatcher.interrupts,
                model.clock,
                model.duty,
                streams.get("proactive.choice"),
                streams.get("proactive.spell"),
                len(dispatcher.free),
            )
            proactive.on_end = dispatcher.officer_free
            dispatcher.proactive = proactive
        if duties.court is not None:
            self.court = CourtDates(
                duties.court,
                model.clock,
                model.duty,
                streams.get("court.share"),
                streams.get("court.days"),
                streams.get("court.hours"),
            )
            self.court.on_end = dispatcher.officer_free
            self.court.counted_from = model.warmup
            model.roster.court = self.court
        if duties.investigation is not None:
            stats = Stats(model.warmup, model.horizon, [], [])
            rng = streams.get("investigation.abstraction")
            self.pool = InvestigationPool(duties.investigation, investigators, model.clock, stats, rng, model.horizon)
        if self.pool is not None or self.court is not None:
            dispatcher.handover = Handover(scenario, dispatcher, self.pool, self.court)

    def settle(self, end: float) -> None:
        """Close the investigation pool's time at the end of the run."""
        if self.pool is not None:
            self.pool.stats.end = min(self.pool.stats.end, end)
            self.pool.settle(end)

    def metrics(self) -> dict[str, float]:
        """``pools.investigation.*`` and ``court.*`` tallies."""
        out = self.pool.metrics() if self.pool is not None else {}
        if self.court is not None:
            out["court.appearances"] = float(self.court.appearances)
            out["court.dates_pending"] = float(self.court.pending())
        return out
