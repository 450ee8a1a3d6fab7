"""The resolution centre: desk staff with their own roster who resolve incidents by telephone or video.

One first-come-first-served queue; the number of staff follows ``staff_by_hour`` (a change takes
effect at the hour; a call in progress is finished). Handling minutes are drawn per incident by
call number (common random numbers). Telephone resolutions are never attendances; a video
response is an attendance by video, counted when the call starts.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from sim.config.response import ResolutionCentre as CentreConfig
from sim.model.draws import ByNumber
from sim.model.engine import Clock
from sim.model.incident import Incident
from sim.model.streams import Streams


class ResolutionCentre:
    """A queue served by rostered desk staff; ``started`` and ``finished`` are called per incident."""

    def __init__(
        self,
        config: CentreConfig,
        clock: Clock,
        streams: Streams,
        started: Callable[[Incident, bool], None],
        finished: Callable[[Incident, bool], None],
    ) -> None:
        self.clock = clock
        self.staff = config.staff_by_hour
        self.capacity = self.staff[0]
        self.busy = 0
        self.queue: deque[tuple[float, Incident, bool]] = deque()
        self.minutes = {
            False: ByNumber(streams, "attendance.telephone_minutes", config.telephone_minutes.sample),
            True: ByNumber(streams, "attendance.video_minutes", config.video_minutes.sample),
        }
        self.started = started
        self.finished = finished
        self.wait_total = 0.0  # minutes waited by counted incidents that started
        self.handled = 0  # counted incidents that started
        clock.after(60.0, self._next_hour)

    def take(self, incident: Incident, video: bool) -> None:
        """An incident for a telephone (or video) response joins the queue."""
        self.queue.append((self.clock.now, incident, video))
        self._serve()

    def _serve(self) -> None:
        now = self.clock.now
        while self.queue and self.busy < self.capacity:
            since, incident, video = self.queue.popleft()
            self.busy += 1
            if incident.counted:
                self.wait_total += now - since
                self.handled += 1
            self.started(incident, video)
            self.clock.after(self.minutes[video].draw(incident.number), self._done, incident, video)

    def _done(self, incident: Incident, video: bool) -> None:
        self.busy -= 1
        self.finished(incident, video)
        self._serve()

    def _next_hour(self) -> None:
        self.capacity = self.staff[int(self.clock.now // 60.0) % 24]
        self._serve()
        self.clock.after(60.0, self._next_hour)
