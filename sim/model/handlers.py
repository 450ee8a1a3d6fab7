"""A pool of rostered call handlers (or online-desk staff) serving two FIFO queues, urgent first.

The pool is driven by events only where something can change: a call about an incident arriving,
a waiting caller hanging up, a handler freeing up while someone waits, and the hourly roster.

- A handler frees up when its call's handling time ends. Nothing needs to happen then unless a
  caller is waiting, so the pool keeps the end times in a heap and frees handlers lazily, when it
  next looks; it schedules a wake-up at the earliest end time only while someone waits.
- Calls that need no police are known a week in advance. When nobody waits and ``f`` handlers
  are free, the next ``f`` of them will certainly be answered on arrival (and one more, if the
  earliest call in hand has ended by its arrival), so the pool lets them take their handlers in
  bulk the next time it looks, each at its own arrival time, and schedules an event only at the
  arrival of the one after (which might find every handler busy).

Both give exactly the answering times of one event per arrival and per call end, with far fewer
events. Every entry point therefore first catches up with the calls that have arrived (``_look``)
and ends by planning when it must next look (``_plan``).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable
from heapq import heappop, heappush

from sim.model.engine import Clock
from sim.model.incident import Call

HIGH, LOW = 0, 1
NON_INCIDENT = -1

# A call that needs no police: (arrival minute, priority, channel, handling minutes, patience minutes).
Background = tuple[float, int, int, float, float]


class HandlerPool:
    """Rostered staff serving two FIFO queues, the first always before the second."""

    def __init__(
        self,
        clock: Clock,
        staff_by_hour: tuple[int, ...],
        on_answer: Callable[[Call], None],
        on_abandon: Callable[[Call], None] | None = None,
        count_from: float = 0.0,
    ) -> None:
        self.clock = clock
        self.staff_by_hour = staff_by_hour
        self.capacity = staff_by_hour[0]
        self.ends: list[float] = []  # end times of the calls in hand (a heap): its length is the busy count
        # Entries are (call, attempt): an abandoned caller who rings again leaves a stale entry.
        self.queues: tuple[deque[tuple[Call, int]], deque[tuple[Call, int]]] = (deque(), deque())
        self.waiting = [0, 0]
        self.background: deque[Background] = deque()  # calls needing no police, not yet arrived
        self.absorbed = 0  # calls needing no police that have arrived
        # Of those arriving from ``count_from`` (the statistics window) on, by priority: how many,
        # and how many were answered on arrival (the others queue, and ``on_answer`` sees them).
        self.count_from = count_from
        self.background_offered = [0, 0]
        self.background_answered_on_arrival = [0, 0]
        self.wake_at = math.inf  # the pending wake-up for a waiting caller, if any
        self.look_at = math.inf  # the pending look at the next call needing no police, if any
        self.on_answer = on_answer
        self.on_abandon = on_abandon
        clock.after(60.0, self._next_hour, 1)

    # ---- entry points (each one looks first, then plans) -----------------------------------------
    def arrive(self, call: Call, priority: int) -> None:
        """A call joins the pool now: answered at once if a handler is free and nobody waits ahead."""
        now = self._look()
        waiting = self.waiting
        # Answered at once when a handler is free and nobody waits ahead (the same test as in _look)
        if len(self.ends) < self.capacity and not waiting[HIGH] and (priority == HIGH or not waiting[LOW]):
            heappush(self.ends, now + call.handling)  # answered now
            call.answered_at = now
            self.on_answer(call)
        else:
            self._enqueue(call, priority)
        self._plan(now)

    def expect(self, calls: Iterable[Background]) -> None:
        """Calls that need no police and arrive later, in time order (after any already expected)."""
        now = self._look()
        self.background.extend(calls)
        self._plan(now)

    def settle(self) -> None:
        """Let every call that has arrived by now take its handler (at the end of the run)."""
        self._look()

    def _next_hour(self, hour: int) -> None:
        now = self._look()
        self.capacity = self.staff_by_hour[hour % 24]
        self._serve(now)
        self._plan(now)
        self.clock.after(60.0, self._next_hour, hour + 1)

    def _abandon(self, call: Call, attempt: int) -> None:
        if call.attempt != attempt or call.answered_at >= 0.0 or call.abandoned:
            return  # answered (or rang off and rang again) before their patience ran out
        now = self._look()
        call.abandoned = True
        self.waiting[LOW] -= 1
        assert self.on_abandon is not None
        self.on_abandon(call)
        self._plan(now)

    def _wake(self, at: float) -> None:
        if at == self.wake_at:
            self.wake_at = math.inf
            now = self._look()
            self._serve(now)
            self._plan(now)

    def _looked(self, at: float) -> None:
        if at == self.look_at:
            self.look_at = math.inf
            self._plan(self._look())

    # ---- the work ---------------------------------------------------------------------------------
    def _look(self) -> float:
        """Let the calls needing no police that have arrived by now take handlers, each at its time;
        then free the handlers whose calls have ended by now."""
        now = self.clock._now
        background = self.background
        ends = self.ends
        if background and background[0][0] <= now:  # the loop runs once for every call needing no police
            waiting = self.waiting  # the list itself: _enqueue below updates it
            capacity, count_from = self.capacity, self.count_from
            offered, on_arrival = self.background_offered, self.background_answered_on_arrival
            arrived = 0
            while background and background[0][0] <= now:
                time, priority, channel, handling, patience = background.popleft()
                arrived += 1
                counted = time >= count_from
                if counted:
                    offered[priority] += 1
                while ends and ends[0] <= time:
                    heappop(ends)
                # Answered at once when a handler is free and nobody waits ahead (as in arrive)
                if len(ends) < capacity and not waiting[HIGH] and (priority == HIGH or not waiting[LOW]):
                    heappush(ends, time + handling)
                    if counted:
                        on_arrival[priority] += 1
                    continue
                # Only the call at the planned look (so at ``now``) can find every handler busy.
                call = Call(0, NON_INCIDENT, -1, channel, time, True, handling, 0.0, patience)
                call.attempt = 1
                call.rang_at = time
                self._enqueue(call, priority)
            self.absorbed += arrived
        while ends and ends[0] <= now:
            heappop(ends)
        return now

    def _enqueue(self, call: Call, priority: int) -> None:
        """Queue a call that rang now; a 101 caller hangs up after their patience."""
        self.queues[priority].append((call, call.attempt))
        self.waiting[priority] += 1
        if priority == LOW and self.on_abandon is not None and call.patience < math.inf:
            self.clock.after(call.patience, self._abandon, call, call.attempt)

    def _serve(self, now: float) -> None:
        ends = self.ends
        for priority in (HIGH, LOW):
            queue = self.queues[priority]
            while queue and len(ends) < self.capacity:
                call, attempt = queue.popleft()
                if call.abandoned or attempt != call.attempt:
                    continue
                self.waiting[priority] -= 1
                heappush(ends, now + call.handling)  # answered now
                call.answered_at = now
                self.on_answer(call)

    def _plan(self, now: float) -> None:
        """Schedule the next events the pool needs: a wake-up while someone waits, and a look at
        the first call needing no police that might find every handler busy."""
        ends = self.ends
        background = self.background
        waiting = self.waiting
        coming = len(background)
        if waiting[HIGH] or waiting[LOW]:
            first_unsure = 0
            if ends and ends[0] < self.wake_at:
                self.wake_at = wake_at = ends[0]
                self.clock.after(wake_at - now, self._wake, wake_at)
        else:
            free = self.capacity - len(ends)  # below 0 just after the roster fell
            first_unsure = free if free > 0 else 0  # the calls before it each find a free handler
            if free >= 0 and ends and first_unsure < coming and ends[0] <= background[first_unsure][0]:
                first_unsure += 1  # and so does this one: the earliest call in hand has ended by then
        if first_unsure < coming:
            at = background[first_unsure][0]
            if at < self.look_at:
                self.look_at = at
                self.clock.after(at - now, self._looked, at)
