"""Road distance and driving time between places, worked by hand.

Two stations and one zone near the equator: A at (0, 0), B at (0, 1.5 deg E), zone Z centred at
(1 deg N, 0) with 2 km of local driving. Road km = great-circle km x road factor 1.3; minutes =
2 minutes' mobilisation + km / speed x 60 at 48 km/h, or 80 km/h under blue lights. The expected
great-circle distances come from the spherical law of cosines, a different formula from the
haversine the model uses.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scenarios import build, mmc_dict

from sim.model.geography import Map, great_circle_km

R = 6371.0088  # mean Earth radius, km (IUGG)
ROAD_FACTOR, SPEED, BLUE, MOBILISE = 1.3, 48.0, 80.0, 2.0
A, B, Z = 0, 1, 2  # places: stations first, then zones


def law_of_cosines_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    cosine = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return R * math.acos(min(1.0, cosine))


@pytest.fixture(scope="module")
def geo() -> Map:
    raw = mmc_dict(2, 1.0, 10.0, days=1, warmup_days=0)
    raw["workforce"]["stations"] = [
        {"name": "A", "latitude": 0.0, "longitude": 0.0},
        {"name": "B", "latitude": 0.0, "longitude": 1.5},
    ]
    raw["geography"] = {
        "zones": [{"name": "Z", "latitude": 1.0, "longitude": 0.0, "weight": 1, "local_km": 2.0}],
        "road_factor": ROAD_FACTOR,
        "speed_kmh": SPEED,
        "blue_light_speed_kmh": BLUE,
        "mobilise_minutes": MOBILISE,
        "return_to_station": False,
    }
    scenario = build(raw)
    assert scenario.geography is not None
    return Map(scenario.geography, scenario.workforce)


def test_great_circle_distance() -> None:
    assert float(great_circle_km(np.array(0.0), np.array(0.0), np.array(0.0), np.array(1.0))) == pytest.approx(
        R * math.pi / 180, rel=1e-12
    )  # one degree along the equator: 111.195 km
    london, paris = (51.5074, -0.1278), (48.8566, 2.3522)
    km = float(great_circle_km(*(np.array(x) for x in (*london, *paris))))
    assert km == pytest.approx(law_of_cosines_km(*london, *paris), rel=1e-9)
    assert km == pytest.approx(343.5, abs=0.5)


def test_road_km_is_great_circle_times_road_factor_and_local_km_within_a_zone(geo: Map) -> None:
    expected = {
        (A, B): law_of_cosines_km(0, 0, 0, 1.5) * ROAD_FACTOR,
        (A, Z): law_of_cosines_km(0, 0, 1, 0) * ROAD_FACTOR,
        (B, Z): law_of_cosines_km(0, 1.5, 1, 0) * ROAD_FACTOR,
    }
    for (one, other), km in expected.items():
        assert geo.road_km[one, other] == pytest.approx(km, rel=1e-9)
        assert geo.road_km[other, one] == pytest.approx(km, rel=1e-9)
    assert geo.road_km[A, A] == 0.0 and geo.road_km[B, B] == 0.0
    assert geo.road_km[Z, Z] == 2.0  # the zone's local_km, not scaled by the road factor


def test_minutes_at_the_configured_speeds_with_mobilisation(geo: Map) -> None:
    km = geo.road_km[A, Z]
    normal = MOBILISE + km / SPEED * 60.0
    blue = MOBILISE + km / BLUE * 60.0
    assert geo.minutes(km, blue_light=False) == pytest.approx(normal, rel=1e-12)
    assert geo.minutes(km, blue_light=True) == pytest.approx(blue, rel=1e-12)
    assert normal == pytest.approx(MOBILISE + 144.55 / 48 * 60, rel=1e-4)  # about 182.7 minutes
    assert geo.drive_minutes(A, Z, False) == pytest.approx(normal, rel=1e-12)
    assert geo.drive_minutes(Z, A, True) == pytest.approx(blue, rel=1e-12)
    assert geo.drive_minutes(Z, Z, False) == pytest.approx(MOBILISE + 2.0 / SPEED * 60.0)


def test_places_are_ordered_nearest_first(geo: Map) -> None:
    # Road km: A-Z 144.6, A-B 216.8, B-Z 260.6; a zone is 2 km from itself.
    assert geo.nearest_order[A] == [A, Z, B]
    assert geo.nearest_order[B] == [B, A, Z]
    assert geo.nearest_order[Z] == [Z, A, B]


def test_distance_from_a_point_and_the_zone_it_falls_in(geo: Map) -> None:
    km = geo.road_km_from(0.5, 0.2)
    for place, (lat, lon) in enumerate([(0, 0), (0, 1.5), (1, 0)]):
        assert km[place] == pytest.approx(law_of_cosines_km(0.5, 0.2, lat, lon) * ROAD_FACTOR, rel=1e-9)
    assert geo.nearest_zone_place(0.5, 0.2) == Z
