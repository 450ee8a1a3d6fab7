"""The contact centre: call handlers answer 999 before 101; 101 callers may hang up; a desk takes online reports.

A phoned incident reaches dispatch ``grading_minutes`` after the call is answered (the handler
stays on the line for the whole handling time); an online report when the desk has processed it.

Staff numbers follow an hour-of-day roster; when the number on duty falls, handlers finish the
call in hand. A 101 caller who has waited longer than their patience abandons; if the call was
about an incident, the caller tries again later with the configured probability (once), or the
incident is lost (counted as not attended and as ``lost_to_abandonment``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.config.schema import ContactCentre as ContactConfig
from sim.model.demand import CHANNEL_101, CHANNEL_999, CHANNEL_ONLINE
from sim.model.engine import Clock
from sim.model.handlers import HIGH, LOW, HandlerPool
from sim.model.incident import Call, Incident
from sim.model.stats import OUTCOMES, Stats

TEN_SECONDS = 10.0 / 60.0
LOST = OUTCOMES.index("lost_to_abandonment")


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
        self.phones = HandlerPool(
            clock, config.call_handlers.staff_by_hour, self._answered, self._abandoned, count_from=stats.start
        )
        self.online = HandlerPool(clock, config.online_desk.staff_by_hour, self._answered)

    def expect_background(
        self, time: np.ndarray, channel: np.ndarray, handling: np.ndarray, patience: np.ndarray
    ) -> None:
        """Phone calls that need no police, arriving later in time order (a week's worth at a time)."""
        priority = np.where(channel == CHANNEL_999, HIGH, LOW)
        self.phones.expect(
            zip(time.tolist(), priority.tolist(), channel.tolist(), handling.tolist(), patience.tolist(), strict=True)
        )

    def settle(self) -> None:
        """At the end of the run: add the calls needing no police to the answering counts.

        The pool counts them itself (one per arrival in the statistics window, and those answered
        on arrival, with no wait); those that queued were counted as answered like any call.
        """
        phones = self.phones
        phones.settle()
        contact = self.stats.contact
        contact["offered_999"] += phones.background_offered[HIGH]
        contact["offered_101"] += phones.background_offered[LOW]
        contact["answered_999"] += phones.background_answered_on_arrival[HIGH]
        contact["answered_999_within_10s"] += phones.background_answered_on_arrival[HIGH]
        contact["answered_101"] += phones.background_answered_on_arrival[LOW]

    @property
    def background_calls(self) -> int:
        """Calls needing no police that have arrived so far."""
        return self.phones.absorbed

    def receive(self, call: Call) -> None:
        """A call (or online report) reaches the centre now."""
        now = self.clock._now
        call.answered_at = -1.0
        call.abandoned = False
        call.attempt += 1
        call.rang_at = now
        in_window = now >= self.stats.start
        channel = call.channel
        if channel == CHANNEL_999:
            if in_window:
                self.stats.contact["offered_999"] += 1
            self.phones.arrive(call, HIGH)
        elif channel == CHANNEL_101:
            if in_window:
                self.stats.contact["offered_101"] += 1
            self.phones.arrive(call, LOW)
        elif channel == CHANNEL_ONLINE:
            self.online.arrive(call, HIGH)
        else:
            assert isinstance(call, Incident)  # other channels carry incidents only
            self.submit(call)

    def _answered(self, call: Call) -> None:
        channel = call.channel
        if channel == CHANNEL_ONLINE:
            self.clock.after(call.handling, self._processed, call)
            return
        if isinstance(call, Incident):
            grading, handling = call.grading, call.handling
            self.clock.after(grading if grading < handling else handling, self.submit, call)
        now = self.clock._now
        if now < self.stats.start:
            return
        wait = now - call.rang_at
        contact = self.stats.contact
        if channel == CHANNEL_999:
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
            self.stats.count(call.kind, call.grade, LOST)  # by its drawn grade, though never graded
        self.close_lost(call)
