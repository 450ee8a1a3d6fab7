"""Scene guards: a cordon held by an officer for hours at a serious incident.

An attended incident needs a guard when its draw from the ``scene_guard`` stream is below the type's
``share``; up to ``officers_held`` of the attending officers stay at the scene (state
``SCENE_GUARD``) for the incident's ``guard_minutes``, then are free where they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.config.sinks import SceneGuard as SceneGuardConfig
from sim.model.officers import SCENE_GUARD
from sim.model.per_incident import uniforms
from sim.model.sinks import Context

if TYPE_CHECKING:
    from sim.model.incident import Incident
    from sim.model.officers import Officer


class SceneGuardSink:
    """The scene-guard mechanism (a ``sim.model.sinks.Sink``)."""

    state = SCENE_GUARD

    def __init__(self, config: SceneGuardConfig, context: Context) -> None:
        self.context = context
        self.held = config.officers_held
        self.share = context.by_type(config.share)
        self.kinds = [share > 0.0 for share in self.share]
        self.chance = uniforms(context.streams, "scene_guard")  # a guard when below the type's share
        self.below = self.share
        self.minutes = context.draws("scene_guard.minutes", config.guard_minutes)
        self.guards = 0

    def start(self, officers: list[Officer], incident: Incident) -> None:
        if incident.counted:
            self.guards += 1
        self.context.clock.after(self.minutes[incident.number], self.context.release, officers, incident.place)

    def settle(self, end: float) -> None:
        return None

    def metrics(self) -> dict[str, float]:
        return {"scene_guards": float(self.guards)}
