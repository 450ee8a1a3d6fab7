"""The contact centre: call handlers answer 999 before 101; 101 callers may hang up; a desk takes online reports.

A phoned incident reaches dispatch ``grading_minutes`` after the call is answered (the handler
stays on the line for the whole handling time); an online report when the desk has processed it.

Staff numbers follow an hour-of-day roster; when the number on duty falls, handlers finish the
call in hand. A 101 caller who has waited longer than their patience abandons; if the call was
about an incident, the caller tries again later with the configured probability (once), or the
incident is lost (counted as not attended and as ``lost_to_abandonment``).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable

from sim.demand import CHANNEL_101, CHANNEL_999, CHANNEL_ONLINE
from sim.engine import Clock
from sim.incident import Call, Incident
from sim.schema import ContactCentre as ContactConfig
from sim.stats import OUTCOMES, Stats

HIGH, LOW = 0, 1
TEN_SECONDS = 10.0 / 60.0
LOST = OUTCOMES.index("lost_to_abandonment")


class HandlerPool:
    """Rostered staff serving two FIFO queues, the first always before the second.

    A handler frees up when its call's handling time ends. Nothing needs to happen at that moment
    unless a caller is waiting, so the pool keeps the calls' end times in a heap and frees handlers
    lazily, the next time it looks; it schedules a wake-up at the earliest end time only while
    someone waits. That saves one event per call and gives the same answering times.
    """

    def __init__(
        self,
        clock: Clock,
        staff_by_hour: tuple[int, ...],
        on_answer: Callable[[Call], None],
        on_abandon: Callable[[Call], None] | None = None,
    ) -> None:
        self.clock = clock
        self.staff_by_hour = staff_by_hour
        self.capacity = staff_by_hour[0]
        self.ends: list[float] = []  # end times of the calls in hand (a heap): its length is the busy count
        # Entries are (call, attempt): an abandoned caller who rings again leaves a stale entry.
        self.queues: tuple[deque[tuple[Call, int]], deque[tuple[Call, int]]] = (deque(), deque())
        self.waiting = [0, 0]
        self.wake_at = math.inf  # the pending wake-up, if any
        self.on_answer = on_answer
        self.on_abandon = on_abandon
        clock.after(60.0, self._next_hour, 1)

    def _next_hour(self, hour: int) -> None:
        self.capacity = self.staff_by_hour[hour % 24]
        self._serve()
        self.clock.after(60.0, self._next_hour, hour + 1)

    def arrive(self, call: Call, priority: int) -> None:
        """A call joins the pool: answered at once if a handler is free and nobody waits ahead."""
        ends = self.ends
        now = self.clock.now
        while ends and ends[0] <= now:
            heapq.heappop(ends)
        if len(ends) < self.capacity and not self.waiting[HIGH] and (priority == HIGH or not self.waiting[LOW]):
            self._answer(call, now)
            return
        self.queues[priority].append((call, call.attempt))
        self.waiting[priority] += 1
        self._wake_when_free()
        if priority == LOW and self.on_abandon is not None and call.patience < math.inf:
            self.clock.after(call.patience, self._abandon, call, call.attempt)

    def _abandon(self, call: Call, attempt: int) -> None:
        if call.attempt == attempt and call.answered_at < 0.0 and not call.abandoned:
            call.abandoned = True
            self.waiting[LOW] -= 1
            assert self.on_abandon is not None
            self.on_abandon(call)

    def _wake_when_free(self) -> None:
        """Make sure the pool looks at its queues again when the next call in hand ends."""
        if self.ends and self.ends[0] < self.wake_at:
            self.wake_at = self.ends[0]
            self.clock.after(self.wake_at - self.clock.now, self._wake, self.wake_at)

    def _wake(self, at: float) -> None:
        if at == self.wake_at:
            self.wake_at = math.inf
            self._serve()

    def _serve(self) -> None:
        ends = self.ends
        now = self.clock.now
        while ends and ends[0] <= now:
            heapq.heappop(ends)
        for priority in (HIGH, LOW):
            queue = self.queues[priority]
            while queue and len(ends) < self.capacity:
                call, attempt = queue.popleft()
                if call.abandoned or attempt != call.attempt:
                    continue
                self.waiting[priority] -= 1
                self._answer(call, now)
        if self.waiting[HIGH] or self.waiting[LOW]:
            self._wake_when_free()

    def _answer(self, call: Call, now: float) -> None:
        heapq.heappush(self.ends, now + call.handling)
        call.answered_at = now
        self.on_answer(call)


class ContactCentre:
    """Routes each call by channel, measures answering, and passes graded incidents on."""

    def __init__(
        self,
        clock: Clock,
        config: ContactConfig,
        stats: Stats,
        submit: Callable[[Incident], None],
        close_lost: Callable[[Incident], None],
    ) -> None:
        self.clock = clock
        self.stats = stats
        self.submit = submit
        self.close_lost = close_lost
        self.reattempt_share = config.reattempt_share
        self.phones = HandlerPool(clock, config.call_handlers.staff_by_hour, self._answered, self._abandoned)
        self.online = HandlerPool(clock, config.online_desk.staff_by_hour, self._answered)

    def receive(self, call: Call) -> None:
        """A call (or online report) reaches the centre now."""
        call.answered_at = -1.0
        call.abandoned = False
        call.attempt += 1
        call.rang_at = self.clock.now
        in_window = self.clock.now >= self.stats.start
        if call.channel == CHANNEL_999:
            if in_window:
                self.stats.contact["offered_999"] += 1
            self.phones.arrive(call, HIGH)
        elif call.channel == CHANNEL_101:
            if in_window:
                self.stats.contact["offered_101"] += 1
            self.phones.arrive(call, LOW)
        elif call.channel == CHANNEL_ONLINE:
            self.online.arrive(call, HIGH)
        else:
            self.submit(call)

    def _answered(self, call: Call) -> None:
        if call.channel == CHANNEL_ONLINE:
            self.clock.after(call.handling, self._processed, call)
            return
        if isinstance(call, Incident):
            self.clock.after(min(call.grading, call.handling), self.submit, call)
        wait = self.clock.now - call.rang_at
        if self.clock.now < self.stats.start:
            return
        contact = self.stats.contact
        if call.channel == CHANNEL_999:
            contact["answered_999"] += 1
            if wait <= TEN_SECONDS:
                contact["answered_999_within_10s"] += 1
        else:
            contact["answered_101"] += 1
            contact["answer_wait_101_minutes"] += wait

    def _processed(self, call: Call) -> None:
        """The online desk has finished a report: it reaches dispatch now."""
        if self.clock.now >= self.stats.start:
            self.stats.contact["online_handled"] += 1
        if isinstance(call, Incident):
            self.submit(call)

    def _abandoned(self, call: Call) -> None:
        if self.clock.now >= self.stats.start:
            self.stats.contact["abandoned_101"] += 1
        if not isinstance(call, Incident):
            return
        if call.reattempt < self.reattempt_share:
            call.reattempt = 1.0  # a caller tries again at most once
            self.clock.after(call.reattempt_delay, self.receive, call)
            return
        if call.counted:
            self.stats.count(call.kind, -1, LOST)
        self.close_lost(call)
