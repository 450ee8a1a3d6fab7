"""A pool of rostered call handlers (or online-desk staff) serving two FIFO queues, urgent first,
worked out ahead of the model's clock.

Nothing a pool does depends on the officers: when callers ring, how long each call takes, how long
a 101 caller will wait and the staff on duty each hour are all drawn or set before it runs. So the
pool keeps no events on the model's clock. It is handed each week's calls (``expect``) and callers
ringing again (``add``), and ``plan(until)`` works out in one loop of its own when every call
ringing before ``until`` is answered or hung up on; the pool's owner puts on the clock only what
the rest of the model needs (an incident reaching dispatch, a caller lost).

The loop takes six kinds of moment in time order (at equal minutes, in this order): a call in
hand ending while someone waits (its handler takes the next caller), the roster's hour, a call
ringing for the first time (needing police or not), a caller ringing again, a waiting 101
caller's patience running out, and a watched minute. A call's end matters only while someone
waits, so end times sit in a heap and are dropped when the pool next looks; while nobody waits,
ringing calls take free handlers in a tight loop, and a call needing no police becomes an object
only if it has to wait.

The pool counts what it did (``tally``; ``hourly`` keeps the counts as they stood at every hour
of the latest plan, for a run stopped early). ``tests/test_handlers.py`` checks every call's fate against a naive queue
with an event for every arrival, end, hang-up and hour.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Callable, Iterable
from heapq import heappop, heappush

from sim.model.demand import NON_INCIDENT
from sim.model.incident import Call

HIGH, LOW = 0, 1
INF = math.inf

# A call ringing for the first time: (minute, priority, channel, handling minutes, patience minutes,
# the call about an incident, or None for a call that needs no police).
Ring = tuple[float, int, int, float, float, "Call | None"]

# Indices into a pool's tally, by priority where a pair: calls offered, answered, answered within
# ``prompt`` minutes of ringing, and the minutes answered callers waited; 101 callers who hung up;
# calls needing no police that rang.
OFFERED, ANSWERED, PROMPT, WAITED = 0, 2, 4, 6
ABANDONED, BACKGROUND = 8, 9


def empty_tally() -> list[float]:
    """A tally with nothing counted (the wait sums are floats, the rest counts)."""
    return [0, 0, 0, 0, 0, 0, 0.0, 0.0, 0, 0]


def waiting_call(time: float, channel: int, handling: float, patience: float) -> Call:
    """A call needing no police that must wait: it becomes a ``Call`` (those answered as they ring never do)."""
    call = Call(0, NON_INCIDENT, -1, channel, time, True, handling, 0.0, patience)
    call.attempt = 1
    call.rang_at = time
    return call


class HandlerPool:
    """Rostered staff serving two FIFO queues, the first always before the second."""

    def __init__(
        self,
        staff_by_hour: tuple[int, ...],
        answered: Callable[[Call, float], None],
        abandoned: Callable[[Call, float], None] | None = None,
        count_from: float = 0.0,
        prompt: float = 0.0,
    ) -> None:
        """``answered(call, minute)`` and ``abandoned(call, minute)`` hear of every call given to
        ``add`` and of every call needing no police that had to wait (as a ``Call`` of kind
        ``NON_INCIDENT``); callers hang up only if ``abandoned`` is given. Calls ringing from
        ``count_from`` (the statistics window) on are counted in ``tally``."""
        self.staff_by_hour = staff_by_hour
        self.capacity = staff_by_hour[0]
        self.hour = 1  # the roster's next hour
        self.ends: list[float] = []  # end times of the calls in hand (a heap): its length is the busy count
        # Entries are (call, attempt): a caller who hung up, or rang off and rang again, leaves a stale entry.
        self.queues: tuple[deque[tuple[Call, int]], deque[tuple[Call, int]]] = (deque(), deque())
        self.waiting = [0, 0]
        self.hangups: list[tuple[float, int, Call, int]] = []  # (minute, order, call, attempt), a heap
        self.ringing: deque[Ring] = deque()  # calls to ring for the first time, in time order
        self.again: list[tuple[float, int, int, Call]] = []  # (minute, order, priority, call) to ring again, a heap
        self.order = itertools.count()
        self.planned = 0.0  # every moment before this minute is worked out
        self.answered = answered
        self.abandoned = abandoned
        self.count_from = count_from
        self.prompt = prompt
        self.tally = empty_tally()
        # The tally as it stood at each hour of the latest plan (after its roster change), from hour ``hourly_from``.
        self.hourly: list[list[float]] = []
        self.hourly_from = 1
        self.watch_at = INF  # the next minute at which the waiting callers are counted, if watched
        self.watch_every = INF
        self.watched: deque[tuple[int, int]] = deque()

    # ---- what the pool is given -----------------------------------------------------------------
    def expect(self, rings: Iterable[Ring]) -> None:
        """Calls ringing for the first time, in time order (after any already expected)."""
        self.ringing.extend(rings)

    def add(self, call: Call, priority: int, minute: float) -> None:
        """A call about an incident rings (again) at ``minute``, not before what is already planned."""
        if minute < self.planned:
            raise ValueError(f"a call ringing at minute {minute} comes after the plan reached {self.planned}")
        heappush(self.again, (minute, next(self.order), priority, call))

    def watch(self, every: float) -> None:
        """Count the waiting callers of each queue at minutes 0, ``every``, ``2 * every``... (``watched``)."""
        self.watch_at, self.watch_every = 0.0, every

    def tally_at(self, end: float) -> list[float]:
        """The tally of every moment up to minute ``end``. A run stops before the plan's end only on
        the hour (its check for a runaway queue), when the counts are those after that hour's roster
        change."""
        if end >= self.planned or math.nextafter(end, INF) == self.planned:
            return self.tally
        hour = end / 60.0
        if hour == 0.0:
            return empty_tally()
        index = int(hour) - self.hourly_from
        if hour != int(hour) or not 0 <= index < len(self.hourly):
            raise ValueError(f"no counts kept for minute {end} (only on the hours of the latest plan)")
        return self.hourly[index]

    # ---- the plan -------------------------------------------------------------------------------
    def plan(self, until: float, through: bool = False) -> None:
        """Work out every moment before minute ``until`` (``through``: and at it): answers, hang-ups
        and the roster's changes. (A run ends after the moments already due at its last minute.)"""
        limit = math.nextafter(until, INF) if through else until  # every moment before this
        self.hourly.clear()  # a run stops within the latest plan, so earlier hours are not needed
        self.hourly_from = self.hour
        ends, waiting, ringing, again, hangups = self.ends, self.waiting, self.ringing, self.again, self.hangups
        tally, count_from = self.tally, self.count_from
        hour_at = self.hour * 60.0
        while True:
            t_ring = ringing[0][0] if ringing else INF
            t_again = again[0][0] if again else INF
            if waiting[HIGH] or waiting[LOW]:  # call ends and hang-ups matter only while someone waits
                t_end = ends[0] if ends else INF
                t_hang = hangups[0][0] if hangups else INF
            else:
                t_end = t_hang = INF
            now = min(t_end, hour_at, t_ring, t_again, t_hang, self.watch_at)
            if now >= limit:
                break
            if t_end == now:
                while ends and ends[0] <= now:
                    heappop(ends)
                self._serve(now)
            elif hour_at == now:
                self.capacity = self.staff_by_hour[self.hour % 24]
                self.hour += 1
                hour_at = self.hour * 60.0
                while ends and ends[0] <= now:
                    heappop(ends)
                if waiting[HIGH] or waiting[LOW]:
                    self._serve(now)
                self.hourly.append(tally.copy())
            elif t_ring == now:
                if not (waiting[HIGH] or waiting[LOW]):
                    self._take_rings(min(t_again, hour_at, self.watch_at, limit))
                    continue
                self._ring_first(*ringing.popleft())  # behind the callers already waiting
            elif t_again == now:
                _, _, priority, call = heappop(again)
                self._ring(call, priority, now)
            elif t_hang == now:
                _, _, call, attempt = heappop(hangups)
                if call.attempt != attempt or call.answered_at >= 0.0 or call.abandoned:
                    continue  # answered, or rang off and rang again, before their patience ran out
                call.abandoned = True
                waiting[LOW] -= 1
                if now >= count_from:
                    tally[ABANDONED] += 1
                assert self.abandoned is not None  # hang-ups are queued only when it is given
                self.abandoned(call, now)
            else:
                self.watched.append((waiting[HIGH], waiting[LOW]))
                self.watch_at = now + self.watch_every
        self.planned = limit

    def _take_rings(self, stop: float) -> None:
        """While nobody waits: the calls ringing before ``stop`` (when something else happens) take
        free handlers as they ring, until one finds none and queues."""
        ends, ringing, tally, answered = self.ends, self.ringing, self.tally, self.answered
        capacity, count_from = self.capacity, self.count_from
        background = 0  # calls needing no police that rang
        taken = taken_low = 0  # counted calls answered as they rang, and those of them on the LOW queue
        while True:
            minute, priority, channel, handling, patience, call = ringing.popleft()
            while ends and ends[0] <= minute:
                heappop(ends)
            if len(ends) >= capacity:
                self._ring_first(minute, priority, channel, handling, patience, call)
                break
            heappush(ends, minute + handling)  # answered as it rings
            if minute >= count_from:
                taken += 1
                taken_low += priority  # LOW is 1, HIGH 0
            if call is None:
                background += 1
            else:
                call.attempt += 1
                call.rang_at = call.answered_at = minute
                answered(call, minute)
            if not ringing or ringing[0][0] >= stop:
                break
        tally[BACKGROUND] += background
        for priority, answered_now in ((HIGH, taken - taken_low), (LOW, taken_low)):
            tally[OFFERED + priority] += answered_now
            tally[ANSWERED + priority] += answered_now
            tally[PROMPT + priority] += answered_now

    def _ring_first(
        self, minute: float, priority: int, channel: int, handling: float, patience: float, call: Call | None
    ) -> None:
        """A call rings for the first time (the fields of a ``Ring``) when it may have to wait."""
        if call is not None:
            self._ring(call, priority, minute)
            return
        self.tally[BACKGROUND] += 1
        if minute >= self.count_from:
            self.tally[OFFERED + priority] += 1
        self._enqueue(waiting_call(minute, channel, handling, patience), priority, minute)

    def _ring(self, call: Call, priority: int, now: float) -> None:
        """A call about an incident rings now: answered if a handler is free and nobody waits ahead."""
        call.answered_at = -1.0
        call.abandoned = False
        call.attempt += 1
        call.rang_at = now
        counted = now >= self.count_from
        if counted:
            self.tally[OFFERED + priority] += 1
        ends, waiting = self.ends, self.waiting
        while ends and ends[0] <= now:
            heappop(ends)
        if len(ends) < self.capacity and not waiting[HIGH] and (priority == HIGH or not waiting[LOW]):
            heappush(ends, now + call.handling)
            call.answered_at = now
            if counted:
                self.tally[ANSWERED + priority] += 1
                self.tally[PROMPT + priority] += 1
            self.answered(call, now)
        else:
            self._enqueue(call, priority, now)

    def _enqueue(self, call: Call, priority: int, now: float) -> None:
        """Queue a call that rang at ``now``; a 101 caller hangs up after their patience."""
        self.queues[priority].append((call, call.attempt))
        self.waiting[priority] += 1
        if priority == LOW and self.abandoned is not None and call.patience < INF:
            heappush(self.hangups, (now + call.patience, next(self.order), call, call.attempt))

    def _serve(self, now: float) -> None:
        """Free handlers take the waiting callers, urgent first, each queue in the order they rang."""
        ends, tally, waiting = self.ends, self.tally, self.waiting
        counted = now >= self.count_from
        for priority in (HIGH, LOW):
            queue = self.queues[priority]
            while queue and len(ends) < self.capacity:
                call, attempt = queue.popleft()
                if call.abandoned or attempt != call.attempt:
                    continue
                waiting[priority] -= 1
                heappush(ends, now + call.handling)
                call.answered_at = now
                if counted:
                    wait = now - call.rang_at
                    tally[ANSWERED + priority] += 1
                    if wait <= self.prompt:
                        tally[PROMPT + priority] += 1
                    tally[WAITED + priority] += wait
                self.answered(call, now)
