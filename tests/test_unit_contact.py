"""The contact centre: 999 before 101, 101 callers who hang up, and Erlang C for one queue of handlers.

The first tests drive a ``ContactCentre`` directly on a clock with a handful of calls about
incidents, one handler on duty, and read when each incident reaches dispatch (answer time plus
grading, here zero) or is lost, and the centre's answering counts. The last runs the whole
model with calls needing no police only and compares the mean 101 answer wait with Erlang C.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scenarios import build, mmc_dict
from test_core_queueing import erlang_c

from sim.config.schema import ContactCentre as ContactConfig
from sim.model.contact import ContactCentre
from sim.model.demand import CHANNEL_101, CHANNEL_999
from sim.model.engine import Clock
from sim.model.incident import CALL_FIELDS, Incident
from sim.model.stats import Stats
from sim.study.replications import mean_ci, run_replications

FIXED_ZERO = {"dist": "fixed", "value": 0}


def config(handlers: int, reattempt_share: float = 0.0) -> ContactConfig:
    return ContactConfig.model_validate(
        {
            "call_handlers": {"staff_by_hour": [handlers] * 24},
            "handling_minutes": {"emergency_999": FIXED_ZERO, "non_emergency_101": FIXED_ZERO},
            "grading_minutes": FIXED_ZERO,
            "patience_101_minutes": FIXED_ZERO,
            "reattempt_share": reattempt_share,
            "reattempt_delay_minutes": FIXED_ZERO,
            "non_incident_calls_per_year": {"emergency_999": 0, "non_emergency_101": 0},
            "online_desk": {"staff_by_hour": [1] * 24},
            "online_handling_minutes": FIXED_ZERO,
        }
    )


def incident(
    number: int,
    channel: int,
    time: float,
    handling: float,
    patience: float = math.inf,
    reattempt: float = 1.0,
    reattempt_delay: float = 0.0,
) -> Incident:
    """A call about an incident, graded at once: the per-call draws of demand, named."""
    drawn = {name: 0 for name in CALL_FIELDS}
    drawn.update(
        time=time,
        channel=channel,
        crew=1,
        handling=handling,
        patience=patience,
        reattempt=reattempt,
        reattempt_delay=reattempt_delay,
        followup=None,
    )
    return Incident(number, True, [drawn[name] for name in CALL_FIELDS])


def run_centre(calls: list[Incident], handlers: int = 1, **options: Any) -> tuple[dict, dict, dict[str, Any]]:
    """Each call reaches the centre at its time; returns when each reached dispatch or was lost."""
    clock = Clock()
    stats = Stats(0.0, 1440.0, ["job"], ["P1"])
    dispatched: dict[int, float] = {}
    lost: dict[int, float] = {}
    centre = ContactCentre(
        clock,
        config(handlers, **options),
        stats,
        lambda call: dispatched.setdefault(call.number, clock.now),
        lambda call: lost.setdefault(call.number, clock.now),
    )
    reported = np.empty(len(calls), dtype=object)
    reported[:] = calls
    centre.expect(
        *(
            np.array([getattr(call, name) for call in calls])
            for name in ("time", "kind", "channel", "handling", "patience")
        ),
        reported,
    )
    centre.plan(1440.0)
    clock.run(until=1440.0)
    centre.settle(1440.0)
    return dispatched, lost, stats.contact


def test_999_is_answered_before_an_older_101() -> None:
    """The 101 call of minute 1 waits behind the 999 call of minute 2 for the handler freed at 10."""
    calls = [
        incident(1, CHANNEL_101, 0.0, handling=10),
        incident(2, CHANNEL_101, 1.0, handling=10),
        incident(3, CHANNEL_999, 2.0, handling=5),
    ]
    dispatched, lost, contact = run_centre(calls)
    assert dispatched == {1: 0.0, 3: 10.0, 2: 15.0} and not lost
    assert contact["answered_999"] == 1 and contact["answered_999_within_10s"] == 0  # waited 8 minutes
    assert contact["answered_101"] == 2 and contact["answer_wait_101_minutes"] == pytest.approx(14.0)


def test_101_caller_hangs_up_after_their_patience_and_999_never_does() -> None:
    """The handler is on a 999 call until 30. The 101 caller of minute 1 with 5 minutes' patience
    hangs up at 6 and the incident is lost; the 999 of minute 3 with no patience waits and is
    answered at 30, ahead of the patient 101 caller of minute 2, answered at 35."""
    calls = [
        incident(1, CHANNEL_999, 0.0, handling=30),
        incident(2, CHANNEL_101, 1.0, handling=5, patience=5),
        incident(3, CHANNEL_101, 2.0, handling=5, patience=60),
        incident(4, CHANNEL_999, 3.0, handling=5, patience=0),
    ]
    dispatched, lost, contact = run_centre(calls)
    assert lost == {2: 6.0}
    assert dispatched == {1: 0.0, 4: 30.0, 3: 35.0}
    assert contact["offered_101"] == 2 and contact["abandoned_101"] == 1


def test_caller_who_hangs_up_rings_again_once() -> None:
    """Patience 2, ringing back 20 minutes later (reattempt draw 0 < share 0.5): hangs up at 3,
    rings at 23, hangs up again at 25 and is then lost (a caller rings back at most once)."""
    calls = [
        incident(1, CHANNEL_999, 0.0, handling=60),
        incident(2, CHANNEL_101, 1.0, handling=5, patience=2, reattempt=0.0, reattempt_delay=20),
    ]
    dispatched, lost, contact = run_centre(calls, reattempt_share=0.5)
    assert lost == {2: 25.0} and dispatched == {1: 0.0}
    assert contact["offered_101"] == 2 and contact["abandoned_101"] == 2


def test_mean_101_answer_wait_matches_erlang_c() -> None:
    """Four handlers always on duty, Poisson 101 calls needing no police at 85% load, exponential
    handling, callers who never hang up: an M/M/4 queue. Erlang C's mean wait must lie in the 99%
    interval of eight replication means."""
    handlers, handling, load = 4, 4.0, 0.85
    per_minute = load * handlers / handling
    raw = mmc_dict(1, 1e-6, 10.0, days=31, warmup_days=1)
    raw["contact"] = config(handlers).model_dump(mode="json", by_alias=True)
    raw["contact"]["handling_minutes"]["non_emergency_101"] = {"dist": "exponential", "mean": handling}
    raw["contact"]["patience_101_minutes"] = {"dist": "fixed", "value": 1e9}
    raw["contact"]["non_incident_calls_per_year"]["non_emergency_101"] = per_minute * 1440 * 365.25
    results = run_replications(build(raw), 8, seed=31)
    waits = [r.metrics["contact.mean_answer_101_seconds"] / 60.0 for r in results]
    theory = erlang_c(handlers, per_minute * handling) / (handlers / handling - per_minute)
    mean, low, high = mean_ci(waits, 0.99)
    assert low <= theory <= high, (
        f"Erlang C mean wait {theory:.3f} min outside 99% CI ({mean:.3f}, {low:.3f}, {high:.3f})"
    )
    assert all(r.metrics["contact.abandoned_101"] == 0 for r in results)
