"""Drones as first responders, launched from stations.

Eligible incidents (types, grades, adoption), on reaching dispatch in flying hours and flyable
weather, get a drone from the nearest station with one free within ``range_km``; a request finding
none gets none (first response cannot wait). A drone is busy for launch, the flight out and back
and ``scene_minutes``. ``resolved_share`` of them need no officer (attended at the drone's arrival,
no follow-up); the rest keep their officers with ``on_scene_saving`` less time on scene.

Three uniforms per call: adoption, weather, resolved alone.
"""

from __future__ import annotations

import heapq

import numpy as np

from sim.config.interventions import DroneFirstResponse as Settings
from sim.model.incident import CallBlock, Incident
from sim.model.interventions.contract import Context, Intervention, Response

Flights = list[tuple[float, int]]  # (one-way flight minutes, station), nearest first


class DroneFirstResponse(Intervention):
    """A drone reaches eligible incidents first; some then need no officer, the rest less time."""

    config_model = Settings
    uniforms = 3  # adoption, weather, resolved alone
    dose_fields = ("resolved_share", "on_scene_saving")  # incidents resolved by the drone alone and on-scene time saved
    config: Settings

    def __init__(self, name: str, config: Settings, context: Context) -> None:
        super().__init__(name, config, context)
        stations = len(context.scenario.workforce.stations)
        self.drone_free = [[0.0] * config.drones_per_station for _ in range(stations)]  # heaps of free times
        self.offers: dict[int, tuple[Flights, bool]] = {}  # call number -> (flights, resolved alone)

    def plan(self, block: CallBlock, u: np.ndarray, numbers: np.ndarray) -> None:
        """Eligible incidents in flyable weather get a drone offer."""
        cfg = self.config
        eligible = (
            self.of_kind(block, cfg.incident_types, cfg.grades)
            & (u[:, 0] < cfg.adoption)
            & (u[:, 1] < cfg.weather_availability)
        )
        for i in np.flatnonzero(eligible).tolist():
            self.offers[int(numbers[i])] = (self._flights(int(block.zone[i])), bool(u[i, 2] < cfg.resolved_share))

    def respond(self, incident: Incident, now: float) -> Response:
        """Launch in flying hours if a drone is free in range; resolve alone or shorten the scene."""
        offer = self.offers.pop(incident.number, None)
        if offer is None:
            return Response.PASS
        flights, alone = offer
        cfg = self.config
        hour = (now / 60.0) % 24.0
        if not cfg.operating_start_hour <= hour < cfg.operating_end_hour:
            return Response.DISPATCH
        arrival = self._launch(flights, now)
        if arrival is None:
            return Response.DISPATCH
        if incident.counted:
            self.add("remote.drone_flights", 1.0)
        if alone:
            self.attend_remotely(incident, arrival, "drone")
            return Response.ATTENDED
        saved = incident.on_scene * cfg.on_scene_saving
        incident.on_scene -= saved
        if incident.counted:
            self.add(f"hours_saved.{self.name}", saved * incident.crew)
        return Response.DISPATCH

    def _flights(self, zone: int) -> Flights:
        """(one-way flight minutes, station) for every station in range, nearest first."""
        cfg = self.config
        geo = self.context.map
        stations = len(self.drone_free)
        if geo is None or zone < 0:
            return [(cfg.travel_minutes_without_geography, s) for s in range(stations)]
        place = geo.zone_place(zone)
        km = geo.road_km[:stations, place] / geo.geography.road_factor
        km = np.maximum(km, geo.local_km[place])
        order = np.argsort(km, kind="stable")
        return [(km[s] / cfg.speed_kmh * 60.0, int(s)) for s in order if km[s] <= cfg.range_km]

    def _launch(self, flights: Flights, now: float) -> float | None:
        """Take a free drone from the nearest station in range; its arrival time, or None."""
        cfg = self.config
        for flight, station in flights:
            pool = self.drone_free[station]
            if pool[0] <= now:
                busy = cfg.launch_minutes + 2.0 * flight + cfg.scene_minutes
                heapq.heapreplace(pool, now + busy)
                return now + cfg.launch_minutes + flight
        return None
