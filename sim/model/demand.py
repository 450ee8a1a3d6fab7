"""Demand: when calls arrive, what incidents they carry, drawn up front in weekly blocks.

Arrivals follow a non-homogeneous Poisson process with piecewise-constant hourly rates (the
hour-of-week profile times an optional monthly seasonality). Every attribute of an incident
(channel, grade, crew, place, time on scene, follow-up work, call handling) is drawn when it is
generated, from a stream named after the incident type and the attribute, so interventions that
rescale a duration leave every other draw, and every other type, untouched.
"""

from __future__ import annotations

import math

import numpy as np

from sim.config.schema import CHANNELS, TASKS, Scenario
from sim.model.incident import CALL_FIELDS, CallBlock

__all__ = ["CALL_FIELDS", "CallBlock", "DemandGenerator", "poisson_times", "seasonal_factor", "weekly_weights"]
from sim.model.streams import Streams

MINUTES_PER_HOUR = 60.0
HOURS_PER_WEEK = 168
MINUTES_PER_WEEK = HOURS_PER_WEEK * MINUTES_PER_HOUR
HOURS_PER_YEAR = 365.25 * 24
DAYS_PER_MONTH = 365.25 / 12
CHANNEL_999, CHANNEL_101, CHANNEL_ONLINE, CHANNEL_DIRECT = 0, 1, 2, 3
NON_INCIDENT = -1


def weekly_weights(scenario: Scenario, profile_name: str) -> np.ndarray:
    """168 hourly multipliers with mean 1 (``flat`` is all ones)."""
    if profile_name == "flat":
        return np.ones(HOURS_PER_WEEK)
    weights = np.asarray(scenario.profiles[profile_name].weekly(), dtype=float)
    return weights / weights.mean()


def seasonal_factor(scenario: Scenario, hours: np.ndarray) -> np.ndarray:
    """Monthly multiplier (mean 1) for each absolute hour; the run starts on 1 January."""
    if scenario.seasonality_by_month is None:
        return np.ones(len(hours))
    months = np.asarray(scenario.seasonality_by_month, dtype=float)
    months = months / months.mean()
    day_of_year = np.mod(hours / 24.0, 365.25)
    return months[np.minimum((day_of_year / DAYS_PER_MONTH).astype(int), 11)]


def poisson_times(rng: np.random.Generator, hourly_rate: np.ndarray, first_hour: int) -> np.ndarray:
    """Exact arrival times (minutes) of a Poisson process with a constant rate in each hour."""
    counts = rng.poisson(hourly_rate)
    starts = (first_hour + np.arange(len(hourly_rate))) * MINUTES_PER_HOUR
    return np.repeat(starts, counts) + rng.random(int(counts.sum())) * MINUTES_PER_HOUR


class DemandGenerator:
    """Draws the calls of each simulated week in turn, from per-type, per-attribute streams."""

    def __init__(self, scenario: Scenario, streams: Streams) -> None:
        self.scenario = scenario
        self.streams = streams
        self.grades = scenario.grade_order()
        self.type_names = list(scenario.incident_types)
        self.horizon_minutes = scenario.horizon_days * 24 * MINUTES_PER_HOUR
        self.zone_weights = self._zone_weights()

    def _zone_weights(self) -> np.ndarray | None:
        if self.scenario.geography is None or not self.scenario.geography.zones:
            return None  # no map, or a replayed log that places every incident
        weights = np.array([zone.weight for zone in self.scenario.geography.zones], dtype=float)
        return weights / weights.sum()

    def weeks(self) -> int:
        """How many weekly blocks cover the horizon."""
        return math.ceil(self.horizon_minutes / MINUTES_PER_WEEK)

    def block(self, week: int) -> CallBlock:
        """All calls (incidents and non-incident calls) of one week, sorted by time."""
        hours = week * HOURS_PER_WEEK + np.arange(HOURS_PER_WEEK)
        season = seasonal_factor(self.scenario, hours)
        parts = [self._incidents(kind, name, hours, season) for kind, name in enumerate(self.type_names)]
        if self.scenario.contact is not None:
            parts.extend(self._non_incident_calls(hours, season))
        block = CallBlock.concatenate(parts)
        keep = block.time < self.horizon_minutes
        return block.select(keep) if not keep.all() else block

    def _incidents(self, kind: int, name: str, hours: np.ndarray, season: np.ndarray) -> CallBlock:
        spec = self.scenario.incident_types[name]
        rate = spec.yearly_volume / HOURS_PER_YEAR * weekly_weights(self.scenario, spec.profile) * season
        times = poisson_times(self.streams.get(f"arrivals.{name}"), rate, int(hours[0]))
        return self.attributes(kind, times)

    def attributes(self, kind: int, times: np.ndarray, grades: np.ndarray | None = None) -> CallBlock:
        """Draw every attribute of ``len(times)`` incidents of type ``kind``."""
        name = self.type_names[kind]
        spec = self.scenario.incident_types[name]
        n = len(times)
        draw = self.streams.get
        channel = _choice(
            draw(f"channel.{name}"), [CHANNELS.index(c) for c in spec.channel_mix], list(spec.channel_mix.values()), n
        )
        if grades is None:
            grades = _choice(
                draw(f"grade.{name}"), [self.grades.index(g) for g in spec.grade_mix], list(spec.grade_mix.values()), n
            )
        crew = _choice(draw(f"crew.{name}"), list(spec.officers_needed), list(spec.officers_needed.values()), n)
        on_scene = spec.on_scene_minutes.sample(draw(f"on_scene.{name}"), n)
        zone = (
            draw(f"zone.{name}").choice(len(self.zone_weights), n, p=self.zone_weights)
            if self.zone_weights is not None
            else np.full(n, -1)
        )
        return CallBlock(
            time=times,
            kind=np.full(n, kind),
            channel=channel,
            grade=grades,
            crew=crew,
            zone=zone,
            on_scene=on_scene,
            travel=self._travel(name, grades, n),
            handling=self._handling(name, channel, n),
            grading=self._grading(name, n),
            patience=self._patience(name, n),
            reattempt=draw(f"reattempt.{name}").random(n),
            reattempt_delay=self._reattempt_delay(name, n),
            followup=self._followup(name, n),
            latitude=np.full(n, np.nan),
            longitude=np.full(n, np.nan),
        )

    def _travel(self, name: str, grades: np.ndarray, n: int) -> np.ndarray:
        """Travel minutes when there is no geography, drawn per grade for every incident."""
        travel = np.zeros(n)
        if self.scenario.geography is not None:
            return travel
        rng = self.streams.get(f"travel.{name}")
        for index, grade in enumerate(self.grades):
            dist = self.scenario.dispatch.travel_minutes.get(grade)
            if dist is not None:
                draws = dist.sample(rng, n)
                travel = np.where(grades == index, draws, travel)
        return travel

    def _handling(self, name: str, channel: np.ndarray, n: int) -> np.ndarray:
        contact = self.scenario.contact
        if contact is None:
            return np.zeros(n)
        rng = self.streams.get(f"handling.{name}")
        by_channel = [
            contact.handling_minutes["emergency_999"].sample(rng, n),
            contact.handling_minutes["non_emergency_101"].sample(rng, n),
            contact.online_handling_minutes.sample(rng, n),
        ]
        return np.choose(np.minimum(channel, CHANNEL_ONLINE), by_channel)

    def _grading(self, name: str, n: int) -> np.ndarray:
        contact = self.scenario.contact
        if contact is None:
            return np.zeros(n)
        return contact.grading_minutes.sample(self.streams.get(f"grading.{name}"), n)

    def _patience(self, name: str, n: int) -> np.ndarray:
        contact = self.scenario.contact
        if contact is None:
            return np.full(n, np.inf)
        return contact.patience_101_minutes.sample(self.streams.get(f"patience.{name}"), n)

    def _reattempt_delay(self, name: str, n: int) -> np.ndarray:
        contact = self.scenario.contact
        if contact is None:
            return np.zeros(n)
        return contact.reattempt_delay_minutes.sample(self.streams.get(f"reattempt_delay.{name}"), n)

    def _followup(self, name: str, n: int) -> np.ndarray:
        """Minutes of each follow-up task per incident (0 where the task is not needed)."""
        spec = self.scenario.incident_types[name]
        minutes = np.zeros((n, len(TASKS)))
        for task, probability in spec.followup.items():
            rng = self.streams.get(f"followup.{name}.{task}")
            needed = rng.random(n) < probability
            definition = self.scenario.tasks[task]
            if definition.minutes is not None:
                duration = definition.minutes.sample(rng, n)
            else:
                assert definition.footage_minutes is not None and definition.minutes_per_footage_minute
                duration = definition.footage_minutes.sample(rng, n) * definition.minutes_per_footage_minute
            minutes[:, TASKS.index(task)] = np.where(needed, duration, 0.0)
        return minutes

    def _non_incident_calls(self, hours: np.ndarray, season: np.ndarray) -> list[CallBlock]:
        """Calls that occupy handlers but create no incident."""
        contact = self.scenario.contact
        assert contact is not None
        weights = weekly_weights(self.scenario, contact.non_incident_profile) * season
        blocks = []
        for channel_name, yearly in contact.non_incident_calls_per_year.items():
            if yearly <= 0:
                continue
            channel = CHANNELS.index(channel_name)
            times = poisson_times(
                self.streams.get(f"arrivals.non_incident.{channel_name}"),
                yearly / HOURS_PER_YEAR * weights,
                int(hours[0]),
            )
            n = len(times)
            handling = contact.handling_minutes[channel_name].sample(
                self.streams.get(f"handling.non_incident.{channel_name}"), n
            )
            patience = contact.patience_101_minutes.sample(self.streams.get(f"patience.non_incident.{channel_name}"), n)
            blocks.append(_non_incident_block(times, channel, handling, patience))
        return blocks


def _non_incident_block(times: np.ndarray, channel: int, handling: np.ndarray, patience: np.ndarray) -> CallBlock:
    n = len(times)
    zeros = np.zeros(n)
    return CallBlock(
        time=times,
        kind=np.full(n, NON_INCIDENT),
        channel=np.full(n, channel),
        grade=np.full(n, -1),
        crew=np.zeros(n, dtype=int),
        zone=np.full(n, -1),
        on_scene=zeros,
        travel=zeros,
        handling=handling,
        grading=zeros,
        patience=patience,
        reattempt=np.ones(n),
        reattempt_delay=zeros,
        followup=np.zeros((n, len(TASKS))),
        latitude=np.full(n, np.nan),
        longitude=np.full(n, np.nan),
    )


def _choice(rng: np.random.Generator, values: list[int], shares: list[float], n: int) -> np.ndarray:
    """``n`` draws from a discrete mix (one uniform per draw, so the stream use is fixed)."""
    cumulative = np.cumsum(shares)
    cumulative[-1] = 1.0
    index = np.searchsorted(cumulative, rng.random(n), side="right")
    return np.asarray(values)[np.minimum(index, len(values) - 1)]
