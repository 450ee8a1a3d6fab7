"""A call to the police, and the incident it may report, as they move through the model.

Most calls need no police (advice, wrong numbers, other agencies): they are plain ``Call``
objects that only occupy a call handler. A call that reports an incident is an ``Incident``,
which adds what dispatch and the officers' work need.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

# Incident states.
IN_CONTACT, SCHEDULED, WAITING, ASSIGNED, CLOSED = 0, 1, 2, 3, 4


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
        self.answered_at = -1.0
        self.abandoned = False
        self.attempt = 0  # call attempts so far; a stale queue entry carries an older number
        self.rang_at = 0.0  # when the current call attempt reached the contact centre


class Incident(Call):
    """A call that reports an incident: adds the crew, the scene, the follow-up work and its dispatch state."""

    __slots__ = (
        "crew",
        "assigned",
        "arrived",
        "place",
        "latitude",
        "longitude",
        "on_scene",
        "travel",
        "followup",
        "state",
        "give_up_at",
        "queued_at",
        "lead_done",
        "km",
    )

    def __init__(self, *call: Any) -> None:
        """``call``: the arguments of ``Call``; the incident's own fields start empty and are set by its maker."""
        super().__init__(*call)
        self.crew = 1
        self.assigned = 0
        self.arrived = -1.0
        self.place = -1
        self.latitude = math.nan
        self.longitude = math.nan
        self.on_scene = 0.0
        self.travel = 0.0
        self.followup: list[float] | None = None  # minutes of each follow-up task
        self.state = IN_CONTACT
        self.give_up_at = math.inf
        self.queued_at = -1.0
        self.lead_done = False
        self.km: np.ndarray | None = None  # road km to every place, for incidents given by coordinates
