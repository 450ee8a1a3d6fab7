"""One replication: ``simulate(scenario, seed) -> RunResult``, a pure function of its inputs.

Wires demand, the contact centre, dispatch and the roster onto one SimPy clock, runs to the
horizon (or until a queue runs away), and turns the statistics into flat metrics.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from sim.config.schema import Scenario
from sim.model.arrivals import Arrivals
from sim.model.attendance import Attendance
from sim.model.contact import ContactCentre
from sim.model.demand import DemandGenerator
from sim.model.dispatch import NOT_ATTENDED, Dispatcher
from sim.model.duties import DutiesInModel
from sim.model.engine import Clock, long_lived_objects_set_aside
from sim.model.geography import Map
from sim.model.incident import Incident
from sim.model.interventions.rcrp import RightCareRightPerson
from sim.model.interventions.runner import Interventions
from sim.model.metrics import collect_metrics
from sim.model.officers import DESK, OFF, STATE_NAMES, Duty, build_officers, heads
from sim.model.reallocation import officers_moved
from sim.model.replay import TIME as LOG_TIME
from sim.model.replay import IncidentLog, read_log, with_log_types
from sim.model.roster import Roster
from sim.model.sinks import build_sinks
from sim.model.stats import Stats
from sim.model.streams import Streams, replication_seed
from sim.model.work import charge_desk_time

RECORD_COLUMNS = ("number", "type", "grade", "channel", "call_minute", "queued_minute", "arrived_minute", "outcome")
OVERLOAD_CHECK_MINUTES = 60.0  # how often a runaway queue is looked for: a model constant, not an output setting


@dataclass
class RunResult:
    """What one replication measured: flat metrics, plus records and a time series on request."""

    metrics: dict[str, float]
    seed: dict[str, Any]
    overload: dict[str, Any] | None
    events: int
    calls: int
    wall_seconds: float
    records: pd.DataFrame | None = None
    timeseries: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def simulate(
    scenario: Scenario,
    seed: int | np.random.SeedSequence,
    *,
    records: bool = False,
    timeseries: bool = False,
    allow_overload: bool = False,
    progress: Callable[[float], None] | None = None,
) -> RunResult:
    """Run one replication of ``scenario``; an int seed means replication 0 of that seed.

    ``progress(day)``, if given, is called once per simulated day with the days done; it
    changes nothing the model computes.
    """
    sequence = seed if isinstance(seed, np.random.SeedSequence) else replication_seed(int(seed), 0)
    model = Model(scenario, sequence, records=records, timeseries=timeseries, allow_overload=allow_overload)
    return model.run(progress)


class Model:
    """The wired model of one replication; use ``simulate`` rather than this class directly."""

    def __init__(
        self,
        scenario: Scenario,
        sequence: np.random.SeedSequence,
        *,
        records: bool,
        timeseries: bool,
        allow_overload: bool,
    ) -> None:
        self.log: IncidentLog | None = read_log(scenario) if scenario.replay is not None else None
        if self.log is not None:
            scenario = with_log_types(scenario, self.log)
        self.scenario = scenario
        self.sequence = sequence
        self.allow_overload = allow_overload
        self.clock = Clock()
        self.streams = Streams(sequence)
        self.horizon = scenario.horizon_days * 1440.0
        self.warmup = scenario.warmup_days * 1440.0
        self.grade_names = scenario.grade_order()
        self.type_names = list(scenario.incident_types)
        self.stats = Stats(self.warmup, self.horizon, self.type_names, self.grade_names)
        self.demand = DemandGenerator(scenario, self.streams)
        self.map = Map(scenario.geography, scenario.workforce) if scenario.geography else None
        moved = officers_moved(scenario, self.streams)  # 0 unless duties.investigation reallocates
        workforce = scenario.workforce
        if moved:
            workforce = workforce.model_copy(update={"response_officers": workforce.response_officers + moved})
        self.officers = build_officers(workforce, with_places=self.map is not None)
        self.duty = Duty(self.clock, self.stats)
        self.records: list | None = [] if records else None
        self.dispatcher = Dispatcher(self.clock, scenario, self.stats, self.duty, self.map, self.records)
        self.interventions = Interventions(scenario, self.streams, self.stats, self.map, self.dispatcher)
        # where every graded incident goes: through the interventions' remote responses if any
        self.submit: Callable[[Incident], None] = (
            self._respond_then_submit if self.interventions.responders else self.dispatcher.submit
        )
        self.attendance = (
            Attendance(scenario.attendance, scenario, self.clock, self.stats, self.streams, self.dispatcher)
            if scenario.attendance is not None
            else None
        )
        self.sinks = build_sinks(scenario, self.clock, self.stats, self.dispatcher, self.map, self.streams)
        self.dispatcher.sinks = self.sinks
        rcrp = scenario.sinks.right_care_right_person if scenario.sinks is not None else None
        self.rcrp = RightCareRightPerson(rcrp, self.type_names, self.streams) if rcrp and rcrp.enabled else None
        if self.rcrp is not None:  # health services take their share before any response is decided
            self.submit = self.rcrp.wrap(self.dispatcher, self.submit)
        self.contact = (
            ContactCentre(self.clock, scenario.contact, self.stats, self.submit, self._lost)
            if scenario.contact is not None
            else None
        )
        self.arrivals = Arrivals(
            self.clock,
            self.demand,
            self.interventions,
            self.contact,
            self.submit,
            self.stats,
            self.map,
            self.log,
            self.horizon,
        )
        self.roster = Roster(
            self.clock,
            workforce,
            self.officers,
            self.dispatcher,
            self.stats,
            self.streams.get("abstraction"),
            self.horizon,
        )
        pool = scenario.duties.investigation if scenario.duties is not None else None
        self.duties = DutiesInModel(self, pool.officers - moved if pool else 0) if scenario.duties else None
        self.series: list[list[float]] | None = [] if timeseries else None
        self.overload: dict[str, Any] | None = None
        self.stop = self.clock.event()

    def _respond_then_submit(self, incident: Incident) -> None:
        """A graded incident on its way to dispatch: a remote response (video, drone) may attend it first."""
        if not self.interventions.respond(incident, self.clock.now):
            self.dispatcher.submit(incident)

    def _lost(self, incident: Incident) -> None:
        self.dispatcher.close(incident, NOT_ATTENDED, graded=False)

    def run(self, progress: Callable[[float], None] | None = None) -> RunResult:
        started = time.perf_counter()
        clock = self.clock
        clock.process(self.roster.process())
        if self.series is not None and self.contact is not None:
            self.contact.watch(self.scenario.output.timeseries_bin_minutes)
        self.arrivals.start()
        self.clock.after(self.horizon, self._finish_line)
        clock.after(0.0, self._check_overload)
        if self.series is not None:
            clock.after(0.0, self._sample)
        if progress is not None:
            clock.process(self._days(progress))
        with long_lived_objects_set_aside():
            clock.run(until=self.stop)
        end = clock.now
        self.stats.end = min(self.stats.end, end)
        self._settle(end)
        metrics = collect_metrics(self.scenario, self.stats, self.officers, self.overload)
        metrics.update(self.interventions.metrics())
        if self.attendance is not None:
            metrics.update(self.attendance.metrics(metrics))
        for extra in (self.duties, self.sinks, self.rcrp):  # optional sections: their own keys
            if extra is not None:
                metrics.update(extra.metrics())
        warnings = self._warnings(metrics)
        return RunResult(
            metrics=metrics,
            seed={"entropy": int(cast(int, self.sequence.entropy)), "spawn_key": list(self.sequence.spawn_key)},
            overload=self.overload,
            events=self.clock.events,
            calls=self.arrivals.calls + (self.contact.background_calls if self.contact is not None else 0),
            wall_seconds=time.perf_counter() - started,
            records=self._records_frame(),
            timeseries=self._series_frame(),
            extra={"warnings": warnings} if warnings else {},
        )

    def _days(self, progress: Callable[[float], None]) -> Generator[Any, Any, None]:
        """Report each simulated day: a SimPy process (not a clock callback, so the event count
        is untouched) that reads no model state, so results are the same with or without it."""
        while True:
            yield self.clock.timeout(1440.0)
            progress(self.clock.now / 1440.0)

    def _warnings(self, metrics: dict[str, float]) -> list[str]:
        """What the user of this run should know: the replayed log's notes, and replayed incidents left open."""
        if self.log is None:
            return []
        notes = list(self.log.notes)
        late = sum(row[LOG_TIME] >= self.horizon for row in self.log.rows)
        if late:
            notes.append(
                f"{late} replayed incidents come after the horizon (day {self.horizon / 1440.0:g}) and were not run"
            )
        still_open = sum(metrics[f"incidents.{name}.open_at_end"] for name in self.type_names)
        if still_open:
            notes.append(
                f"{still_open:.0f} replayed incidents were still open when the run ended at day "
                f"{self.stats.end / 1440.0:g}; within-target shares leave them out (lengthen horizon_days)"
            )
        return notes

    def _finish_line(self) -> None:
        if not self.stop.triggered:
            self.stop.succeed()

    # ---- monitoring ------------------------------------------------------------------------------
    def _check_overload(self) -> None:
        """Every ``OVERLOAD_CHECK_MINUTES``: stop (or flag) a run that cannot keep up, judged on its own
        scale: an incident waiting many times its grade's target, many incidents waiting per officer,
        or a follow-up backlog of many hours per officer (limits in ``dispatch``)."""
        if self.overload is None:
            found = self._overload_reason()
            if found is not None:
                self._overloaded(*found)
        self.clock.after(OVERLOAD_CHECK_MINUTES, self._check_overload)

    def _overload_reason(self) -> tuple[str, str] | None:
        """Why the run is overloaded now (the reason and the grade, or ``followup``), if it is."""
        dispatch = self.dispatcher
        limits = self.scenario.dispatch
        officers = len(self.officers)
        for grade, name in enumerate(self.grade_names):
            target = dispatch.target[grade]
            waited = dispatch.longest_wait(grade) if dispatch.waiting[grade] else 0.0
            if waited > limits.overload_wait_multiple * target:
                return (
                    f"a {name} incident has waited {waited / 60.0:.1f} h, over {limits.overload_wait_multiple:g} "
                    f"times its {target:g} min target",
                    name,
                )
        waiting = sum(dispatch.waiting)
        if waiting > limits.max_waiting_per_officer * officers or waiting > limits.max_waiting_incidents:
            worst = max(range(len(self.grade_names)), key=lambda g: dispatch.waiting[g])
            return (
                f"{waiting} incidents waiting for {officers} officers (limits {limits.max_waiting_per_officer:g} "
                f"per officer, {limits.max_waiting_incidents} in all)",
                self.grade_names[worst],
            )
        per_officer = dispatch.backlog_minutes / 60.0 / officers
        if per_officer > limits.max_backlog_hours_per_officer:
            return (
                f"follow-up backlog {per_officer:.0f} h per officer (limit {limits.max_backlog_hours_per_officer:g})",
                "followup",
            )
        return None

    def _sample(self) -> None:
        """Every time-series bin (only when a time series was asked for): one row of the state."""
        assert self.series is not None
        dispatch = self.dispatcher
        calls = self.contact.waiting_now() if self.contact is not None else (0, 0)
        self.series.append(
            [self.clock.now / 60.0, *dispatch.waiting, *calls, *heads(self.officers), dispatch.backlog_minutes / 60.0]
        )
        self.clock.after(self.scenario.output.timeseries_bin_minutes, self._sample)

    def _overloaded(self, reason: str, grade: str) -> None:
        day = self.clock.now / 1440.0
        self.overload = {
            "detected_day": round(day, 3),
            "grade": grade,
            "reason": reason,
            "stopped": not self.allow_overload,
        }
        if not self.allow_overload and not self.stop.triggered:
            self.stop.succeed()

    # ---- end of run ------------------------------------------------------------------------------
    def _settle(self, end: float) -> None:
        """Charge every officer's current activity up to the end and close the integrals."""
        stats = self.stats
        if self.contact is not None:
            self.contact.settle(end)
        self.arrivals.settle(end)
        for officer in self.officers:
            if officer.state < DESK:
                stats.add_activity(officer.state, officer.since, end)
            elif officer.state == DESK:
                self.dispatcher.backlog_minutes -= charge_desk_time(
                    officer, officer.since, end - officer.since, stats, finished=False
                )
            if officer.state != OFF and officer.ending:
                stats.overtime_minutes += stats.overlap(officer.shift_end, end)
        self.dispatcher.settle_queue_area()
        for part in (self.sinks, self.duties):
            if part is not None:
                part.settle(end)

    def _records_frame(self) -> pd.DataFrame | None:
        if self.records is None:
            return None
        frame = pd.DataFrame(self.records, columns=list(RECORD_COLUMNS))
        frame["type"] = [self.type_names[k] for k in frame["type"]]
        frame["grade"] = [self.grade_names[g] for g in frame["grade"]]
        frame["response_minutes"] = frame["arrived_minute"] - frame["call_minute"]
        if self.attendance is not None and self.attendance.response_of is not None:
            decided = self.attendance.response_of
            frame["response"] = [decided.get(n, ("none", "not_assessed"))[0] for n in frame["number"]]
            frame["response_reason"] = [decided.get(n, ("none", "not_assessed"))[1] for n in frame["number"]]
        return frame

    def _series_frame(self) -> pd.DataFrame | None:
        if self.series is None:
            return None
        columns = [
            "hour",
            *(f"waiting_{g}" for g in self.grade_names),
            "calls_waiting_999",
            "calls_waiting_101",
            *(f"officers_{s}" for s in STATE_NAMES),
            "backlog_hours",
        ]
        return pd.DataFrame(self.series, columns=columns)
