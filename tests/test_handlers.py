"""The handler pool, worked out ahead in blocks, gives exactly the answers of a plain event-per-step queue.

The pool plans a block of calls at a time, frees handlers lazily and takes calls needing no police
in a tight loop (see sim/model/handlers.py). Here the same calls go through a deliberately naive
reference, written for this test: one event for every arrival, every call end, every hang-up and
every hour of the roster, handlers freed at once. Every call's fate (answered at what minute, or
hung up) must agree, whether a call reaches the pool as a call about an incident (``add``) or as
one needing no police (``expect``), and however long the planned blocks are; so must the pool's
counts.
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass

import numpy as np
import pytest

from sim.model.handlers import ABANDONED, ANSWERED, BACKGROUND, HIGH, LOW, PROMPT, HandlerPool
from sim.model.incident import Call

ARRIVE, END, HANG_UP, HOUR = 1, 0, 2, 0  # event kinds; at equal times ends and hours go before arrivals


@dataclass
class Spec:
    time: float
    priority: int
    handling: float
    patience: float
    background: bool


def reference(calls: list[Spec], staff_by_hour: list[int], horizon: float) -> dict[int, float | str]:
    """Answer minute (or "hung up") of each call, from an event per arrival, end, hang-up and hour."""
    order = itertools.count()
    events: list[tuple[float, int, int, str, int]] = []
    for index, call in enumerate(calls):
        heapq.heappush(events, (call.time, ARRIVE, next(order), "arrive", index))
    for hour in range(1, int(horizon // 60) + 2):
        heapq.heappush(events, (hour * 60.0, HOUR, next(order), "hour", hour))
    capacity, busy = staff_by_hour[0], 0
    queues: tuple[list[int], list[int]] = ([], [])
    fate: dict[int, float | str] = {}

    def serve(now: float) -> None:
        nonlocal busy
        for priority in (HIGH, LOW):
            while queues[priority] and busy < capacity:
                index = queues[priority].pop(0)
                busy += 1
                fate[index] = now
                heapq.heappush(events, (now + calls[index].handling, END, next(order), "end", index))

    while events:
        now, _, _, what, index = heapq.heappop(events)
        if now >= horizon:  # as SimPy's run(until=horizon): nothing at the horizon itself
            break
        if what == "hour":
            capacity = staff_by_hour[index % 24]
            serve(now)
        elif what == "end":
            busy -= 1
            serve(now)
        elif what == "hang_up":
            if index not in fate:
                fate[index] = "hung up"
                queues[LOW].remove(index)
        else:
            call = calls[index]
            nobody_ahead = not queues[HIGH] and (call.priority == HIGH or not queues[LOW])
            if busy < capacity and nobody_ahead:
                busy += 1
                fate[index] = now
                heapq.heappush(events, (now + call.handling, END, next(order), "end", index))
            else:
                queues[call.priority].append(index)
                if call.priority == LOW and call.patience < math.inf:
                    heapq.heappush(events, (now + call.patience, HANG_UP, next(order), "hang_up", index))
    return fate


def pool_fates(
    calls: list[Spec], staff_by_hour: list[int], horizon: float, week: float, ring_again: bool = False
) -> dict[int, float | str]:
    """The same calls through HandlerPool, handed over and planned ``week`` minutes at a time; calls
    about incidents in the stream of first rings, or (``ring_again``) as callers ringing again."""
    fate: dict[int, float | str] = {}
    by_time = {call.time: index for index, call in enumerate(calls)}

    def answered(call: Call, minute: float) -> None:
        assert call.answered_at == minute
        fate[by_time[call.time]] = minute

    def hung_up(call: Call, minute: float) -> None:
        assert minute == call.rang_at + call.patience
        fate[by_time[call.time]] = "hung up"

    pool = HandlerPool(tuple(staff_by_hour), answered, hung_up)
    for start in np.arange(0.0, horizon, week):
        until = min(start + week, horizon)
        mine = [(index, c) for index, c in enumerate(calls) if start <= c.time < until]
        rings: list = []
        for index, c in mine:
            item = None if c.background else Call(index, 0, 0, 0, c.time, True, c.handling, 0.0, c.patience)
            if item is not None and ring_again:
                pool.add(item, c.priority, c.time)
            else:
                rings.append((c.time, c.priority, 0, c.handling, c.patience, item))
        pool.expect(rings)
        pool.plan(until)
    background = [index for index, call in enumerate(calls) if call.background and call.time < horizon]
    still_queued = {
        call.time for queue in pool.queues for call, _ in queue if call.answered_at < 0 and not call.abandoned
    }
    on_arrival = [i for i in background if i not in fate and calls[i].time not in still_queued]
    tally = pool.tally_at(horizon)
    assert tally[BACKGROUND] == len(background)
    answered_on_arrival = [i for i, f in fate.items() if f == calls[i].time]  # incidents' calls, so far
    assert tally[PROMPT + HIGH] + tally[PROMPT + LOW] == len(on_arrival) + len(answered_on_arrival)
    assert tally[ANSWERED + HIGH] + tally[ANSWERED + LOW] == len(on_arrival) + sum(
        isinstance(f, float) for f in fate.values()
    )
    assert tally[ABANDONED] == sum(f == "hung up" for f in fate.values())
    for index in on_arrival:
        fate[index] = calls[index].time
    return fate


def random_calls(seed: int, per_hour: float, horizon: float, background_share: float) -> list[Spec]:
    rng = np.random.default_rng(seed)
    times = np.sort(rng.uniform(0.0, horizon, rng.poisson(per_hour * horizon / 60.0)))
    return [
        Spec(
            float(t),
            int(rng.random() < 0.5),
            float(rng.lognormal(1.7, 0.7)),
            float(rng.exponential(6.0)) if rng.random() < 0.9 else math.inf,
            bool(rng.random() < background_share),
        )
        for t in times
    ]


STAFF = [3, 2, 2, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5, 5, 4, 4, 3, 3]
STEEP = [6, 1, 5, 1, 6, 2, 6, 1, 4, 1, 6, 1, 5, 2, 6, 1, 6, 1, 5, 1, 6, 2, 6, 1]  # many falls below the busy count


@pytest.mark.parametrize("per_hour", [10.0, 40.0, 90.0])  # light, busy, overloaded (about 1.5 handlers short)
@pytest.mark.parametrize("seed", [11, 12, 13])
@pytest.mark.parametrize("staff", [STAFF, STEEP], ids=["daily", "steep"])
def test_pool_matches_event_per_step_reference(seed: int, per_hour: float, staff: list[int]) -> None:
    horizon = 3 * 1440.0
    calls = random_calls(seed, per_hour, horizon, background_share=0.6)
    expected = reference(calls, staff, horizon)
    got = pool_fates(calls, staff, horizon, week=600.0)
    assert got == expected
    assert any(isinstance(f, float) and f > calls[i].time for i, f in expected.items())  # some calls waited
    if per_hour >= 40.0:
        assert "hung up" in expected.values()


def test_background_only_and_foreground_only_agree() -> None:
    """Whether a call needs no police, reports an incident, or is a caller ringing again makes no
    difference to anyone's fate."""
    horizon = 2 * 1440.0
    calls = random_calls(5, 40.0, horizon, background_share=1.0)
    all_background = pool_fates(calls, STAFF, horizon, week=300.0)
    for call in calls:
        call.background = False
    as_incidents = pool_fates(calls, STAFF, horizon, week=300.0)
    as_again = pool_fates(calls, STAFF, horizon, week=300.0, ring_again=True)
    assert as_again == as_incidents == all_background == reference(calls, STAFF, horizon)


def test_how_far_ahead_the_pool_is_planned_makes_no_difference() -> None:
    """Blocks of an hour, of ten hours, or the whole run at once: the same fates."""
    horizon = 2 * 1440.0
    calls = random_calls(7, 40.0, horizon, background_share=0.6)
    fates = [pool_fates(calls, STEEP, horizon, week=week) for week in (60.0, 600.0, horizon)]
    assert fates[0] == fates[1] == fates[2] == reference(calls, STEEP, horizon)


def planned_pool(calls: list[Spec], staff: list[int], until: float) -> HandlerPool:
    """A pool given every call, planned once to ``until``."""
    pool = HandlerPool(tuple(staff), lambda call, minute: None, lambda call, minute: None)
    pool.expect(
        (
            c.time,
            c.priority,
            0,
            c.handling,
            c.patience,
            None if c.background else Call(i, 0, 0, 0, c.time, True, c.handling, 0.0, c.patience),
        )
        for i, c in enumerate(calls)
    )
    pool.watch(45.0)
    pool.plan(until)
    return pool


def test_counts_kept_on_the_hour_and_waiting_callers_watched() -> None:
    """A run stopped on the hour reads the counts as they stood then (``tally_at``), and the watched
    queue lengths are the queues of that minute: both as a pool planned only to just past it."""
    horizon = 2 * 1440.0
    calls = random_calls(8, 90.0, horizon, background_share=0.6)
    whole = planned_pool(calls, STEEP, horizon)
    assert whole.tally_at(horizon) is whole.tally and whole.tally_at(0.0) == [0] * 10
    just_past = 1e-6  # no call rings, ends or hangs up this close after any minute checked here
    for hour in (1, 7, 30, 47):
        upto = planned_pool(calls, STEEP, hour * 60.0 + just_past)
        assert whole.tally_at(hour * 60.0) == upto.tally
    watched = list(whole.watched)
    assert len(watched) == horizon / 45.0 and any(high + low for high, low in watched)
    for index in (3, 20, 51):
        upto = planned_pool(calls, STEEP, index * 45.0 + just_past)
        assert watched[index] == tuple(upto.waiting)
    with pytest.raises(ValueError, match="only on the hours"):
        whole.tally_at(90.0)
    whole.plan(horizon + 120.0)  # a later plan keeps only its own hours
    assert whole.tally_at(horizon) == whole.hourly[0] and whole.tally_at(horizon + 60.0) == whole.hourly[1]
    with pytest.raises(ValueError, match="latest plan"):
        whole.tally_at(horizon - 60.0)
