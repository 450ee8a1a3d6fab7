"""Where officers go after a scene: the hook that hands them to custody, mental health or a cordon.

``Sinks.take`` is called by dispatch for every officer leaving a scene. An incident's sink is
decided from the incident's own draws (``sim.model.per_incident``), in a fixed order: an arrest
(``sim.model.custody``), else a section 136 detention or conveyance (``sim.model.mental_health``),
else a scene guard (``sim.model.scene``); at most one per incident. The sink gathers up to its
``officers_held`` of the attending officers as they leave (the first to leave waits, in the sink's
state, for the rest; the crew is final once the lead has left), then runs its course and releases
them, where it ended, to dispatch. Officers beyond the party leave as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from sim.config.distributions import Distribution
from sim.config.sinks import place_names
from sim.model.per_incident import PerIncident
from sim.model.streams import Streams

if TYPE_CHECKING:
    from sim.config.schema import Scenario
    from sim.model.dispatch import Dispatcher
    from sim.model.engine import Clock
    from sim.model.geography import Map
    from sim.model.incident import Incident
    from sim.model.officers import Officer
    from sim.model.stats import Stats


class Sink(Protocol):
    """One after-scene mechanism."""

    state: int  # the officer state (sim.model.officers) of those it holds
    held: int
    kinds: list[bool]  # incident types it can take
    # It takes an incident whose own draw ``chance[number]`` is below ``below[type]``.
    chance: PerIncident
    below: list[float]

    def start(self, officers: list[Officer], incident: Incident) -> None: ...

    def settle(self, end: float) -> None: ...

    def metrics(self) -> dict[str, float]: ...


class Context:
    """What every sink needs: the clock, statistics, dispatch, the map and per-incident draws."""

    def __init__(
        self, scenario: Scenario, clock: Clock, stats: Stats, dispatcher: Dispatcher, geo: Map | None, streams: Streams
    ) -> None:
        self.scenario = scenario
        self.clock = clock
        self.stats = stats
        self.dispatcher = dispatcher
        self.map = geo
        self.streams = streams
        self.places = place_names(scenario)
        self.types = list(scenario.incident_types)

    def draws(self, name: str, distribution: Distribution) -> PerIncident:
        """Durations from ``distribution``, one per incident number, from stream ``name``."""
        return PerIncident(self.streams, name, distribution.sample)

    def place(self, name: str) -> int:
        """The map place of a station or zone name."""
        return self.places.index(name)

    def by_type(self, shares: dict[str, float]) -> list[float]:
        """Shares per incident type index (0 where not given)."""
        return [shares.get(name, 0.0) for name in self.types]

    def drive(self, incident: Incident, place: int) -> float:
        """Minutes from the incident's scene to ``place`` by road (not blue-light); needs a map."""
        return self.dispatcher._drive_minutes(incident, place, False)

    def nearest(self, incident: Incident, places: list[int]) -> int:
        """The index (into ``places``) of the place nearest the scene (the first without a map)."""
        if self.map is None:
            return 0
        minutes = [self.drive(incident, place) for place in places]
        return minutes.index(min(minutes))

    def release(self, officers: list[Officer], place: int) -> None:
        """The officers are done where they are (``place``), and free for dispatch."""
        for officer in officers:
            if self.map is not None:
                officer.place = place
            self.dispatcher.officer_free(officer)


class Party:
    """Officers gathered for one incident's sink, and how many of its officers have left the scene."""

    __slots__ = ("sink", "officers", "open", "left")

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.officers: list[Officer] = []
        self.open = True  # still gathering
        self.left = 0


class Sinks:
    """The after-scene hook: decides each incident's sink and gathers its officers."""

    def __init__(self, context: Context, sinks: list[Sink]) -> None:
        self.context = context
        self.sinks = sinks
        # By type: (sink, its draws, the share below which it takes an incident of the type)
        self.by_kind = [
            [(sink, sink.chance, sink.below[k]) for sink in sinks if sink.kinds[k]] for k in range(len(context.types))
        ]
        self.parties: dict[int, Party] = {}  # incident number -> its party, until all its officers have left
        self.move = context.dispatcher.move

    def take(self, officer: Officer, incident: Incident) -> bool:
        """Called as ``officer`` leaves ``incident``'s scene: True if a sink took the officer."""
        candidates = self.by_kind[incident.kind]
        if not candidates:
            return False
        number = incident.number
        parties = self.parties
        party = parties.get(number)
        if party is None:
            for sink, chance, below in candidates:
                if chance[number] < below:
                    party = parties[number] = Party(sink)
                    break
            else:
                return False  # decided by the incident's own draws: asking again gives the same answer
        party.left += 1
        taken = party.open
        if taken:
            sink = party.sink
            party.officers.append(officer)
            self.move(officer, sink.state)
            gathered = len(party.officers)
            if gathered >= sink.held or (incident.lead_done and gathered >= min(sink.held, incident.assigned)):
                party.open = False
                sink.start(party.officers, incident)
        if incident.lead_done and party.left >= incident.assigned:
            del parties[number]
        return taken

    def settle(self, end: float) -> None:
        """Close each sink's tallies at the end of the run."""
        for sink in self.sinks:
            sink.settle(end)

    def metrics(self) -> dict[str, float]:
        """Every sink's metrics, by contract path without ``summary.``."""
        out: dict[str, float] = {}
        for sink in self.sinks:
            out.update(sink.metrics())
        return out


def build_sinks(
    scenario: Scenario, clock: Clock, stats: Stats, dispatcher: Dispatcher, geo: Map | None, streams: Streams
) -> Sinks | None:
    """The configured sinks, or None when the scenario has none (dispatch then skips the hook)."""
    from sim.model.custody import CustodySink
    from sim.model.mental_health import MentalHealthSink
    from sim.model.scene import SceneGuardSink

    config = scenario.sinks
    if config is None:
        return None
    context = Context(scenario, clock, stats, dispatcher, geo, streams)
    sinks: list[Sink] = []
    if config.custody is not None:
        sinks.append(CustodySink(config.custody, context))
    if config.mental_health is not None:
        sinks.append(MentalHealthSink(config.mental_health, context))
    if config.scene_guard is not None:
        sinks.append(SceneGuardSink(config.scene_guard, context))
    return Sinks(context, sinks)
