"""Where officers and incidents are, and how long it takes to drive between them.

Places are the stations followed by the zones. Travel time is great-circle distance x road factor
/ speed (blue-light speed for the urgent grades) plus a mobilisation time; within one zone the
distance is the zone's ``local_km``. For each incident place the other places are pre-sorted by
distance, so the nearest free officer is found by scanning places, not officers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.config.schema import Geography, Workforce

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Haversine distance in km between points given in degrees (broadcasts)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


class Map:
    """Distances between places (stations then zones) and the travel-time rule."""

    def __init__(self, geography: Geography, workforce: Workforce) -> None:
        self.geography = geography
        stations = workforce.stations
        zones = geography.zones
        self.n_stations = len(stations)
        self.latitude = np.array([s.latitude for s in stations] + [z.latitude for z in zones])
        self.longitude = np.array([s.longitude for s in stations] + [z.longitude for z in zones])
        self.local_km = np.array([0.0] * len(stations) + [z.local_km for z in zones])
        self.road_km = self._road_km()
        # Plain lists: the dispatcher reads these once per job, and list indexing is far cheaper
        # than indexing a numpy array element by element.
        self.nearest_order: list[list[int]] = np.argsort(self.road_km, axis=1, kind="stable").tolist()
        self.drive_minutes_table: tuple[list[list[float]], list[list[float]]] = (
            self.minutes(self.road_km, False).tolist(),
            self.minutes(self.road_km, True).tolist(),
        )

    def _road_km(self) -> np.ndarray:
        lat, lon = self.latitude, self.longitude
        km = great_circle_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
        km = km * self.geography.road_factor
        np.fill_diagonal(km, self.local_km)
        return km

    def zone_place(self, zone: int) -> int:
        """The place index of zone number ``zone``."""
        return self.n_stations + zone

    def road_km_from(self, latitude: float, longitude: float) -> np.ndarray:
        """Road distance from a point to every place."""
        km = great_circle_km(
            self.latitude, self.longitude, np.full(len(self.latitude), latitude), np.full(len(self.latitude), longitude)
        )
        return km * self.geography.road_factor

    def nearest_zone_place(self, latitude: float, longitude: float) -> int:
        """The zone place whose centre is closest to a point (where an officer is after a job there);
        the nearest station where there are no zones (a replayed log that places every incident)."""
        km = self.road_km_from(latitude, longitude)
        first = self.n_stations if len(km) > self.n_stations else 0
        return first + int(np.argmin(km[first:]))

    def drive_minutes(self, origin: int, destination: int, blue_light: bool) -> float:
        """Driving time between two places, including mobilisation (the same as ``minutes`` of their road km)."""
        return self.drive_minutes_table[blue_light][origin][destination]

    def minutes(self, km: Any, blue_light: bool) -> Any:
        """Driving time for ``km`` road kilometres (a number or an array), including mobilisation."""
        speed = self.geography.blue_light_speed_kmh if blue_light else self.geography.speed_kmh
        return self.geography.mobilise_minutes + km / speed * 60.0
