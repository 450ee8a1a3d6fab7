"""Court: case files lead to court days, and the attending officer is away from duty for them.

When the officer who led an attendance leaves the scene and the incident has a case file, a
court appearance follows with probability ``duties.court.case_file_share``, dated a drawn
``days_after`` later. At the start of that officer's first shift on or after the date (not
abstracted), they spend a drawn ``hours`` at court (state ``court``) before going on duty; one
appearance a shift, so dates that fall together are served on successive shifts. A meal break
due meanwhile waits until court ends; court running past the end of the shift is overtime.
Appearances of investigators are not modelled (an assumption: the attending officer gives the
evidence). Draws come from the ``court.share``, ``court.days`` and ``court.hours`` streams, used
only here, in the order appearances arise.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import numpy as np

from sim.config.duties import Court
from sim.model.engine import Clock
from sim.model.officers import COURT, Duty, Officer

MINUTES_PER_DAY = 1440.0
MINUTES_PER_HOUR = 60.0


class CourtDates:
    """Each officer's court dates, and the appearances that take them away from duty."""

    def __init__(
        self,
        config: Court,
        clock: Clock,
        duty: Duty,
        share: np.random.Generator,
        days: np.random.Generator,
        hours: np.random.Generator,
    ) -> None:
        self.config = config
        self.clock = clock
        self.duty = duty
        self.share_rng = share
        self.days_rng = days
        self.hours_rng = hours
        self.dates: dict[int, list[float]] = {}  # officer number -> heap of court dates (minutes)
        self.appearances = 0  # appearances started in the statistics window
        self.counted_from = 0.0  # start of the statistics window (set by the model)
        self.on_end: Callable[[Officer], None] | None = None  # the dispatcher's officer_free

    def case_file(self, officer: Officer) -> None:
        """An attendance led by ``officer`` left a case file: perhaps a court date for them."""
        if self.share_rng.random() >= self.config.case_file_share:
            return
        day = float(self.config.days_after.sample(self.days_rng, 1)[0])
        heapq.heappush(self.dates.setdefault(officer.number, []), self.clock.now + day * MINUTES_PER_DAY)

    def attend(self, officer: Officer) -> bool:
        """At the start of ``officer``'s shift: go to court (True) if a court date has come."""
        dates = self.dates.get(officer.number)
        if not dates or dates[0] > self.clock.now:
            return False
        heapq.heappop(dates)
        if self.clock.now >= self.counted_from:
            self.appearances += 1
        hours = float(self.config.hours.sample(self.hours_rng, 1)[0])
        self.duty.move(officer, COURT)
        officer.token += 1
        self.clock.after(hours * MINUTES_PER_HOUR, self._end, officer, officer.token)
        return True

    def pending(self) -> int:
        """Court dates not yet attended."""
        return sum(len(dates) for dates in self.dates.values())

    def _end(self, officer: Officer, token: int) -> None:
        if officer.token == token:
            assert self.on_end is not None
            self.on_end(officer)
