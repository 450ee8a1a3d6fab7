"""The clock's plain callbacks run in exactly SimPy's order, interleaved with SimPy's own events."""

from __future__ import annotations

import gc

import numpy as np
import pytest
import simpy

from sim.model.engine import RUN_GC_THRESHOLD, Clock, long_lived_objects_set_aside


def _schedule_mix(env: simpy.Environment, delays: list[float], as_callback: list[bool], log: list) -> None:
    """Half the entries as SimPy timeouts with a callback, half as clock callbacks (when on a Clock)."""
    for number, (delay, callback) in enumerate(zip(delays, as_callback, strict=True)):
        if callback and isinstance(env, Clock):
            env.after(delay, lambda n=number: log.append((n, env.now)))
        else:
            env.timeout(delay).callbacks.append(lambda _event, n=number: log.append((n, env.now)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_callbacks_and_timeouts_interleave_as_plain_simpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    delays = rng.choice([0.0, 1.0, 2.5, 7.0], size=400).tolist() + rng.exponential(5.0, 400).tolist()  # many ties
    as_callback = (rng.random(len(delays)) < 0.5).tolist()
    plain, clock = simpy.Environment(), Clock()
    expected: list = []
    got: list = []
    _schedule_mix(plain, delays, as_callback, expected)
    _schedule_mix(clock, delays, as_callback, got)
    plain.run()
    clock.run()
    assert got == expected
    assert clock.events == sum(as_callback)


def test_callbacks_scheduled_by_callbacks_and_processes_keep_time() -> None:
    clock = Clock()
    seen: list[tuple[str, float]] = []

    def tick(n: int) -> None:
        seen.append(("tick", clock.now))
        if n < 3:
            clock.after(2.0, tick, n + 1)

    def process():  # a SimPy process on the same clock
        yield clock.timeout(3.0)
        seen.append(("process", clock.now))
        clock.after(0.5, lambda: seen.append(("from process", clock.now)))

    clock.after(0.0, tick, 0)
    clock.process(process())
    clock.run(until=10.0)
    assert seen == [("tick", 0.0), ("tick", 2.0), ("process", 3.0), ("from process", 3.5), ("tick", 4.0), ("tick", 6.0)]
    assert clock.now == 10.0


def test_run_until_an_event_stops_after_it() -> None:
    clock = Clock()
    stop = clock.event()
    seen: list[float] = []
    for t in (1.0, 2.0, 3.0, 4.0):
        clock.after(t, seen.append, t)
    clock.after(2.5, stop.succeed)
    clock.run(until=stop)
    assert seen == [1.0, 2.0] and clock.now == 2.5


def test_run_returns_as_simpy_does() -> None:
    """The clock's own run loop keeps SimPy's ``until`` rules: a number, an event's value, none."""
    for env in (simpy.Environment(), Clock()):
        done = env.event()
        env.timeout(2.0).callbacks.append(lambda _event, done=done: done.succeed("value"))
        assert env.run(until=done) == "value" and env.now == 2.0
        assert env.run(until=done) == "value"  # an event already processed: at once
        assert env.run(until=5.0) is None and env.now == 5.0
        with pytest.raises(ValueError, match="must be greater"):
            env.run(until=4.0)
        never = env.event()
        env.timeout(1.0)
        with pytest.raises(RuntimeError, match="No scheduled events left"):
            env.run(until=never)
        assert env.run() is None and env.now == 6.0


def test_negative_delay_and_errors_in_callbacks() -> None:
    clock = Clock()
    with pytest.raises(ValueError, match="negative delay"):
        clock.after(-1.0, print)

    def broken() -> None:
        raise RuntimeError("boom")

    clock.after(1.0, broken)
    with pytest.raises(RuntimeError, match="boom"):
        clock.run()


def test_long_lived_objects_set_aside_only_for_the_run() -> None:
    assert gc.get_freeze_count() == 0
    thresholds = gc.get_threshold()
    with long_lived_objects_set_aside():
        assert gc.get_freeze_count() > 0  # what existed before the run is out of the scans
        assert gc.get_threshold() == RUN_GC_THRESHOLD != thresholds  # and collections are rarer
    assert gc.get_freeze_count() == 0  # and back afterwards
    assert gc.get_threshold() == thresholds


def test_a_process_that_froze_objects_itself_is_left_alone() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with long_lived_objects_set_aside():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_at_keeps_the_minute_exactly_and_first_at_goes_before_others_then() -> None:
    """``at`` holds the minute itself (``after`` holds now + (minute - now), which can differ in the
    last bit); ``first_at`` runs before every other callback due at the same minute, even ones
    scheduled earlier; a minute already past is refused."""
    clock = Clock()
    seen: list[tuple[str, float]] = []
    clock.after(0.7, lambda: None)
    clock.run(until=0.7)
    minute = 2.9  # 0.7 + (2.9 - 0.7) is 2.9000000000000004
    assert clock.now + (minute - clock.now) != minute
    clock.at(minute, lambda: seen.append(("at", clock.now)))
    clock.after(minute - clock.now, lambda: seen.append(("after", clock.now)))
    clock.after(5.0 - clock.now, lambda: seen.append(("plain", clock.now)))
    clock.first_at(5.0, lambda: seen.append(("first", clock.now)))
    clock.run()
    assert seen == [("at", 2.9), ("after", 2.9000000000000004), ("first", 5.0), ("plain", 5.0)]
    assert clock.events == 5
    for schedule in (clock.at, clock.first_at):
        with pytest.raises(ValueError, match="before now"):
            schedule(4.0, lambda: None)
