"""A call to the police, and the incident it may report, as they move through the model.

Most calls need no police (advice, wrong numbers, other agencies): they are plain ``Call``
objects that only occupy a call handler. A call that reports an incident is an ``Incident``,
which adds what dispatch and the officers' work need.

``CALL_FIELDS`` is the one list of what demand draws for every call: the columns of a
``sim.model.demand.CallBlock`` and the drawn attributes of an ``Incident`` built from one row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

# Incident states.
IN_CONTACT, SCHEDULED, WAITING, ASSIGNED, CLOSED = 0, 1, 2, 3, 4


@dataclass
class CallBlock:
    """Calls of one week (or a replayed log), sorted by time: one array per drawn attribute.

    The one definition of what demand draws for every call; ``CALL_FIELDS`` are its column
    names, and an ``Incident`` is built from one row of them.
    """

    time: np.ndarray  # minutes from the start
    kind: np.ndarray  # incident type index; NON_INCIDENT for a call that reports none
    channel: np.ndarray  # CHANNEL_999, CHANNEL_101, CHANNEL_ONLINE or CHANNEL_DIRECT (replayed)
    grade: np.ndarray  # grade index (-1 for non-incident calls)
    crew: np.ndarray  # officers needed
    zone: np.ndarray  # zone index (-1: no map, or the place is given by coordinates)
    on_scene: np.ndarray  # minutes at the scene
    travel: np.ndarray  # minutes to the scene where there is no map
    handling: np.ndarray  # call-handling minutes
    grading: np.ndarray  # minutes into the call when the incident is graded
    patience: np.ndarray  # minutes a 101 caller waits before hanging up
    reattempt: np.ndarray  # a uniform: the caller rings again after hanging up if below the share
    reattempt_delay: np.ndarray  # minutes before that second attempt
    followup: np.ndarray  # (calls x tasks) minutes of each follow-up task
    latitude: np.ndarray  # NaN unless given by coordinates (a replayed log)
    longitude: np.ndarray

    def __len__(self) -> int:
        return len(self.time)

    def select(self, mask: np.ndarray) -> CallBlock:
        """The calls where ``mask`` is true (or at the given indices)."""
        return CallBlock(**{name: getattr(self, name)[mask] for name in CALL_FIELDS})

    @staticmethod
    def concatenate(blocks: list[CallBlock]) -> CallBlock:
        """Several blocks as one, sorted by time (stable, so ties keep block order)."""
        merged = {name: np.concatenate([getattr(b, name) for b in blocks]) for name in CALL_FIELDS}
        order = np.argsort(merged["time"], kind="stable")
        return CallBlock(**{name: values[order] for name, values in merged.items()})


CALL_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(CallBlock))


class Call:
    """One call (or online report): what the contact centre needs to answer it; plain slots for speed."""

    __slots__ = (
        "number",
        "kind",
        "grade",
        "channel",
        "time",
        "counted",
        "handling",
        "grading",
        "patience",
        "reattempt",
        "reattempt_delay",
        "answered_at",
        "abandoned",
        "rang_at",
        "attempt",
    )

    def __init__(
        self,
        number: int,
        kind: int,
        grade: int,
        channel: int,
        time: float,
        counted: bool,
        handling: float = 0.0,
        grading: float = 0.0,
        patience: float = math.inf,
    ) -> None:
        self.number = number
        self.kind = kind  # the incident type, or a negative number for a call that reports none
        self.grade = grade
        self.channel = channel
        self.time = time
        self.counted = counted
        self.handling = handling
        self.grading = grading
        self.patience = patience
        self.reattempt = 1.0
        self.reattempt_delay = 0.0
        self._start_contact()

    def _start_contact(self) -> None:
        """The contact centre's own state, before the first ring."""
        self.answered_at = -1.0
        self.abandoned = False
        self.attempt = 0  # call attempts so far; a stale queue entry carries an older number
        self.rang_at = 0.0  # when the current call attempt reached the contact centre


class Incident(Call):
    """A call that reports an incident: adds the crew, the scene, the follow-up work and its dispatch state."""

    __slots__ = (
        "crew",
        "zone",
        "on_scene",
        "travel",
        "followup",
        "latitude",
        "longitude",
        "assigned",
        "arrived",
        "place",
        "state",
        "give_up_at",
        "queued_at",
        "lead_done",
        "km",
        "decision",
        "entry",
    )
    entry: int  # the sequence number of its live dispatch-queue entry, set when it is queued (sim.model.dispatch)
    # One row of a CallBlock (its comments say what each is), as Python scalars.
    crew: int
    zone: int
    on_scene: float
    travel: float
    followup: list[float] | None
    latitude: float
    longitude: float

    def __init__(self, number: int, counted: bool, row: Sequence[Any], place: int = -1) -> None:
        """An incident from one row of drawn values, in ``CALL_FIELDS`` order, at map place ``place``
        (-1 until the model sets it from the zone or coordinates)."""
        # Unpacked in CALL_FIELDS order (a loop of setattr costs twice as much on this hot path);
        # tests/test_unit_incident.py checks this line against CALL_FIELDS.
        (
            self.time,
            self.kind,
            self.channel,
            self.grade,
            self.crew,
            self.zone,
            self.on_scene,
            self.travel,
            self.handling,
            self.grading,
            self.patience,
            self.reattempt,
            self.reattempt_delay,
            self.followup,
            self.latitude,
            self.longitude,
        ) = row
        self.number = number
        self.counted = counted
        self.answered_at = -1.0  # Call._start_contact, inlined: one incident is built per call
        self.abandoned = False
        self.attempt = 0
        self.rang_at = 0.0
        self.assigned = 0
        self.arrived = -1.0
        self.place = place
        self.state = IN_CONTACT
        self.give_up_at = math.inf
        self.queued_at = -1.0
        self.lead_done = False
        self.km: np.ndarray | None = None  # road km to every place, for incidents given by coordinates
        self.decision: Any = None  # the rule that decided its response (sim.model.assessment.CompiledRule), if any


def wants_officer(entry: int, incident: Incident) -> bool:
    """Whether a dispatch-queue entry still wants an officer: the incident's live entry
    (``Incident.entry``), waiting or still short of its crew."""
    return entry == incident.entry and (
        incident.state == WAITING or (incident.state == ASSIGNED and not incident.lead_done)
    )
