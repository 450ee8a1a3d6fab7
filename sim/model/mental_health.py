"""Mental health: section 136 detentions and conveyances, places of safety and A&E waits.

An attended incident of a welfare type ends in a section 136 detention when its draw from
the ``section_136`` stream is below ``detention_share``, or in a voluntary conveyance to A&E when it
is below ``detention_share + conveyance_share``. Up to ``officers_held`` attending officers are
held (state ``PLACE_OF_SAFETY``) until handover. A detention goes to the nearest place of safety
with a free place (the place is taken for the detainee's ``stay_hours``); when every place is
taken it goes to A&E and waits ``emergency_wait_minutes`` there, as a conveyance does. A
detention's wait is the time from arrival to handover.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.config.sinks import MentalHealth as MentalHealthConfig
from sim.model.officers import PLACE_OF_SAFETY
from sim.model.per_incident import uniforms
from sim.model.sinks import Context

if TYPE_CHECKING:
    from sim.model.incident import Incident
    from sim.model.officers import Officer


class MentalHealthSink:
    """The mental-health mechanism (a ``sim.model.sinks.Sink``)."""

    state = PLACE_OF_SAFETY

    def __init__(self, config: MentalHealthConfig, context: Context) -> None:
        self.context = context
        self.held = config.officers_held
        self.detain = context.by_type(config.detention_share)
        conveyance = context.by_type(config.conveyance_share)
        self.either = [d + c for d, c in zip(self.detain, conveyance, strict=True)]
        self.kinds = [share > 0.0 for share in self.either]
        self.chance = uniforms(context.streams, "section_136")  # detained, else conveyed, when below the shares
        self.below = self.either
        self.places = [context.place(p.place) for p in config.places_of_safety]
        self.free = [p.places for p in config.places_of_safety]
        self.emergency = context.place(config.emergency_department)
        self.transport = context.draws("section_136.transport", config.transport_minutes)
        self.handover = context.draws("section_136.handover", config.handover_minutes)
        self.emergency_wait = context.draws("section_136.emergency_wait", config.emergency_wait_minutes)
        self.stay = context.draws("section_136.stay", config.stay_hours)
        self.detentions = 0
        self.to_emergency = 0
        self.conveyances = 0
        self.wait_minutes = 0.0

    def start(self, officers: list[Officer], incident: Incident) -> None:
        """Choose where the person goes, and drive there."""
        detained = self.chance[incident.number] < self.detain[incident.kind]
        free = [i for i, places in enumerate(self.free) if places > 0] if detained else []
        if free:
            chosen = free[self.context.nearest(incident, [self.places[i] for i in free])]
            self.free[chosen] -= 1
            place, wait = self.places[chosen], self.handover[incident.number]
            stay = self.stay[incident.number] * 60.0
        else:
            place, wait, stay, chosen = self.emergency, self.emergency_wait[incident.number], 0.0, -1
        if incident.counted:
            if detained:
                self.detentions += 1
                self.to_emergency += chosen < 0
                self.wait_minutes += wait
            else:
                self.conveyances += 1
        context = self.context
        minutes = self.transport[incident.number] if context.map is None else context.drive(incident, place)
        context.clock.after(minutes + wait, context.release, officers, place)
        if chosen >= 0:
            context.clock.after(minutes + stay, self._vacate, chosen)

    def _vacate(self, chosen: int) -> None:
        self.free[chosen] += 1

    def settle(self, end: float) -> None:
        return None

    def metrics(self) -> dict[str, float]:
        return {
            "section_136.detentions": float(self.detentions),
            "section_136.to_emergency_department": float(self.to_emergency),
            "section_136.mean_wait_hours": self.wait_minutes / 60.0 / self.detentions if self.detentions else math.nan,
            "mental_health.conveyances": float(self.conveyances),
        }
