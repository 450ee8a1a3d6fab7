"""How each intervention acts: one documented transform of the week's call table per intervention.

The model draws every call of a week up front (``sim.model.demand.CallBlock``) from named streams; the
interventions rewrite that table before the calls are replayed onto the clock, so two scenarios
run with one seed see the same incidents and differ only where an intervention acts. Each
intervention's own draws (who adopts, who consents, how long a video call lasts) come from its own
stream, one fixed set of uniforms per call, so adoption 0 or a zero effect changes nothing and a
larger adoption only adds adopters (monotone coupling). Where each acts:

- ``extra_demand`` (what-if, used by ``policesim capacity``): adds incidents of one type, drawn from
  ``extra_demand.*`` streams at ``max_yearly_volume`` and thinned to ``yearly_volume``, so a
  larger volume adds incidents and never moves the others.
- ``automated_redaction``: for adopted incidents, ``video_redaction`` and ``text_redaction``
  follow-up minutes are multiplied by ``1 - saving`` plus the residual check time.
- ``admin_reduction``: for adopted incidents, each named task loses ``hours_saved`` (never below 0).
- ``video_interviews``: for adopted incidents the ``interviews`` task takes ``duration_factor`` of
  its in-person time (the in-person time includes getting there). Rapid video response: eligible,
  consenting incidents of the listed types and (assigned) grades, on reaching dispatch, queue first
  come first served for ``desk_officers`` (a resource of their own); the call's start is their
  attendance and no response officer goes (their follow-up passes to the desk team, an
  assumption). If the visit is kept, the desk call still happens and the officer's arrival is the
  attendance.
- ``drone_first_response``: eligible incidents, on reaching dispatch in flying hours and flyable
  weather, get a drone from the nearest station with one free within ``range_km`` (a request
  finding none gets none: first response cannot wait). A drone is busy for launch, the flight out
  and back and ``scene_minutes``. ``resolved_share`` of them need no officer (attended at the
  drone's arrival, no follow-up); the rest keep their officers with ``on_scene_saving`` less
  time on scene.
- ``ai_101_triage``: for adopted 101 contacts (when the assistant has a free session): contained
  contacts needing no deployment never reach a handler (non-incident calls vanish, incidents of a
  non-deployed grade are closed at once); the rest keep ``1 - handling_time_saving`` of their
  handling time, ``patience_factor`` times the patience, and may be misgraded (``regrade``).

The table rewrites act before the calls enter the model; the remote responses (video, drone) are
decided in front of dispatch (``wrap``), where the model hands a graded incident to dispatch, so
only incidents whose call got through are served. Incidents attended remotely are counted into the
statistics here, with their response time, because no officer arrives.
``hours_saved.<intervention>`` is the officer time removed from incidents generated in the
statistics window: the planned, gross saving the linear claim converts, before any freed time is
used again.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.config.schema import TASKS, Scenario
from sim.model.demand import (
    CHANNEL_101,
    CHANNEL_DIRECT,
    HOURS_PER_WEEK,
    HOURS_PER_YEAR,
    NON_INCIDENT,
    CallBlock,
    DemandGenerator,
    poisson_times,
    seasonal_factor,
    weekly_weights,
)
from sim.model.dispatch import Dispatcher
from sim.model.geography import Map
from sim.model.incident import CLOSED, Incident
from sim.model.stats import OUTCOMES, Stats
from sim.model.streams import Streams

ATTENDED = OUTCOMES.index("attended")
WITHIN = OUTCOMES.index("attended_within_target")
VIDEO = TASKS.index("video_redaction")
TEXT = TASKS.index("text_redaction")
INTERVIEWS = TASKS.index("interviews")
MINUTES_PER_DAY = 1440.0
# Uniform columns each intervention draws per call, from its own stream.
UNIFORMS = {
    "automated_redaction": 1,
    "admin_reduction": 1,
    "video_interviews": 5,  # adoption, eligibility, consent, call length, visit kept
    "drone_first_response": 3,  # adoption, weather, resolved alone
    "ai_101_triage": 3,  # adoption, containment, misgrade
}


class PrefixedStreams(Streams):
    """The streams of a replication under a name prefix, so extra draws never shift the others."""

    def __init__(self, streams: Streams, prefix: str) -> None:
        self._inner = streams
        self._prefix = prefix

    def get(self, name: str) -> np.random.Generator:
        """The generator named ``prefix + name`` of the wrapped streams."""
        return self._inner.get(self._prefix + name)


@dataclass
class _Table:
    """A block of calls with the intervention uniforms of each call alongside it."""

    block: CallBlock
    uniforms: dict[str, np.ndarray]


class Interventions:
    """Rewrites each week's calls for the enabled interventions and keeps their tallies."""

    def __init__(self, scenario: Scenario, streams: Streams, stats: Stats, geo: Map | None) -> None:
        self.scenario = scenario
        self.config = scenario.interventions
        self.active = self.config.active()
        self.streams = streams
        self.stats = stats
        self.map = geo
        self.grades = scenario.grade_order()
        self.types = list(scenario.incident_types)
        self.targets = np.array([scenario.grades[g].target_minutes or math.inf for g in self.grades], dtype=float)
        self.deploy = np.array([scenario.grades[g].deploy for g in self.grades], dtype=bool)
        self.extra = self.config.extra_demand
        self.extra_generator = (
            DemandGenerator(scenario, PrefixedStreams(streams, "extra_demand."))
            if self.extra.incident_type is not None
            else None
        )
        self.tally: dict[str, float] = {}
        video = self.config.video_interviews.rapid_response
        self.desk_free = [0.0] * video.desk_officers
        drones = self.config.drone_first_response
        stations = len(scenario.workforce.stations)
        self.drone_free = [[0.0] * drones.drones_per_station for _ in range(stations)]
        self.ai_busy: list[float] = []
        self.offers: dict[int, _Offer] = {}
        self.numbered = 0  # calls handed to the model so far: call numbers run on from here
        self.dispatcher: Dispatcher | None = None

    @property
    def idle(self) -> bool:
        """Whether nothing is to be done (the baseline): the model then skips the rewrite."""
        return not self.active and self.extra_generator is None

    # ---- entry points ------------------------------------------------------------------------
    def apply(self, block: CallBlock, week: int | None) -> CallBlock:
        """The week's calls with every enabled intervention applied, in the documented order."""
        if self.idle:
            self.numbered += len(block)
            return block
        table = _Table(block, self._uniforms(block, ""))
        if self.extra_generator is not None and week is not None:
            table = _merge(table, self._extra(week))
        block, u = table.block, table.uniforms
        counted = (block.time >= self.stats.start) & (block.kind >= 0)
        if "automated_redaction" in self.active:
            self._redaction(block, u["automated_redaction"], counted)
        if "admin_reduction" in self.active:
            self._admin(block, u["admin_reduction"], counted)
        if "video_interviews" in self.active:
            self._interviews(block, u["video_interviews"], counted)
        if "ai_101_triage" in self.active:
            keep = self._ai_triage(block, u["ai_101_triage"])
            if not keep.all():
                block, u = _select(block, keep), {k: v[keep] for k, v in u.items()}
        if "video_interviews" in self.active:
            self._offer_video(block, u["video_interviews"])
        if "drone_first_response" in self.active:
            self._offer_drones(block, u["drone_first_response"])
        self.numbered += len(block)
        return block

    def wrap(self, dispatcher: Dispatcher) -> Callable[[Incident], None]:
        """Dispatch's ``submit`` with remote first response (video, drone) in front of it."""
        self.dispatcher = dispatcher
        submit = dispatcher.submit
        if not {"video_interviews", "drone_first_response"} & set(self.active):
            return submit

        def remote_first(incident: Incident) -> None:
            offer = self.offers.pop(incident.number, None)
            if offer is None or not self._respond(incident, offer):
                submit(incident)

        return remote_first

    def metrics(self) -> dict[str, float]:
        """Tallies as flat metrics: ``hours_saved.<name>`` (hours) and remote attendance counts."""
        out = {f"hours_saved.{name}": 0.0 for name in self.active}
        for key, value in sorted(self.tally.items()):
            out[key] = value / 60.0 if key.startswith(("hours_saved.", "remote.hours")) else value
        return out

    # ---- draws ------------------------------------------------------------------------------
    def _uniforms(self, block: CallBlock, prefix: str) -> dict[str, np.ndarray]:
        n = len(block)
        return {
            name: self.streams.get(f"{prefix}intervention.{name}").random((n, UNIFORMS[name])) for name in self.active
        }

    def _extra(self, week: int) -> _Table:
        """Extra incidents of one type: candidates at the maximum volume, thinned to the volume."""
        extra = self.extra
        generator = self.extra_generator
        assert generator is not None and extra.incident_type is not None
        name = extra.incident_type
        kind = self.types.index(name)
        spec = self.scenario.incident_types[name]
        hours = week * HOURS_PER_WEEK + np.arange(HOURS_PER_WEEK)
        rate = (
            extra.max_yearly_volume
            / HOURS_PER_YEAR
            * weekly_weights(self.scenario, spec.profile)
            * seasonal_factor(self.scenario, hours)
        )
        times = poisson_times(generator.streams.get(f"arrivals.{name}"), rate, int(hours[0]))
        thin = generator.streams.get(f"thinning.{name}").random(len(times))
        candidates = generator.attributes(kind, times)
        uniforms = self._uniforms(candidates, "extra_demand.")
        keep = (thin < extra.yearly_volume / extra.max_yearly_volume) & (
            times < self.scenario.horizon_days * MINUTES_PER_DAY
        )
        return _Table(_select(candidates, keep), {k: v[keep] for k, v in uniforms.items()})

    def _add(self, key: str, values: np.ndarray | float) -> None:
        self.tally[key] = self.tally.get(key, 0.0) + float(np.sum(values))

    # ---- rewrites of the call table ----------------------------------------------------------
    def _redaction(self, block: CallBlock, u: np.ndarray, counted: np.ndarray) -> None:
        """Redaction minutes of adopted incidents: ``x (1 - saving)`` plus the residual check."""
        cfg = self.config.automated_redaction
        adopted = (u[:, 0] < cfg.adoption) & (block.kind >= 0)
        before = block.followup[:, [VIDEO, TEXT]].sum(axis=1)
        video = block.followup[:, VIDEO]
        per_footage = self.scenario.tasks.get("video_redaction")
        check_video: float | np.ndarray = 0.0
        if per_footage is not None and per_footage.minutes_per_footage_minute:
            footage = video / per_footage.minutes_per_footage_minute
            check_video = footage * cfg.video_check_minutes_per_footage_minute
        new_video = video * (1.0 - cfg.video_saving) + check_video
        text = block.followup[:, TEXT]
        new_text = np.where(text > 0.0, text * (1.0 - cfg.text_saving) + cfg.text_check_hours_per_file * 60.0, 0.0)
        block.followup[:, VIDEO] = np.where(adopted, new_video, video)
        block.followup[:, TEXT] = np.where(adopted, new_text, text)
        after = block.followup[:, [VIDEO, TEXT]].sum(axis=1)
        self._add("hours_saved.automated_redaction", (before - after)[counted])

    def _admin(self, block: CallBlock, u: np.ndarray, counted: np.ndarray) -> None:
        """Each named task of adopted incidents loses its saving, never dropping below zero."""
        cfg = self.config.admin_reduction
        adopted = (u[:, 0] < cfg.adoption) & (block.kind >= 0)
        if cfg.incident_types is not None:
            kinds = [self.types.index(t) for t in cfg.incident_types]
            adopted &= np.isin(block.kind, kinds)
        for task, hours in cfg.hours_saved.items():
            column = TASKS.index(task)
            before = block.followup[:, column].copy()
            block.followup[:, column] = np.where(adopted, np.maximum(before - hours * 60.0, 0.0), before)
            self._add("hours_saved.admin_reduction", (before - block.followup[:, column])[counted])

    def _interviews(self, block: CallBlock, u: np.ndarray, counted: np.ndarray) -> None:
        """Interviews of adopted incidents by video: ``duration_factor`` of the in-person time."""
        cfg = self.config.video_interviews
        adopted = (u[:, 0] < cfg.adoption) & (block.kind >= 0)
        before = block.followup[:, INTERVIEWS].copy()
        block.followup[:, INTERVIEWS] = np.where(adopted, before * cfg.duration_factor, before)
        self._add("hours_saved.video_interviews", (before - block.followup[:, INTERVIEWS])[counted])

    def _ai_triage(self, block: CallBlock, u: np.ndarray) -> np.ndarray:
        """The assistant answers 101 first: contains some, shortens and regrades the rest.

        Returns which calls remain (contained non-incident calls vanish)."""
        cfg = self.config.ai_101_triage
        reached = (block.channel == CHANNEL_101) & (u[:, 0] < cfg.adoption)
        if cfg.concurrent_sessions is not None:
            reached &= self._sessions(block.time, reached)
        no_deploy = (block.kind == NON_INCIDENT) | ~self.deploy[np.maximum(block.grade, 0)]
        contained = reached & no_deploy & (u[:, 1] < cfg.containment)
        in_window = block.time >= self.stats.start
        self._add("remote.ai_101_contained", (contained & in_window).astype(float))
        self._add("remote.hours_handler_saved", block.handling[contained & in_window])
        block.channel = np.where(contained & (block.kind >= 0), CHANNEL_DIRECT, block.channel)
        passed = reached & ~contained
        saved = block.handling * cfg.handling_time_saving
        self._add("remote.hours_handler_saved", saved[passed & in_window])
        block.handling = np.where(passed, block.handling - saved, block.handling)
        block.patience = np.where(passed, block.patience * cfg.patience_factor, block.patience)
        for grade, row in cfg.regrade.items():
            source = self.grades.index(grade)
            edges = np.cumsum(list(row.values()))
            targets = np.array([self.grades.index(g) for g in row])
            pick = np.searchsorted(edges, u[:, 2], side="right")
            change = passed & (block.kind >= 0) & (block.grade == source) & (pick < len(row))
            block.grade = np.where(change, targets[np.minimum(pick, len(row) - 1)], block.grade)
        return ~(contained & (block.kind == NON_INCIDENT))

    def _sessions(self, times: np.ndarray, reached: np.ndarray) -> np.ndarray:
        """Whether the assistant has a free session for each reached contact (no queue)."""
        cfg = self.config.ai_101_triage
        assert cfg.concurrent_sessions is not None
        served = np.zeros(len(times), dtype=bool)
        busy = self.ai_busy
        for i in np.flatnonzero(reached):
            while busy and busy[0] <= times[i]:
                heapq.heappop(busy)
            if len(busy) < cfg.concurrent_sessions:
                heapq.heappush(busy, times[i] + cfg.session_minutes)
                served[i] = True
        return served

    # ---- offers of remote first response, decided when the incident reaches dispatch ---------
    def _offer_video(self, block: CallBlock, u: np.ndarray) -> None:
        """Eligible, consenting incidents of the listed types and grades get a video offer."""
        rapid = self.config.video_interviews.rapid_response
        if not rapid.enabled:
            return
        offered = (
            self._of_kind(block, rapid.incident_types, rapid.grades)
            & (u[:, 1] < rapid.eligible_share)
            & (u[:, 2] < rapid.consent_share)
        )
        call = -np.log1p(-u[:, 3]) * rapid.call_minutes
        for i in np.flatnonzero(offered).tolist():
            offer = _Offer("video", float(call[i]), bool(u[i, 4] < rapid.visit_kept_share))
            self.offers[self.numbered + i + 1] = offer

    def _offer_drones(self, block: CallBlock, u: np.ndarray) -> None:
        """Eligible incidents in flying hours and flyable weather get a drone offer."""
        cfg = self.config.drone_first_response
        eligible = (
            self._of_kind(block, cfg.incident_types, cfg.grades)
            & (u[:, 0] < cfg.adoption)
            & (u[:, 1] < cfg.weather_availability)
        )
        for i in np.flatnonzero(eligible).tolist():
            number = self.numbered + i + 1
            if number not in self.offers:
                flights = self._drone_flights(int(block.zone[i]))
                alone = bool(u[i, 2] < cfg.resolved_share)
                self.offers[number] = _Offer("drone", 0.0, alone, flights)

    def _of_kind(self, block: CallBlock, types: list[str], grades: list[str]) -> np.ndarray:
        """Which calls are incidents of one of ``types`` graded one of ``grades``."""
        kinds = [self.types.index(t) for t in types]
        indices = [self.grades.index(g) for g in grades]
        return np.isin(block.kind, kinds) & np.isin(block.grade, indices)

    def _respond(self, incident: Incident, offer: _Offer) -> bool:
        """Remote first response as the incident reaches dispatch; True if no officer is needed."""
        now = self.clock_now()
        if offer.how == "video":
            start = _serve_fcfs(self.desk_free, now, offer.minutes)
            if incident.counted:
                self._add("remote.hours_video_desk", offer.minutes)
            if offer.flag:  # the visit is kept: the officer's arrival is the attendance
                return False
            self._attend(incident, start, "video")
            return True
        cfg = self.config.drone_first_response
        hour = (now / 60.0) % 24.0
        if not cfg.operating_start_hour <= hour < cfg.operating_end_hour:
            return False
        arrival = self._launch(offer.flights, now)
        if arrival is None:
            return False
        if incident.counted:
            self._add("remote.drone_flights", 1.0)
        if offer.flag:
            self._attend(incident, arrival, "drone")
            return True
        saved = incident.on_scene * cfg.on_scene_saving
        incident.on_scene -= saved
        if incident.counted:
            self._add("hours_saved.drone_first_response", saved * incident.crew)
        return False

    def clock_now(self) -> float:
        """Simulation time now (minutes), from the dispatcher's clock."""
        assert self.dispatcher is not None
        return self.dispatcher.clock.now

    def _attend(self, incident: Incident, when: float, how: str) -> None:
        """Count a remote attendance at ``when`` and close the incident: no officer goes."""
        dispatcher = self.dispatcher
        assert dispatcher is not None
        kind, grade = incident.kind, incident.grade
        incident.arrived = when
        incident.state = CLOSED
        if incident.counted:
            response = when - incident.time
            stats = self.stats
            stats.count(kind, grade, ATTENDED)
            if response <= self.targets[grade]:
                stats.count(kind, grade, WITHIN)
            stats.response[kind].add(response)
            stats.grade_response[grade].add(response)
            self._add(f"remote.{self.types[kind]}.{how}_attended", 1.0)
            minutes = incident.crew * (incident.on_scene + self._travel(incident))
            followup = 0.0 if incident.followup is None else float(np.sum(incident.followup))
            name = "video_interviews" if how == "video" else "drone_first_response"
            self._add(f"hours_saved.{name}", minutes + followup)
        if dispatcher.records is not None:
            record = (incident.number, kind, grade, incident.channel, incident.time, when, when)
            dispatcher.records.append((*record, "attended"))

    def _drone_flights(self, zone: int) -> list[tuple[float, int]]:
        """(one-way flight minutes, station) for every station in range, nearest first."""
        cfg = self.config.drone_first_response
        stations = len(self.drone_free)
        if self.map is None or zone < 0:
            return [(cfg.travel_minutes_without_geography, s) for s in range(stations)]
        place = self.map.zone_place(zone)
        km = self.map.road_km[:stations, place] / self.map.geography.road_factor
        km = np.maximum(km, self.map.local_km[place])
        order = np.argsort(km, kind="stable")
        return [(km[s] / cfg.speed_kmh * 60.0, int(s)) for s in order if km[s] <= cfg.range_km]

    def _launch(self, flights: list[tuple[float, int]], now: float) -> float | None:
        """Take a free drone from the nearest station in range; its arrival time, or None."""
        cfg = self.config.drone_first_response
        for flight, station in flights:
            pool = self.drone_free[station]
            if pool[0] <= now:
                busy = cfg.launch_minutes + 2.0 * flight + cfg.scene_minutes
                heapq.heapreplace(pool, now + busy)
                return now + cfg.launch_minutes + flight
        return None

    def _travel(self, incident: Incident) -> float:
        """Officer travel minutes to an incident: drawn, or from the nearest station by road."""
        if self.map is None:
            return float(incident.travel)
        km = (
            incident.km[: self.map.n_stations]
            if incident.km is not None
            else self.map.road_km[: self.map.n_stations, incident.place]
        )
        blue = self.grades[incident.grade] in self.map.geography.blue_light_grades
        return self.map.minutes(float(np.min(km)), blue)


@dataclass
class _Offer:
    """A remote first response waiting for its incident to reach dispatch."""

    how: str
    minutes: float
    flag: bool  # video: the in-person visit is kept; drone: the drone resolves it alone
    flights: list[tuple[float, int]] = field(default_factory=list)


def _serve_fcfs(free_at: list[float], arrival: float, duration: float) -> float:
    """First-come-first-served on a pool given as a heap of free times: returns the start time."""
    start = max(free_at[0], arrival)
    heapq.heapreplace(free_at, start + duration)
    return start


def _select(block: CallBlock, mask: np.ndarray) -> CallBlock:
    """The rows of a block where ``mask`` holds."""
    return CallBlock(**{name: getattr(block, name)[mask] for name in _fields(block)})


def _fields(block: CallBlock) -> list[str]:
    return list(block.__dataclass_fields__)


def _merge(first: _Table, second: _Table) -> _Table:
    """Two tables as one sorted by time (stable: ties keep the first table's calls first)."""
    names = _fields(first.block)
    merged = {name: np.concatenate([getattr(first.block, name), getattr(second.block, name)]) for name in names}
    order = np.argsort(merged["time"], kind="stable")
    uniforms = {key: np.concatenate([first.uniforms[key], second.uniforms[key]])[order] for key in first.uniforms}
    return _Table(CallBlock(**{name: merged[name][order] for name in names}), uniforms)
