"""Crewing policy: how many officers go to each incident, set by the shift on duty.

The shift on duty at a moment is the response shift that started most recently (with early 07:00,
late 15:00 and night 22:00, the night shift governs from 22:00 to 07:00 although the late shift
is still out until 01:00). An incident becoming dispatchable while a shift named in
``duties.crewing.by_shift`` governs gets that many officers, replacing its per-type draw
(``officers_needed``); under shifts not named it keeps the draw. The crew is set once, when the
incident first becomes dispatchable, and kept while it waits.
"""

from __future__ import annotations

from bisect import bisect_right

from sim.config.duties import Crewing
from sim.config.schema import Workforce
from sim.errors import ConfigError

MINUTES_PER_DAY = 1440.0


class CrewPolicy:
    """The crew size for an incident dispatched at a given time."""

    def __init__(self, workforce: Workforce, crewing: Crewing) -> None:
        unknown = sorted(set(crewing.by_shift) - set(workforce.shifts))
        if unknown:
            raise ConfigError(f"duties.crewing.by_shift: {unknown} are not shifts of workforce.shifts")
        starts = sorted((shift.start_hour * 60.0, name) for name, shift in workforce.shifts.items())
        self.starts = [minute for minute, _ in starts]
        self.names = [name for _, name in starts]
        self.sizes = [crewing.by_shift.get(name) for name in self.names]

    def shift_at(self, minute: float) -> str:
        """The name of the shift governing ``minute`` (simulation minutes)."""
        return self.names[bisect_right(self.starts, minute % MINUTES_PER_DAY) - 1]

    def crew(self, minute: float, drawn: int) -> int:
        """Officers to send to an incident dispatchable at ``minute`` whose per-type draw was ``drawn``."""
        size = self.sizes[bisect_right(self.starts, minute % MINUTES_PER_DAY) - 1]
        return drawn if size is None else size
