"""The handler pool's lazy bookkeeping gives exactly the answers of a plain event-per-step queue.

The pool frees handlers lazily and absorbs calls needing no police in bulk (see sim/model/handlers.py).
Here the same calls go through a deliberately naive reference, written for this test: one event
for every arrival, every call end, every hang-up and every hour of the roster, handlers freed at
once. Every call's fate (answered at what minute, or hung up) must agree, whether a call reaches
the pool one by one (``arrive``) or as a call needing no police (``expect``).
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass

import numpy as np
import pytest

from sim.model.engine import Clock
from sim.model.handlers import HIGH, LOW, HandlerPool
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


def pool_fates(calls: list[Spec], staff_by_hour: list[int], horizon: float, week: float) -> dict[int, float | str]:
    """The same calls through HandlerPool: background calls handed over ``week`` minutes ahead."""
    clock = Clock()
    fate: dict[int, float | str] = {}
    by_time = {call.time: index for index, call in enumerate(calls)}

    def answered(call: Call) -> None:
        fate[by_time[call.time]] = call.answered_at

    def hung_up(call: Call) -> None:
        fate[by_time[call.time]] = "hung up"

    pool = HandlerPool(clock, tuple(staff_by_hour), answered, hung_up)
    for index, call in enumerate(calls):
        if not call.background:
            item = Call(index, 0, 0, 0, call.time, True, call.handling, 0.0, call.patience)
            item.attempt, item.rang_at = 1, call.time
            clock.after(call.time, pool.arrive, item, call.priority)
    starts = np.arange(0.0, horizon, week)
    for start in starts:  # a block of background calls is handed over before its first arrival
        chunk = [c for c in calls if c.background and start <= c.time < start + week]
        entries = [(c.time, c.priority, 0, c.handling, c.patience) for c in chunk]
        clock.after(max(start - 1.0, 0.0), pool.expect, entries)
    clock.run(until=horizon)
    pool.settle()
    background = [index for index, call in enumerate(calls) if call.background and call.time <= horizon]
    still_queued = {call.time for queue in pool.queues for call, _ in queue if not call.abandoned}
    on_arrival = [i for i in background if i not in fate and calls[i].time not in still_queued]
    assert sum(pool.background_offered) == pool.absorbed == len(background)
    assert sum(pool.background_answered_on_arrival) == len(on_arrival)
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
    """Whether a call is handed over in bulk or arrives by itself makes no difference to anyone's fate."""
    horizon = 2 * 1440.0
    calls = random_calls(5, 40.0, horizon, background_share=1.0)
    all_background = pool_fates(calls, STAFF, horizon, week=300.0)
    for call in calls:
        call.background = False
    assert pool_fates(calls, STAFF, horizon, week=300.0) == all_background == reference(calls, STAFF, horizon)
