"""The ``geography:`` section: zones incidents come from, road distances and speeds."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, NonNegativeFloat, PositiveFloat, TypeAdapter, ValidationError, field_validator

from sim.config.base import Strict

RETURN_MODES = ("drive", "stay", "instant")


class Zone(Strict):
    """An area incidents come from, represented by its centre."""

    name: str
    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    weight: PositiveFloat = Field(description="relative share of incidents")
    local_km: PositiveFloat = Field(description="mean distance to an incident from within the zone")


class Geography(Strict):
    """Zones, road distances and speeds: travel = great-circle km x road factor / speed."""

    zones: tuple[Zone, ...] = Field(description="at least one, unless a replayed log gives every incident's place")
    road_factor: Annotated[float, Field(ge=1.0)]
    speed_kmh: PositiveFloat = Field(description="normal road speed")
    blue_light_speed_kmh: PositiveFloat = Field(description="speed for grades in blue_light_grades")
    blue_light_grades: tuple[str, ...] = ("P1",)
    mobilise_minutes: NonNegativeFloat = 0.0
    return_to_station: bool | Literal["drive", "stay", "instant"] = Field(
        description="after each job: drive (drive back to the station), stay (take the next job from the scene's zone) "
        "or instant (back at the station at once, no travel); true and false are the old spellings of drive and stay"
    )

    @field_validator("return_to_station", mode="before")
    @classmethod
    def _return_mode(cls, value: object) -> object:
        """Anything read as true/false before stays so; otherwise one clear message."""
        if value in RETURN_MODES:
            return value
        try:
            return TypeAdapter(bool).validate_python(value)
        except ValidationError:
            raise ValueError(f"expected one of {list(RETURN_MODES)} (or the old true/false)") from None

    def return_mode(self) -> Literal["drive", "stay", "instant"]:
        """``return_to_station`` with the old true/false spellings read as drive/stay."""
        if isinstance(self.return_to_station, bool):
            return "drive" if self.return_to_station else "stay"
        return self.return_to_station
