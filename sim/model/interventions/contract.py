"""The contract every intervention meets: a base class with a hook for each place it may act.

An intervention is one subclass of ``Intervention`` (one module) and one line in the registry.
The model drives it, in this order:

1. ``uniforms`` columns of uniform numbers are drawn for every call of a week from the
   intervention's own stream (``intervention.<name>``), one fixed set per call, so its draws never
   shift anyone else's (common random numbers) and a larger adoption only adds adopters.
2. ``add_calls(week)``: calls it adds to the week (only the ``extra_demand`` what-if does).
3. ``rewrite(block, u)``: it rewrites the week's ``CallBlock`` in place (durations, follow-up
   minutes, grades, channels) and may drop calls, before any call reaches the clock.
4. ``plan(block, u, numbers)``: with the call numbers known, it notes the incidents it will meet
   again on their way to dispatch.
5. ``respond(incident, now)``: each graded incident, before dispatch, goes to the responders in
   registry order; the first that takes it decides: officers are sent (``Response.DISPATCH``) or
   not, as it attended the incident itself (``Response.ATTENDED``, a remote response).
6. ``metrics()``: its tallies as flat metrics.

Every hook but ``metrics`` does nothing by default. ``hours_saved.<name>`` is the officer time an
intervention removes from incidents generated in the statistics window: the planned, gross
saving the linear claim converts, before any freed time is used again.

A dose (``policesim dose``): ``dose_fields`` names the settings that carry its published saving;
``dosed(settings, d)`` gives them at ``d`` times that saving and ``reach(settings)`` the largest
``d`` they can take (see ``dose.py``). A plug-in whose saving does not scale by multiplying fields
overrides the two class methods; one that lists no fields takes no dose.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

import numpy as np

from sim.config.interventions import InterventionConfig, Section
from sim.config.schema import Scenario
from sim.model.dispatch import Dispatcher
from sim.model.geography import Map
from sim.model.incident import CLOSED, CallBlock, Incident
from sim.model.interventions import dose
from sim.model.stats import Stats
from sim.model.streams import Streams

HOUR_TALLIES = ("hours_saved.", "remote.hours")  # tallied in minutes, reported in hours


class Response(Enum):
    """What an intervention does with an incident on its way to dispatch."""

    PASS = "not mine: the next intervention may take it"
    DISPATCH = "taken: officers are sent as usual"
    ATTENDED = "taken and attended remotely: no officer is sent"


@dataclass(frozen=True)
class Context:
    """What the model lends every intervention of a replication."""

    scenario: Scenario
    streams: Streams
    stats: Stats
    map: Map | None
    dispatcher: Dispatcher


class Intervention:
    """One intervention's behaviour; a subclass overrides the hooks where it acts."""

    config_model: ClassVar[type[Section]] = InterventionConfig
    """The pydantic model of its ``interventions.<name>`` section."""
    uniforms: ClassVar[int] = 0
    """Uniform columns it draws per call from its own stream (0: none)."""
    dose_fields: ClassVar[tuple[str, ...]] = ()
    """Settings (dotted paths) a dose factor multiplies: its savings, adoption or shares (none: no dose)."""

    @classmethod
    def dosed(cls, settings: Section, factor: float) -> Section:
        """Its settings at ``factor`` times the configured saving; DoseError beyond ``reach``."""
        if not cls.dose_fields:
            raise dose.DoseError(f"{cls.__name__} takes no dose (its plug-in lists no dose_fields)")
        return dose.scaled(settings, cls.dose_fields, factor)  # type: ignore[return-value]

    @classmethod
    def reach(cls, settings: Section) -> float:
        """The largest dose factor its settings can physically take (inf: unbounded)."""
        return dose.reach(settings, cls.dose_fields)

    def __init__(self, name: str, config: Section, context: Context) -> None:
        self.name = name
        self.config = config
        self.context = context
        self.grades = context.scenario.grade_order()
        self.types = list(context.scenario.incident_types)
        self.tally: dict[str, float] = {}

    # ---- hooks ----------------------------------------------------------------------------------
    def add_calls(self, week: int) -> tuple[CallBlock, np.ndarray] | None:
        """Candidate calls to add to ``week`` and which of them to keep, or None.

        Every intervention's uniforms are drawn for every candidate (from streams prefixed with
        this one's name), so a kept call's draws do not depend on how many others are kept."""
        return None

    def rewrite(self, block: CallBlock, u: np.ndarray) -> np.ndarray | None:
        """Rewrite the week's calls in place (``u``: this one's uniforms, a row per call).

        Returns which calls remain, or None when all do."""
        return None

    def plan(self, block: CallBlock, u: np.ndarray, numbers: np.ndarray) -> None:
        """Note the incidents to respond to; ``numbers`` is each row's call number."""

    def respond(self, incident: Incident, now: float) -> Response:
        """Act on a graded incident as it reaches dispatch, at ``now``."""
        return Response.PASS

    def metrics(self) -> dict[str, float]:
        """``hours_saved.<name>`` and the tallies (minutes reported in hours, see HOUR_TALLIES)."""
        out = {f"hours_saved.{self.name}": 0.0}
        for key, value in self.tally.items():
            out[key] = value / 60.0 if key.startswith(HOUR_TALLIES) else value
        return out

    @property
    def responds(self) -> bool:
        """Whether it overrides ``respond`` (only those are asked at dispatch)."""
        return type(self).respond is not Intervention.respond

    # ---- helpers ----------------------------------------------------------------------------------
    def add(self, key: str, values: np.ndarray | float) -> None:
        """Add ``values`` (summed) to the tally ``key``."""
        self.tally[key] = self.tally.get(key, 0.0) + float(np.sum(values))

    def adopted(self, block: CallBlock, u: np.ndarray) -> np.ndarray:
        """Which incidents it reaches: the first of its uniforms below ``adoption``."""
        assert isinstance(self.config, InterventionConfig)
        return (u[:, 0] < self.config.adoption) & (block.kind >= 0)

    def counted(self, block: CallBlock) -> np.ndarray:
        """Which calls are incidents generated in the statistics window."""
        return (block.time >= self.context.stats.start) & (block.kind >= 0)

    def of_kind(self, block: CallBlock, types: list[str], grades: list[str]) -> np.ndarray:
        """Which calls are incidents of one of ``types`` graded one of ``grades``."""
        kinds = [self.types.index(t) for t in types]
        indices = [self.grades.index(g) for g in grades]
        return np.isin(block.kind, kinds) & np.isin(block.grade, indices)

    def attend_remotely(self, incident: Incident, when: float, how: str) -> None:
        """Attend ``incident`` at ``when`` with no officer (a remote response) and close it.

        Called as the incident reaches dispatch, which is its queued time. The officer time it
        would have taken (crew x (travel + on scene), and its follow-up) counts as saved."""
        dispatcher = self.context.dispatcher
        incident.queued_at = dispatcher.clock.now
        incident.state = CLOSED
        dispatcher.attend(incident, when)
        if incident.counted:
            self.add(f"remote.{self.types[incident.kind]}.{how}_attended", 1.0)
            minutes = incident.crew * (incident.on_scene + self._officer_travel(incident))
            followup = 0.0 if incident.followup is None else float(np.sum(incident.followup))
            self.add(f"hours_saved.{self.name}", minutes + followup)

    def _officer_travel(self, incident: Incident) -> float:
        """Officer travel minutes to an incident: drawn, or from the nearest station by road."""
        geo = self.context.map
        if geo is None:
            return float(incident.travel)
        stations = geo.n_stations
        km = incident.km[:stations] if incident.km is not None else geo.road_km[:stations, incident.place]
        blue = self.grades[incident.grade] in geo.geography.blue_light_grades
        return geo.minutes(float(np.min(km)), blue)
