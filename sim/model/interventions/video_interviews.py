"""Video interviews, and rapid video response to eligible incidents (the Kent trial model).

- Interviews: for adopted incidents the ``interviews`` task takes ``duration_factor`` of its
  in-person time (which includes getting there).
- Rapid video response: eligible, consenting incidents of the listed types and (assigned) grades,
  on reaching dispatch, queue first come first served for ``desk_officers`` (a pool of their own);
  the call's start is their attendance and no response officer goes (their follow-up passes to
  the desk team, an assumption). If the visit is kept, the desk call still happens and the
  officer's arrival is the attendance.

Five uniforms per call: adoption, eligibility, consent, call length, visit kept.
"""

from __future__ import annotations

import heapq

import numpy as np

from sim.config.interventions import VideoInterviews as Settings
from sim.config.schema import TASKS
from sim.model.incident import CallBlock, Incident
from sim.model.interventions.contract import Context, Intervention, Response

INTERVIEWS = TASKS.index("interviews")


class VideoInterviews(Intervention):
    """Shorter interviews for adopters; a desk officer's video call instead of a visit for some."""

    config_model = Settings
    uniforms = 5  # adoption, eligibility, consent, call length, visit kept
    # a dose scales interviews held by video and incidents eligible for a video call
    dose_fields = ("adoption", "rapid_response.eligible_share")
    config: Settings

    def __init__(self, name: str, config: Settings, context: Context) -> None:
        super().__init__(name, config, context)
        self.desk_free = [0.0] * config.rapid_response.desk_officers  # a heap of free times
        self.offers: dict[int, tuple[float, bool]] = {}  # call number -> (call minutes, visit kept)

    def rewrite(self, block: CallBlock, u: np.ndarray) -> None:
        """Interviews of adopted incidents by video: ``duration_factor`` of the in-person time."""
        adopted = self.adopted(block, u)
        before = block.followup[:, INTERVIEWS].copy()
        block.followup[:, INTERVIEWS] = np.where(adopted, before * self.config.duration_factor, before)
        self.add(f"hours_saved.{self.name}", (before - block.followup[:, INTERVIEWS])[self.counted(block)])

    def plan(self, block: CallBlock, u: np.ndarray, numbers: np.ndarray) -> None:
        """Eligible, consenting incidents of the listed types and grades get a video offer."""
        rapid = self.config.rapid_response
        if not rapid.enabled:
            return
        offered = (
            self.of_kind(block, rapid.incident_types, rapid.grades)
            & (u[:, 1] < rapid.eligible_share)
            & (u[:, 2] < rapid.consent_share)
        )
        call = -np.log1p(-u[:, 3]) * rapid.call_minutes
        for i in np.flatnonzero(offered).tolist():
            self.offers[int(numbers[i])] = (float(call[i]), bool(u[i, 4] < rapid.visit_kept_share))

    def respond(self, incident: Incident, now: float) -> Response:
        """A video call as soon as a desk officer is free; attended then unless the visit is kept."""
        offer = self.offers.pop(incident.number, None)
        if offer is None:
            return Response.PASS
        minutes, visit_kept = offer
        start = max(self.desk_free[0], now)
        heapq.heapreplace(self.desk_free, start + minutes)
        if incident.counted:
            self.add("remote.hours_video_desk", minutes)
        if visit_kept:  # the officer's arrival is the attendance
            return Response.DISPATCH
        self.attend_remotely(incident, start, "video")
        return Response.ATTENDED
