"""The appointment diary: a fixed number of slots starting in each hour of the day.

A booking takes the earliest hour, at least the lead time from now, with a slot left; bookings
within an hour are spread evenly across it. An hour never holds more bookings than its slots, so
the wait for an appointment grows when demand outruns the slots, and shrinks when it does not.
"""

from __future__ import annotations

import math

from sim.config.response import Diary as DiaryConfig


class Diary:
    """Slots by hour of the day, booked earliest first after ``lead_hours``."""

    def __init__(self, config: DiaryConfig) -> None:
        self.slots = config.slots_by_hour
        self.lead = config.lead_hours * 60.0
        self.booked: dict[int, int] = {}  # hour index from the start -> bookings in that hour
        # The last search: every hour in [_searched_from, _found) is full. Bookings only fill
        # hours, so that stays true, and a later search starting inside it resumes at _found.
        self._searched_from = 0
        self._found = 0

    def _first_open(self, now: float) -> int:
        """The earliest hour at least the lead time from now with a slot left."""
        start = math.ceil((now + self.lead) / 60.0 - 1e-9)
        if self._searched_from <= start <= self._found:
            hour = self._found
        else:
            hour = self._searched_from = start
        booked, slots = self.booked, self.slots
        while booked.get(hour, 0) >= slots[hour % 24]:
            hour += 1
        self._found = hour
        return hour

    def earliest(self, now: float) -> float:
        """When the next booking made now would start (minutes from the start of the run)."""
        hour = self._first_open(now)
        return hour * 60.0 + 60.0 * self.booked.get(hour, 0) / self.slots[hour % 24]

    def book(self, now: float) -> float:
        """Book the earliest free slot; its start time."""
        hour = self._first_open(now)
        taken = self.booked.get(hour, 0)
        self.booked[hour] = taken + 1
        return hour * 60.0 + 60.0 * taken / self.slots[hour % 24]

    def overbooked(self) -> list[int]:
        """Hours holding more bookings than slots (always empty; checked by the tests)."""
        return [hour for hour, taken in self.booked.items() if taken > self.slots[hour % 24]]
