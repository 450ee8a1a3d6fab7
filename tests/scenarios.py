"""Small scenarios built in code for the tests: an M/M/c queue and friends."""

from __future__ import annotations

import copy
from typing import Any

from sim.config.loading import scenario_from_dict
from sim.config.schema import Scenario


def mmc_dict(
    servers: int,
    arrivals_per_hour: float,
    mean_service_minutes: float,
    days: float,
    warmup_days: float,
    grade_mix: dict[str, float] | None = None,
) -> dict[str, Any]:
    """One incident type, exponential service, ``servers`` officers always on duty, no travel,
    no contact centre, no follow-up: the model reduces to an M/M/c queue (priority if two grades)."""
    grade_mix = grade_mix or {"P1": 1.0}
    return {
        "name": f"mmc-{servers}",
        "horizon_days": days,
        "warmup_days": warmup_days,
        "grades": {
            "P1": {"priority": 1, "deploy": True, "target_minutes": 10},
            "P2": {"priority": 2, "deploy": True, "target_minutes": 60},
        },
        "incident_types": {
            "job": {
                "yearly_volume": arrivals_per_hour * 24 * 365.25,
                "channel_mix": {"emergency_999": 1.0},
                "grade_mix": grade_mix,
                "on_scene_minutes": {"dist": "exponential", "mean": mean_service_minutes},
            }
        },
        "contact": None,
        "workforce": {
            "response_officers": servers,
            "teams": 1,
            "shifts": {"day": {"start_hour": 0, "length_hours": 24}},
            "pattern": ["day"],
            "stations": [{"name": "only"}],
            "abstraction": {},
        },
        "dispatch": {"travel_minutes": {"P1": {"dist": "fixed", "value": 0}, "P2": {"dist": "fixed", "value": 0}}},
    }


def build(raw: dict[str, Any], **changes: Any) -> Scenario:
    """A scenario from a dict, with top-level changes applied to a copy."""
    data = copy.deepcopy(raw)
    data.update(changes)
    return scenario_from_dict(data, source="test")
