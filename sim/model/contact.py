"""The contact centre: call handlers answer 999 before 101; 101 callers may hang up; a desk takes online reports.

The centre does not depend on the officers, so it is worked out ahead of the clock (see
``sim.model.handlers``): the model hands it each week's calls (``expect``) and ``plan``s it a few
hours at a time. Only what the rest of the model needs goes on the clock:
each incident reaching dispatch, and each incident lost.

A phoned incident reaches dispatch ``grading_minutes`` after the call is answered (the handler
stays on the line for the whole handling time); an online report when the desk has processed it.

Staff numbers follow an hour-of-day roster; when the number on duty falls, handlers finish the
call in hand. A 101 caller who has waited longer than their patience abandons; if the call was
about an incident, the caller tries again later with the configured probability (once), or the
incident is lost (counted as not attended and as ``lost_to_abandonment``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import numpy as np

from sim.config.schema import ContactCentre as ContactConfig
from sim.model.demand import CHANNEL_101, CHANNEL_999, CHANNEL_ONLINE
from sim.model.engine import Clock
from sim.model.handlers import ABANDONED, ANSWERED, BACKGROUND, HIGH, LOW, OFFERED, PROMPT, WAITED, HandlerPool
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
            config.call_handlers.staff_by_hour, self._answered, self._hung_up, stats.start, TEN_SECONDS
        )
        self.online = HandlerPool(config.online_desk.staff_by_hour, self._read)
        self.background_calls = 0  # calls needing no police that rang before the end (set by ``settle``)

    def expect(
        self,
        time: np.ndarray,
        kind: np.ndarray,
        channel: np.ndarray,
        handling: np.ndarray,
        patience: np.ndarray,
        calls: np.ndarray,
    ) -> None:
        """Calls reaching the centre later, in time order (a week's at a time): ``calls`` holds the
        incident each row reports, or None for a call that needs no police. 999 calls go to the
        phones' urgent queue, other phone calls (and every call needing no police) to the second,
        online reports to the desk."""
        background = kind < 0
        phones = background | (channel == CHANNEL_999) | (channel == CHANNEL_101)
        online = ~background & (channel == CHANNEL_ONLINE)
        priority = np.where((channel == CHANNEL_999) | online, HIGH, LOW)
        columns = (time, priority, channel, handling, patience, calls)
        for pool, rows in ((self.phones, phones), (self.online, online)):
            if rows.any():  # the desk has no hang-ups, so patience is not read there
                pool.expect(zip(*(column[rows].tolist() for column in columns), strict=True))
        unrouted = ~(phones | online)
        if unrouted.any():
            raise ValueError(f"channel {int(channel[unrouted][0])} does not reach the contact centre")

    def plan(self, until: float, through: bool = False) -> None:
        """Work out the phones and the online desk up to minute ``until`` (``through``: and at it),
        putting their results on the clock."""
        self.phones.plan(until, through)
        self.online.plan(until, through)

    def watch(self, every: float) -> None:
        """Count the callers waiting on the phones every ``every`` minutes from minute 0 (``waiting_now``)."""
        self.phones.watch(every)

    def waiting_now(self) -> tuple[int, int]:
        """The 999 and 101 callers waiting at the next watched minute (read once, in order, at each)."""
        return self.phones.watched.popleft()

    def settle(self, end: float) -> None:
        """At the end of the run (minute ``end``): the phones' answering counts of the run."""
        tally = self.phones.tally_at(end)
        contact = self.stats.contact
        contact["offered_999"] += tally[OFFERED + HIGH]
        contact["offered_101"] += tally[OFFERED + LOW]
        contact["answered_999"] += tally[ANSWERED + HIGH]
        contact["answered_999_within_10s"] += tally[PROMPT + HIGH]
        contact["answered_101"] += tally[ANSWERED + LOW]
        contact["answer_wait_101_minutes"] += tally[WAITED + LOW]
        contact["abandoned_101"] += tally[ABANDONED]
        self.background_calls = int(tally[BACKGROUND])

    def _answered(self, call: Call, minute: float) -> None:
        """A call was answered: an incident reaches dispatch once graded (or when the call ends)."""
        if call.kind < 0:
            return
        incident: Incident = call  # type: ignore[assignment]  # it reports one (typing.cast costs a call here)
        grading, handling = incident.grading, incident.handling
        self.clock.at(minute + (grading if grading < handling else handling), self.submit, incident)

    def _read(self, call: Call, minute: float) -> None:
        """The online desk opened a report: it reaches dispatch when the desk has processed it."""
        self.clock.at(minute + call.handling, self._processed, cast(Incident, call))

    def _processed(self, call: Incident) -> None:
        if self.clock._now >= self.stats.start:
            self.stats.contact["online_handled"] += 1
        self.submit(call)

    def _hung_up(self, call: Call, minute: float) -> None:
        """A caller about an incident hung up: they ring again once (with the configured chance),
        or the incident is lost then."""
        if call.kind < 0:
            return
        if call.reattempt < self.reattempt_share:
            call.reattempt = 1.0  # a caller tries again at most once
            self.phones.add(call, LOW, minute + call.reattempt_delay)
            return
        self.clock.at(minute, self._lost, cast(Incident, call))

    def _lost(self, call: Incident) -> None:
        if call.counted:
            self.stats.count(call.kind, call.grade, LOST)  # by its drawn grade, though never graded
        self.close_lost(call)
