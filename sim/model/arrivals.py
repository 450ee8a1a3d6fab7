"""Arrivals: each week's calls, drawn (or replayed), handed on as the week begins.

Calls about incidents become ``Incident``s. They go to the contact centre, or straight to
dispatch at their minute (calls made directly to the police, as in a replayed log, or every
call where the force has no contact centre). Calls that need no police go to the contact centre
only, where they take handlers' time.

A week's calls are handed on at the week's first minute, before anything else happens then, and
the contact centre is worked out to the week's end (``sim.model.handlers``): nothing on the clock
can read a centre that is not yet worked out. Calls keep their number in block order (1, 2, ...
across the run); an incident counts as generated once it is handed on, if it comes before the end.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import numpy as np

from sim.model.contact import ContactCentre
from sim.model.demand import CHANNEL_DIRECT, MINUTES_PER_WEEK, DemandGenerator
from sim.model.engine import Clock
from sim.model.geography import Map
from sim.model.incident import CALL_FIELDS, CallBlock, Incident
from sim.model.interventions.runner import Interventions
from sim.model.replay import IncidentLog, log_block
from sim.model.stats import OUTCOMES, Stats

GENERATED = OUTCOMES.index("generated")
# How far ahead of the clock the contact centre is worked out: a short step keeps the clock's
# queue short (it holds each planned incident's arrival at dispatch); a week is a whole number of steps.
STEP_MINUTES = 240.0
STEPS_PER_WEEK = round(MINUTES_PER_WEEK / STEP_MINUTES)


class Arrivals:
    """Hands each week's calls to the contact centre (planned to the week's end) or to dispatch."""

    def __init__(
        self,
        clock: Clock,
        demand: DemandGenerator,
        interventions: Interventions,
        contact: ContactCentre | None,
        submit: Callable[[Incident], None],
        stats: Stats,
        geography: Map | None,
        log: IncidentLog | None,
        horizon: float,
    ) -> None:
        self.clock = clock
        self.demand = demand
        self.interventions = interventions
        self.contact = contact
        self.submit = submit
        self.stats = stats
        self.map = geography
        self.log = log
        self.horizon = horizon
        self.numbered = 0  # calls numbered so far
        self.calls = 0  # incidents handed on (before the end of the run, once ``settle`` has run)
        self.direct: deque[Incident] = deque()  # incidents going straight to dispatch, not yet on the clock
        self.latest: list[Incident] = []  # the incidents of the last block handed on

    def start(self) -> None:
        """Hand on the first week (called before the clock runs, so it comes before all else)."""
        self._step(0)

    def _step(self, step: int) -> None:
        """A new step: a week's calls are handed on as the week begins, and the contact centre is
        worked out to the step's end."""
        if step % STEPS_PER_WEEK == 0:
            week = step // STEPS_PER_WEEK
            if self.log is not None:
                if week == 0:
                    self._hand_on(log_block(self.log, self.demand), None)
            elif week < self.demand.weeks():
                self._hand_on(self.demand.block(week), week)
        until = min((step + 1) * STEP_MINUTES, self.horizon)
        last = until == self.horizon  # the run's last minute: what is due then happens before it stops
        direct, at, submit = self.direct, self.clock.at, self.submit
        while direct and (direct[0].time < until or (last and direct[0].time == until)):
            call = direct.popleft()
            at(call.time, submit, call)
        if self.contact is not None:
            self.contact.plan(until, through=last)
        if not last:
            self.clock.first_at(until, self._step, step + 1)

    def _hand_on(self, drawn: CallBlock, week: int | None) -> None:
        """One block of calls (``week`` None: a replayed log), with the interventions applied."""
        block = self.interventions.apply(drawn, week, first_number=self.numbered + 1)
        ringing = int(np.searchsorted(block.time, self.horizon, side="right"))  # the calls by the end
        incident_rows = np.flatnonzero(block.kind[:ringing] >= 0)
        numbers = (incident_rows + self.numbered + 1).tolist()
        self.numbered += len(block)
        calls = block.select(incident_rows)
        places = self._places(calls.zone, calls.latitude).tolist()  # -1: by coordinates
        rows = zip(*(getattr(calls, name).tolist() for name in CALL_FIELDS), strict=True)
        counted = calls.time >= self.stats.start
        latest = list(map(Incident, numbers, counted.tolist(), rows, places))
        if min(places, default=0) < 0:  # given by coordinates (a replayed log)
            for call in latest:
                if call.place < 0:
                    self._locate(call, call.latitude, call.longitude)
        self.stats.count_many(calls.kind[counted], calls.grade[counted], GENERATED)
        self.calls += len(latest)
        self.latest = latest
        if self.contact is None:
            assert (block.kind[:ringing] >= 0).all(), "calls needing no police come from the contact centre's settings"
            self.direct.extend(latest)
            return
        self.direct.extend(call for call in latest if call.channel == CHANNEL_DIRECT)
        reported = np.empty(ringing, dtype=object)  # each row's incident, None for a call needing no police
        reported[incident_rows] = latest
        centre = block.channel[:ringing] != CHANNEL_DIRECT
        if centre.any():
            at_centre = np.flatnonzero(centre)
            self.contact.expect(
                block.time[at_centre],
                block.kind[at_centre],
                block.channel[at_centre],
                block.handling[at_centre],
                block.patience[at_centre],
                reported[at_centre],
            )

    def settle(self, end: float) -> None:
        """A run stopped before its horizon: the incidents handed on that ring after ``end`` never rang."""
        for call in self.latest:
            if call.time > end:
                self.calls -= 1
                if call.counted:
                    self.stats.uncount(call.kind, call.grade, GENERATED)

    def _places(self, zone: np.ndarray, latitude: np.ndarray) -> np.ndarray:
        """Each incident's place: its zone's, or -1 where it is given by coordinates (0 without a map)."""
        if self.map is None:
            return np.zeros(len(zone), dtype=np.int64)
        return np.where(np.isnan(latitude), self.map.n_stations + zone, -1)

    def _locate(self, call: Incident, latitude: float, longitude: float) -> None:
        """An incident given by coordinates: its road distances, and the zone it falls in."""
        assert self.map is not None
        call.latitude, call.longitude = latitude, longitude
        call.km = self.map.road_km_from(latitude, longitude)
        call.place = self.map.nearest_zone_place(latitude, longitude)
